package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tessera_apply on scalar columns, compared with Spark's own evaluation of the same arithmetic. */
class TesseraApplyTest {
  private static final String AXPY = """
      HloModule axpy
      ENTRY e {
        x = f32[] parameter(0)
        y = f32[] parameter(1)
        two = f32[] constant(2)
        tx = f32[] multiply(two, x)
        ROOT r = f32[] add(tx, y)
      }
      """;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    float[] xs = {1f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, 0f, -0f, 7f, 1e-45f};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Float x = i % 7 == 3 ? null : xs[i % xs.length];
      Float y = i % 11 == 5 ? null : (float) i / 3;
      rows.add(RowFactory.create(i, x, y));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("x", DataTypes.FloatType)
        .add("y", DataTypes.FloatType);
    spark.createDataFrame(rows, schema).repartition(5).createOrReplaceTempView("scalars");
  }

  @AfterEach
  void reset() {
    SparkTests.resetTesseraConf();
  }

  @Test
  void scalarArithmeticMatchesSpark() {
    Dataset<Row> tessera = spark.sql("SELECT id, tessera_apply('" + AXPY + "', x, y) AS r FROM scalars ORDER BY id");
    Dataset<Row> expected = spark.sql("SELECT id, CAST(2 AS FLOAT) * x + y AS r FROM scalars ORDER BY id");
    assertSameRows(expected.collectAsList(), tessera.collectAsList());
    assertTrue(tessera.queryExecution().executedPlan().toString().contains("TesseraEval"),
        tessera.queryExecution().executedPlan().toString());
    assertEquals(0, TesseraMemory.allocatedBytes());
  }

  /**
   * Rows equal field by field, into arrays and structs; floats compare as {@link Float#equals}
   * does (every NaN equals every NaN, 0.0 and -0.0 differ).
   */
  static void assertSameRows(List<Row> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size(), "row count");
    for (int i = 0; i < expected.size(); i++) {
      if (!same(expected.get(i), actual.get(i))) {
        assertEquals(expected.get(i).toString(), actual.get(i).toString(), "row " + i);
        throw new AssertionError("row " + i + ": expected " + expected.get(i) + " but was " + actual.get(i));
      }
    }
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Row ra && b instanceof Row rb) {
      if (ra.length() != rb.length()) {
        return false;
      }
      for (int i = 0; i < ra.length(); i++) {
        if (!same(ra.get(i), rb.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof scala.collection.Seq<?> sa && b instanceof scala.collection.Seq<?> sb) {
      List<?> la = scala.jdk.javaapi.CollectionConverters.asJava(sa);
      List<?> lb = scala.jdk.javaapi.CollectionConverters.asJava(sb);
      if (la.size() != lb.size()) {
        return false;
      }
      for (int i = 0; i < la.size(); i++) {
        if (!same(la.get(i), lb.get(i))) {
          return false;
        }
      }
      return true;
    }
    return java.util.Objects.equals(a, b);
  }
}
