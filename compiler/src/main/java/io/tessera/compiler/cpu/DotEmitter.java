package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.DotDimensions;
import io.tessera.compiler.llvm.FloatFormats;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.ScalarOps;
import java.util.Arrays;

/**
 * Emits the general {@code dot} (batch and contracting dimensions anywhere) over operand buffers.
 * The result's dimensions are the batch dimensions, then lhs's free ones, then rhs's free ones.
 *
 * <p>For f32, f64 and integer results the loops run batch, lhs-free, contracting, rhs-free: the
 * innermost loop adds {@code lhs[m,k] * rhs[k,n]} into a row of the output, contiguous in both
 * rhs and output when rhs's free dimension is its last, so LLVM vectorizes it; each output
 * element still sums its products in contracting order. f16/bf16 results accumulate in float and
 * round once; pred results are the OR of ANDs. Operands of another element type are converted to
 * the result's (XLA's {@code bf16 x bf16 -> f32}).
 *
 * <p>f32 and f64 dots whose free dimensions (per operand) and contracting dimensions are each a
 * consecutive group (matrix products, batched, with transposed operands, matrix-vector, dense
 * layers on [batch, sequence, features]) go to {@link GemmEmitter}'s tiled GEMM or its GEMV
 * instead, once they have {@link GemmEmitter#MIN_WORK} multiply-adds.
 */
final class DotEmitter {
  private DotEmitter() {}

  /**
   * The GEMM/GEMV plan of a dot, or null: f32 or f64 throughout, and each operand's free
   * dimensions, like the contracting dimensions, consecutive and ascending (so each group is one
   * strided dimension of the row-major operand: {@code [b,s,h] x [h,o]} is a GEMM with M = b*s).
   * Any positions otherwise: transposed operands are strides.
   */
  private static GemmEmitter.Plan gemmPlan(Instruction dot, Shape lhs, Shape rhs, Shape out, DotDimensions a) {
    ElementType t = out.elementType();
    // A dynamic (row) dimension may be a batch dimension or lhs's leading free dimension (M is then
    // rows times the other free dimensions); rows as the contracting dimension keep the loop nest.
    if (contains(a.k(), Shape.DYNAMIC) || contains(a.n(), Shape.DYNAMIC)
        || (contains(a.m(), Shape.DYNAMIC) && (a.l().free().length == 0 || a.l().free()[0] != 0))) {
      return null;
    }
    if (lhs.elementType() != t || rhs.elementType() != t || !consecutive(a.l().free()) || !consecutive(a.r().free())
        || !consecutive(a.l().contracting()) || !consecutive(a.r().contracting())) {
      return null;
    }
    long[] ls = IrIndex.rowMajorStrides(lhs.dimensions());
    long[] rs = IrIndex.rowMajorStrides(rhs.dimensions());
    long[] aBatch = new long[a.batch().length];
    long[] bBatch = new long[a.batch().length];
    for (int i = 0; i < a.batch().length; i++) {
      aBatch[i] = ls[a.l().batch()[i]];
      bBatch[i] = rs[a.r().batch()[i]];
    }
    boolean dynamicM = contains(a.m(), Shape.DYNAMIC);
    int m = dynamicM ? Shape.DYNAMIC : product(a.m());
    int mFactor = dynamicM ? product(Arrays.copyOfRange(a.m(), 1, a.m().length)) : 1;
    return GemmEmitter.plan(t, a.batch(), aBatch, bBatch, m, mFactor, product(a.n()), product(a.k()),
        innermostStride(ls, a.l().free()), innermostStride(ls, a.l().contracting()),
        innermostStride(rs, a.r().contracting()), innermostStride(rs, a.r().free()));
  }

  private static boolean contains(int[] values, int v) {
    return Arrays.stream(values).anyMatch(x -> x == v);
  }

  /** True when {@code dims} are d, d+1, ...: one strided dimension of a row-major array. */
  private static boolean consecutive(int[] dims) {
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] != dims[i - 1] + 1) {
        return false;
      }
    }
    return true;
  }

  /** The stride of a merged group of consecutive dimensions (0 for none: size 1). */
  private static long innermostStride(long[] strides, int[] group) {
    return group.length == 0 ? 0 : strides[group[group.length - 1]];
  }

  private static int product(int[] sizes) {
    long p = 1;
    for (int s : sizes) {
      p *= s;
    }
    return Math.toIntExact(p);
  }


  /** Bytes of scratch memory {@link #emit} needs for {@code dot} (GEMM packing buffers), 0 for none. */
  static long scratchBytes(Instruction dot) {
    Shape lhs = dot.operand(0).shape();
    Shape rhs = dot.operand(1).shape();
    if (!lhs.isArray() || !rhs.isArray() || !dot.shape().isArray()) {
      return 0;
    }
    GemmEmitter.Plan plan = gemmPlan(dot, lhs, rhs, dot.shape(), DotDimensions.analyze(dot, lhs, rhs, dot.shape()));
    return plan == null ? 0 : plan.scratchBytes();
  }

  static void emit(IrBuilder b, Instruction dot, IrArray lhs, IrArray rhs, IrArray out) {
    emit(b, dot, lhs, rhs, out, null);
  }

  /**
   * Emits {@code dot}; {@code scratch} points to {@link #scratchBytes} bytes for the GEMM's packed
   * panels ({@code null}: the loop nest is used).
   */
  static void emit(IrBuilder b, Instruction dot, IrArray lhs, IrArray rhs, IrArray out, IrValue scratch) {
    emit(b, dot, lhs, rhs, out, scratch, null);
  }

  /**
   * Emits {@code dot} as {@link #emit(IrBuilder, Instruction, IrArray, IrArray, IrArray, IrValue)}
   * does, with {@code epilogue} run over each block of the output as the GEMM finishes it when
   * the GEMM applies and takes one ({@link GemmEmitter#takesBlockEpilogue}).
   *
   * @return whether {@code epilogue} was emitted; when not, the caller applies it to the whole output
   */
  static boolean emit(IrBuilder b, Instruction dot, IrArray lhs, IrArray rhs, IrArray out, IrValue scratch,
                      GemmEmitter.BlockEpilogue epilogue) {
    DotDimensions a = DotDimensions.analyze(dot, lhs.shape(), rhs.shape(), out.shape());
    ElementType t = out.elementType();
    if (!t.isFloat() && (lhs.elementType().isFloat() || rhs.elementType().isFloat())) {
      throw new CompilationException("%" + dot.name() + " (dot): float operands with an " + t + " result");
    }
    GemmEmitter.Plan plan = gemmPlan(dot, lhs.shape(), rhs.shape(), out.shape(), a);
    if (plan != null && (scratch != null || plan.scratchBytes() == 0)) {
      boolean inBlocks = epilogue != null && GemmEmitter.takesBlockEpilogue(plan) && out.shape().rank() == 2;
      GemmEmitter.emit(b, plan, lhs, rhs, out, scratch, inBlocks ? epilogue : null);
      return inBlocks;
    } else if (t == ElementType.F32 || t == ElementType.F64 || t.isInteger()) {
      accumulateInOutput(b, lhs, a.l(), rhs, a.r(), out, a.batch(), a.m(), a.n(), a.k());
    } else {
      accumulateInRegister(b, lhs, a.l(), rhs, a.r(), out, a.batch(), a.m(), a.n(), a.k());
    }
    return false;
  }

  private static void accumulateInOutput(IrBuilder b, IrArray lhs, DotDimensions.Operand l, IrArray rhs,
                                         DotDimensions.Operand r, IrArray out, int[] batch, int[] m, int[] n, int[] k) {
    ElementType t = out.elementType();
    String vt = IrTypes.valueType(t);
    IrValue zero = t.isFloat() ? IrValue.fpConst(vt, 0) : IrValue.intConst(vt, 0);
    LoopEmitter.forEachIndex(b, "dot.b", batch, bi -> LoopEmitter.forEachIndex(b, "dot.m", m, mi -> {
      LoopEmitter.forEachIndex(b, "dot.zero", n, ni -> out.store(b, outIndex(bi, mi, ni, out), zero));
      LoopEmitter.forEachIndex(b, "dot.k", k, ki -> {
        IrValue a = ScalarOps.convert(b, lhs.elementType(), t, lhs.load(b, operandIndex(lhs, l, bi, mi, ki)));
        LoopEmitter.forEachIndex(b, "dot.n", n, ni -> {
          IrValue c = ScalarOps.convert(b, rhs.elementType(), t, rhs.load(b, operandIndex(rhs, r, bi, ni, ki)));
          IrIndex o = outIndex(bi, mi, ni, out);
          IrValue acc = out.load(b, o);
          IrValue sum = t.isFloat() ? b.fbinop("fadd", acc, b.fbinop("fmul", a, c)) : b.add(acc, b.mul(a, c));
          out.store(b, o, sum);
        });
      });
    }));
  }

  private static void accumulateInRegister(IrBuilder b, IrArray lhs, DotDimensions.Operand l, IrArray rhs,
                                           DotDimensions.Operand r, IrArray out, int[] batch, int[] m, int[] n,
                                           int[] k) {
    ElementType t = out.elementType();
    boolean pred = t == ElementType.PRED;
    ElementType acc = pred ? ElementType.PRED : ElementType.F32;
    String vt = IrTypes.valueType(acc);
    IrValue slot = b.alloca(vt);
    IrValue zero = pred ? IrValue.bool(false) : IrValue.fpConst(vt, 0);
    LoopEmitter.forEachIndex(b, "dot.b", batch, bi -> LoopEmitter.forEachIndex(b, "dot.m", m, mi ->
        LoopEmitter.forEachIndex(b, "dot.n", n, ni -> {
          b.store(zero, slot, 1);
          LoopEmitter.forEachIndex(b, "dot.k", k, ki -> {
            IrValue a = ScalarOps.convert(b, lhs.elementType(), acc, lhs.load(b, operandIndex(lhs, l, bi, mi, ki)));
            IrValue c = ScalarOps.convert(b, rhs.elementType(), acc, rhs.load(b, operandIndex(rhs, r, bi, ni, ki)));
            IrValue sum = b.load(vt, slot, 1);
            sum = pred ? b.or(sum, b.and(a, c)) : b.fbinop("fadd", sum, b.fbinop("fmul", a, c));
            b.store(sum, slot, 1);
          });
          IrValue result = b.load(vt, slot, 1);
          out.store(b, outIndex(bi, mi, ni, out), pred ? result : FloatFormats.roundTo(b, t, result));
        })));
  }

  private static IrIndex operandIndex(IrArray array, DotDimensions.Operand d, IrIndex batch, IrIndex free,
                                      IrIndex contracting) {
    return d.index(array.shape().dimensions(), batch, free, contracting);
  }

  private static IrIndex outIndex(IrIndex batch, IrIndex m, IrIndex n, IrArray out) {
    IrValue[] idx = new IrValue[batch.rank() + m.rank() + n.rank()];
    int j = 0;
    for (int i = 0; i < batch.rank(); i++) {
      idx[j++] = batch.get(i);
    }
    for (int i = 0; i < m.rank(); i++) {
      idx[j++] = m.get(i);
    }
    for (int i = 0; i < n.rank(); i++) {
      idx[j++] = n.get(i);
    }
    return new IrIndex(idx, out.shape().dimensions(), null);
  }
}
