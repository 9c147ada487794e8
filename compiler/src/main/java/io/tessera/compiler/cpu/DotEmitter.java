package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
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
 * <p>This is a correct, vectorizable loop nest, not a tiled, register-blocked GEMM: that is the
 * next step for large matrices.
 */
final class DotEmitter {
  private DotEmitter() {}

  private record Dims(int[] batch, int[] free, int[] contracting) {}

  static void emit(IrBuilder b, Instruction dot, IrArray lhs, IrArray rhs, IrArray out) {
    int[] ld = lhs.shape().dimensions();
    int[] rd = rhs.shape().dimensions();
    int[] lb = dims(dot, Attr.LHS_BATCH_DIMS, ld.length);
    int[] rb = dims(dot, Attr.RHS_BATCH_DIMS, rd.length);
    int[] lc = dims(dot, Attr.LHS_CONTRACTING_DIMS, ld.length);
    int[] rc = dims(dot, Attr.RHS_CONTRACTING_DIMS, rd.length);
    pair(dot, ld, lb, rd, rb, "batch");
    pair(dot, ld, lc, rd, rc, "contracting");
    Dims l = new Dims(lb, complement(dot, ld.length, lb, lc), lc);
    Dims r = new Dims(rb, complement(dot, rd.length, rb, rc), rc);
    int[] batchSizes = sizes(ld, lb);
    int[] mSizes = sizes(ld, l.free());
    int[] nSizes = sizes(rd, r.free());
    int[] kSizes = sizes(ld, lc);
    int[] expected = concat(batchSizes, concat(mSizes, nSizes));
    if (!Arrays.equals(expected, out.shape().dimensions())) {
      throw new CompilationException("%" + dot.name() + " (dot): result shape " + out.shape() + " should have dimensions "
          + Arrays.toString(expected));
    }
    ElementType t = out.elementType();
    if (!t.isFloat() && (lhs.elementType().isFloat() || rhs.elementType().isFloat())) {
      throw new CompilationException("%" + dot.name() + " (dot): float operands with an " + t + " result");
    }
    if (t == ElementType.F32 || t == ElementType.F64 || t.isInteger()) {
      accumulateInOutput(b, lhs, l, rhs, r, out, batchSizes, mSizes, nSizes, kSizes);
    } else {
      accumulateInRegister(b, lhs, l, rhs, r, out, batchSizes, mSizes, nSizes, kSizes);
    }
  }

  private static void accumulateInOutput(IrBuilder b, IrArray lhs, Dims l, IrArray rhs, Dims r, IrArray out,
                                         int[] batch, int[] m, int[] n, int[] k) {
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

  private static void accumulateInRegister(IrBuilder b, IrArray lhs, Dims l, IrArray rhs, Dims r, IrArray out,
                                           int[] batch, int[] m, int[] n, int[] k) {
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

  private static IrIndex operandIndex(IrArray array, Dims d, IrIndex batch, IrIndex free, IrIndex contracting) {
    int[] dims = array.shape().dimensions();
    IrValue[] idx = new IrValue[dims.length];
    for (int i = 0; i < d.batch().length; i++) {
      idx[d.batch()[i]] = batch.get(i);
    }
    for (int i = 0; i < d.free().length; i++) {
      idx[d.free()[i]] = free.get(i);
    }
    for (int i = 0; i < d.contracting().length; i++) {
      idx[d.contracting()[i]] = contracting.get(i);
    }
    return new IrIndex(idx, dims, null);
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

  private static int[] dims(Instruction dot, Attr<long[]> attr, int rank) {
    long[] values = dot.attributes().getOrDefault(attr, new long[0]);
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= rank) {
        throw new CompilationException("%" + dot.name() + " (dot): " + attr.name() + "=" + Arrays.toString(values)
            + " out of range for rank " + rank);
      }
      out[i] = (int) values[i];
    }
    return out;
  }

  private static void pair(Instruction dot, int[] ld, int[] l, int[] rd, int[] r, String kind) {
    if (l.length != r.length) {
      throw new CompilationException("%" + dot.name() + " (dot): lhs and rhs have different numbers of " + kind
          + " dimensions");
    }
    for (int i = 0; i < l.length; i++) {
      if (ld[l[i]] != rd[r[i]]) {
        throw new CompilationException("%" + dot.name() + " (dot): " + kind + " dimensions " + l[i] + " of lhs and "
            + r[i] + " of rhs differ in size (" + ld[l[i]] + " vs " + rd[r[i]] + ")");
      }
    }
  }

  private static int[] complement(Instruction dot, int rank, int[] a, int[] c) {
    boolean[] used = new boolean[rank];
    for (int d : concat(a, c)) {
      if (used[d]) {
        throw new CompilationException("%" + dot.name() + " (dot): dimension " + d + " is listed twice");
      }
      used[d] = true;
    }
    return java.util.stream.IntStream.range(0, rank).filter(d -> !used[d]).toArray();
  }

  private static int[] sizes(int[] dims, int[] which) {
    return Arrays.stream(which).map(d -> dims[d]).toArray();
  }

  private static int[] concat(int[] a, int[] c) {
    int[] out = Arrays.copyOf(a, a.length + c.length);
    System.arraycopy(c, 0, out, a.length, c.length);
    return out;
  }
}
