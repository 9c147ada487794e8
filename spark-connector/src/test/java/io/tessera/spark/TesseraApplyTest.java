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
    assertEquals(1, SparkTests.evalNodes(tessera).size(), SparkTests.executedPlan(tessera).toString());
    SparkTests.assertNoArrowMemoryHeld();
  }


  /**
   * Over a row child (the shuffle's rows), arguments that are all columns are read from the
   * child's rows in place, and pass-through columns are projected on their own; with a computed
   * argument every argument goes through a projection. Both, with nulls, NaN and infinities.
   */
  @Test
  void rowChildArgumentsReadInPlaceOrProjected() {
    String inPlace = "tessera_apply('" + AXPY + "', x, y)";
    String projected = "tessera_apply('" + AXPY + "', y, x + 1f)";
    for (String select : new String[] {inPlace + " AS r", "id, x, " + inPlace + " AS r",
        "id, " + inPlace + " AS r, " + projected + " AS s"}) {
      Dataset<Row> tessera = spark.sql("SELECT " + select + " FROM scalars");
      String sparkSelect = select.replace(inPlace, "CAST(2 AS FLOAT) * x + y")
          .replace(projected, "CAST(2 AS FLOAT) * y + (x + 1f)");
      Dataset<Row> expected = spark.sql("SELECT " + sparkSelect + " FROM scalars");
      assertEquals(expected.schema().simpleString(), tessera.schema().simpleString());
      assertSameRows(sortedByFirstColumns(expected.collectAsList()), sortedByFirstColumns(tessera.collectAsList()));
      List<TesseraEvalExec> evals = SparkTests.evalNodes(tessera);
      assertEquals(1, evals.size(), SparkTests.executedPlan(tessera).toString());
      assertTrue(!evals.get(0).child().supportsColumnar(), "a row child: " + SparkTests.executedPlan(tessera));
    }
    SparkTests.assertNoArrowMemoryHeld();
  }

  private static List<Row> sortedByFirstColumns(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparing(Row::toString));
    return sorted;
  }

  @Test
  void everyScalarTypeMapsToItsSparkType() {
    String module = """
        HloModule all_types
        ENTRY e {
          i = s32[] parameter(0)
          l = s64[] parameter(1)
          d = f64[] parameter(2)
          b = pred[] parameter(3)
          t = s8[] parameter(4)
          h = s16[] parameter(5)
          ii = s32[] multiply(i, i)
          i2 = s32[] add(ii, i)
          l2 = s64[] subtract(l, l)
          l3 = s64[] add(l2, l)
          d2 = f64[] sqrt(d)
          nb = pred[] not(b)
          t2 = s8[] add(t, t)
          h2 = s16[] negate(h)
          ROOT r = (s32[], s64[], f64[], pred[], s8[], s16[]) tuple(i2, l3, d2, nb, t2, h2)
        }
        """;
    String data = "SELECT * FROM VALUES (3, 5000000000L, 2.25D, true, CAST(7 AS TINYINT), CAST(-9 AS SMALLINT)), "
        + "(-4, -1L, -1.0D, false, CAST(-60 AS TINYINT), CAST(300 AS SMALLINT)), "
        + "(NULL, 1L, 4.0D, true, CAST(1 AS TINYINT), CAST(1 AS SMALLINT)), "
        + "(0, 0L, CAST('Infinity' AS DOUBLE), true, CAST(0 AS TINYINT), CAST(0 AS SMALLINT)) AS t(i, l, d, b, t, h)";
    spark.sql(data).createOrReplaceTempView("typed");
    Dataset<Row> tessera = spark.sql("SELECT tessera_apply('" + module + "', i, l, d, b, t, h) AS r FROM typed");
    // Spark's sqrt of a negative number is NaN, as XLA's; NOT, +, - agree on these values.
    Dataset<Row> expected = spark.sql("SELECT CASE WHEN i IS NULL THEN NULL ELSE named_struct('_1', i * i + i, "
        + "'_2', l - l + l, '_3', sqrt(d), '_4', NOT b, '_5', CAST(t + t AS TINYINT), '_6', CAST(-h AS SMALLINT)) END "
        + "AS r FROM typed");
    assertEquals(expected.schema().simpleString(), tessera.schema().simpleString());
    assertSameRows(expected.collectAsList(), tessera.collectAsList());
  }

  @Test
  void filterAggregateAndNestedCalls() {
    String call = "tessera_apply('" + AXPY + "', x, y)";
    List<Row> filtered = spark.sql("SELECT id FROM scalars WHERE " + call + " > 5 ORDER BY id").collectAsList();
    List<Row> expected = spark.sql("SELECT id FROM scalars WHERE CAST(2 AS FLOAT) * x + y > 5 ORDER BY id")
        .collectAsList();
    assertSameRows(expected, filtered);

    // A call in a join condition is evaluated row by row.
    List<Row> joined = spark.sql("SELECT a.id FROM scalars a JOIN scalars b ON a.id = b.id AND "
        + "tessera_apply('" + AXPY + "', a.x, b.y) > 5 ORDER BY a.id").collectAsList();
    assertSameRows(expected, joined);

    // A call over another call's result: two operators, the inner one below.
    Dataset<Row> nested = spark.sql("SELECT id, tessera_apply('" + AXPY + "', " + call + ", y) AS r FROM scalars "
        + "ORDER BY id");
    Dataset<Row> sparkNested = spark.sql("SELECT id, CAST(2 AS FLOAT) * (CAST(2 AS FLOAT) * x + y) + y AS r "
        + "FROM scalars ORDER BY id");
    assertSameRows(sparkNested.collectAsList(), nested.collectAsList());
    assertEquals(2, SparkTests.evalNodes(nested).size(), SparkTests.executedPlan(nested).toString());
  }

  @Test
  void aggregatesRunTheirCallsBatched() {
    String call = "tessera_apply('" + AXPY + "', x, y)";
    String sparkCall = "(CAST(2 AS FLOAT) * x + y)";
    for (String adaptive : new String[] {"true", "false"}) {
      spark.conf().set("spark.sql.adaptive.enabled", adaptive);
      Dataset<Row> tessera = spark.sql("SELECT id % 3 AS k, sum(" + call + ") AS s, max(" + call + " + 1) AS m, "
          + "count(" + call + ") AS c FROM scalars GROUP BY id % 3 ORDER BY k");
      Dataset<Row> expected = spark.sql("SELECT id % 3 AS k, sum(" + sparkCall + ") AS s, max(" + sparkCall
          + " + 1) AS m, count(" + sparkCall + ") AS c FROM scalars GROUP BY id % 3 ORDER BY k");
      assertSameRows(expected.collectAsList(), tessera.collectAsList());
      assertEquals(1, SparkTests.evalNodes(tessera).size(), "adaptive=" + adaptive + ": "
          + SparkTests.executedPlan(tessera));
      Dataset<Row> global = spark.sql("SELECT avg(" + call + ") FROM scalars");
      assertSameRows(spark.sql("SELECT avg(" + sparkCall + ") FROM scalars").collectAsList(), global.collectAsList());
      assertEquals(1, SparkTests.evalNodes(global).size());
    }
    spark.conf().unset("spark.sql.adaptive.enabled");
  }

  @Test
  void emptyAndSingleRowPartitions() {
    Dataset<Row> empty = spark.sql("SELECT tessera_apply('" + AXPY + "', CAST(id AS FLOAT), 1f) FROM range(0)");
    assertEquals(0, empty.collectAsList().size());
    // Eight partitions for three rows: five are empty, three hold a single row each.
    Dataset<Row> sparse = spark.sql("SELECT id, tessera_apply('" + AXPY + "', CAST(id AS FLOAT), 1f) AS r "
        + "FROM range(0, 3, 1, 8) ORDER BY id");
    List<Row> rows = sparse.collectAsList();
    assertEquals(List.of(RowFactory.create(0L, 1f), RowFactory.create(1L, 3f), RowFactory.create(2L, 5f)), rows);
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void explainShowsTheOperatorModuleAndBackend() {
    Dataset<Row> df = spark.sql("SELECT id, tessera_apply('" + AXPY + "', x, y) AS r FROM scalars");
    String simple = df.queryExecution().explainString(org.apache.spark.sql.execution.SimpleMode$.MODULE$);
    assertTrue(simple.contains("TesseraEval [tessera_apply(axpy, x#"), simple);
    assertTrue(simple.contains("backend=auto, batchRows=65536"), simple);
    String formatted = df.queryExecution().explainString(org.apache.spark.sql.execution.FormattedMode$.MODULE$);
    assertTrue(formatted.contains("Module axpy: <text>, sha256 "), formatted);
    assertTrue(formatted.contains("(%x f32[], %y f32[]) -> float"), formatted);
    assertTrue(formatted.contains("Backend: auto"), formatted);
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
