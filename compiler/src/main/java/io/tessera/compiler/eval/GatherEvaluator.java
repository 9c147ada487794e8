package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;

/**
 * XLA's gather: for every index vector in {@code start_indices}, a slice of {@code operand} of
 * {@code slice_sizes}, placed in the output along {@code offset_dims}; the remaining output
 * dimensions (the batch dimensions) walk the index vectors.
 *
 * <p>For output batch position G and slice position O: the start S is 0 in every operand
 * dimension except {@code S[start_index_map[k]] = start_indices[G, k]} and, for batching
 * dimensions, {@code S[operand_batching_dims[i]] = G[start_indices_batching_dims[i]]}. Every start
 * is then clamped to {@code [0, operand_dim - slice_size]}, so a slice is never out of bounds
 * (unlike scatter, which skips). O fills the operand dimensions that are neither collapsed nor
 * batching, in order, and the element read is {@code operand[S + O]}.
 */
final class GatherEvaluator {
  private GatherEvaluator() {}

  static Literal evaluate(Instruction instr, Literal operand, Literal startIndices) {
    long[] offsetDims = GatherScatterEvaluator.listOrEmpty(instr, Attr.OFFSET_DIMS);
    long[] collapsed = GatherScatterEvaluator.listOrEmpty(instr, Attr.COLLAPSED_SLICE_DIMS);
    long[] startIndexMap = GatherScatterEvaluator.listOrEmpty(instr, Attr.START_INDEX_MAP);
    long[] operandBatching = GatherScatterEvaluator.listOrEmpty(instr, Attr.OPERAND_BATCHING_DIMS);
    long[] indicesBatching = GatherScatterEvaluator.listOrEmpty(instr, Attr.START_INDICES_BATCHING_DIMS);
    long indexVectorDim = GatherScatterEvaluator.indexVectorDim(instr);
    long[] sliceSizes = GatherScatterEvaluator.requireList(instr, Attr.SLICE_SIZES);

    int[] operandDims = operand.shape().dimensions();
    int[] outDims = instr.shape().dimensions();
    GatherScatterIndices indices = GatherScatterIndices.of(instr, startIndices, indexVectorDim);
    int[] batchSizes = indices.batchSizes();

    checkSliceSizes(instr, sliceSizes, operandDims);
    Offsets.checkedDimensions(startIndexMap, operandDims.length, "start_index_map");
    if (startIndexMap.length != indices.vectorSize()) {
      throw error(instr, "start_index_map has " + startIndexMap.length + " entries but the index vectors have "
          + indices.vectorSize() + " components");
    }
    GatherScatterEvaluator.checkBatching(instr, "operand_batching_dims", operandBatching,
        "start_indices_batching_dims", indicesBatching, operandDims, startIndices.shape().dimensions(), indexVectorDim);
    int[] sliceDims = GatherScatterEvaluator.dimsNotIn(operandDims.length,
        collapsed, "collapsed_slice_dims", operandBatching, "operand_batching_dims");
    int[] outBatchDims = GatherScatterEvaluator.dimsNotIn(outDims.length,
        offsetDims, "offset_dims", new long[0], "");
    int[] outOffsetDims = GatherScatterEvaluator.toInts(offsetDims);
    checkOutputShape(instr, outDims, outBatchDims, batchSizes, outOffsetDims, sliceDims, sliceSizes);

    Literal result = Literal.zeros(instr.shape());
    int[] operandStrides = Indexing.strides(operandDims);
    int[] outStrides = Indexing.strides(outDims);
    int[] sliceShape = new int[sliceDims.length];
    for (int k = 0; k < sliceDims.length; k++) {
      sliceShape[k] = outDims[outOffsetDims[k]];
    }
    // Offsets within one slice, in the operand and in the output; the same for every slice.
    int[][] offsets = GatherScatterEvaluator.windowOffsets(sliceShape, sliceDims, operandStrides,
        outOffsetDims, outStrides);
    int[] inOperand = offsets[0];
    int[] inOutput = offsets[1];
    if (result.elementCount() == 0) {
      return result;
    }

    long[] start = new long[operandDims.length];
    int[] batchIndex = new int[batchSizes.length];
    do {
      indices.operandStart(batchIndex, startIndexMap, operandBatching, indicesBatching, start);
      int operandBase = 0;
      for (int d = 0; d < operandDims.length; d++) {
        long clamped = Math.max(0, Math.min(start[d], operandDims[d] - sliceSizes[d]));
        operandBase += (int) clamped * operandStrides[d];
      }
      int outBase = 0;
      for (int b = 0; b < batchIndex.length; b++) {
        outBase += batchIndex[b] * outStrides[outBatchDims[b]];
      }
      for (int j = 0; j < inOperand.length; j++) {
        result.copyElement(operand, operandBase + inOperand[j], outBase + inOutput[j]);
      }
    } while (Indexing.next(batchIndex, batchSizes));
    return result;
  }

  private static void checkSliceSizes(Instruction instr, long[] sliceSizes, int[] operandDims) {
    if (sliceSizes.length != operandDims.length) {
      throw error(instr, "slice_sizes has " + sliceSizes.length + " entries for an operand of rank "
          + operandDims.length);
    }
    for (int d = 0; d < operandDims.length; d++) {
      if (sliceSizes[d] < 0 || sliceSizes[d] > operandDims[d]) {
        throw error(instr, "slice_sizes[" + d + "]=" + sliceSizes[d] + " does not fit operand dimension "
            + d + " of size " + operandDims[d]);
      }
    }
  }

  private static void checkOutputShape(Instruction instr, int[] outDims, int[] outBatchDims, int[] batchSizes,
                                       int[] outOffsetDims, int[] sliceDims, long[] sliceSizes) {
    if (outBatchDims.length != batchSizes.length || outOffsetDims.length != sliceDims.length) {
      throw error(instr, "declared shape " + instr.shape().toStringWithoutLayout() + " has "
          + outBatchDims.length + " batch and " + outOffsetDims.length + " offset dimensions; the indices give "
          + batchSizes.length + " batch dimensions and the slice spans " + sliceDims.length + " dimensions");
    }
    for (int b = 0; b < batchSizes.length; b++) {
      if (outDims[outBatchDims[b]] != batchSizes[b]) {
        throw error(instr, "output batch dimension " + outBatchDims[b] + " has size " + outDims[outBatchDims[b]]
            + " but the indices give " + batchSizes[b]);
      }
    }
    for (int k = 0; k < sliceDims.length; k++) {
      if (outDims[outOffsetDims[k]] != sliceSizes[sliceDims[k]]) {
        throw error(instr, "output offset dimension " + outOffsetDims[k] + " has size " + outDims[outOffsetDims[k]]
            + " but slice_sizes[" + sliceDims[k] + "] is " + sliceSizes[sliceDims[k]]);
      }
    }
  }
}
