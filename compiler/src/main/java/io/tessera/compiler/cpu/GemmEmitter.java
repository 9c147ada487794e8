package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;

/**
 * A tiled, register-blocked GEMM and a GEMV for f32 and f64 dots, in explicit vector IR
 * ({@code <8 x float>} / {@code <4 x double>} and {@code llvm.fmuladd}: FMA instructions where
 * the target has them, multiply and add elsewhere).
 *
 * <p>GEMM, per batch, as in BLIS/GotoBLAS: for each block of NC columns and KC contracting
 * indices, B is packed into panels of NR = 2 vectors of columns (zero-padded, contiguous per
 * k); for each block of MC rows, A into panels of MR = 6 rows; then a 6 x NR micro-kernel keeps
 * its 12 accumulators in vector registers across the block's k loop (one broadcast of A and two
 * loads of B feed 12 FMAs), stores them to a stack tile, and adds the valid part of the tile into
 * C. Packing makes every operand layout (transposed, batched, strided by dimension numbers) and
 * every edge tile look the same to the micro-kernel. C receives one partial sum per KC block.
 *
 * <p>GEMV (one side without free dimensions, the contracting dimension contiguous in both
 * operands): four rows at a time, each row a vector accumulator over k, reduced at the end.
 *
 * <p>M may be the call's row count (times static free dimensions) when lhs has a dynamic leading
 * free dimension: {@code f32[?,784] x f32[784,128]} runs the same GEMM on any number of rows.
 *
 * <p>Sums run in a different order than the loop nest's, with FMA: XLA leaves the order open.
 */
final class GemmEmitter {
  private GemmEmitter() {}

  static final int MR = 6;
  static final int KC = 256;
  /** Below this many multiply-adds the loop nest is as fast and much less code. */
  static final long MIN_WORK = 4096;

  /**
   * A dot in canonical form: for each batch index, C[m, n] = sum_k A(m, k) B(k, n), where
   * A(m, k) is element {@code aBase + m sAm + k sAk} of the lhs buffer (likewise B) and C is the
   * dense result, batch-major.
   */
  record Plan(ElementType type, int[] batch, long[] aBatchStrides, long[] bBatchStrides, int m, int mFactor, int n,
              int k, long sAm, long sAk, long sBk, long sBn) {

    /** M is the call's row count times {@link #mFactor} (a dynamic leading dimension of lhs). */
    boolean dynamicM() {
      return m == Shape.DYNAMIC;
    }

    /** M as an {@code i64} value. */
    IrValue mSize(IrBuilder b) {
      return dynamicM() ? b.mul(b.dimensionSize(Shape.DYNAMIC), i64(mFactor)) : i64(m);
    }

    int lanes() {
      return type == ElementType.F32 ? 8 : 4;
    }

    int nr() {
      return 2 * lanes();
    }

    int mc() {
      return type == ElementType.F32 ? 144 : 72;
    }

    int nc() {
      return type == ElementType.F32 ? 4096 : 2048;
    }

    boolean gemv() {
      return (n == 1 && sAk == 1 && sBk == 1) || (m == 1 && sAk == 1 && sBk == 1);
    }

    boolean gemm() {
      return (m >= 2 || dynamicM()) && n >= 2;
    }

    /** Bytes of packing memory the GEMM needs (0 for the GEMV). */
    long scratchBytes() {
      if (!gemm()) {
        return 0;
      }
      long ncEff = Math.min(nc(), roundUp(n, nr()));
      long kcEff = Math.min(KC, k);
      long mcEff = dynamicM() ? mc() : Math.min(mc(), roundUp(m, MR));
      return (ncEff * kcEff + mcEff * kcEff) * type.byteSize();
    }
  }

  /**
   * The plan of a dot when the GEMM or GEMV applies, else {@code null} (the loop nest). {@code m}
   * may be {@link Shape#DYNAMIC}: then M is the row count times {@code mFactor}, and the work is
   * estimated for 64 rows.
   */
  static Plan plan(ElementType type, int[] batch, long[] aBatchStrides, long[] bBatchStrides, int m, int mFactor,
                   int n, int k, long sAm, long sAk, long sBk, long sBn) {
    if (type != ElementType.F32 && type != ElementType.F64) {
      return null;
    }
    Plan p = new Plan(type, batch, aBatchStrides, bBatchStrides, m, mFactor, n, k, sAm, sAk, sBk, sBn);
    long work = (p.dynamicM() ? 64L * mFactor : m) * n * k;
    if (k == 0 || work < MIN_WORK) {
      return null;
    }
    if (p.gemm()) {
      return p;
    }
    return p.gemv() && k >= 2 * p.lanes() ? p : null;
  }

  private static long roundUp(long v, long multiple) {
    return (v + multiple - 1) / multiple * multiple;
  }

  /**
   * Code that finishes a block of C once its sums are final, while the block is still in cache: a
   * dot's elementwise epilogue (bias, activation) applied in place, rows {@code [row0, row0 + rows)}
   * and columns {@code [col0, col0 + cols)} of C as a matrix.
   */
  interface BlockEpilogue {
    void emit(IrBuilder b, IrValue row0, IrValue rows, IrValue col0, IrValue cols);
  }

  /** Whether {@link #emit} runs a {@link BlockEpilogue} for {@code p}: the GEMM of a dot without batch dimensions. */
  static boolean takesBlockEpilogue(Plan p) {
    return p.gemm() && p.batch().length == 0;
  }

  /** Emits the dot; {@code packing} points to {@link Plan#scratchBytes} bytes (unused for a GEMV). */
  static void emit(IrBuilder b, Plan p, IrArray lhs, IrArray rhs, IrArray out, IrValue packing) {
    emit(b, p, lhs, rhs, out, packing, null);
  }

  /**
   * Emits the dot, and {@code epilogue} over each block of C as it is finished; {@code epilogue}
   * must be {@code null} unless {@link #takesBlockEpilogue}.
   */
  static void emit(IrBuilder b, Plan p, IrArray lhs, IrArray rhs, IrArray out, IrValue packing,
                   BlockEpilogue epilogue) {
    if (epilogue != null && !takesBlockEpilogue(p)) {
      throw new IllegalArgumentException("a block epilogue needs the GEMM of a dot without batch dimensions");
    }
    LoopEmitter.forEachIndex(b, "gemm.batch", p.batch(), bi -> {
      IrValue aBase = IrValue.i64(0);
      IrValue bBase = IrValue.i64(0);
      for (int d = 0; d < p.batch().length; d++) {
        aBase = b.add(aBase, b.mul(bi.get(d), IrValue.i64(p.aBatchStrides()[d])));
        bBase = b.add(bBase, b.mul(bi.get(d), IrValue.i64(p.bBatchStrides()[d])));
      }
      IrValue cBase = b.mul(batchLinear(b, bi, p.batch()), b.mul(p.mSize(b), i64(p.n())));
      Operands o = new Operands(b.gep(elem(p), lhs.pointer(), aBase), b.gep(elem(p), rhs.pointer(), bBase),
          b.gep(elem(p), out.pointer(), cBase));
      if (p.gemm()) {
        emitGemm(b, p, o, packing, epilogue);
      } else if (p.n() == 1) {
        emitGemv(b, p, o.a(), p.sAm(), o.b(), p.mSize(b), o.c());
      } else {
        emitGemv(b, p, o.b(), p.sBn(), o.a(), i64(p.n()), o.c());
      }
    });
  }

  /** Pointers to this batch's A, B and C. */
  private record Operands(IrValue a, IrValue b, IrValue c) {}

  private static IrValue batchLinear(IrBuilder b, IrIndex bi, int[] batch) {
    return batch.length == 0 ? IrValue.i64(0) : bi.linear(b);
  }

  private static String elem(Plan p) {
    return p.type() == ElementType.F32 ? "float" : "double";
  }

  private static String vec(Plan p) {
    return "<" + p.lanes() + " x " + elem(p) + ">";
  }

  private static IrValue zero(Plan p) {
    return IrValue.fpConst(elem(p), 0);
  }

  private static IrValue i64(long v) {
    return IrValue.i64(v);
  }

  /** min(limit - start, block) for an i64 start. */
  private static IrValue extent(IrBuilder b, IrValue start, long limit, long block) {
    return extent(b, start, i64(limit), block);
  }

  private static IrValue extent(IrBuilder b, IrValue start, IrValue limit, long block) {
    IrValue left = b.sub(limit, start);
    return b.select(b.icmp("slt", left, i64(block)), left, i64(block));
  }

  // ---- GEMM ----------------------------------------------------------------------------------

  private static void emitGemm(IrBuilder b, Plan p, Operands o, IrValue packing, BlockEpilogue epilogue) {
    int nr = p.nr();
    long ncEff = Math.min(p.nc(), roundUp(p.n(), nr));
    long kcEff = Math.min(KC, p.k());
    IrValue packedB = packing;
    IrValue packedA = b.gep(elem(p), packing, i64(ncEff * kcEff));
    String et = elem(p);
    IrValue tile = b.alloca("[" + (MR * nr) + " x " + et + "]");
    long nBlocks = (p.n() + ncEff - 1) / ncEff;
    long kBlocks = (p.k() + kcEff - 1) / kcEff;
    IrValue m = p.mSize(b);
    IrValue mBlocks = b.binop("udiv", b.add(m, i64(p.mc() - 1)), i64(p.mc()));
    LoopEmitter.forRange(b, "gemm.jc", i64(nBlocks), jb -> {
      IrValue jc = b.mul(jb, i64(ncEff));
      IrValue nc = extent(b, jc, p.n(), ncEff);
      IrValue nPanels = b.binop("udiv", b.add(nc, i64(nr - 1)), i64(nr));
      LoopEmitter.forRange(b, "gemm.pc", i64(kBlocks), kb -> {
        IrValue pc = b.mul(kb, i64(kcEff));
        IrValue kc = extent(b, pc, p.k(), kcEff);
        packB(b, p, o.b(), packedB, jc, pc, kc, nPanels);
        LoopEmitter.forRange(b, "gemm.ic", mBlocks, ib -> {
          IrValue ic = b.mul(ib, i64(p.mc()));
          IrValue mc = extent(b, ic, m, p.mc());
          IrValue mPanels = b.binop("udiv", b.add(mc, i64(MR - 1)), i64(MR));
          packA(b, p, o.a(), packedA, m, ic, pc, kc, mPanels);
          LoopEmitter.forRange(b, "gemm.jr", nPanels, jp -> LoopEmitter.forRange(b, "gemm.ir", mPanels, ip -> {
            IrValue bp = b.gep(et, packedB, b.mul(b.mul(jp, kc), i64(nr)));
            IrValue ap = b.gep(et, packedA, b.mul(b.mul(ip, kc), i64(MR)));
            microKernel(b, p, ap, bp, kc, tile);
            IrValue row0 = b.add(ic, b.mul(ip, i64(MR)));
            IrValue col0 = b.add(jc, b.mul(jp, i64(nr)));
            addTile(b, p, tile, o.c(), row0, col0, extent(b, row0, m, MR), extent(b, col0, p.n(), nr),
                b.icmp("eq", kb, i64(0)));
          }));
          if (epilogue != null) {
            // After the last k block the mc x nc block of C is final and still in cache.
            LoopEmitter.ifThen(b, "gemm.epilogue", b.icmp("eq", kb, i64(kBlocks - 1)),
                () -> epilogue.emit(b, ic, mc, jc, nc));
          }
        });
      });
    });
  }

  /** Bp[(jp kc + kk) NR + jr] = B(pc + kk, jc + jp NR + jr), or 0 past the last column. */
  private static void packB(IrBuilder b, Plan p, IrValue bPtr, IrValue packed, IrValue jc, IrValue pc, IrValue kc,
                            IrValue nPanels) {
    int nr = p.nr();
    String et = elem(p);
    LoopEmitter.forRange(b, "packb.jp", nPanels, jp -> LoopEmitter.forRange(b, "packb.k", kc, kk -> {
      IrValue rowOffset = b.mul(b.add(pc, kk), i64(p.sBk()));
      IrValue dst = b.gep(et, packed, b.mul(b.add(b.mul(jp, kc), kk), i64(nr)));
      IrValue col0 = b.add(jc, b.mul(jp, i64(nr)));
      LoopEmitter.forRange(b, "packb.j", i64(nr), jr -> {
        IrValue col = b.add(col0, jr);
        IrValue inside = b.icmp("slt", col, i64(p.n()));
        IrValue safe = b.select(inside, col, i64(0)); // loads stay in bounds; the value is discarded
        IrValue v = b.load(et, b.gep(et, bPtr, b.add(rowOffset, b.mul(safe, i64(p.sBn())))), p.type().byteSize());
        b.store(b.select(inside, v, zero(p)), b.gep(et, dst, jr), p.type().byteSize());
      });
    }));
  }

  /** Ap[(ip kc + kk) MR + ir] = A(ic + ip MR + ir, pc + kk), or 0 past the last row. */
  private static void packA(IrBuilder b, Plan p, IrValue aPtr, IrValue packed, IrValue m, IrValue ic, IrValue pc,
                            IrValue kc, IrValue mPanels) {
    String et = elem(p);
    LoopEmitter.forRange(b, "packa.ip", mPanels, ip -> {
      IrValue row0 = b.add(ic, b.mul(ip, i64(MR)));
      IrValue[] rowOffsets = new IrValue[MR];
      IrValue[] inside = new IrValue[MR];
      for (int ir = 0; ir < MR; ir++) {
        IrValue row = b.add(row0, i64(ir));
        inside[ir] = b.icmp("slt", row, m);
        rowOffsets[ir] = b.mul(b.select(inside[ir], row, i64(0)), i64(p.sAm()));
      }
      LoopEmitter.forRange(b, "packa.k", kc, kk -> {
        IrValue colOffset = b.mul(b.add(pc, kk), i64(p.sAk()));
        IrValue dst = b.gep(et, packed, b.mul(b.add(b.mul(ip, kc), kk), i64(MR)));
        for (int ir = 0; ir < MR; ir++) {
          IrValue v = b.load(et, b.gep(et, aPtr, b.add(rowOffsets[ir], colOffset)), p.type().byteSize());
          b.store(b.select(inside[ir], v, zero(p)), b.gep(et, dst, i64(ir)), p.type().byteSize());
        }
      });
    });
  }

  /** tile = A panel (MR x kc) times B panel (kc x NR), accumulated in 2 MR vector registers. */
  private static void microKernel(IrBuilder b, Plan p, IrValue ap, IrValue bp, IrValue kc, IrValue tile) {
    String et = elem(p);
    String vt = vec(p);
    int lanes = p.lanes();
    IrValue[][] acc = new IrValue[MR][2];
    IrValue zeroVector = new IrValue(vt, "zeroinitializer");
    for (int i = 0; i < MR; i++) {
      for (int h = 0; h < 2; h++) {
        acc[i][h] = b.alloca(vt); // promoted to registers by mem2reg
        b.store(zeroVector, acc[i][h], lanes * p.type().byteSize());
      }
    }
    String fma = "llvm.fmuladd.v" + lanes + (p.type() == ElementType.F32 ? "f32" : "f64");
    int size = p.type().byteSize();
    LoopEmitter.forRange(b, "gemm.k", kc, kk -> {
      IrValue bRow = b.gep(et, bp, b.mul(kk, i64(p.nr())));
      IrValue b0 = b.load(vt, bRow, size);
      IrValue b1 = b.load(vt, b.gep(et, bRow, i64(lanes)), size);
      IrValue aRow = b.gep(et, ap, b.mul(kk, i64(MR)));
      for (int i = 0; i < MR; i++) {
        IrValue a = b.load(et, b.gep(et, aRow, i64(i)), size);
        IrValue one = b.assign(vt, "insertelement " + vt + " poison, " + a.typed() + ", i64 0");
        IrValue splat = b.assign(vt, "shufflevector " + one.typed() + ", " + vt + " poison, <" + lanes
            + " x i32> zeroinitializer");
        IrValue[] bs = {b0, b1};
        for (int h = 0; h < 2; h++) {
          IrValue sum = b.callExternal(vt, fma, splat, bs[h], b.load(vt, acc[i][h], lanes * size));
          b.store(sum, acc[i][h], lanes * size);
        }
      }
    });
    for (int i = 0; i < MR; i++) {
      for (int h = 0; h < 2; h++) {
        IrValue dst = b.gep(et, tile, i64((long) i * p.nr() + (long) h * lanes));
        b.store(b.load(vt, acc[i][h], lanes * size), dst, size);
      }
    }
  }

  /** C[row0 + i, col0 + j] (+)= tile[i, j] for the valid rows and columns; the first k block stores. */
  private static void addTile(IrBuilder b, Plan p, IrValue tile, IrValue c, IrValue row0, IrValue col0, IrValue rows,
                              IrValue cols, IrValue first) {
    String et = elem(p);
    int size = p.type().byteSize();
    LoopEmitter.forRange(b, "tile.i", rows, i -> {
      IrValue cRow = b.gep(et, c, b.add(b.mul(b.add(row0, i), i64(p.n())), col0));
      IrValue tRow = b.gep(et, tile, b.mul(i, i64(p.nr())));
      LoopEmitter.forRange(b, "tile.j", cols, j -> {
        IrValue t = b.load(et, b.gep(et, tRow, j), size);
        IrValue cPtr = b.gep(et, cRow, j);
        IrValue old = b.load(et, cPtr, size);
        IrValue sum = b.fbinop("fadd", b.select(first, zero(p), old), t);
        b.store(sum, cPtr, size);
      });
    });
  }

  // ---- GEMV ----------------------------------------------------------------------------------

  /**
   * y[r] = sum_k M(r, k) x(k) for {@code rows} rows of stride {@code rowStride}, k contiguous in
   * both: four rows share each vector load of x; the tail of k runs scalar.
   */
  private static void emitGemv(IrBuilder b, Plan p, IrValue matrix, long rowStride, IrValue x, IrValue rows,
                               IrValue y) {
    int group = 4;
    IrValue fullGroups = b.binop("udiv", rows, i64(group));
    LoopEmitter.forRange(b, "gemv.g", fullGroups, g -> {
      IrValue row0 = b.mul(g, i64(group));
      gemvRows(b, p, matrix, rowStride, x, y, row0, group);
    });
    IrValue done = b.mul(fullGroups, i64(group));
    LoopEmitter.forRange(b, "gemv.r", b.sub(rows, done), r ->
        gemvRows(b, p, matrix, rowStride, x, y, b.add(done, r), 1));
  }

  private static void gemvRows(IrBuilder b, Plan p, IrValue matrix, long rowStride, IrValue x, IrValue y,
                               IrValue row0, int count) {
    String et = elem(p);
    String vt = vec(p);
    int lanes = p.lanes();
    int size = p.type().byteSize();
    String fma = "llvm.fmuladd.v" + lanes + (p.type() == ElementType.F32 ? "f32" : "f64");
    IrValue[] rowPtr = new IrValue[count];
    IrValue[] acc = new IrValue[count];
    IrValue[] tail = new IrValue[count];
    for (int r = 0; r < count; r++) {
      rowPtr[r] = b.gep(et, matrix, b.mul(b.add(row0, i64(r)), i64(rowStride)));
      acc[r] = b.alloca(vt);
      b.store(new IrValue(vt, "zeroinitializer"), acc[r], lanes * size);
      tail[r] = b.alloca(et);
      b.store(zero(p), tail[r], size);
    }
    long vectors = p.k() / lanes;
    LoopEmitter.forRange(b, "gemv.k", i64(vectors), kv -> {
      IrValue k0 = b.mul(kv, i64(lanes));
      IrValue xv = b.load(vt, b.gep(et, x, k0), size);
      for (int r = 0; r < count; r++) {
        IrValue mv = b.load(vt, b.gep(et, rowPtr[r], k0), size);
        b.store(b.callExternal(vt, fma, mv, xv, b.load(vt, acc[r], lanes * size)), acc[r], lanes * size);
      }
    });
    long done = vectors * lanes;
    if (done < p.k()) {
      LoopEmitter.forRange(b, "gemv.tail", i64(p.k() - done), kt -> {
        IrValue k = b.add(kt, i64(done));
        IrValue xs = b.load(et, b.gep(et, x, k), size);
        for (int r = 0; r < count; r++) {
          IrValue ms = b.load(et, b.gep(et, rowPtr[r], k), size);
          b.store(b.callExternal(et, "llvm.fmuladd." + (p.type() == ElementType.F32 ? "f32" : "f64"), ms, xs,
              b.load(et, tail[r], size)), tail[r], size);
        }
      });
    }
    String reduce = "llvm.vector.reduce.fadd.v" + lanes + (p.type() == ElementType.F32 ? "f32" : "f64");
    for (int r = 0; r < count; r++) {
      IrValue sum = b.callExternal(et, reduce, b.load(et, tail[r], size), b.load(vt, acc[r], lanes * size));
      b.store(sum, b.gep(et, y, b.add(row0, i64(r))), size);
    }
  }
}
