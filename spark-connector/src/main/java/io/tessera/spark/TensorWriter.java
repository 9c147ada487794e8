package io.tessera.spark;

import io.tessera.spark.KernelSignature.InputKind;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.unsafe.Platform;

/**
 * Writes one argument column of a batch of rows into the Arrow tensor layout of its parameter
 * ({@link ArrowTensors}): scalars, nested arrays (row-major, each level's length checked), or
 * Spark ML vectors (dense or sparse, expanded to dense). A null value, or a null element anywhere
 * inside an array, makes the row null: the kernel's output for it is null.
 *
 * <p>The vector is allocated once for the largest batch and overwritten batch after batch.
 */
final class TensorWriter implements AutoCloseable {
  private static final int ML_DENSE = 1;

  private final int ordinal;
  private final TensorSpec spec;
  private final InputKind kind;
  private final String call;
  private final String column;
  private final ElementCopier copier;
  private final int elementsPerRow;
  /** Whether the column's arrays are declared to hold nulls; if not, elements are not checked. */
  private final boolean elementsNullable;
  /** The element index at each enclosing level of the array being written, for error messages. */
  private final int[] path;
  private BufferAllocator allocator;
  private int capacity;
  private FieldVector vector;
  /** A columnar child's own vector that feeds the kernel for the current batch instead, or null. */
  private FieldVector borrowed;
  private boolean mayBorrow;
  private ArrowBuf validity;
  private ArrowBuf data;

  /**
   * @param ordinal the argument's field in the rows written
   * @param spec the parameter
   * @param kind how the column's type feeds it
   * @param columnType the column's Spark type
   * @param call the function call, e.g. {@code mlp(features)}, for messages
   * @param column the column as the user wrote it, for messages
   */
  TensorWriter(int ordinal, TensorSpec spec, InputKind kind, DataType columnType, String call, String column) {
    this.ordinal = ordinal;
    this.spec = spec;
    this.kind = kind;
    this.call = call;
    this.column = column;
    this.copier = ElementCopier.of(spec.element());
    this.elementsPerRow = spec.elementsPerRow();
    this.elementsNullable = holdsNullElements(columnType);
    this.path = new int[spec.rank()];
  }

  private static boolean holdsNullElements(DataType t) {
    return t instanceof ArrayType a && (a.containsNull() || holdsNullElements(a.elementType()));
  }

  /** Allocates the vector for batches of up to {@code capacity} rows. */
  void allocate(BufferAllocator allocator, int capacity) {
    this.allocator = allocator;
    this.capacity = capacity;
    vector = ArrowTensors.allocate(spec.name(), spec, allocator, capacity);
    validity = vector.getValidityBuffer();
    data = ArrowTensors.elements(vector).getDataBuffer();
  }

  /** Makes room for a batch of {@code rows} rows (a columnar child's batches may be larger than planned). */
  void ensureCapacity(int rows) {
    if (rows > capacity) {
      close();
      allocate(allocator, rows);
    }
  }

  /** The argument vector of the current batch: the writer's own, or the one it borrowed. */
  FieldVector vector() {
    return borrowed != null ? borrowed : vector;
  }

  /** Lets the writer hand a columnar child's own Arrow vectors to the kernel (a batched kernel reads any layout that fits). */
  void allowBorrowing() {
    mayBorrow = true;
  }

  /** Whether the current batch's argument is a borrowed vector. */
  boolean borrowing() {
    return borrowed != null;
  }

  /** Forgets the previous batch's borrowed vector. */
  void startBatch() {
    borrowed = null;
  }

  /**
   * Takes {@code v}, a columnar child's vector for this argument, as the batch's argument vector
   * when borrowing is allowed and its Arrow type fits the parameter; returns whether it did (the
   * rows need not be written then).
   */
  boolean borrow(ValueVector v) {
    if (mayBorrow && v instanceof FieldVector f && ArrowTensors.fits(f.getField(), spec)) {
      borrowed = f;
      return true;
    }
    return false;
  }

  /**
   * Writes the argument of {@code row} as row {@code index} of the batch.
   *
   * @param where the row's place in the partition, for errors
   * @throws BadRowException when an array's length does not match the parameter's dimension
   */
  void write(InternalRow row, int index, RowPosition where) {
    Objects.checkIndex(index, capacity);
    boolean valid = !row.isNullAt(ordinal) && switch (kind) {
      case SCALAR -> {
        copier.copyScalar(row, ordinal, data, index);
        yield true;
      }
      case ARRAY -> writeArray(row.getArray(ordinal), 0, (long) index * elementsPerRow, where);
      case ML_VECTOR -> writeMlVector(row.getStruct(ordinal, 4), (long) index * elementsPerRow, where);
    };
    setBit(validity.memoryAddress(), index, valid);
  }

  /** Sets or clears bit {@code index} at {@code address}, a buffer the caller has checked holds it. */
  private static void setBit(long address, int index, boolean on) {
    long at = address + (index >>> 3);
    int mask = 1 << (index & 7);
    byte b = Platform.getByte(null, at);
    Platform.putByte(null, at, (byte) (on ? b | mask : b & ~mask));
  }

  /**
   * Writes rows {@code 0..n)} of {@code column}, a columnar child's vector for this scalar
   * argument, as the batch's rows: the values with one bulk copy (a column vector hands out its
   * values as a Java array, an on-heap one by a plain array copy), then the validity bits. Returns
   * false, writing nothing, when the argument is not a scalar of a fixed-width type; the caller
   * then writes row by row.
   */
  boolean writeColumn(ColumnVector column, int n) {
    if (kind != InputKind.SCALAR || !copier.copiesSlices()) {
      return false;
    }
    Objects.checkFromIndexSize(0, n, capacity);
    // Values at null positions are copied too; the kernel ignores them (their validity bit is 0).
    copier.copyArray(new ColumnarArray(column, 0, n), n, data, 0);
    // Validity a byte (8 rows) at a time; the last byte's bits past row n are zero.
    long address = validity.memoryAddress();
    int fullBytes = n / 8;
    boolean nulls = column.hasNull();
    for (int b = 0; b < fullBytes; b++) {
      Platform.putByte(null, address + b, nulls ? validByte(column, b * 8, 8) : (byte) 0xFF);
    }
    if (n % 8 != 0) {
      Platform.putByte(null, address + fullBytes, validByte(column, fullBytes * 8, n % 8));
    }
    return true;
  }

  /** The validity bits of rows {@code first..first+count)} of {@code column}, {@code count <= 8}, as one byte. */
  private static byte validByte(ColumnVector column, int first, int count) {
    int bits = 0;
    for (int j = 0; j < count; j++) {
      bits |= column.isNullAt(first + j) ? 0 : 1 << j;
    }
    return (byte) bits;
  }

  /** Sets the counts and inner validity once {@code rows} rows are written. */
  void finish(int rows) {
    if (borrowed == null) {
      ArrowTensors.finish(vector, rows);
    }
  }

  /**
   * Writes {@code a}, the level {@code level} array of a row, at element {@code first}; returns
   * false when it contains a null.
   */
  private boolean writeArray(ArrayData a, int level, long first, RowPosition where) {
    int length = spec.dims()[level];
    if (a.numElements() != length) {
      StringBuilder at = new StringBuilder(column);
      for (int l = 0; l < level; l++) {
        at.append('[').append(path[l]).append(']');
      }
      throw new BadRowException(call + ": " + where + ": column " + at + " has " + a.numElements()
          + " elements, parameter " + spec + " expects " + length);
    }
    if (level == spec.rank() - 1) {
      for (int j = 0; elementsNullable && j < length; j++) {
        if (a.isNullAt(j)) {
          return false;
        }
      }
      copier.copyArray(a, length, data, first);
      return true;
    }
    long stride = 1;
    for (int d = level + 1; d < spec.rank(); d++) {
      stride *= spec.dims()[d];
    }
    for (int j = 0; j < length; j++) {
      path[level] = j;
      if (a.isNullAt(j) || !writeArray(a.getArray(j), level + 1, first + j * stride, where)) {
        return false;
      }
    }
    return true;
  }

  /** A Spark ML vector: struct(type: 0 sparse / 1 dense, size, indices, values). */
  private boolean writeMlVector(InternalRow v, long first, RowPosition where) {
    int length = spec.dims()[0];
    if (v.getByte(0) == ML_DENSE) {
      ArrayData values = v.getArray(3);
      if (values.numElements() != length) {
        throw new BadRowException(call + ": " + where + ": column " + column + " is a dense vector of size "
            + values.numElements() + ", parameter " + spec + " expects size " + length);
      }
      copier.copyArray(values, length, data, first);
      return true;
    }
    int size = v.getInt(1);
    if (size != length) {
      throw new BadRowException(call + ": " + where + ": column " + column + " is a sparse vector of size " + size
          + ", parameter " + spec + " expects size " + length);
    }
    ArrayData indices = v.getArray(2);
    ArrayData values = v.getArray(3);
    data.setZero(first * Double.BYTES, (long) length * Double.BYTES);
    for (int k = 0; k < indices.numElements(); k++) {
      int i = indices.getInt(k);
      if (i < 0 || i >= length) {
        throw new BadRowException(call + ": " + where + ": column " + column + " is a sparse vector with index " + i
            + ", outside its size " + length);
      }
      data.setDouble((first + i) * Double.BYTES, values.getDouble(k));
    }
    return true;
  }

  @Override
  public void close() {
    if (vector != null) {
      vector.close();
      vector = null;
    }
  }
}
