package io.tessera.compiler.llvm;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import java.util.Arrays;

/**
 * Elemental forms of the data-movement instructions whose positions are run-time values:
 * {@code dynamic-slice}, {@code dynamic-update-slice} and {@code gather}.
 *
 * <p>As XLA specifies, every start index is clamped into {@code [0, dim - window]} before use,
 * so a slice always lies wholly inside its operand and every load is in bounds. Indices of any
 * integer type are read as signed 64-bit values (unsigned ones zero-extended); a {@code u64}
 * index of 2^63 or more reads as {@code Long.MAX_VALUE}, a huge positive start, which clamps to
 * the top here and makes scatter skip its window, as the interpreter does.
 *
 * <p>Dynamic rows ({@code f32[?,8]}, as the batching pass makes them): a window spanning the
 * whole dynamic dimension (operand and update both {@code ?} there) starts at row 0, and gather
 * reads a dynamic operand dimension only as a batching dimension paired with the indices' rows,
 * each row from its own row. A start index that would move a window of a constant number of rows
 * along the runtime rows (a dynamic-slice of a dynamic operand, a constant-size update of it, a
 * gather indexing its rows) has no size to clamp to at compile time, and is refused naming the
 * instruction.
 */
public final class DynamicIndexing {
  private DynamicIndexing() {}

  /** {@code dynamic-slice(x, starts...)}: x at index + clamped start. */
  static IrValue dynamicSlice(ElementalEmitter e, Instruction instr, IrIndex index) {
    Instruction operand = instr.operand(0);
    int[] opDims = operand.shape().dimensions();
    int[] sizes = index.dims();
    long[] declared = instr.attr(Attr.DYNAMIC_SLICE_SIZES);
    if (sizes.length != opDims.length || (declared != null && !Arrays.equals(toInts(declared), sizes))) {
      throw error(instr, "the result " + instr.shape() + " must match dynamic_slice_sizes and the operand's rank "
          + opDims.length);
    }
    IrValue[] starts = clampedStarts(e, instr, 1, opDims, sizes);
    IrBuilder b = e.builder();
    IrValue[] idx = new IrValue[opDims.length];
    for (int d = 0; d < opDims.length; d++) {
      idx[d] = b.assign("i64", "add nuw nsw i64 " + index.get(d).ref() + ", " + starts[d].ref());
    }
    return e.emit(operand, new IrIndex(idx, opDims, null));
  }

  /**
   * {@code dynamic-update-slice(x, update, starts...)}: the update's element where the index lies
   * inside the (clamped) window, x's elsewhere; the update is read at a clamped index and the value
   * selected, so the loop body has no branch.
   */
  static IrValue dynamicUpdateSlice(ElementalEmitter e, Instruction instr, IrIndex index) {
    Instruction operand = instr.operand(0);
    Instruction update = instr.operand(1);
    int[] dims = operand.shape().dimensions();
    int[] updateDims = update.shape().dimensions();
    if (!Arrays.equals(dims, index.dims()) || updateDims.length != dims.length
        || update.shape().elementType() != operand.shape().elementType()) {
      throw error(instr, "update " + update.shape() + " does not fit operand " + operand.shape() + " and result "
          + instr.shape());
    }
    IrValue[] starts = clampedStarts(e, instr, 2, dims, updateDims);
    IrBuilder b = e.builder();
    IrValue inside = IrValue.bool(true);
    IrValue[] idx = new IrValue[dims.length];
    for (int d = 0; d < dims.length; d++) {
      IrValue offset = b.sub(index.get(d), starts[d]); // negative is huge unsigned
      IrValue in = b.icmp("ult", offset, b.dimensionSize(updateDims[d]));
      idx[d] = b.select(in, offset, IrValue.i64(0));
      inside = b.and(inside, in);
    }
    IrValue old = e.emit(operand, index);
    if (hasEmptyDimension(updateDims)) {
      return old; // nothing to read the update at (a dynamic dimension alone never empties it: no index runs then)
    }
    IrValue fresh = e.emit(update, new IrIndex(idx, updateDims, null));
    return b.select(inside, fresh, old);
  }

  /**
   * The start indices of dynamic-slice or dynamic-update-slice {@code instr}, from operand
   * {@code first} on (one scalar per dimension, or XLA's older single rank-1 operand), each
   * clamped into {@code [0, dims[d] - window[d]]}.
   */
  public static IrValue[] clampedStarts(ElementalEmitter e, Instruction instr, int first, int[] dims, int[] window) {
    int rank = dims.length;
    int given = instr.operandCount() - first;
    boolean vectorForm = given == 1 && instr.operand(first).shape().rank() == 1;
    boolean fits = vectorForm ? instr.operand(first).shape().dimension(0) == rank : given == rank;
    for (int d = 0; fits && d < rank; d++) {
      fits = dims[d] == Shape.DYNAMIC || (window[d] <= dims[d] && window[d] >= 0);
    }
    if (!fits) {
      throw error(instr, "needs one start index per operand dimension (" + rank
          + ") and a window no larger than the operand");
    }
    IrValue[] starts = new IrValue[rank];
    for (int d = 0; d < rank; d++) {
      if (dims[d] == Shape.DYNAMIC) {
        if (window[d] != Shape.DYNAMIC) {
          throw error(instr, "a start index along the dynamic dimension " + d + " of "
              + instr.operand(0).shape().toStringWithoutLayout() + " is not supported: a window of " + window[d]
              + " row(s) would move along the runtime rows");
        }
        starts[d] = IrValue.i64(0); // the window spans every row, so its start clamps to 0
        continue;
      }
      Instruction index = vectorForm ? instr.operand(first) : instr.operand(first + d);
      ElementType type = index.shape().elementType();
      if (!type.isInteger() || (!vectorForm && !index.shape().isScalar())) {
        throw error(instr, "start indices must be integer scalars, got " + index.shape());
      }
      IrIndex at = vectorForm ? new IrIndex(new IrValue[] {IrValue.i64(d)}, new int[] {rank}, IrValue.i64(d))
          : IrIndex.scalar();
      IrValue start = indexAsI64(e.builder(), type, e.emit(index, at));
      starts[d] = clamp(e.builder(), start, dims[d] - (long) window[d]);
    }
    return starts;
  }

  /**
   * {@code gather}: output index = batch position (the dimensions not in offset_dims) and offset
   * within the slice (offset_dims, in order, for the operand dimensions that are neither collapsed
   * nor batching). The start vector is read from start_indices at the batch position, placed by
   * start_index_map (batching dimensions take the batch position itself), clamped so the slice
   * fits, and the operand is read at start + offset.
   */
  static IrValue gather(ElementalEmitter e, Instruction instr, IrIndex index) {
    IrBuilder b = e.builder();
    Instruction operand = instr.operand(0);
    Instruction indices = instr.operand(1);
    int[] opDims = operand.shape().dimensions();
    int[] indexDims = indices.shape().dimensions();
    int[] outDims = index.dims();
    long[] offsetDims = list(instr, Attr.OFFSET_DIMS);
    long[] collapsed = list(instr, Attr.COLLAPSED_SLICE_DIMS);
    long[] startIndexMap = list(instr, Attr.START_INDEX_MAP);
    long[] operandBatching = list(instr, Attr.OPERAND_BATCHING_DIMS);
    long[] indicesBatching = list(instr, Attr.START_INDICES_BATCHING_DIMS);
    int ivd = Math.toIntExact(instr.requireAttr(Attr.INDEX_VECTOR_DIM));
    long[] sliceSizes = instr.requireAttr(Attr.SLICE_SIZES);
    ElementType indexType = indices.shape().elementType();
    if (!indexType.isInteger() || ivd < 0 || ivd > indexDims.length || sliceSizes.length != opDims.length
        || operandBatching.length != indicesBatching.length) {
      throw error(instr, "bad indices " + indices.shape() + ", index_vector_dim=" + ivd + " or slice_sizes="
          + Arrays.toString(sliceSizes) + " for operand " + operand.shape());
    }
    int vectorSize = ivd == indexDims.length ? 1 : indexDims[ivd];
    if (startIndexMap.length != vectorSize) {
      throw error(instr, "start_index_map has " + startIndexMap.length + " entries but the index vectors have "
          + vectorSize + " components");
    }
    boolean[] excluded = new boolean[opDims.length];
    mark(instr, excluded, collapsed);
    mark(instr, excluded, operandBatching);
    checkDims(instr, startIndexMap, opDims.length);
    checkDims(instr, indicesBatching, indexDims.length);
    boolean[] isOffset = new boolean[outDims.length];
    mark(instr, isOffset, offsetDims);
    boolean[] rowBatching = rowBatchingDims(instr, opDims, indexDims, operandBatching, indicesBatching, sliceSizes);

    // Batch position: the output dimensions that are not offset dimensions, in order.
    int batchRank = indexDims.length - (ivd == indexDims.length ? 0 : 1);
    IrValue[] batch = new IrValue[batchRank];
    int batchDims = 0;
    for (int d = 0; d < outDims.length; d++) {
      if (!isOffset[d]) {
        if (batchDims >= batchRank || indexDimSize(indexDims, ivd, batchDims) != outDims[d]) {
          throw error(instr, "output " + instr.shape() + " does not fit indices " + indices.shape());
        }
        batch[batchDims++] = index.get(d);
      }
    }
    if (batchDims != batchRank) {
      throw error(instr, "output " + instr.shape() + " has " + batchDims + " batch dimensions, the indices "
          + indices.shape() + " " + batchRank);
    }

    IrValue[] start = new IrValue[opDims.length];
    Arrays.fill(start, IrValue.i64(0));
    for (int c = 0; c < vectorSize; c++) {
      IrValue[] at = new IrValue[indexDims.length];
      for (int d = 0, j = 0; d < indexDims.length; d++) {
        at[d] = d == ivd ? IrValue.i64(c) : batch[j++];
      }
      IrValue component = e.emit(indices, new IrIndex(at, indexDims, null));
      start[(int) startIndexMap[c]] = indexAsI64(b, indexType, component);
    }
    for (int i = 0; i < operandBatching.length; i++) {
      int d = (int) indicesBatching[i];
      if (d == ivd) {
        throw error(instr, "start_indices_batching_dims names the index_vector_dim " + ivd);
      }
      start[(int) operandBatching[i]] = batch[d < ivd ? d : d - 1];
    }

    // The k-th spanned operand dimension moves with output dimension offset_dims[k].
    IrValue[] idx = new IrValue[opDims.length];
    int k = 0;
    for (int d = 0; d < opDims.length; d++) {
      if (rowBatching[d]) {
        idx[d] = start[d]; // this row's own row of the operand: below the row count, nothing to clamp
        continue;
      }
      if (sliceSizes[d] < 0 || sliceSizes[d] > opDims[d]) {
        throw error(instr, "slice_sizes[" + d + "]=" + sliceSizes[d] + " does not fit operand " + operand.shape());
      }
      IrValue s = clamp(b, start[d], opDims[d] - sliceSizes[d]);
      if (!excluded[d]) {
        int out = k < offsetDims.length ? (int) offsetDims[k] : -1;
        if (out < 0 || outDims[out] != sliceSizes[d]) {
          throw error(instr, "output " + instr.shape() + " does not hold slices of sizes " + Arrays.toString(sliceSizes));
        }
        s = b.assign("i64", "add nsw i64 " + s.ref() + ", " + index.get(out).ref());
        k++;
      }
      idx[d] = s;
    }
    if (k != offsetDims.length) {
      throw error(instr, "offset_dims has " + offsetDims.length + " entries for " + k + " spanned operand dimensions");
    }
    return e.emit(operand, new IrIndex(idx, opDims, null));
  }

  /**
   * Marks the operand's dynamic dimensions, each of which must be a batching dimension paired with
   * a dynamic dimension of the indices (and slice size 1): output row r then reads operand row r.
   * Any other use of a dynamic operand dimension would index the runtime rows with a start that
   * cannot be clamped at compile time.
   */
  private static boolean[] rowBatchingDims(Instruction instr, int[] opDims, int[] indexDims, long[] operandBatching,
                                           long[] indicesBatching, long[] sliceSizes) {
    boolean[] rows = new boolean[opDims.length];
    for (int i = 0; i < operandBatching.length; i++) {
      int d = (int) operandBatching[i];
      if (opDims[d] == Shape.DYNAMIC && indexDims[(int) indicesBatching[i]] == Shape.DYNAMIC && sliceSizes[d] == 1) {
        rows[d] = true;
      }
    }
    for (int d = 0; d < opDims.length; d++) {
      if (opDims[d] == Shape.DYNAMIC && !rows[d]) {
        throw error(instr, "gathering along the dynamic dimension " + d + " of "
            + instr.operand(0).shape().toStringWithoutLayout()
            + " is not supported: it may only be a batching dimension paired with the indices' rows");
      }
    }
    return rows;
  }

  private static boolean hasEmptyDimension(int[] dims) {
    for (int d : dims) {
      if (d == 0) {
        return true;
      }
    }
    return false;
  }

  /** Size of batch dimension {@code k} of indices whose vector dimension is {@code ivd}. */
  private static int indexDimSize(int[] indexDims, int ivd, int k) {
    return indexDims[k < ivd ? k : k + 1];
  }

  /** An index value of integer type {@code type} as a signed i64; u64 values of 2^63 and above read as Long.MAX_VALUE. */
  public static IrValue indexAsI64(IrBuilder b, ElementType type, IrValue v) {
    if (type == ElementType.U64) {
      return b.select(b.icmp("slt", v, IrValue.i64(0)), IrValue.i64(Long.MAX_VALUE), v);
    }
    if (type.bitWidth() == 64) {
      return v;
    }
    return b.cast(type.isSigned() ? "sext" : "zext", v, "i64");
  }

  /** {@code min(max(v, 0), max)} on signed i64 values. */
  public static IrValue clamp(IrBuilder b, IrValue v, long max) {
    IrValue low = b.select(b.icmp("slt", v, IrValue.i64(0)), IrValue.i64(0), v);
    return b.select(b.icmp("sgt", low, IrValue.i64(max)), IrValue.i64(max), low);
  }

  private static long[] list(Instruction instr, Attr<long[]> attr) {
    long[] v = instr.attr(attr);
    return v == null ? new long[0] : v;
  }

  private static void mark(Instruction instr, boolean[] marks, long[] dims) {
    checkDims(instr, dims, marks.length);
    for (long d : dims) {
      marks[(int) d] = true;
    }
  }

  private static void checkDims(Instruction instr, long[] dims, int rank) {
    for (long d : dims) {
      if (d < 0 || d >= rank) {
        throw error(instr, "dimension " + d + " is outside rank " + rank);
      }
    }
  }

  private static int[] toInts(long[] v) {
    return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
  }

  static CompilationException error(Instruction instr, String message) {
    return new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): " + message);
  }
}
