package io.tessera.arrow;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;

/**
 * What the kernel reads for one input column in one batch: a native buffer ({@code address},
 * {@code byteSize}) and the bitmaps whose clear bits mark the rows that must give null output.
 * The buffer is the column's own Arrow data buffer, or a scratch buffer this object owns when the
 * column needed converting ({@code Bool}) or gathering (a {@code List} column with unpadded nulls).
 */
final class ColumnBuffer implements AutoCloseable {
  private final long address;
  private final long byteSize;
  private final List<ArrowBuf> rowBitmaps;
  private final List<ArrowBuf> owned;

  /**
   * @param rowBitmaps bitmaps over the batch's rows (borrowed or owned); a clear bit makes that
   *     row's output null
   * @param owned buffers this object frees on {@link #close}
   */
  ColumnBuffer(long address, long byteSize, List<ArrowBuf> rowBitmaps, List<ArrowBuf> owned) {
    this.address = address;
    this.byteSize = byteSize;
    this.rowBitmaps = List.copyOf(rowBitmaps);
    this.owned = List.copyOf(owned);
  }

  long address() {
    return address;
  }

  long byteSize() {
    return byteSize;
  }

  List<ArrowBuf> rowBitmaps() {
    return rowBitmaps;
  }

  @Override
  public void close() {
    for (ArrowBuf b : owned) {
      b.close();
    }
  }
}
