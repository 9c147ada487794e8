package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/**
 * Evaluates {@code dynamic-slice} and {@code dynamic-update-slice}, whose start indices are run-time
 * values.
 *
 * <p>As XLA specifies, each start index is clamped into {@code [0, operand_dim - slice_dim]}, so
 * that the slice always lies wholly inside the operand: out-of-range starts never fail and never
 * read or write outside. Start indices come either as one scalar operand per dimension (current
 * XLA) or as a single rank-1 operand (older XLA); any integer type works, u64 read unsigned.
 */
final class ShapeOpDynamicSlice {
  private ShapeOpDynamicSlice() {}

  /** {@code dynamic-slice(x, starts...), dynamic_slice_sizes={...}}. */
  static Literal dynamicSlice(Instruction instr, List<Literal> operands) {
    Literal x = operands.get(0);
    Literal result = ShapeOpEvaluator.resultLike(instr, x);
    int[] inDims = x.shape().dimensions();
    int[] sizes = result.shape().dimensions();
    long[] declared = instr.attr(Attr.DYNAMIC_SLICE_SIZES);
    if (sizes.length != inDims.length || (declared != null && !sameSizes(declared, sizes))) {
      throw EvaluationException.error(instr, "the result " + result.shape().toStringWithoutLayout()
          + " must match dynamic_slice_sizes and the operand's rank " + inDims.length);
    }
    int[] inStrides = Indexing.strides(inDims);
    int[] starts = clampedStarts(instr, operands.subList(1, operands.size()), inDims, sizes);
    ShapeOpStridedCopy.copyFrom(x, Indexing.linear(starts, inStrides), inStrides, result);
    return result;
  }

  /** {@code dynamic-update-slice(x, update, starts...)}: x with update written over the window at the starts. */
  static Literal dynamicUpdateSlice(Instruction instr, List<Literal> operands) {
    if (operands.size() < 2) {
      throw EvaluationException.error(instr, "needs an operand, an update and start indices");
    }
    Literal x = operands.get(0);
    Literal update = operands.get(1);
    ShapeOpEvaluator.resultLike(instr, x);
    Literal result = x.reshaped(instr.shape()); // a copy: the part the update does not cover
    int[] dims = x.shape().dimensions();
    int[] updateDims = update.shape().dimensions();
    if (!result.shape().sameDimensions(x.shape()) || update.elementType() != x.elementType()
        || updateDims.length != dims.length) {
      throw EvaluationException.error(instr, "update " + update.shape().toStringWithoutLayout()
          + " does not fit operand " + x.shape().toStringWithoutLayout());
    }
    int[] strides = Indexing.strides(dims);
    int[] starts = clampedStarts(instr, operands.subList(2, operands.size()), dims, updateDims);
    ShapeOpStridedCopy.copyInto(update, result, Indexing.linear(starts, strides), strides);
    return result;
  }

  private static boolean sameSizes(long[] declared, int[] sizes) {
    if (declared.length != sizes.length) {
      return false;
    }
    for (int i = 0; i < sizes.length; i++) {
      if (declared[i] != sizes[i]) {
        return false;
      }
    }
    return true;
  }

  /** The start of each dimension, clamped to {@code [0, dims[d] - window[d]]}. */
  private static int[] clampedStarts(Instruction instr, List<Literal> indexOperands, int[] dims, int[] window) {
    int rank = dims.length;
    boolean vectorForm = indexOperands.size() == 1 && indexOperands.get(0).shape().rank() == 1;
    boolean fits = vectorForm ? indexOperands.get(0).shape().dimension(0) == rank : indexOperands.size() == rank;
    for (int d = 0; fits && d < rank; d++) {
      fits = window[d] <= dims[d];
    }
    if (!fits) {
      throw EvaluationException.error(instr, "needs one start index per operand dimension (" + rank
          + ") and a window no larger than the operand");
    }
    int[] starts = new int[rank];
    for (int d = 0; d < rank; d++) {
      Literal index = vectorForm ? indexOperands.get(0) : indexOperands.get(d);
      int position = vectorForm ? d : 0;
      ElementType type = index.elementType();
      if (!type.isInteger() || (!vectorForm && !index.shape().isScalar())) {
        throw EvaluationException.error(instr, "start indices must be integer scalars, got "
            + index.shape().toStringWithoutLayout());
      }
      long start = index.getLong(position);
      long max = dims[d] - window[d];
      // A u64 of 2^63 or more is a huge positive start: clamp it to the top.
      starts[d] = (int) (type == ElementType.U64 && start < 0 ? max : Math.max(0, Math.min(max, start)));
    }
    return starts;
  }
}
