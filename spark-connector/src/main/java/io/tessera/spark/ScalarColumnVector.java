package io.tessera.spark;

import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.unsafe.Platform;

/**
 * A column of numbers or booleans read straight from the memory of one Arrow vector of a batch:
 * a kernel's scalar result, or the elements under a tensor result. Spark's columnar-to-row step
 * calls {@code isNullAt} and a getter for every row; {@code ArrowColumnVector} answers each
 * through Arrow's checked accessors (a bounds check and reference-count reads per call), which
 * cost more than the kernel itself on a light expression. This reads the addresses taken once
 * per batch and skips the validity bits when the batch has no nulls.
 *
 * <p>Valid while the vector's buffers are: until the next batch (Spark's contract for columnar
 * batches). Like Spark's own off-heap column vectors it does not check {@code rowId}; callers
 * stay within the batch's rows. Arrow and Spark's {@link Platform} both use the machine's byte
 * order.
 */
final class ScalarColumnVector extends TensorColumnVector {
  private static final Set<MinorType> READ = Set.of(MinorType.BIT, MinorType.TINYINT, MinorType.SMALLINT,
      MinorType.INT, MinorType.BIGINT, MinorType.FLOAT4, MinorType.FLOAT8);

  private final FieldVector vector;
  private final long values;
  private final long validity;
  private final int nullCount;

  private ScalarColumnVector(FieldVector vector, DataType type) {
    super(type);
    this.vector = vector;
    this.values = vector.getDataBuffer().memoryAddress();
    this.validity = vector.getValidityBuffer().memoryAddress();
    this.nullCount = vector.getNullCount();
  }

  /** Whether {@code v} is a vector this class reads: booleans, signed integers and floats. */
  static boolean reads(ValueVector v) {
    return v instanceof FieldVector && READ.contains(v.getMinorType());
  }

  /** A reader of {@code v}, one of the vectors {@link #reads} accepts; its rows are those set by {@code setValueCount}. */
  static ScalarColumnVector of(ValueVector v) {
    DataType type = switch (v.getMinorType()) {
      case BIT -> DataTypes.BooleanType;
      case TINYINT -> DataTypes.ByteType;
      case SMALLINT -> DataTypes.ShortType;
      case INT -> DataTypes.IntegerType;
      case BIGINT -> DataTypes.LongType;
      case FLOAT4 -> DataTypes.FloatType;
      case FLOAT8 -> DataTypes.DoubleType;
      default -> throw new IllegalArgumentException("not a number or boolean vector: " + v.getField());
    };
    return new ScalarColumnVector((FieldVector) v, type);
  }

  /** The Arrow vector this column reads (a later Tessera operator may take it as it is). */
  FieldVector vector() {
    return vector;
  }

  @Override
  public boolean hasNull() {
    return nullCount > 0;
  }

  @Override
  public int numNulls() {
    return nullCount;
  }

  @Override
  public boolean isNullAt(int rowId) {
    return nullCount > 0 && !bit(validity, rowId);
  }

  private static boolean bit(long address, int index) {
    return (Platform.getByte(null, address + (index >>> 3)) & (1 << (index & 7))) != 0;
  }

  @Override
  public boolean getBoolean(int rowId) {
    return bit(values, rowId);
  }

  @Override
  public byte getByte(int rowId) {
    return Platform.getByte(null, values + rowId);
  }

  @Override
  public short getShort(int rowId) {
    return Platform.getShort(null, values + 2L * rowId);
  }

  @Override
  public int getInt(int rowId) {
    return Platform.getInt(null, values + 4L * rowId);
  }

  @Override
  public long getLong(int rowId) {
    return Platform.getLong(null, values + 8L * rowId);
  }

  @Override
  public float getFloat(int rowId) {
    return Platform.getFloat(null, values + 4L * rowId);
  }

  @Override
  public double getDouble(int rowId) {
    return Platform.getDouble(null, values + 8L * rowId);
  }

  @Override
  public ColumnVector getChild(int ordinal) {
    throw unsupported();
  }

  @Override
  public ColumnarArray getArray(int rowId) {
    throw unsupported();
  }

  // Slices (a tensor row's elements, read by ColumnarArray.toFloatArray and the like) in one copy.

  @Override
  public byte[] getBytes(int rowId, int count) {
    byte[] out = new byte[count];
    Platform.copyMemory(null, values + rowId, out, Platform.BYTE_ARRAY_OFFSET, count);
    return out;
  }

  @Override
  public short[] getShorts(int rowId, int count) {
    short[] out = new short[count];
    Platform.copyMemory(null, values + 2L * rowId, out, Platform.SHORT_ARRAY_OFFSET, 2L * count);
    return out;
  }

  @Override
  public int[] getInts(int rowId, int count) {
    int[] out = new int[count];
    Platform.copyMemory(null, values + 4L * rowId, out, Platform.INT_ARRAY_OFFSET, 4L * count);
    return out;
  }

  @Override
  public long[] getLongs(int rowId, int count) {
    long[] out = new long[count];
    Platform.copyMemory(null, values + 8L * rowId, out, Platform.LONG_ARRAY_OFFSET, 8L * count);
    return out;
  }

  @Override
  public float[] getFloats(int rowId, int count) {
    float[] out = new float[count];
    Platform.copyMemory(null, values + 4L * rowId, out, Platform.FLOAT_ARRAY_OFFSET, 4L * count);
    return out;
  }

  @Override
  public double[] getDoubles(int rowId, int count) {
    double[] out = new double[count];
    Platform.copyMemory(null, values + 8L * rowId, out, Platform.DOUBLE_ARRAY_OFFSET, 8L * count);
    return out;
  }
}
