package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct reader of kernel results gives, for every type it reads, the same nulls and values
 * as Spark's {@link ArrowColumnVector} over the same Arrow vector: with nulls, without, for a
 * batch whose row count is not a multiple of 8, and for slices.
 */
class ScalarColumnVectorTest {
  private static final int ROWS = 13;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory left");
    allocator.close();
  }

  /** Row {@code i} is null when {@code withNulls} and {@code i % 4 == 1}. */
  private static boolean isNull(boolean withNulls, int i) {
    return withNulls && i % 4 == 1;
  }

  private <V extends FieldVector> V fill(V v, boolean withNulls, java.util.function.IntConsumer set) {
    v.allocateNew();
    for (int i = 0; i < ROWS; i++) {
      if (isNull(withNulls, i)) {
        v.setNull(i);
      } else {
        set.accept(i);
      }
    }
    v.setValueCount(ROWS);
    return v;
  }

  /** Both readers over {@code v} agree on nulls and on the values of the non-null rows. */
  private static void assertReadsAsArrow(FieldVector v, boolean withNulls) {
    ColumnVector direct = ScalarColumnVector.of(v);
    ArrowColumnVector arrow = new ArrowColumnVector(v);
    assertEquals(arrow.dataType(), direct.dataType());
    assertEquals(withNulls, direct.hasNull());
    assertEquals(arrow.numNulls(), direct.numNulls());
    for (int i = 0; i < ROWS; i++) {
      assertEquals(arrow.isNullAt(i), direct.isNullAt(i), "row " + i);
      if (arrow.isNullAt(i)) {
        continue;
      }
      String at = v.getField().getType() + " row " + i;
      switch (v.getMinorType()) {
        case BIT -> assertEquals(arrow.getBoolean(i), direct.getBoolean(i), at);
        case TINYINT -> assertEquals(arrow.getByte(i), direct.getByte(i), at);
        case SMALLINT -> assertEquals(arrow.getShort(i), direct.getShort(i), at);
        case INT -> assertEquals(arrow.getInt(i), direct.getInt(i), at);
        case BIGINT -> assertEquals(arrow.getLong(i), direct.getLong(i), at);
        case FLOAT4 -> assertEquals(Float.floatToRawIntBits(arrow.getFloat(i)),
            Float.floatToRawIntBits(direct.getFloat(i)), at);
        case FLOAT8 -> assertEquals(Double.doubleToRawLongBits(arrow.getDouble(i)),
            Double.doubleToRawLongBits(direct.getDouble(i)), at);
        default -> throw new AssertionError(at);
      }
    }
  }

  @Test
  void everyTypeWithAndWithoutNulls() {
    for (boolean withNulls : new boolean[] {false, true}) {
      try (BitVector b = new BitVector("b", allocator);
           TinyIntVector t = new TinyIntVector("t", allocator);
           SmallIntVector s = new SmallIntVector("s", allocator);
           IntVector n = new IntVector("n", allocator);
           BigIntVector l = new BigIntVector("l", allocator);
           Float4Vector f = new Float4Vector("f", allocator);
           Float8Vector d = new Float8Vector("d", allocator)) {
        fill(b, withNulls, i -> b.set(i, i % 3 == 0 ? 1 : 0));
        fill(t, withNulls, i -> t.set(i, (byte) (i * 37 - 100)));
        fill(s, withNulls, i -> s.set(i, (short) (i * 3001 - 20000)));
        fill(n, withNulls, i -> n.set(i, i * 1_000_003 - 7));
        fill(l, withNulls, i -> l.set(i, (long) i * 5_000_000_011L - 3));
        fill(f, withNulls, i -> f.set(i, i == 2 ? Float.NaN : i == 3 ? Float.NEGATIVE_INFINITY : i * 0.7f - 2));
        fill(d, withNulls, i -> d.set(i, i == 2 ? Double.NaN : i == 4 ? -0.0 : i / 3.0 - 1));
        for (FieldVector v : new FieldVector[] {b, t, s, n, l, f, d}) {
          assertReadsAsArrow(v, withNulls);
        }
      }
    }
  }

  @Test
  void slicesCopyTheValues() {
    try (Float4Vector f = new Float4Vector("f", allocator); Float8Vector d = new Float8Vector("d", allocator);
         IntVector n = new IntVector("n", allocator); BigIntVector l = new BigIntVector("l", allocator);
         SmallIntVector s = new SmallIntVector("s", allocator); TinyIntVector t = new TinyIntVector("t", allocator)) {
      fill(f, false, i -> f.set(i, i * 1.5f));
      fill(d, false, i -> d.set(i, i * -2.25));
      fill(n, false, i -> n.set(i, i * 11));
      fill(l, false, i -> l.set(i, i * 1_000_000_000_000L));
      fill(s, false, i -> s.set(i, (short) (i - 6)));
      fill(t, false, i -> t.set(i, (byte) (i * 9)));
      assertArrayEquals(new float[] {4.5f, 6f, 7.5f}, ScalarColumnVector.of(f).getFloats(3, 3));
      assertArrayEquals(new double[] {-22.5, -24.75}, ScalarColumnVector.of(d).getDoubles(10, 2));
      assertArrayEquals(new int[] {0, 11, 22, 33}, ScalarColumnVector.of(n).getInts(0, 4));
      assertArrayEquals(new long[] {12_000_000_000_000L}, ScalarColumnVector.of(l).getLongs(12, 1));
      assertArrayEquals(new short[] {-1, 0, 1}, ScalarColumnVector.of(s).getShorts(5, 3));
      assertArrayEquals(new byte[] {18, 27}, ScalarColumnVector.of(t).getBytes(2, 2));
      assertArrayEquals(new float[0], ScalarColumnVector.of(f).getFloats(13, 0));
    }
  }

  @Test
  void emptyBatchAndTypesLeftToArrow() {
    try (Float8Vector d = new Float8Vector("d", allocator); VarCharVector v = new VarCharVector("v", allocator)) {
      d.allocateNew();
      d.setValueCount(0);
      ColumnVector empty = ScalarColumnVector.of(d);
      assertFalse(empty.hasNull());
      assertEquals(DataTypes.DoubleType, empty.dataType());
      assertTrue(ScalarColumnVector.reads(d));
      assertFalse(ScalarColumnVector.reads(v), "strings stay with ArrowColumnVector");
    }
  }
}
