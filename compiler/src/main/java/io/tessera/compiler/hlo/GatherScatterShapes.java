package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shape rules of {@code gather} and {@code scatter}, with XLA's explicit batching dimensions
 * ({@code operand_batching_dims} / {@code start_indices_batching_dims} and
 * {@code input_batching_dims} / {@code scatter_indices_batching_dims}).
 *
 * <p>The indices array holds one start-index vector along {@code index_vector_dim}; when that
 * dimension equals the indices' rank, the vectors have length 1 (an implicit trailing dimension of
 * size 1, as XLA "expands" the indices shape). The other index dimensions are the batch
 * dimensions of the result (gather) or the scatter dimensions of the updates (scatter).
 */
final class GatherScatterShapes {
  private GatherScatterShapes() {}

  static Shape gather(Operation op) {
    Shape operand = op.array(0, "operand");
    Shape indices = op.array(1, "start indices");
    int[] expanded = expandedIndices(op, indices);
    int indexVectorDim = op.index(Attr.INDEX_VECTOR_DIM, indices.rank() + 1, "start indices of rank " + indices.rank());

    long[] offsetDims = op.require(Attr.OFFSET_DIMS);
    long[] collapsed = op.require(Attr.COLLAPSED_SLICE_DIMS);
    long[] startIndexMap = op.require(Attr.START_INDEX_MAP);
    long[] operandBatching = op.optional(Attr.OPERAND_BATCHING_DIMS, new long[0]);
    long[] indicesBatching = op.optional(Attr.START_INDICES_BATCHING_DIMS, new long[0]);
    long[] sliceSizes = op.require(Attr.SLICE_SIZES);

    int resultRank = offsetDims.length + expanded.length - 1;
    op.requireSorted("offset_dims", offsetDims);
    op.dimensionList("offset_dims", offsetDims, resultRank);
    op.requireSorted("collapsed_slice_dims", collapsed);
    op.requireSorted("operand_batching_dims", operandBatching);
    op.dimensionList("collapsed_slice_dims + operand_batching_dims", concat(collapsed, operandBatching), operand.rank());
    checkBatching(op, "operand_batching_dims", operandBatching, operand, "start_indices_batching_dims",
        indicesBatching, indices, indexVectorDim);
    checkIndexMap(op, "start_index_map", startIndexMap, operandBatching, "operand_batching_dims", operand,
        expanded[indexVectorDim]);
    if (operand.rank() != offsetDims.length + collapsed.length + operandBatching.length) {
      throw op.fail("operand " + Operation.str(operand) + " has rank " + operand.rank()
          + ", but offset_dims, collapsed_slice_dims and operand_batching_dims name "
          + (offsetDims.length + collapsed.length + operandBatching.length) + " dimensions");
    }
    if (sliceSizes.length != operand.rank()) {
      throw op.fail("slice_sizes=" + Operation.list(sliceSizes) + " must have one size per dimension of "
          + Operation.str(operand));
    }
    for (int d = 0; d < sliceSizes.length; d++) {
      if (sliceSizes[d] < 0 || !Operation.fits(sliceSizes[d], operand.dimension(d))) {
        throw op.fail("slice size " + sliceSizes[d] + " of dimension " + d + " is not within [0, "
            + operand.dimension(d) + "] of " + Operation.str(operand));
      }
      boolean dropped = Operation.contains(collapsed, d) || Operation.contains(operandBatching, d);
      if (dropped && sliceSizes[d] > 1) {
        throw op.fail("slice size of collapsed or batching dimension " + d + " must be at most 1, got " + sliceSizes[d]);
      }
    }

    // Offset dimensions of the result take the slice sizes of the kept operand dimensions, in
    // order; the other result dimensions are the batch dimensions of the indices, in order.
    int[] out = new int[resultRank];
    int sliceDim = 0;
    int indexDim = 0;
    for (int i = 0; i < resultRank; i++) {
      if (Operation.contains(offsetDims, i)) {
        while (Operation.contains(collapsed, sliceDim) || Operation.contains(operandBatching, sliceDim)) {
          sliceDim++;
        }
        out[i] = (int) sliceSizes[sliceDim++];
      } else {
        if (indexDim == indexVectorDim) {
          indexDim++;
        }
        out[i] = expanded[indexDim++];
      }
    }
    return Shape.array(operand.elementType(), out);
  }

  /**
   * {@code scatter(operands..., indices, updates...)}: {@code N} operands of one set of dimensions,
   * one indices array, {@code N} updates; {@code to_apply} combines an operand element with an
   * update element. The result has the operands' shapes (a tuple when {@code N > 1}).
   */
  static Shape scatter(Operation op) {
    int count = op.operandCount();
    if (count < 3 || count % 2 == 0) {
      throw op.fail("takes N operands, the scatter indices and N updates, got " + count + " operand(s)");
    }
    int n = (count - 1) / 2;
    List<Shape> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Shape s = op.array(i, "operand " + i);
      if (i > 0 && !s.sameDimensions(inputs.get(0))) {
        throw op.fail("operand " + i + " " + Operation.str(s) + " and operand 0 " + Operation.str(inputs.get(0))
            + " differ in dimensions");
      }
      inputs.add(s);
    }
    Shape operand = inputs.get(0);
    Shape indices = op.array(n, "scatter indices");
    int[] expanded = expandedIndices(op, indices);
    int indexVectorDim = op.index(Attr.INDEX_VECTOR_DIM, indices.rank() + 1, "scatter indices of rank " + indices.rank());

    long[] updateWindowDims = op.require(Attr.UPDATE_WINDOW_DIMS);
    long[] inserted = op.require(Attr.INSERTED_WINDOW_DIMS);
    long[] toOperandDims = op.require(Attr.SCATTER_DIMS_TO_OPERAND_DIMS);
    long[] inputBatching = op.optional(Attr.INPUT_BATCHING_DIMS, new long[0]);
    long[] indicesBatching = op.optional(Attr.SCATTER_INDICES_BATCHING_DIMS, new long[0]);

    op.requireSorted("inserted_window_dims", inserted);
    op.requireSorted("input_batching_dims", inputBatching);
    op.dimensionList("inserted_window_dims + input_batching_dims", concat(inserted, inputBatching), operand.rank());
    checkBatching(op, "input_batching_dims", inputBatching, operand, "scatter_indices_batching_dims",
        indicesBatching, indices, indexVectorDim);
    checkIndexMap(op, "scatter_dims_to_operand_dims", toOperandDims, inputBatching, "input_batching_dims", operand,
        expanded[indexVectorDim]);
    if (operand.rank() != updateWindowDims.length + inserted.length + inputBatching.length) {
      throw op.fail("operand " + Operation.str(operand) + " has rank " + operand.rank()
          + ", but update_window_dims, inserted_window_dims and input_batching_dims name "
          + (updateWindowDims.length + inserted.length + inputBatching.length) + " dimensions");
    }
    op.requireSorted("update_window_dims", updateWindowDims);
    for (int i = 0; i < n; i++) {
      Shape updates = op.array(n + 1 + i, "updates " + i);
      op.requireSameElementType(inputs.get(i), "operand " + i, updates, "updates " + i);
      checkUpdates(op, i, updates, operand, expanded, indexVectorDim, updateWindowDims, inserted, inputBatching);
    }

    List<ElementType> types = inputs.stream().map(Shape::elementType).toList();
    ReductionShapes.checkReducer(op, "to_apply", op.computation(Attr.TO_APPLY), types);
    if (n == 1) {
      return operand.withoutLayout();
    }
    return Shape.tuple(inputs.stream().map(Shape::withoutLayout).toList());
  }

  /**
   * Updates have the scatter dimensions of the indices (all but {@code index_vector_dim}, in order)
   * and, at {@code update_window_dims}, windows no larger than the operand's kept dimensions.
   */
  private static void checkUpdates(Operation op, int i, Shape updates, Shape operand, int[] expanded,
                                   int indexVectorDim, long[] updateWindowDims, long[] inserted,
                                   long[] inputBatching) {
    int expectedRank = expanded.length - 1 + updateWindowDims.length;
    if (updates.rank() != expectedRank) {
      throw op.fail("updates " + i + " " + Operation.str(updates) + " must have rank " + expectedRank
          + " (scatter dimensions of the indices plus update_window_dims)");
    }
    op.dimensionList("update_window_dims", updateWindowDims, updates.rank());
    int operandDim = 0;
    int indexDim = 0;
    for (int d = 0; d < updates.rank(); d++) {
      if (Operation.contains(updateWindowDims, d)) {
        while (Operation.contains(inserted, operandDim) || Operation.contains(inputBatching, operandDim)) {
          operandDim++;
        }
        if (!Operation.fits(updates.dimension(d), operand.dimension(operandDim))) {
          throw op.fail("updates " + i + " window dimension " + d + " has size " + updates.dimension(d)
              + ", more than operand dimension " + operandDim + " of size " + operand.dimension(operandDim));
        }
        operandDim++;
      } else {
        if (indexDim == indexVectorDim) {
          indexDim++;
        }
        if (updates.dimension(d) != expanded[indexDim]) {
          throw op.fail("updates " + i + " scatter dimension " + d + " has size " + updates.dimension(d)
              + ", but scatter indices dimension " + indexDim + " has size " + expanded[indexDim]);
        }
        indexDim++;
      }
    }
  }

  /** The indices' dimensions, with a trailing 1 when {@code index_vector_dim} is the rank. */
  private static int[] expandedIndices(Operation op, Shape indices) {
    if (!indices.elementType().isInteger()) {
      throw op.fail("indices must be integers, got " + Operation.str(indices));
    }
    long ivd = op.require(Attr.INDEX_VECTOR_DIM);
    int[] dims = indices.dimensions();
    if (ivd != dims.length) {
      return dims;
    }
    int[] out = Arrays.copyOf(dims, dims.length + 1);
    out[dims.length] = 1;
    return out;
  }

  /**
   * Operand batching dimensions pair up with indices batching dimensions of equal size; the latter
   * are distinct, in range and never the index vector dimension.
   */
  private static void checkBatching(Operation op, String operandName, long[] operandBatching, Shape operand,
                                    String indicesName, long[] indicesBatching, Shape indices, int indexVectorDim) {
    op.dimensionList(indicesName, indicesBatching, indices.rank());
    if (Operation.contains(indicesBatching, indexVectorDim)) {
      throw op.fail(indicesName + "=" + Operation.list(indicesBatching) + " must not contain index_vector_dim "
          + indexVectorDim);
    }
    if (operandBatching.length != indicesBatching.length) {
      throw op.fail(operandName + "=" + Operation.list(operandBatching) + " and " + indicesName + "="
          + Operation.list(indicesBatching) + " differ in length");
    }
    for (int i = 0; i < operandBatching.length; i++) {
      int a = operand.dimension((int) operandBatching[i]);
      int b = indices.dimension((int) indicesBatching[i]);
      if (a != b) {
        throw op.fail("batching dimension " + operandBatching[i] + " of operand " + Operation.str(operand)
            + " has size " + a + ", indices dimension " + indicesBatching[i] + " of " + Operation.str(indices)
            + " has size " + b);
      }
    }
  }

  /** Maps each start-index vector entry to a distinct operand dimension that is not a batching one. */
  private static void checkIndexMap(Operation op, String name, long[] map, long[] batching, String batchingName,
                                    Shape operand, int vectorLength) {
    if (map.length != vectorLength) {
      throw op.fail(name + "=" + Operation.list(map) + " has " + map.length
          + " entries, but the index vectors have " + vectorLength);
    }
    op.dimensionList(name, map, operand.rank());
    Set<Long> batch = new HashSet<>();
    for (long d : batching) {
      batch.add(d);
    }
    for (long d : map) {
      if (batch.contains(d)) {
        throw op.fail(name + "=" + Operation.list(map) + " and " + batchingName + "=" + Operation.list(batching)
            + " share dimension " + d);
      }
    }
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
