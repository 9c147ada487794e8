package io.tessera.arrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;

/**
 * The slow path of {@link InputColumn}: a list column whose entries do not lie end to end. That is
 * fine only when null entries are what breaks the run (Spark and pyarrow give a null list no
 * elements): the rows are then copied one by one into a dense scratch buffer, null rows left as
 * zeros. Any non-null entry of the wrong length is an error naming its row.
 */
final class ListGather {
  private final InputColumn column;
  private final ListLevel[] levels;
  private final FieldVector leaf;
  private final int[] dims;
  private final int elementBytes;
  private final boolean leafHasNulls;
  /** {@code innerElements[depth]}: elements of one entry at that depth (the product of the deeper dims). */
  private final long[] innerElements;
  private long scratchAddress;

  ListGather(InputColumn column, ListLevel[] levels, FieldVector leaf) {
    this.column = column;
    this.levels = levels;
    this.leaf = leaf;
    this.dims = column.dims();
    this.elementBytes = column.type().byteSize();
    this.leafHasNulls = leaf.getNullCount() > 0;
    this.innerElements = new long[dims.length];
    long n = 1;
    for (int depth = dims.length - 1; depth >= 0; depth--) {
      innerElements[depth] = n;
      n *= dims[depth];
    }
  }

  ColumnBuffer gather(FieldVector top, int rows, BufferAllocator allocator) {
    long bytes = rows * column.rowElements() * elementBytes;
    List<ArrowBuf> owned = new ArrayList<>();
    try {
      ArrowBuf scratch = allocator.buffer(Math.max(bytes, 1));
      owned.add(scratch);
      scratch.setZero(0, scratch.capacity());
      scratchAddress = scratch.memoryAddress();
      ArrowBuf innerNulls = Bitmaps.newAllSet(allocator, rows);
      owned.add(innerNulls);
      boolean topHasNulls = top.getNullCount() > 0;
      for (int row = 0; row < rows; row++) {
        if (topHasNulls && top.isNull(row)) {
          continue;
        }
        if (!copyEntry(0, row, row * column.rowElements(), row)) {
          Bitmaps.clear(innerNulls, row);
        }
      }
      List<ArrowBuf> rowBitmaps = new ArrayList<>();
      if (topHasNulls) {
        rowBitmaps.add(column.validity(top, rows));
      }
      rowBitmaps.add(innerNulls);
      return new ColumnBuffer(scratchAddress, bytes, rowBitmaps, owned);
    } catch (RuntimeException | Error e) {
      owned.forEach(ArrowBuf::close);
      throw e;
    }
  }

  /**
   * Copies entry {@code entry} of the vector at {@code depth} to element {@code to} of the
   * scratch buffer; false when it holds a null inner list or element (its row becomes null).
   */
  private boolean copyEntry(int depth, long entry, long to, int row) {
    ListLevel level = levels[depth];
    if (depth > 0 && level.vector().isNull(Math.toIntExact(entry))) {
      return false;
    }
    long start = level.start(entry);
    long length = level.end(entry) - start;
    if (length != dims[depth]) {
      throw column.wrongLength(row, depth, length);
    }
    if (depth < dims.length - 1) {
      for (int j = 0; j < length; j++) {
        if (!copyEntry(depth + 1, start + j, to + j * innerElements[depth], row)) {
          return false;
        }
      }
      return true;
    }
    if (leafHasNulls) {
      for (long j = start; j < start + length; j++) {
        if (leaf.isNull(Math.toIntExact(j))) {
          return false;
        }
      }
    }
    copyLeaf(start, length, to);
    return true;
  }

  private void copyLeaf(long from, long count, long to) {
    if (leaf instanceof BitVector) {
      column.requireLeafBytes(leaf, Bitmaps.byteSize(from + count));
      Bitmaps.unpack(leaf.getDataBuffer(), from, count, scratchAddress + to);
    } else {
      column.requireLeafBytes(leaf, (from + count) * elementBytes);
      MemoryUtil.copyMemory(leaf.getDataBuffer().memoryAddress() + from * elementBytes, scratchAddress + to * elementBytes,
          count * elementBytes);
    }
  }
}
