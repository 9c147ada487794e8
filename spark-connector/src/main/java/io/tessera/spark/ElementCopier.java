package io.tessera.spark;

import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * Copies Spark values of one element type into a kernel buffer (an Arrow data buffer), chosen
 * once per column so that the per-row loop has no type switch. Arrays of numbers are copied with
 * one memory copy; {@code pred} elements are bits in Arrow and go one by one.
 */
abstract class ElementCopier {

  /** Copies {@code src[0..n)} to elements {@code first..first+n)} of {@code dst}. */
  abstract void copyArray(ArrayData src, int n, ArrowBuf dst, long first);

  /**
   * Copies field {@code ordinal} of {@code row} to element {@code index} of {@code dst}, which the
   * caller has checked is within the buffer (written through its address: the per-row path skips
   * Arrow's per-call bounds and reference-count checks).
   */
  abstract void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index);

  /**
   * Whether {@link #copyArray} copies any array's slice with one memory copy (fixed-width
   * elements), so a whole column's values can go at once.
   */
  boolean copiesSlices() {
    return this instanceof Fixed;
  }

  static ElementCopier of(TensorElement e) {
    return switch (e) {
      case PRED -> new Pred();
      case S8 -> new Fixed(1, Platform.BYTE_ARRAY_OFFSET, ArrayData::toByteArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putByte(null, dst.memoryAddress() + index, row.getByte(ordinal));
        }
      };
      case S16 -> new Fixed(2, Platform.SHORT_ARRAY_OFFSET, ArrayData::toShortArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putShort(null, dst.memoryAddress() + index * 2, row.getShort(ordinal));
        }
      };
      case S32 -> new Fixed(4, Platform.INT_ARRAY_OFFSET, ArrayData::toIntArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putInt(null, dst.memoryAddress() + index * 4, row.getInt(ordinal));
        }
      };
      case S64 -> new Fixed(8, Platform.LONG_ARRAY_OFFSET, ArrayData::toLongArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putLong(null, dst.memoryAddress() + index * 8, row.getLong(ordinal));
        }
      };
      case F32 -> new Fixed(4, Platform.FLOAT_ARRAY_OFFSET, ArrayData::toFloatArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putFloat(null, dst.memoryAddress() + index * 4, row.getFloat(ordinal));
        }
      };
      case F64 -> new Fixed(8, Platform.DOUBLE_ARRAY_OFFSET, ArrayData::toDoubleArray) {
        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          Platform.putDouble(null, dst.memoryAddress() + index * 8, row.getDouble(ordinal));
        }
      };
    };
  }

  /**
   * Byte-aligned elements, stored in Spark's binary arrays and in Java arrays exactly as a kernel
   * buffer stores them: copied with one memory copy, from the binary array itself or from the
   * primitive array any other array (a column vector's slice, a generic array) gives.
   */
  private abstract static class Fixed extends ElementCopier {
    private final int width;
    private final long javaArrayOffset;
    private final Function<ArrayData, Object> toJavaArray;

    Fixed(int width, long javaArrayOffset, Function<ArrayData, Object> toJavaArray) {
      this.width = width;
      this.javaArrayOffset = javaArrayOffset;
      this.toJavaArray = toJavaArray;
    }

    @Override
    final void copyArray(ArrayData src, int n, ArrowBuf dst, long first) {
      // Callers have checked for nulls.
      long bytes = (long) n * width;
      dst.checkBytes(first * width, first * width + bytes);
      if (src instanceof UnsafeArrayData u) {
        // The elements follow the header, packed, little-endian.
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
            null, dst.memoryAddress() + first * width, bytes);
      } else {
        Platform.copyMemory(toJavaArray.apply(src), javaArrayOffset, null, dst.memoryAddress() + first * width, bytes);
      }
    }
  }

  private static final class Pred extends ElementCopier {
    @Override
    void copyArray(ArrayData src, int n, ArrowBuf dst, long first) {
      for (int j = 0; j < n; j++) {
        BitVectorHelper.setValidityBit(dst, (int) (first + j), src.getBoolean(j) ? 1 : 0);
      }
    }

    @Override
    void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
      BitVectorHelper.setValidityBit(dst, (int) index, row.getBoolean(ordinal) ? 1 : 0);
    }
  }
}
