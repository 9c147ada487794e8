package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.ConvDimensionNumbers;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Window;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An f32 or f64 convolution as an implicit GEMM, in explicit vector IR like {@link GemmEmitter}:
 * per feature group, {@code C[m, o] = sum_k A(m, k) B(k, o)}, where m runs over the output
 * positions (every result dimension but the output feature, row-major), k over the kernel taps
 * and then the group's input features, A(m, k) is the input element that tap reads for position
 * m (zero in padding and base-dilation holes) and B is the kernel.
 *
 * <p>A is never materialized (no im2col buffer): the micro-kernel takes MR = 6 positions at a
 * time and, for each tap, computes where each position's input features start (one offset per
 * position; the features are then a strided run in any input layout). Across the tap's input
 * features it broadcasts one input element per position against two vectors of packed kernel
 * (NR output features) and keeps the 6 x NR sums in 12 vector registers, the GEMM's
 * micro-kernel. A tap that some of the 6 positions read from padding takes a second copy of
 * the feature loop that selects zero for those positions; the usual interior tap has no selects.
 *
 * <p>The kernel is packed once per call into a temporary ({@code [group][panel][tap][feature][NR]},
 * zero past the group's last output feature, reversal applied), so any kernel layout looks the
 * same to the micro-kernel. The output is written by vector stores when its feature dimension is
 * contiguous and the panel full, else element by element. Positions past the last one (the last
 * tile) recompute the last position and store the same values to it.
 *
 * <p>Each sum runs over taps then input features, with FMA: XLA leaves the order open.
 */
final class ConvolutionGemm {
  private ConvolutionGemm() {}

  static final int MR = GemmEmitter.MR;

  /**
   * Whether the implicit GEMM computes this convolution: f32 or f64 throughout, no batch groups,
   * static shapes, at least one vector of output features per group (depthwise convolutions keep
   * the loop nest) and enough work for the tiles to pay off.
   */
  static boolean applies(ConvolutionEmitter.Geometry g, ElementType lhs, ElementType rhs, ElementType out,
                         int batchGroups) {
    if ((out != ElementType.F32 && out != ElementType.F64) || lhs != out || rhs != out || batchGroups != 1) {
      return false;
    }
    if (dynamic(g.ld()) || dynamic(g.rd()) || dynamic(g.od())) {
      return false;
    }
    long k = product(g.taps()) * g.inFeaturesPerGroup();
    long work = product(g.od()) * k;
    return g.outPerFeatureGroup() >= lanes(out) && k > 0 && work >= GemmEmitter.MIN_WORK;
  }

  /**
   * Emits the convolution into {@code out}; {@code c} provides the packed kernel's temporary. A
   * non-null {@code epilogue} gets the index of each output element once, after its tile is stored.
   */
  static void emit(ComputationEmitter c, String hint, ConvolutionEmitter.Geometry g, IrArray lhs, IrArray rhs,
                   IrArray out, Consumer<IrIndex> epilogue) {
    Tiles t = new Tiles(g, out.elementType());
    IrArray packed = c.temp(hint + ".packed_kernel",
        Shape.array(t.type, Math.toIntExact((long) t.groups * t.panels * t.k * t.nr)));
    IrBuilder b = c.builder();
    packKernel(b, t, rhs, packed);
    LoopEmitter.forRange(b, "conv.tile", i64((t.positions + MR - 1) / MR), tile -> {
      Row[] rows = new Row[MR];
      for (int ir = 0; ir < MR; ir++) {
        rows[ir] = t.row(b, tile, ir);
      }
      LoopEmitter.forRange(b, "conv.group", i64(t.groups), group ->
          LoopEmitter.forRange(b, "conv.panel", i64(t.panels), panel ->
              panelTile(b, t, lhs, packed, out, rows, group, panel, epilogue)));
    });
  }

  /** The sizes, strides and vector shapes of one convolution's implicit GEMM. */
  private static final class Tiles {
    final ConvolutionEmitter.Geometry g;
    final ConvDimensionNumbers dn;
    final ElementType type;
    final int lanes;
    final int nr;
    final int groups;
    final int panels;
    /** Input features per group: the innermost part of k. */
    final int features;
    /** The contracting size per group: taps times input features. */
    final long k;
    final long positions;
    final long[] inStrides;
    final long[] outStrides;
    /** The result dimensions that make up a position (all but the output feature), in order. */
    final int[] positionAxes;
    final int[] positionDims;

    Tiles(ConvolutionEmitter.Geometry g, ElementType type) {
      this.g = g;
      this.dn = g.dn();
      this.type = type;
      this.lanes = lanes(type);
      this.nr = 2 * lanes;
      this.groups = g.od()[dn.outputFeature()] / g.outPerFeatureGroup();
      this.panels = (g.outPerFeatureGroup() + nr - 1) / nr;
      this.features = g.inFeaturesPerGroup();
      this.k = product(g.taps()) * features;
      this.inStrides = IrIndex.rowMajorStrides(g.ld());
      this.outStrides = IrIndex.rowMajorStrides(g.od());
      int[] od = g.od();
      positionAxes = new int[od.length - 1];
      positionDims = new int[od.length - 1];
      for (int d = 0, i = 0; d < od.length; d++) {
        if (d != dn.outputFeature()) {
          positionAxes[i] = d;
          positionDims[i++] = od[d];
        }
      }
      positions = product(positionDims);
    }

    String elem() {
      return type == ElementType.F32 ? "float" : "double";
    }

    String vec() {
      return "<" + lanes + " x " + elem() + ">";
    }

    int size() {
      return type.byteSize();
    }

    /** Row {@code ir} of tile {@code tile}: its position (the last one past the end) decomposed. */
    Row row(IrBuilder b, IrValue tile, int ir) {
      IrValue m = b.add(b.mul(tile, i64(MR)), i64(ir));
      IrValue valid = b.icmp("ult", m, i64(positions));
      m = b.select(valid, m, i64(positions - 1));
      IrIndex pos = IrIndex.fromLinear(b, m, positionDims);
      IrValue[] at = new IrValue[g.od().length];
      IrValue outOffset = i64(0);
      for (int i = 0; i < positionAxes.length; i++) {
        at[positionAxes[i]] = pos.get(i);
        outOffset = b.add(outOffset, b.mul(pos.get(i), i64(outStrides[positionAxes[i]])));
      }
      IrValue inOffset = b.mul(at[dn.outputBatch()], i64(inStrides[dn.inputBatch()]));
      IrValue[] start = new IrValue[g.taps().length];
      for (int s = 0; s < start.length; s++) {
        Window.Dim w = g.window().dim(s);
        start[s] = b.sub(b.mul(at[dn.outputSpatial(s)], i64(w.stride())), i64(w.padLow()));
      }
      return new Row(valid, at, outOffset, inOffset, start);
    }

    /**
     * Where position {@code row} reads tap {@code tap}'s first input feature of the group at
     * {@code groupOffset}, and whether it reads the input at all (not padding or a hole).
     */
    IrValue[] tapOffset(IrBuilder b, Row row, IrIndex tap, IrValue groupOffset) {
      IrValue valid = IrValue.bool(true);
      IrValue offset = b.add(row.inOffset(), groupOffset);
      for (int s = 0; s < row.start().length; s++) {
        Window.Dim w = g.window().dim(s);
        long in = g.ld()[dn.inputSpatial(s)];
        long dilatedIn = in == 0 ? 0 : (in - 1) * w.baseDilation() + 1;
        IrValue p = b.add(row.start()[s], b.mul(tap.get(s), i64(w.windowDilation())));
        IrValue inside = b.icmp("ult", p, i64(dilatedIn)); // negative p is huge unsigned
        if (w.baseDilation() != 1) {
          inside = b.and(inside, b.icmp("eq", b.binop("urem", p, i64(w.baseDilation())), i64(0)));
          p = b.binop("udiv", p, i64(w.baseDilation()));
        }
        valid = b.and(valid, inside);
        offset = b.add(offset, b.mul(p, i64(inStrides[dn.inputSpatial(s)])));
      }
      return new IrValue[] {offset, valid};
    }
  }

  /**
   * One output position of a tile: whether it exists (else it is a copy of the last), its index in
   * the result (the feature entry unset), its element offset there, its batch's offset in the
   * input, and per spatial dimension the input coordinate of tap 0 ({@code p * stride - pad_low},
   * in the base-dilated input).
   */
  private record Row(IrValue valid, IrValue[] at, IrValue outOffset, IrValue inOffset, IrValue[] start) {}

  /**
   * packed[((group * panels + panel) * k + tap * features + f) * NR + j] = kernel[tap (reversed
   * where the window says so), f, group * O + panel * NR + j], 0 past the group's O outputs.
   */
  private static void packKernel(IrBuilder b, Tiles t, IrArray rhs, IrArray packed) {
    ConvolutionEmitter.Geometry g = t.g;
    ConvDimensionNumbers dn = t.dn;
    int outPerGroup = g.outPerFeatureGroup();
    IrValue zero = IrValue.fpConst(t.elem(), 0);
    LoopEmitter.forRange(b, "convpack.group", i64(t.groups), group ->
        LoopEmitter.forRange(b, "convpack.panel", i64(t.panels), panel -> {
          IrValue panelBase = b.mul(b.add(b.mul(group, i64(t.panels)), panel), i64(t.k));
          LoopEmitter.forEachIndex(b, "convpack.tap", g.taps(), tap -> {
            IrValue[] idx = new IrValue[g.rd().length];
            for (int s = 0; s < g.taps().length; s++) {
              idx[dn.kernelSpatial(s)] = g.window().dim(s).reversal()
                  ? b.sub(i64(g.taps()[s] - 1L), tap.get(s)) : tap.get(s);
            }
            IrValue tapBase = b.add(panelBase, b.mul(tap.linear(b), i64(t.features)));
            LoopEmitter.forRange(b, "convpack.f", i64(t.features), f -> {
              IrValue dst = b.mul(b.add(tapBase, f), i64(t.nr));
              LoopEmitter.forRange(b, "convpack.j", i64(t.nr), j -> {
                IrValue o = b.add(b.mul(panel, i64(t.nr)), j);
                IrValue inside = b.icmp("ult", o, i64(outPerGroup));
                IrValue[] at = idx.clone();
                at[dn.kernelInputFeature()] = f;
                at[dn.kernelOutputFeature()] = b.add(b.mul(group, i64(outPerGroup)),
                    b.select(inside, o, i64(0))); // loads stay in bounds; the value is discarded
                IrValue v = rhs.load(b, new IrIndex(at, g.rd(), null));
                packed.storeLinear(b, b.add(dst, j), b.select(inside, v, zero));
              });
            });
          });
        }));
  }

  /** Output features [group O + panel NR, + NR) of the tile's MR positions. */
  private static void panelTile(IrBuilder b, Tiles t, IrArray lhs, IrArray packed, IrArray out, Row[] rows,
                                IrValue group, IrValue panel, Consumer<IrIndex> epilogue) {
    String vt = t.vec();
    int vsize = t.lanes * t.size();
    IrValue[][] acc = new IrValue[MR][2];
    for (int i = 0; i < MR; i++) {
      for (int h = 0; h < 2; h++) {
        acc[i][h] = b.alloca(vt); // promoted to registers by mem2reg
        b.store(new IrValue(vt, "zeroinitializer"), acc[i][h], vsize);
      }
    }
    IrValue groupOffset = b.mul(group, i64(t.features * t.inStrides[t.dn.inputFeature()]));
    IrValue panelBase = b.gep(t.elem(), packed.pointer(),
        b.mul(b.add(b.mul(group, i64(t.panels)), panel), i64(t.k * t.nr)));
    LoopEmitter.forEachIndex(b, "conv.tap", t.g.taps(), tap -> {
      IrValue kernel = b.gep(t.elem(), panelBase, b.mul(tap.linear(b), i64((long) t.features * t.nr)));
      IrValue[] offsets = new IrValue[MR];
      IrValue[] valid = new IrValue[MR];
      IrValue allValid = IrValue.bool(true);
      for (int ir = 0; ir < MR; ir++) {
        IrValue[] ov = t.tapOffset(b, rows[ir], tap, groupOffset);
        offsets[ir] = ov[0];
        valid[ir] = ov[1];
        allValid = b.and(allValid, valid[ir]);
      }
      String interior = b.newLabel("conv.interior");
      String border = b.newLabel("conv.border");
      String done = b.newLabel("conv.tapdone");
      b.condBr(allValid, interior, border);
      b.startBlock(interior);
      b.enterScope();
      IrValue[] direct = new IrValue[MR];
      for (int ir = 0; ir < MR; ir++) {
        direct[ir] = b.gep(t.elem(), lhs.pointer(), offsets[ir]);
      }
      featureLoop(b, t, direct, null, kernel, acc);
      b.exitScope();
      b.br(done);
      b.startBlock(border);
      b.enterScope();
      IrValue[] safe = new IrValue[MR];
      for (int ir = 0; ir < MR; ir++) {
        safe[ir] = b.gep(t.elem(), lhs.pointer(), b.select(valid[ir], offsets[ir], groupOffset));
      }
      featureLoop(b, t, safe, valid, kernel, acc);
      b.exitScope();
      b.br(done);
      b.startBlock(done);
    });
    storeTile(b, t, out, rows, group, panel, acc);
    if (epilogue != null) {
      applyEpilogue(b, t, rows, group, panel, epilogue);
    }
  }

  /**
   * Passes each element of the stored tile to {@code epilogue}, once: rows past the last position
   * (copies of it) are skipped, as are features past the group's last.
   */
  private static void applyEpilogue(IrBuilder b, Tiles t, Row[] rows, IrValue group, IrValue panel,
                                    Consumer<IrIndex> epilogue) {
    IrValue first = b.add(b.mul(group, i64(t.g.outPerFeatureGroup())), b.mul(panel, i64(t.nr)));
    IrValue cols = columns(b, t, panel);
    int feature = t.dn.outputFeature();
    long featureStride = t.outStrides[feature];
    for (Row row : rows) {
      String apply = b.newLabel("conv.epilogue");
      String next = b.newLabel("conv.epilogue.next");
      b.condBr(row.valid(), apply, next);
      b.startBlock(apply);
      b.enterScope();
      LoopEmitter.forRange(b, "conv.epilogue.j", cols, j -> {
        IrValue o = b.add(first, j);
        IrValue[] at = row.at().clone();
        at[feature] = o;
        epilogue.accept(new IrIndex(at, t.g.od(), b.add(row.outOffset(), b.mul(o, i64(featureStride)))));
      });
      b.exitScope();
      b.br(next);
      b.startBlock(next);
    }
  }

  /** How many of the panel's NR output features exist: NR, or fewer in a group's last panel. */
  private static IrValue columns(IrBuilder b, Tiles t, IrValue panel) {
    int outPerGroup = t.g.outPerFeatureGroup();
    if (outPerGroup % t.nr == 0) {
      return i64(t.nr);
    }
    IrValue left = b.sub(i64(outPerGroup), b.mul(panel, i64(t.nr)));
    return b.select(b.icmp("slt", left, i64(t.nr)), left, i64(t.nr));
  }

  /**
   * acc[i] += input(row i, feature f) * kernel[f, NR outputs] over the tap's input features;
   * with {@code valid}, rows that read padding take zero instead of their (in-bounds) load.
   */
  private static void featureLoop(IrBuilder b, Tiles t, IrValue[] rowPtr, IrValue[] valid, IrValue kernel,
                                  IrValue[][] acc) {
    String et = t.elem();
    String vt = t.vec();
    int size = t.size();
    int vsize = t.lanes * size;
    long featureStride = t.inStrides[t.dn.inputFeature()];
    String fma = "llvm.fmuladd.v" + t.lanes + (t.type == ElementType.F32 ? "f32" : "f64");
    IrValue zero = IrValue.fpConst(et, 0);
    LoopEmitter.forRange(b, "conv.f", i64(t.features), f -> {
      IrValue kRow = b.gep(et, kernel, b.mul(f, i64(t.nr)));
      IrValue[] ks = {b.load(vt, kRow, size), b.load(vt, b.gep(et, kRow, i64(t.lanes)), size)};
      IrValue at = b.mul(f, i64(featureStride));
      for (int i = 0; i < MR; i++) {
        IrValue a = b.load(et, b.gep(et, rowPtr[i], at), size);
        if (valid != null) {
          a = b.select(valid[i], a, zero);
        }
        IrValue one = b.assign(vt, "insertelement " + vt + " poison, " + a.typed() + ", i64 0");
        IrValue splat = b.assign(vt, "shufflevector " + one.typed() + ", " + vt + " poison, <" + t.lanes
            + " x i32> zeroinitializer");
        for (int h = 0; h < 2; h++) {
          b.store(b.callExternal(vt, fma, splat, ks[h], b.load(vt, acc[i][h], vsize)), acc[i][h], vsize);
        }
      }
    });
  }

  /**
   * Writes the tile: vector stores when the output features are contiguous and the panel full,
   * else each valid feature of each row on its own through a stack tile.
   */
  private static void storeTile(IrBuilder b, Tiles t, IrArray out, Row[] rows, IrValue group, IrValue panel,
                                IrValue[][] acc) {
    String et = t.elem();
    String vt = t.vec();
    int size = t.size();
    int vsize = t.lanes * size;
    int outPerGroup = t.g.outPerFeatureGroup();
    long featureStride = t.outStrides[t.dn.outputFeature()];
    IrValue first = b.add(b.mul(group, i64(outPerGroup)), b.mul(panel, i64(t.nr)));
    boolean contiguous = featureStride == 1;
    boolean alwaysFull = outPerGroup % t.nr == 0;
    if (contiguous && alwaysFull) {
      storeVectors(b, t, out, rows, first, acc);
      return;
    }
    String stored = b.newLabel("conv.stored");
    if (contiguous) {
      String vectors = b.newLabel("conv.store.vectors");
      String elements = b.newLabel("conv.store.elements");
      b.condBr(b.icmp("ule", b.mul(b.add(panel, i64(1)), i64(t.nr)), i64(outPerGroup)), vectors, elements);
      b.startBlock(vectors);
      b.enterScope();
      storeVectors(b, t, out, rows, first, acc);
      b.exitScope();
      b.br(stored);
      b.startBlock(elements);
    }
    b.enterScope();
    IrValue tile = b.alloca("[" + (MR * t.nr) + " x " + et + "]");
    for (int i = 0; i < MR; i++) {
      for (int h = 0; h < 2; h++) {
        b.store(b.load(vt, acc[i][h], vsize), b.gep(et, tile, i64((long) i * t.nr + (long) h * t.lanes)), size);
      }
    }
    IrValue cols = columns(b, t, panel);
    for (int i = 0; i < MR; i++) {
      int row = i;
      LoopEmitter.forRange(b, "conv.store.j", cols, j -> {
        IrValue v = b.load(et, b.gep(et, tile, b.add(i64((long) row * t.nr), j)), size);
        IrValue at = b.add(rows[row].outOffset(), b.mul(b.add(first, j), i64(featureStride)));
        b.store(v, b.gep(et, out.pointer(), at), size);
      });
    }
    b.exitScope();
    b.br(stored);
    b.startBlock(stored);
  }

  /** The tile's 2 MR vectors straight into the result's rows (contiguous features, full panel). */
  private static void storeVectors(IrBuilder b, Tiles t, IrArray out, Row[] rows, IrValue first, IrValue[][] acc) {
    String et = t.elem();
    for (int i = 0; i < MR; i++) {
      IrValue row = b.gep(et, out.pointer(), b.add(rows[i].outOffset(), first));
      for (int h = 0; h < 2; h++) {
        b.store(b.load(t.vec(), acc[i][h], t.lanes * t.size()), b.gep(et, row, i64((long) h * t.lanes)), t.size());
      }
    }
  }

  static int lanes(ElementType t) {
    return t == ElementType.F32 ? 8 : 4;
  }

  private static IrValue i64(long v) {
    return IrValue.i64(v);
  }

  private static boolean dynamic(int[] dims) {
    return Arrays.stream(dims).anyMatch(d -> d == Shape.DYNAMIC);
  }

  private static long product(int[] dims) {
    long p = 1;
    for (int d : dims) {
      p *= d;
    }
    return p;
  }

}
