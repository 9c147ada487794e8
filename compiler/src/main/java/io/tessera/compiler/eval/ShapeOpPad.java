package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.PaddingConfig;
import java.util.Arrays;

/**
 * Evaluates {@code pad(x, value), padding=low_high_interior x ...}.
 *
 * <p>Per dimension of size n the result has {@code low + n + (n-1) * interior + high} elements
 * (just {@code low + high} when n is 0): operand element i lands at {@code low + i * (interior +
 * 1)} and everything else is the padding value. Negative low or high padding cuts elements off
 * that edge; interior padding must not be negative.
 *
 * <p>The result is filled with the padding value, then the operand elements that land inside it
 * are copied as one strided box: along each dimension they are a contiguous run of operand
 * indices.
 */
final class ShapeOpPad {
  private ShapeOpPad() {}

  static Literal pad(Instruction instr, Literal x, Literal value) {
    Literal result = ShapeOpEvaluator.resultLike(instr, x);
    PaddingConfig padding = instr.requireAttr(Attr.PADDING);
    int[] inDims = x.shape().dimensions();
    int[] outDims = result.shape().dimensions();
    if (!value.shape().isScalar() || value.elementType() != x.elementType()) {
      throw EvaluationException.error(instr, "the padding value must be a " + x.elementType() + " scalar, got "
          + value.shape().toStringWithoutLayout());
    }
    if (padding.rank() != inDims.length || outDims.length != inDims.length) {
      throw EvaluationException.error(instr, "padding=" + padding + " needs one entry per dimension of "
          + x.shape().toStringWithoutLayout());
    }
    fill(result, value);
    int[] outStrides = Indexing.strides(outDims);
    int[] inStrides = Indexing.strides(inDims);
    int[] box = new int[inDims.length]; // operand indices that land inside the result, per dimension
    int[] dstStrides = new int[inDims.length];
    int srcBase = 0;
    int dstBase = 0;
    for (int d = 0; d < inDims.length; d++) {
      PaddingConfig.Dim p = padding.dim(d);
      long n = inDims[d];
      long step = p.interior() + 1;
      long size = p.low() + p.high() + (n == 0 ? 0 : n + (n - 1) * p.interior());
      if (p.interior() < 0 || size != outDims[d]) {
        throw EvaluationException.error(instr, "padding=" + padding + " does not take " + x.shape().toStringWithoutLayout()
            + " to " + result.shape().toStringWithoutLayout());
      }
      // First and last operand index i with 0 <= low + i * step < outDims[d].
      long first = p.low() >= 0 ? 0 : (-p.low() + step - 1) / step;
      long last = Math.min(n - 1, Math.floorDiv(outDims[d] - 1 - p.low(), step));
      box[d] = (int) Math.max(0, last - first + 1);
      srcBase += (int) first * inStrides[d];
      dstBase += (int) (p.low() + first * step) * outStrides[d];
      dstStrides[d] = (int) step * outStrides[d];
    }
    ShapeOpStridedCopy.copy(x, srcBase, inStrides, result, dstBase, dstStrides, box); // no-op for an empty box
    return result;
  }

  private static void fill(Literal result, Literal value) {
    if (result.isFloat()) {
      Arrays.fill(result.floatStorage(), value.getDouble(0));
    } else {
      Arrays.fill(result.intStorage(), value.getLong(0));
    }
  }
}
