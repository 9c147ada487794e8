package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
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
 * preferred element type, e.g. bf16 x bf16 -> f32), as {@link ProductSum} describes; terms are
 * added in row-major order over the contracting dimensions as lhs lists them.
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

    // Linear offsets of each operand's batch, free and contracting positions: element (b, f, c)
    // is at batch[b] + free[f] + contracting[c].
    int[] lb = Offsets.over(lhsDims, lhsBatch);
    int[] lf = Offsets.over(lhsDims, lhsFree);
    int[] lc = Offsets.over(lhsDims, lhsContracting);
    int[] rb = Offsets.over(rhsDims, rhsBatch);
    int[] rf = Offsets.over(rhsDims, rhsFree);
    int[] rc = Offsets.over(rhsDims, rhsContracting);
    ProductSum sum = ProductSum.of(lhs, rhs, result);
    int out = 0;
    for (int b = 0; b < lb.length; b++) {
      for (int lFree : lf) {
        int lBase = lb[b] + lFree;
        for (int rFree : rf) {
          int rBase = rb[b] + rFree;
          sum.reset();
          for (int c = 0; c < lc.length; c++) {
            sum.add(lBase + lc[c], rBase + rc[c]);
          }
          sum.store(out++);
        }
      }
    }
    return result;
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
