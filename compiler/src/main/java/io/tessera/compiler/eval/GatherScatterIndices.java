package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.Arrays;

/**
 * The start-index array of a gather ({@code start_indices}) or scatter ({@code scatter_indices}),
 * seen as XLA sees it: a grid of index vectors. {@code index_vector_dim} holds the vector
 * components; every other dimension is a <em>batch</em> dimension, and the batch dimensions, in
 * order, index the grid. When {@code index_vector_dim} equals the rank, the array has an implicit
 * trailing dimension of size 1: every element is a one-component vector.
 */
final class GatherScatterIndices {
  private final long[] values;
  private final boolean unsigned64;
  private final int vectorSize;
  private final int componentStride;
  private final int[] batchSizes;
  private final int[] batchStrides;
  private final int indexVectorDim;

  private GatherScatterIndices(long[] values, boolean unsigned64, int vectorSize, int componentStride,
                               int[] batchSizes, int[] batchStrides, int indexVectorDim) {
    this.values = values;
    this.unsigned64 = unsigned64;
    this.vectorSize = vectorSize;
    this.componentStride = componentStride;
    this.batchSizes = batchSizes;
    this.batchStrides = batchStrides;
    this.indexVectorDim = indexVectorDim;
  }

  /**
   * Reads {@code indices} with index vectors along {@code indexVectorDim}.
   *
   * @throws EvaluationException naming {@code instr} when the indices are not integers or the
   *     index vector dimension is out of range
   */
  static GatherScatterIndices of(Instruction instr, Literal indices, long indexVectorDim) {
    ElementType type = indices.elementType();
    if (!type.isInteger()) {
      throw EvaluationException.error(instr, "indices must have an integer type, got " + type);
    }
    int[] dims = indices.shape().dimensions();
    if (indexVectorDim < 0 || indexVectorDim > dims.length) {
      throw EvaluationException.error(instr, "index_vector_dim=" + indexVectorDim
          + " is out of range for indices of rank " + dims.length);
    }
    int ivd = (int) indexVectorDim;
    int[] strides = Indexing.strides(dims);
    boolean implicit = ivd == dims.length;
    int[] batchSizes = new int[implicit ? dims.length : dims.length - 1];
    int[] batchStrides = new int[batchSizes.length];
    for (int d = 0, b = 0; d < dims.length; d++) {
      if (d != ivd) {
        batchSizes[b] = dims[d];
        batchStrides[b++] = strides[d];
      }
    }
    return new GatherScatterIndices(indices.intStorage(), type == ElementType.U64,
        implicit ? 1 : dims[ivd], implicit ? 0 : strides[ivd], batchSizes, batchStrides, ivd);
  }

  /** Components of each index vector (1 when the vector dimension is implicit). */
  int vectorSize() {
    return vectorSize;
  }

  /** Sizes of the batch dimensions: the grid of index vectors. */
  int[] batchSizes() {
    return batchSizes.clone();
  }

  /**
   * The operand position the index vector at grid position {@code batchIndex} points at, before
   * gather clamps it or scatter bounds-checks it: 0 in every operand dimension except
   * {@code start[toOperandDims[k]] = component k} and, for batching dimensions,
   * {@code start[operandBatchingDims[i]] = batchIndex[position of indicesBatchingDims[i]]}.
   */
  void operandStart(int[] batchIndex, long[] toOperandDims, long[] operandBatchingDims, long[] indicesBatchingDims,
                    long[] start) {
    Arrays.fill(start, 0);
    int vector = Indexing.linear(batchIndex, batchStrides);
    for (int k = 0; k < toOperandDims.length; k++) {
      start[(int) toOperandDims[k]] = component(vector, k);
    }
    for (int i = 0; i < operandBatchingDims.length; i++) {
      // Batch positions skip index_vector_dim, so later indices dimensions sit one lower.
      long d = indicesBatchingDims[i];
      start[(int) operandBatchingDims[i]] = batchIndex[(int) (d < indexVectorDim ? d : d - 1)];
    }
  }

  /**
   * Component {@code k} of the vector starting at {@code vectorOffset}, as a signed value. A u64
   * index at or above 2^63 reads as {@link Long#MAX_VALUE}: it is out of range either way, and
   * keeping it large (not negative) makes gather clamp it to the top, as XLA does.
   */
  private long component(int vectorOffset, int k) {
    long v = values[vectorOffset + k * componentStride];
    return unsigned64 && v < 0 ? Long.MAX_VALUE : v;
  }
}
