package io.tessera.spark;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * Copies Spark values of one element type into a kernel buffer (an Arrow data buffer), chosen
 * once per column so that the per-row loop has no type switch. Arrays in Spark's own binary
 * format are copied with one memory copy when they hold no nulls; {@code pred} elements are bits
 * in Arrow and go one by one.
 */
abstract class ElementCopier {

  /** Copies {@code src[0..n)} to elements {@code first..first+n)} of {@code dst}. */
  abstract void copyArray(ArrayData src, int n, ArrowBuf dst, long first);

  /** Copies field {@code ordinal} of {@code row} to element {@code index} of {@code dst}. */
  abstract void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index);

  static ElementCopier of(TensorElement e) {
    return switch (e) {
      case PRED -> new Pred();
      case S8 -> new Fixed(1) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setByte(i, a.getByte(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setByte(index, row.getByte(ordinal));
        }
      };
      case S16 -> new Fixed(2) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setShort(i * 2, a.getShort(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setShort(index * 2, row.getShort(ordinal));
        }
      };
      case S32 -> new Fixed(4) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setInt(i * 4, a.getInt(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setInt(index * 4, row.getInt(ordinal));
        }
      };
      case S64 -> new Fixed(8) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setLong(i * 8, a.getLong(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setLong(index * 8, row.getLong(ordinal));
        }
      };
      case F32 -> new Fixed(4) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setFloat(i * 4, a.getFloat(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setFloat(index * 4, row.getFloat(ordinal));
        }
      };
      case F64 -> new Fixed(8) {
        @Override
        void put(ArrayData a, int j, ArrowBuf dst, long i) {
          dst.setDouble(i * 8, a.getDouble(j));
        }

        @Override
        void copyScalar(InternalRow row, int ordinal, ArrowBuf dst, long index) {
          dst.setDouble(index * 8, row.getDouble(ordinal));
        }
      };
    };
  }

  /** Byte-aligned elements: Spark's binary arrays store them exactly as a kernel buffer does. */
  private abstract static class Fixed extends ElementCopier {
    private final int width;

    Fixed(int width) {
      this.width = width;
    }

    abstract void put(ArrayData a, int j, ArrowBuf dst, long i);

    @Override
    final void copyArray(ArrayData src, int n, ArrowBuf dst, long first) {
      if (src instanceof UnsafeArrayData u) {
        // Callers have checked for nulls; the elements follow the header, packed, little-endian.
        long bytes = (long) n * width;
        dst.checkBytes(first * width, first * width + bytes);
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
            null, dst.memoryAddress() + first * width, bytes);
        return;
      }
      for (int j = 0; j < n; j++) {
        put(src, j, dst, first + j);
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
