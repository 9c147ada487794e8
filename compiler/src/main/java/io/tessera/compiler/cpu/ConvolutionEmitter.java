package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ConvDimensionNumbers;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Window;
import io.tessera.compiler.llvm.FloatFormats;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.ScalarOps;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code convolution} as a direct loop nest, for any {@code dim_labels}, window (stride, padding,
 * base and window dilation, reversal), {@code feature_group_count} and {@code batch_group_count}:
 * for each output element, the kernel taps that land inside the padded, base-dilated input, and
 * for each the input features of the output feature's group, are multiplied and summed.
 *
 * <p>Along a spatial dimension, output position p and tap k read input
 * {@code (p * stride - pad_low + k * window_dilation) / base_dilation} when the division is exact
 * and the result inside the input (padding reads zero, so the tap is skipped); reversal reads
 * kernel tap {@code size - 1 - k}. With G feature groups, output feature o reads input features
 * {@code [g * C, (g + 1) * C)} of group {@code g = o / (O / G)}, C the kernel's input features;
 * with B batch groups it reads batch {@code b + (o / (O / B)) * (N / B)}.
 *
 * <p>Both operands are converted to the result type first, as XLA does. f32 and f64 sum in their
 * own type, f16 and bf16 in float rounded once at the end, integers wrap in the result type, pred
 * is the OR of ANDs. Operands are read from memory (computed once into a temporary if needed).
 */
final class ConvolutionEmitter {
  private ConvolutionEmitter() {}

  /**
   * Whether {@code conv} runs as {@link ConvolutionGemm}'s implicit GEMM, which can apply an
   * elementwise epilogue to each tile of its output ({@link #emit}); false for a malformed one.
   */
  static boolean usesImplicitGemm(Instruction conv) {
    Shape lhs = conv.operand(0).shape();
    Shape rhs = conv.operand(1).shape();
    if (!lhs.isArray() || !rhs.isArray() || !conv.shape().isArray()) {
      return false;
    }
    try {
      return ConvolutionGemm.applies(geometry(conv, lhs, rhs, conv.shape()), lhs.elementType(), rhs.elementType(),
          conv.shape().elementType(), group(conv, Attr.BATCH_GROUP_COUNT));
    } catch (RuntimeException e) {
      return false; // a malformed convolution: emit reports it
    }
  }

  /**
   * Emits {@code conv} into {@code out}. With an {@code epilogue} (only where {@link
   * #usesImplicitGemm}), each element is passed to it right after it is written, while its tile
   * is in cache: the caller computes a consumer from it and stores that in its place.
   */
  static void emit(ComputationEmitter c, Instruction conv, IrArray out, Consumer<IrIndex> epilogue) {
    IrBuilder b = c.builder();
    IrArray lhs = c.inMemory(c.arrayOf(conv.operand(0)));
    IrArray rhs = c.inMemory(c.arrayOf(conv.operand(1)));
    Geometry g = geometry(conv, lhs.shape(), rhs.shape(), out.shape());
    ConvDimensionNumbers dn = g.dn();
    int[] od = g.od();
    int[] rd = g.rd();
    int featureGroups = od[dn.outputFeature()] / g.outPerFeatureGroup();
    int batchGroups = group(conv, Attr.BATCH_GROUP_COUNT);
    ElementType t = out.elementType();
    boolean accumulateInOutput = (t == ElementType.F32 || t == ElementType.F64 || t.isInteger()) && batchGroups == 1
        && dn.outputFeature() == od.length - 1 && dn.kernelOutputFeature() == rd.length - 1;
    if (ConvolutionGemm.applies(g, lhs.elementType(), rhs.elementType(), t, batchGroups)) {
      ConvolutionGemm.emit(c, conv.name(), g, lhs, rhs, out, epilogue);
      return;
    }
    if (epilogue != null) {
      throw new IllegalStateException("%" + conv.name() + ": an epilogue needs the implicit GEMM");
    }
    if (accumulateInOutput) {
      featureRows(b, g, lhs, rhs, out, featureGroups);
    } else {
      perElement(b, g, lhs, rhs, out);
    }
  }

  /** The convolution's geometry, checked against its attributes and shapes. */
  private static Geometry geometry(Instruction conv, Shape lhs, Shape rhs, Shape out) {
    ConvDimensionNumbers dn = conv.requireAttr(Attr.DIM_LABELS);
    Window window = conv.attr(Attr.WINDOW);
    if (window == null) {
      window = new Window(List.of()); // XLA omits the window when there are no spatial dimensions
    }
    int featureGroups = group(conv, Attr.FEATURE_GROUP_COUNT);
    int batchGroups = group(conv, Attr.BATCH_GROUP_COUNT);
    int[] ld = lhs.dimensions();
    int[] rd = rhs.dimensions();
    int spatial = dn.spatialRank();
    int[] od = out.dimensions();
    if (ld.length != spatial + 2 || rd.length != spatial + 2 || od.length != spatial + 2 || window.rank() != spatial) {
      throw error(conv, "dim_labels=" + dn + " and window " + window + " do not fit lhs " + lhs + ", rhs "
          + rhs + " and result " + out);
    }
    int inFeaturesPerGroup = rd[dn.kernelInputFeature()];
    int outFeatures = od[dn.outputFeature()];
    int inBatch = ld[dn.inputBatch()];
    if (featureGroups > 1 && batchGroups > 1 || (long) inFeaturesPerGroup * featureGroups != ld[dn.inputFeature()]
        || outFeatures != rd[dn.kernelOutputFeature()] || outFeatures % featureGroups != 0
        || outFeatures % batchGroups != 0 || inBatch % batchGroups != 0 || od[dn.outputBatch()] != inBatch / batchGroups) {
      throw error(conv, "features or batch of lhs " + lhs + ", rhs " + rhs + " and result "
          + out + " do not fit feature_group_count=" + featureGroups + ", batch_group_count=" + batchGroups);
    }
    int[] taps = new int[spatial];
    for (int s = 0; s < spatial; s++) {
      Window.Dim w = window.dim(s);
      taps[s] = rd[dn.kernelSpatial(s)];
      long in = ld[dn.inputSpatial(s)];
      long dilatedIn = in == 0 ? 0 : (in - 1) * w.baseDilation() + 1;
      long padded = dilatedIn + w.padLow() + w.padHigh();
      long dilatedWindow = taps[s] == 0 ? 0 : (taps[s] - 1L) * w.windowDilation() + 1;
      long size = padded < dilatedWindow ? 0 : (padded - dilatedWindow) / w.stride() + 1;
      if (w.size() != taps[s] || w.stride() < 1 || w.baseDilation() < 1 || w.windowDilation() < 1
          || od[dn.outputSpatial(s)] != size) {
        throw error(conv, "window " + window + " does not fit kernel " + rhs + ", input " + lhs
            + " and result " + out);
      }
    }
    return new Geometry(dn, window, ld, rd, od, taps, inFeaturesPerGroup, outFeatures / featureGroups,
        outFeatures / batchGroups, inBatch / batchGroups);
  }

  /** The index arithmetic of one convolution; the group sizes are per output feature. */
  record Geometry(ConvDimensionNumbers dn, Window window, int[] ld, int[] rd, int[] od, int[] taps,
                          int inFeaturesPerGroup, int outPerFeatureGroup, int outPerBatchGroup, int batchGroupSize) {

    /**
     * For output position {@code o} and kernel tap {@code k}: fills the spatial entries of the
     * lhs and rhs indices and returns whether the tap reads the input (not padding or a hole).
     */
    IrValue tap(IrBuilder b, IrIndex o, IrIndex k, IrValue[] lhsIdx, IrValue[] rhsIdx) {
      IrValue valid = IrValue.bool(true);
      for (int s = 0; s < taps.length; s++) {
        Window.Dim w = window.dim(s);
        long dilatedIn = ld[dn.inputSpatial(s)] == 0 ? 0 : (ld[dn.inputSpatial(s)] - 1L) * w.baseDilation() + 1;
        IrValue p = b.add(b.mul(o.get(dn.outputSpatial(s)), IrValue.i64(w.stride())),
            b.mul(k.get(s), IrValue.i64(w.windowDilation())));
        p = b.sub(p, IrValue.i64(w.padLow()));
        IrValue inside = b.icmp("ult", p, IrValue.i64(dilatedIn)); // negative p is huge unsigned
        if (w.baseDilation() != 1) {
          IrValue step = IrValue.i64(w.baseDilation());
          inside = b.and(inside, b.icmp("eq", b.binop("urem", p, step), IrValue.i64(0)));
          p = b.binop("udiv", p, step);
        }
        valid = b.and(valid, inside);
        lhsIdx[dn.inputSpatial(s)] = p;
        rhsIdx[dn.kernelSpatial(s)] = w.reversal() ? b.sub(IrValue.i64(taps[s] - 1L), k.get(s)) : k.get(s);
      }
      return valid;
    }

    /** Emits {@code body} for every tap of output position {@code o} that reads the input. */
    void forEachReadingTap(IrBuilder b, IrIndex o, TapBody body) {
      LoopEmitter.forEachIndex(b, "conv.tap", taps, k -> {
        IrValue[] lhsIdx = new IrValue[ld.length];
        IrValue[] rhsIdx = new IrValue[rd.length];
        IrValue valid = tap(b, o, k, lhsIdx, rhsIdx);
        String reads = b.newLabel("conv.reads");
        String next = b.newLabel("conv.next");
        b.condBr(valid, reads, next);
        b.startBlock(reads);
        b.enterScope();
        body.emit(lhsIdx, rhsIdx);
        b.exitScope();
        b.br(next);
        b.startBlock(next);
      });
    }
  }

  private interface TapBody {
    void emit(IrValue[] lhsIdx, IrValue[] rhsIdx);
  }

  /**
   * The general form: one accumulator per output element, over its taps and the input features
   * of its group. f16/bf16 accumulate in float and round once; pred is the OR of ANDs.
   */
  private static void perElement(IrBuilder b, Geometry g, IrArray lhs, IrArray rhs, IrArray out) {
    ConvDimensionNumbers dn = g.dn();
    ElementType t = out.elementType();
    boolean pred = t == ElementType.PRED;
    ElementType accType = IrTypes.isNarrowFloat(t) ? ElementType.F32 : t;
    String vt = IrTypes.valueType(accType);
    IrValue zero = accType.isFloat() ? IrValue.fpConst(vt, 0) : IrValue.intConst(vt, 0);
    IrValue acc = b.alloca(vt);
    LoopEmitter.forEachIndex(b, "conv.out", g.od(), o -> {
      b.store(zero, acc, 1);
      IrValue feature = o.get(dn.outputFeature());
      IrValue featureGroup = b.binop("udiv", feature, IrValue.i64(g.outPerFeatureGroup()));
      IrValue batchGroup = b.binop("udiv", feature, IrValue.i64(g.outPerBatchGroup()));
      IrValue batch = b.add(o.get(dn.outputBatch()), b.mul(batchGroup, IrValue.i64(g.batchGroupSize())));
      IrValue firstFeature = b.mul(featureGroup, IrValue.i64(g.inFeaturesPerGroup()));
      g.forEachReadingTap(b, o, (lhsIdx, rhsIdx) -> {
        lhsIdx[dn.inputBatch()] = batch;
        rhsIdx[dn.kernelOutputFeature()] = feature;
        LoopEmitter.forRange(b, "conv.f", IrValue.i64(g.inFeaturesPerGroup()), f -> {
          IrValue[] li = lhsIdx.clone();
          IrValue[] ri = rhsIdx.clone();
          li[dn.inputFeature()] = b.add(firstFeature, f);
          ri[dn.kernelInputFeature()] = f;
          IrValue x = operand(b, lhs, t, accType, new IrIndex(li, g.ld(), null));
          IrValue y = operand(b, rhs, t, accType, new IrIndex(ri, g.rd(), null));
          IrValue sum = b.load(vt, acc, 1);
          if (pred) {
            sum = b.or(sum, b.and(x, y));
          } else if (accType.isFloat()) {
            sum = b.fbinop("fadd", sum, b.fbinop("fmul", x, y));
          } else {
            sum = b.add(sum, b.mul(x, y));
          }
          b.store(sum, acc, 1);
        });
      });
      IrValue result = b.load(vt, acc, 1);
      out.store(b, o, accType == t ? result : FloatFormats.roundTo(b, t, result));
    });
  }

  /**
   * Output features last in the result and in the kernel (NHWC with HWIO, XLA's CPU layout), no
   * batch groups, f32/f64/integer results: for each output position, the row of output features
   * accumulates {@code input[c] * kernel[tap, c, o..]} in memory, the innermost loop running over
   * contiguous output features in both arrays, so it vectorizes. Each element still sums its taps,
   * then its input features, in the same order as the general form.
   */
  private static void featureRows(IrBuilder b, Geometry g, IrArray lhs, IrArray rhs, IrArray out,
                                  int featureGroups) {
    ConvDimensionNumbers dn = g.dn();
    ElementType t = out.elementType();
    String vt = IrTypes.valueType(t);
    IrValue zero = t.isFloat() ? IrValue.fpConst(vt, 0) : IrValue.intConst(vt, 0);
    int[] od = g.od();
    int features = od[od.length - 1];
    int[] positions = Arrays.copyOf(od, od.length - 1);
    LoopEmitter.forEachIndex(b, "conv.pos", positions, pos -> {
      IrValue[] at = Arrays.copyOf(rowIndex(pos), od.length);
      LoopEmitter.forRange(b, "conv.zero", IrValue.i64(features), o -> {
        at[od.length - 1] = o;
        out.store(b, new IrIndex(at.clone(), od, null), zero);
      });
      IrIndex position = new IrIndex(withLast(pos, IrValue.i64(0)), od, null);
      g.forEachReadingTap(b, position, (lhsIdx, rhsIdx) -> {
        lhsIdx[dn.inputBatch()] = pos.get(dn.outputBatch());
        LoopEmitter.forRange(b, "conv.group", IrValue.i64(featureGroups), group -> {
          IrValue firstIn = b.mul(group, IrValue.i64(g.inFeaturesPerGroup()));
          IrValue firstOut = b.mul(group, IrValue.i64(g.outPerFeatureGroup()));
          LoopEmitter.forRange(b, "conv.c", IrValue.i64(g.inFeaturesPerGroup()), c -> {
            IrValue[] li = lhsIdx.clone();
            li[dn.inputFeature()] = b.add(firstIn, c);
            IrValue x = operand(b, lhs, t, t, new IrIndex(li, g.ld(), null));
            LoopEmitter.forRange(b, "conv.o", IrValue.i64(g.outPerFeatureGroup()), j -> {
              IrValue o = b.add(firstOut, j);
              IrValue[] ri = rhsIdx.clone();
              ri[dn.kernelInputFeature()] = c;
              ri[dn.kernelOutputFeature()] = o;
              IrValue y = operand(b, rhs, t, t, new IrIndex(ri, g.rd(), null));
              IrIndex outAt = new IrIndex(withLast(pos, o), od, null);
              IrValue sum = out.load(b, outAt);
              sum = t.isFloat() ? b.fbinop("fadd", sum, b.fbinop("fmul", x, y)) : b.add(sum, b.mul(x, y));
              out.store(b, outAt, sum);
            });
          });
        });
      });
    });
  }

  private static IrValue[] rowIndex(IrIndex pos) {
    IrValue[] idx = new IrValue[pos.rank()];
    for (int d = 0; d < pos.rank(); d++) {
      idx[d] = pos.get(d);
    }
    return idx;
  }

  private static IrValue[] withLast(IrIndex pos, IrValue last) {
    IrValue[] idx = Arrays.copyOf(rowIndex(pos), pos.rank() + 1);
    idx[pos.rank()] = last;
    return idx;
  }

  /** An operand element converted to the result type {@code t}, as XLA does, then to the accumulator's type. */
  private static IrValue operand(IrBuilder b, IrArray array, ElementType t, ElementType accType, IrIndex index) {
    IrValue v = ScalarOps.convert(b, array.elementType(), t, array.load(b, index));
    return t == accType ? v : ScalarOps.convert(b, t, accType, v);
  }

  private static int group(Instruction conv, Attr<Long> attr) {
    Long v = conv.attr(attr);
    if (v == null) {
      return 1;
    }
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw error(conv, attr.name() + "=" + v + " must be positive");
    }
    return v.intValue();
  }

  private static CompilationException error(Instruction conv, String message) {
    return new CompilationException("%" + conv.name() + " (convolution): " + message);
  }
}
