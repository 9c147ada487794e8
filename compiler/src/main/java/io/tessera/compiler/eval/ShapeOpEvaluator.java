package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.SliceSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates the data-movement opcodes whose every output element is one input element (or a
 * padding value): broadcast, reshape, transpose, slice, dynamic-slice, dynamic-update-slice,
 * concatenate, pad, reverse, iota, copy and bitcast.
 *
 * <p>Most of them are one strided view copy ({@link ShapeOpStridedCopy}): the opcode only decides
 * the strides. Buffers are row-major throughout, so {@code reshape}, {@code copy} and {@code
 * bitcast} (which in XLA reinterprets a buffer under a new shape and layout) all keep the
 * row-major element order; layouts written on shapes do not move data here. A {@code bitcast}
 * may also change the element type, as XLA's does: the row-major bytes are read as the new type.
 */
final class ShapeOpEvaluator {
  private ShapeOpEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    EvaluationException.requireArrays(instr, operands);
    return switch (instr.opcode()) {
      case BROADCAST -> broadcast(instr, operands.get(0));
      // set-dimension-size only records a runtime size: the data pass through unchanged.
      case RESHAPE, COPY, SET_DIMENSION_SIZE -> reshape(instr, operands.get(0));
      case BITCAST -> bitcast(instr, operands.get(0));
      case TRANSPOSE -> transpose(instr, operands.get(0));
      case SLICE -> slice(instr, operands.get(0));
      case REVERSE -> reverse(instr, operands.get(0));
      case CONCATENATE -> concatenate(instr, operands);
      case DYNAMIC_SLICE -> ShapeOpDynamicSlice.dynamicSlice(instr, operands);
      case DYNAMIC_UPDATE_SLICE -> ShapeOpDynamicSlice.dynamicUpdateSlice(instr, operands);
      case PAD -> ShapeOpPad.pad(instr, operands.get(0), operands.get(1));
      case IOTA -> iota(instr);
      default -> throw error(instr, "is not a data-movement opcode evaluated here");
    };
  }

  /** The result, zero-filled; throws unless its element type is the operand's. */
  static Literal resultLike(Instruction instr, Literal operand) {
    if (operand.elementType() != instr.shape().elementType()) {
      throw error(instr, "operand element type " + operand.elementType() + " differs from the result's "
          + instr.shape().elementType());
    }
    return Literal.zeros(instr.shape());
  }

  /** {@code dimensions=} as ints, each checked to be a dimension of a rank-{@code rank} array, none twice. */
  static int[] dimensionsAttr(Instruction instr, int rank) {
    return Offsets.checkedDimensions(instr.requireAttr(Attr.DIMENSIONS), rank, "dimensions");
  }

  /**
   * {@code broadcast(x), dimensions={...}}: operand dimension i becomes result dimension
   * dimensions[i]; every other result dimension repeats the operand (stride 0). An operand
   * dimension of size 1 also repeats (StableHLO's broadcast_in_dim allows it).
   */
  private static Literal broadcast(Instruction instr, Literal x) {
    Literal result = resultLike(instr, x);
    int[] outDims = result.shape().dimensions();
    int[] inDims = x.shape().dimensions();
    int[] map = dimensionsAttr(instr, outDims.length);
    if (map.length != inDims.length) {
      throw error(instr, "dimensions=" + Arrays.toString(map) + " must name one result dimension per operand dimension ("
          + inDims.length + ")");
    }
    int[] inStrides = Indexing.strides(inDims);
    int[] srcStrides = new int[outDims.length];
    for (int i = 0; i < map.length; i++) {
      if (inDims[i] != outDims[map[i]] && inDims[i] != 1) {
        throw error(instr, "operand dimension " + i + " (size " + inDims[i] + ") does not fit result dimension "
            + map[i] + " (size " + outDims[map[i]] + ")");
      }
      srcStrides[map[i]] = inDims[i] == 1 ? 0 : inStrides[i];
    }
    ShapeOpStridedCopy.copyFrom(x, 0, srcStrides, result);
    return result;
  }

  private static Literal reshape(Instruction instr, Literal x) {
    resultLike(instr, x);
    if (x.shape().elementCount() != instr.shape().elementCount()) {
      throw error(instr, "cannot reshape " + x.shape().toStringWithoutLayout() + " to "
          + instr.shape().toStringWithoutLayout() + ": element counts differ");
    }
    return x.reshaped(instr.shape());
  }

  /**
   * {@code bitcast}: the operand's bytes read as the result shape. With one element type that is a
   * reshape; with another the bytes are reinterpreted as {@code bitcast-convert} does (little-endian,
   * least significant part first), the counts following the byte sizes.
   */
  private static Literal bitcast(Instruction instr, Literal x) {
    if (x.elementType() == instr.shape().elementType()) {
      return reshape(instr, x);
    }
    return ElementwiseConversions.bitcastConvert(instr, x);
  }

  /** {@code transpose(x), dimensions=perm}: result dimension i is operand dimension perm[i]. */
  private static Literal transpose(Instruction instr, Literal x) {
    Literal result = resultLike(instr, x);
    int[] inDims = x.shape().dimensions();
    int[] perm = dimensionsAttr(instr, inDims.length);
    int[] inStrides = Indexing.strides(inDims);
    int[] srcStrides = new int[perm.length];
    boolean[] seen = new boolean[inDims.length];
    boolean fits = perm.length == inDims.length && result.shape().rank() == inDims.length;
    for (int i = 0; fits && i < perm.length; i++) {
      fits = !seen[perm[i]] && result.shape().dimension(i) == inDims[perm[i]];
      seen[perm[i]] = true;
      srcStrides[i] = inStrides[perm[i]];
    }
    if (!fits) {
      throw error(instr, "dimensions=" + Arrays.toString(perm) + " is not a permutation taking "
          + x.shape().toStringWithoutLayout() + " to " + result.shape().toStringWithoutLayout());
    }
    ShapeOpStridedCopy.copyFrom(x, 0, srcStrides, result);
    return result;
  }

  /** {@code slice(x), slice={[start:limit:stride], ...}}: result size ceil((limit - start) / stride). */
  private static Literal slice(Instruction instr, Literal x) {
    Literal result = resultLike(instr, x);
    SliceSpec spec = instr.requireAttr(Attr.SLICE);
    int[] inDims = x.shape().dimensions();
    if (spec.rank() != inDims.length) {
      throw error(instr, "slice=" + spec + " has " + spec.rank() + " ranges for an operand of rank " + inDims.length);
    }
    int[] inStrides = Indexing.strides(inDims);
    int[] srcStrides = new int[inDims.length];
    int base = 0;
    for (int d = 0; d < inDims.length; d++) {
      long start = spec.start(d);
      long limit = spec.limit(d);
      long stride = spec.stride(d);
      long size = stride > 0 && limit >= start ? (limit - start + stride - 1) / stride : -1;
      if (start < 0 || limit > inDims[d] || size != result.shape().dimension(d)) {
        throw error(instr, "slice=" + spec + " does not take " + x.shape().toStringWithoutLayout() + " to "
            + result.shape().toStringWithoutLayout());
      }
      base += (int) start * inStrides[d];
      srcStrides[d] = (int) stride * inStrides[d];
    }
    ShapeOpStridedCopy.copyFrom(x, base, srcStrides, result);
    return result;
  }

  /** {@code reverse(x), dimensions={...}}: the listed dimensions are walked from their last index. */
  private static Literal reverse(Instruction instr, Literal x) {
    Literal result = resultLike(instr, x);
    int[] dims = x.shape().dimensions();
    if (!result.shape().sameDimensions(x.shape())) {
      throw error(instr, "the result must have the operand's dimensions");
    }
    int[] srcStrides = Indexing.strides(dims);
    int base = 0;
    for (int d : dimensionsAttr(instr, dims.length)) {
      base += (dims[d] - 1) * srcStrides[d]; // an empty dimension copies nothing, whatever the base
      srcStrides[d] = -srcStrides[d];
    }
    ShapeOpStridedCopy.copyFrom(x, base, srcStrides, result);
    return result;
  }

  /** {@code concatenate(a, b, ...), dimensions={d}}: the operands one after another along d. */
  private static Literal concatenate(Instruction instr, List<Literal> operands) {
    if (operands.isEmpty()) {
      throw error(instr, "needs at least one operand");
    }
    Literal result = resultLike(instr, operands.get(0));
    int[] outDims = result.shape().dimensions();
    int[] dim = dimensionsAttr(instr, outDims.length);
    if (dim.length != 1) {
      throw error(instr, "dimensions= must name exactly one dimension, got " + Arrays.toString(dim));
    }
    int d = dim[0];
    int[] outStrides = Indexing.strides(outDims);
    int offset = 0;
    for (Literal operand : operands) {
      int[] inDims = operand.shape().dimensions();
      boolean fits = operand.elementType() == result.elementType() && inDims.length == outDims.length;
      for (int k = 0; fits && k < inDims.length; k++) {
        fits = k == d || inDims[k] == outDims[k];
      }
      if (!fits || offset + inDims[d] > outDims[d]) {
        throw error(instr, "operand " + operand.shape().toStringWithoutLayout() + " does not fit result "
            + result.shape().toStringWithoutLayout() + " along dimension " + d);
      }
      ShapeOpStridedCopy.copyInto(operand, result, offset * outStrides[d], outStrides);
      offset += inDims[d];
    }
    if (offset != outDims[d]) {
      throw error(instr, "operands fill " + offset + " of the " + outDims[d] + " elements of dimension " + d);
    }
    return result;
  }

  /** {@code iota(), iota_dimension=d}: each element is its index along d, in the element type. */
  private static Literal iota(Instruction instr) {
    Literal result = Literal.zeros(instr.shape());
    int[] dims = result.shape().dimensions();
    long iotaDimension = instr.requireAttr(Attr.IOTA_DIMENSION);
    if (iotaDimension < 0 || iotaDimension >= dims.length) {
      throw error(instr, "iota_dimension=" + iotaDimension + " is out of range for rank " + dims.length);
    }
    int d = (int) iotaDimension;
    int stride = Indexing.strides(dims)[d];
    int size = dims[d];
    ElementType type = result.elementType();
    if (type.isFloat()) {
      double[] out = result.floatStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = (i / stride) % size;
      }
      ElementwiseStorage.roundAll(type, out); // f16 and bf16 cannot hold every large index
    } else {
      long[] out = result.intStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = (i / stride) % size;
      }
      ElementwiseStorage.wrapAll(type, out); // pred: only index 0 is false
    }
    return result;
  }
}
