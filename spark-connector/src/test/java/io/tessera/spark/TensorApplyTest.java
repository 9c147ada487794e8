package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tessera_apply on array columns: per-row tensors in, tensors, scalars and tuples out, compared
 * with Spark's higher-order functions over the same arrays.
 */
class TensorApplyTest {
  /** r = x*x + x, elementwise over f32[4]. */
  private static final String SQUARE_PLUS = """
      HloModule square_plus
      ENTRY e {
        x = f32[4] parameter(0)
        xx = f32[4] multiply(x, x)
        ROOT r = f32[4] add(xx, x)
      }
      """;

  /** (sum, max) of an f32[4]: a tuple result, so a struct column. */
  private static final String SUM_MAX = """
      HloModule sum_max
      add_f32 {
        a = f32[] parameter(0)
        b = f32[] parameter(1)
        ROOT sum = f32[] add(a, b)
      }
      max_f32 {
        c = f32[] parameter(0)
        d = f32[] parameter(1)
        ROOT m = f32[] maximum(c, d)
      }
      ENTRY e {
        x = f32[4] parameter(0)
        zero = f32[] constant(0)
        ninf = f32[] constant(-inf)
        s = f32[] reduce(x, zero), dimensions={0}, to_apply=add_f32
        mx = f32[] reduce(x, ninf), dimensions={0}, to_apply=max_f32
        ROOT t = (f32[], f32[]) tuple(s, mx)
      }
      """;

  /** The transpose of a 2x3 matrix per row: array<array<float>> in and out. */
  private static final String TRANSPOSE = """
      HloModule transpose23
      ENTRY e {
        m = f32[2,3] parameter(0)
        ROOT t = f32[3,2] transpose(m), dimensions={1,0}
      }
      """;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    List<Row> rows = new ArrayList<>();
    float[][] values = {
        {1, 2, 3, 4}, {-1.5f, 0.25f, 8, -3}, {Float.NaN, 1, 2, 3}, {Float.POSITIVE_INFINITY, 1, 1, 1},
        {Float.NEGATIVE_INFINITY, -2, 5, 0}, {1e30f, 1e30f, -1e30f, 7}};
    for (int i = 0; i < 30; i++) {
      List<Float> v = null;
      if (i % 9 != 4) {
        v = new ArrayList<>();
        for (float f : values[i % values.length]) {
          v.add(f + i);
        }
        if (i % 13 == 6) {
          v.set(2, null);
        }
      }
      rows.add(RowFactory.create(i, v));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("v", DataTypes.createArrayType(DataTypes.FloatType, true));
    spark.createDataFrame(rows, schema).repartition(3).createOrReplaceTempView("vectors");
  }

  @AfterEach
  void reset() {
    SparkTests.resetTesseraConf();
  }

  @Test
  void elementwiseTensorMatchesSpark() {
    Dataset<Row> tessera = spark.sql(
        "SELECT id, tessera_apply('" + SQUARE_PLUS + "', v) AS r FROM vectors ORDER BY id");
    // Any null element makes the whole row null, as the module cannot take a null.
    Dataset<Row> expected = spark.sql("SELECT id, CASE WHEN exists(v, e -> e IS NULL) THEN NULL "
        + "ELSE transform(v, e -> e * e + e) END AS r FROM vectors ORDER BY id");
    assertEquals(new ArrayType(DataTypes.FloatType, false), tessera.schema().apply("r").dataType());
    TesseraApplyTest.assertSameRows(expected.collectAsList(), tessera.collectAsList());
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void unevenBatchesGiveTheSameResults() {
    spark.conf().set(TesseraConf.BATCH_ROWS, "4");
    List<Row> small = spark.sql("SELECT id, tessera_apply('" + SQUARE_PLUS + "', v) FROM vectors ORDER BY id")
        .collectAsList();
    spark.conf().set(TesseraConf.BATCH_ROWS, "65536");
    // A byte cap below one row's size still makes progress: one row per batch.
    spark.conf().set(TesseraConf.BATCH_BYTES, "1");
    List<Row> single = spark.sql("SELECT id, tessera_apply('" + SQUARE_PLUS + "', v) FROM vectors ORDER BY id")
        .collectAsList();
    SparkTests.resetTesseraConf();
    List<Row> whole = spark.sql("SELECT id, tessera_apply('" + SQUARE_PLUS + "', v) FROM vectors ORDER BY id")
        .collectAsList();
    TesseraApplyTest.assertSameRows(whole, small);
    TesseraApplyTest.assertSameRows(whole, single);
  }

  @Test
  void tupleResultIsAStruct() {
    Dataset<Row> tessera = spark.sql("SELECT id, tessera_apply('" + SUM_MAX + "', v) AS r FROM vectors "
        + "WHERE id % 6 = 0 OR id % 6 = 1 ORDER BY id");
    StructType type = (StructType) tessera.schema().apply("r").dataType();
    assertEquals(List.of("_1", "_2"), Arrays.asList(type.fieldNames()));
    // Rows 0, 1, 6, 7, ... hold small finite values, so the sum is exact in any order.
    Dataset<Row> expected = spark.sql("SELECT id, CASE WHEN v IS NULL OR exists(v, e -> e IS NULL) THEN NULL ELSE named_struct("
        + "'_1', aggregate(v, CAST(0 AS FLOAT), (a, e) -> a + e), '_2', array_max(v)) END AS r FROM vectors "
        + "WHERE id % 6 = 0 OR id % 6 = 1 ORDER BY id");
    TesseraApplyTest.assertSameRows(expected.collectAsList(), tessera.collectAsList());
    Row r = tessera.collectAsList().get(0);
    assertEquals(RowFactory.create(10f, 4f), r.getStruct(1));
    assertEquals(10f, spark.sql("SELECT tessera_apply('" + SUM_MAX + "', array(1f, 2f, 3f, 4f))._1").first().getFloat(0));
  }

  @Test
  void nestedArraysAreMatrices() {
    Dataset<Row> tessera = spark.sql("SELECT tessera_apply('" + TRANSPOSE + "', m) AS t FROM VALUES "
        + "(array(array(1f, 2f, 3f), array(4f, 5f, 6f))), (NULL), (array(array(1f, 2f, 3f), NULL)) AS data(m)");
    List<Row> rows = tessera.collectAsList();
    assertEquals(Arrays.asList(Arrays.asList(1f, 4f), Arrays.asList(2f, 5f), Arrays.asList(3f, 6f)),
        toLists(rows.get(0).getList(0)));
    assertTrue(rows.get(1).isNullAt(0));
    assertTrue(rows.get(2).isNullAt(0), "a null inner array makes the row null");
  }

  @Test
  void wrongLengthNamesTheRow() {
    Dataset<Row> data = spark.sql("SELECT * FROM VALUES (array(1f, 2f, 3f, 4f)), (array(1f, 2f, 3f, 4f)), "
        + "(array(1f, 2f, 3f)) AS data(v)").repartition(1);
    SparkException e = assertThrows(SparkException.class,
        () -> data.selectExpr("tessera_apply('" + SQUARE_PLUS + "', v)").collectAsList());
    String message = allMessages(e);
    assertTrue(message.contains("row 2 of partition 0"), message);
    assertTrue(message.contains("column v has 3 elements, parameter %x f32[4] expects 4"), message);
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void wrongInnerLengthNamesTheElement() {
    SparkException e = assertThrows(SparkException.class, () -> spark.sql("SELECT tessera_apply('" + TRANSPOSE
        + "', m) FROM VALUES (array(array(1f, 2f, 3f), array(4f, 5f))) AS data(m)").collectAsList());
    String message = allMessages(e);
    assertTrue(message.contains("column m[1] has 2 elements, parameter %m f32[2,3] expects 3"), message);
  }

  /** The messages of {@code e} and all its causes, one per line: where a task's error ends up is Spark's business. */
  static String allMessages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private static List<List<Object>> toLists(List<Object> nested) {
    List<List<Object>> out = new ArrayList<>();
    for (Object o : nested) {
      out.add(new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) o)));
    }
    return out;
  }

  @Test
  void tensorResultsFeedAnotherCallWithoutCopy() {
    // The inner operator's result vectors go to the outer kernel as they are.
    Dataset<Row> twice = spark.sql("SELECT id, tessera_apply('" + SQUARE_PLUS + "', tessera_apply('" + SQUARE_PLUS
        + "', v)) AS r FROM vectors ORDER BY id");
    Dataset<Row> expected = spark.sql("SELECT id, CASE WHEN exists(v, e -> e IS NULL) THEN NULL "
        + "ELSE transform(transform(v, e -> e * e + e), e -> e * e + e) END AS r FROM vectors ORDER BY id");
    TesseraApplyTest.assertSameRows(expected.collectAsList(), twice.collectAsList());
    List<TesseraEvalExec> nodes = SparkTests.evalNodes(twice);
    assertEquals(2, nodes.size());
    long zeroCopy = 0;
    for (TesseraEvalExec node : nodes) {
      zeroCopy += node.metrics().get(EvalPartition.ZERO_COPY).get().value();
    }
    assertTrue(zeroCopy >= 3, "at least one batch in each of the three partitions: " + zeroCopy);
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void nullRowsStayNullAndOthersAreComputed() {
    Row row = spark.sql("SELECT tessera_apply('" + SQUARE_PLUS + "', CAST(NULL AS array<float>))").first();
    assertNull(row.get(0));
  }
}
