package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates the general {@code dot(lhs, rhs)} with {@code lhs_batch_dims}, {@code rhs_batch_dims},
 * {@code lhs_contracting_dims} and {@code rhs_contracting_dims} (each absent means empty). The
 * result's dimensions are the batch dimensions (in the order listed), then lhs's remaining
 * ("free") dimensions, then rhs's, each in ascending order; every element is the sum, over all
 * contracting positions, of lhs times rhs.
 *
 * <p>Arithmetic follows the result's element type, which may be wider than the operands' (XLA's
 * preferred element type, e.g. bf16 x bf16 -> f32): a float result sums exact double products in
 * double, in row-major order over the contracting dimensions as lhs lists them, and rounds once
 * per output element (XLA leaves the accumulation precision to the backend; this is the most
 * accurate choice that is still cheap). An integer result multiplies and sums in 64-bit two's
 * complement and wraps once to its width, which equals wrapping after every step. For pred, the
 * sum of 0/1 products wrapped to pred is the OR of ANDs, as XLA's evaluator computes it.
 */
final class DotEvaluator {
  private DotEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    Literal lhs = operands.get(0);
    Literal rhs = operands.get(1);
    int[] lhsDims = lhs.shape().dimensions();
    int[] rhsDims = rhs.shape().dimensions();
    int[] lhsBatch = dims(instr, Attr.LHS_BATCH_DIMS, lhsDims.length);
    int[] rhsBatch = dims(instr, Attr.RHS_BATCH_DIMS, rhsDims.length);
    int[] lhsContracting = dims(instr, Attr.LHS_CONTRACTING_DIMS, lhsDims.length);
    int[] rhsContracting = dims(instr, Attr.RHS_CONTRACTING_DIMS, rhsDims.length);
    checkPaired(lhsDims, lhsBatch, rhsDims, rhsBatch, "batch");
    checkPaired(lhsDims, lhsContracting, rhsDims, rhsContracting, "contracting");
    checkDisjoint(lhsBatch, lhsContracting, "lhs");
    checkDisjoint(rhsBatch, rhsContracting, "rhs");
    int[] lhsFree = Offsets.complement(lhsDims.length, lhsBatch, lhsContracting);
    int[] rhsFree = Offsets.complement(rhsDims.length, rhsBatch, rhsContracting);

    int[] outDims = new int[lhsBatch.length + lhsFree.length + rhsFree.length];
    int n = 0;
    for (int d : lhsBatch) {
      outDims[n++] = lhsDims[d];
    }
    for (int d : lhsFree) {
      outDims[n++] = lhsDims[d];
    }
    for (int d : rhsFree) {
      outDims[n++] = rhsDims[d];
    }
    Literal result = ResultShapes.allocate(ResultShapes.declaredArrays(instr, 1).get(0), outDims);

    Layout lhsLayout = new Layout(lhsDims, lhsBatch, lhsFree, lhsContracting);
    Layout rhsLayout = new Layout(rhsDims, rhsBatch, rhsFree, rhsContracting);
    ElementType type = result.elementType();
    if (type.isFloat()) {
      floatDot(asDoubles(lhs), lhsLayout, asDoubles(rhs), rhsLayout, result);
    } else if (!lhs.isFloat() && !rhs.isFloat()) {
      integerDot(lhs.intStorage(), lhsLayout, rhs.intStorage(), rhsLayout, result);
    } else {
      throw new IllegalArgumentException("float operands " + lhs.elementType() + ", " + rhs.elementType()
          + " with an integer result type " + type);
    }
    return result;
  }

  /**
   * Linear offsets of one operand's batch, free and contracting positions: element
   * {@code (b, f, c)} is at {@code batch[b] + free[f] + contracting[c]}.
   */
  private record Layout(int[] batch, int[] free, int[] contracting) {
    Layout(int[] dims, int[] batchDims, int[] freeDims, int[] contractingDims) {
      this(Offsets.over(dims, batchDims), Offsets.over(dims, freeDims), Offsets.over(dims, contractingDims));
    }
  }

  private static void floatDot(double[] l, Layout lo, double[] r, Layout ro, Literal result) {
    ElementType type = result.elementType();
    double[] out = result.floatStorage();
    int n = 0;
    int[] lc = lo.contracting();
    int[] rc = ro.contracting();
    for (int b = 0; b < lo.batch().length; b++) {
      for (int lf : lo.free()) {
        int lBase = lo.batch()[b] + lf;
        for (int rf : ro.free()) {
          int rBase = ro.batch()[b] + rf;
          double sum = 0;
          for (int c = 0; c < lc.length; c++) {
            sum += l[lBase + lc[c]] * r[rBase + rc[c]];
          }
          out[n++] = ElementValues.roundFloat(type, sum);
        }
      }
    }
  }

  private static void integerDot(long[] l, Layout lo, long[] r, Layout ro, Literal result) {
    ElementType type = result.elementType();
    long[] out = result.intStorage();
    int n = 0;
    int[] lc = lo.contracting();
    int[] rc = ro.contracting();
    for (int b = 0; b < lo.batch().length; b++) {
      for (int lf : lo.free()) {
        int lBase = lo.batch()[b] + lf;
        for (int rf : ro.free()) {
          int rBase = ro.batch()[b] + rf;
          long sum = 0;
          for (int c = 0; c < lc.length; c++) {
            sum += l[lBase + lc[c]] * r[rBase + rc[c]];
          }
          out[n++] = ElementValues.wrapInteger(type, sum);
        }
      }
    }
  }

  /** The operand's values as doubles: its storage for a float type, converted for an integer one. */
  private static double[] asDoubles(Literal operand) {
    if (operand.isFloat()) {
      return operand.floatStorage();
    }
    double[] values = new double[operand.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = operand.getAsDouble(i);
    }
    return values;
  }

  private static int[] dims(Instruction instr, Attr<long[]> attr, int rank) {
    return Offsets.checkedDimensions(instr.attributes().getOrDefault(attr, new long[0]), rank, attr.name());
  }

  private static void checkPaired(int[] lhsDims, int[] lhs, int[] rhsDims, int[] rhs, String kind) {
    if (lhs.length != rhs.length) {
      throw new IllegalArgumentException("lhs_" + kind + "_dims " + Arrays.toString(lhs) + " and rhs_" + kind
          + "_dims " + Arrays.toString(rhs) + " differ in length");
    }
    for (int i = 0; i < lhs.length; i++) {
      if (lhsDims[lhs[i]] != rhsDims[rhs[i]]) {
        throw new IllegalArgumentException(kind + " dimension " + lhs[i] + " of lhs " + Arrays.toString(lhsDims)
            + " has size " + lhsDims[lhs[i]] + " but dimension " + rhs[i] + " of rhs " + Arrays.toString(rhsDims)
            + " has size " + rhsDims[rhs[i]]);
      }
    }
  }

  private static void checkDisjoint(int[] batch, int[] contracting, String side) {
    for (int b : batch) {
      for (int c : contracting) {
        if (b == c) {
          throw new IllegalArgumentException(side + " dimension " + b + " is both a batch and a contracting dimension");
        }
      }
    }
  }
}
