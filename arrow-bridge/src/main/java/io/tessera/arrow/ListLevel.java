package io.tessera.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * One level of list nesting in an input column: where the elements of each entry lie in the
 * child vector. A {@code FixedSizeList} entry {@code e} holds child elements
 * {@code [e*size, (e+1)*size)}; a {@code List} or {@code LargeList} entry holds
 * {@code [offsets[e], offsets[e+1])} (32- or 64-bit offsets).
 */
final class ListLevel {
  private final String column;
  private final FieldVector vector;
  private final FieldVector child;
  private final int fixedSize; // for FixedSizeList
  private final int offsetWidth; // 4 for List, 8 for LargeList, 0 for FixedSizeList
  private final ArrowBuf offsets;

  private ListLevel(String column, FieldVector vector, FieldVector child, int fixedSize, int offsetWidth, ArrowBuf offsets) {
    this.column = column;
    this.vector = vector;
    this.child = child;
    this.fixedSize = fixedSize;
    this.offsetWidth = offsetWidth;
    this.offsets = offsets;
  }

  /** The level of list vector {@code vector} (of column {@code column}, for messages). */
  static ListLevel of(String column, FieldVector vector) {
    if (vector instanceof FixedSizeListVector v) {
      return new ListLevel(column, v, v.getDataVector(), v.getListSize(), 0, null);
    }
    if (vector instanceof ListVector v) {
      return new ListLevel(column, v, v.getDataVector(), 0, Integer.BYTES, v.getOffsetBuffer());
    }
    if (vector instanceof LargeListVector v) {
      return new ListLevel(column, v, v.getDataVector(), 0, Long.BYTES, v.getOffsetBuffer());
    }
    throw new IllegalStateException("column '" + column + "': " + vector.getClass().getSimpleName() + " is not a list vector");
  }

  FieldVector vector() {
    return vector;
  }

  FieldVector child() {
    return child;
  }

  /** Index in the child of the first element of entry {@code entry}. */
  long start(long entry) {
    if (offsetWidth == 0) {
      return entry * fixedSize;
    }
    requireOffsets(entry + 1);
    return offsetWidth == Integer.BYTES ? offsets.getInt(entry * Integer.BYTES) : offsets.getLong(entry * Long.BYTES);
  }

  /** Index in the child just past the last element of entry {@code entry}. */
  long end(long entry) {
    return offsetWidth == 0 ? (entry + 1) * fixedSize : start(entry + 1);
  }

  /**
   * Whether entries {@code [first, first + count)} each hold exactly {@code length} elements laid
   * end to end in the child, so that their elements form one dense run starting at
   * {@link #start}{@code (first)}.
   */
  boolean isRegular(long first, long count, int length) {
    if (offsetWidth == 0) {
      return fixedSize == length;
    }
    if (count == 0) {
      return true;
    }
    requireOffsets(first + count + 1);
    long address = offsets.memoryAddress();
    if (offsetWidth == Integer.BYTES) {
      long base = MemoryUtil.getInt(address + first * Integer.BYTES);
      for (long j = 1; j <= count; j++) {
        if (MemoryUtil.getInt(address + (first + j) * Integer.BYTES) != base + j * length) {
          return false;
        }
      }
    } else {
      long base = MemoryUtil.getLong(address + first * Long.BYTES);
      for (long j = 1; j <= count; j++) {
        if (MemoryUtil.getLong(address + (first + j) * Long.BYTES) != base + j * length) {
          return false;
        }
      }
    }
    return true;
  }

  /** Checks that the offsets buffer holds {@code entries} offsets, so that reading them stays in bounds. */
  private void requireOffsets(long entries) {
    if (offsets.capacity() < entries * offsetWidth) {
      throw new ArrowKernelException("column '" + column + "': its offsets buffer holds " + offsets.capacity() / offsetWidth
          + " offsets, " + entries + " are needed (malformed input)");
    }
  }
}
