package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;

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

  private GatherScatterIndices(long[] values, boolean unsigned64, int vectorSize, int componentStride,
                               int[] batchSizes, int[] batchStrides) {
    this.values = values;
    this.unsigned64 = unsigned64;
    this.vectorSize = vectorSize;
    this.componentStride = componentStride;
    this.batchSizes = batchSizes;
    this.batchStrides = batchStrides;
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
      throw GatherScatterEvaluator.error(instr, "indices must have an integer type, got " + type);
    }
    int[] dims = indices.shape().dimensions();
    if (indexVectorDim < 0 || indexVectorDim > dims.length) {
      throw GatherScatterEvaluator.error(instr, "index_vector_dim=" + indexVectorDim
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
        implicit ? 1 : dims[ivd], implicit ? 0 : strides[ivd], batchSizes, batchStrides);
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
   * Position of indices dimension {@code indicesDim} among the batch dimensions (the dimensions
   * other than {@code index_vector_dim}), as {@code start_indices_batching_dims} names them.
   */
  static int batchPosition(long indicesDim, long indexVectorDim) {
    return (int) (indicesDim < indexVectorDim ? indicesDim : indicesDim - 1);
  }

  /** Where the index vector at grid position {@code batchIndex} starts in the storage. */
  int vectorOffset(int[] batchIndex) {
    return Indexing.linear(batchIndex, batchStrides);
  }

  /**
   * Component {@code k} of the vector starting at {@code vectorOffset}, as a signed value. A u64
   * index at or above 2^63 reads as {@link Long#MAX_VALUE}: it is out of range either way, and
   * keeping it large (not negative) makes gather clamp it to the top, as XLA does.
   */
  long component(int vectorOffset, int k) {
    long v = values[vectorOffset + k * componentStride];
    return unsigned64 && v < 0 ? Long.MAX_VALUE : v;
  }
}
