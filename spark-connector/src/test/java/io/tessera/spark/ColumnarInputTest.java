package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A columnar child (a vectorized Parquet scan, a cached table) feeds the operator its batches:
 * pass-through columns go on as the child's own vectors, and results equal those of the row path.
 */
class ColumnarInputTest {
  private static final String AXPY = """
      HloModule axpy_columnar
      ENTRY e {
        x = f32[] parameter(0)
        y = f32[] parameter(1)
        two = f32[] constant(2)
        tx = f32[] multiply(two, x)
        ROOT r = f32[] add(tx, y)
      }
      """;
  private static final String SQUARE_PLUS = """
      HloModule square_plus_columnar
      ENTRY e {
        x = f32[3] parameter(0)
        xx = f32[3] multiply(x, x)
        ROOT r = f32[3] add(xx, x)
      }
      """;

  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static Dataset<Row> rows;
  private static Dataset<Row> parquet;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    rows = spark.sql("SELECT id, CASE WHEN id % 7 = 3 THEN NULL ELSE CAST(id / 4 AS FLOAT) END AS x, "
        + "CASE WHEN id % 5 = 2 THEN NULL ELSE array(CAST(id AS FLOAT), -1f, CAST(id / 3 AS FLOAT)) END AS v, "
        + "CAST(id AS STRING) AS s FROM range(0, 3000, 1, 3)");
    rows.write().parquet(dir.resolve("t").toString());
    parquet = spark.read().parquet(dir.resolve("t").toString());
  }

  @AfterAll
  static void uncache() {
    spark.catalog().clearCache();
  }

  /** A column passed through, a string passed through, a call over a column and a computed argument, an array call. */
  private static final String[] SELECT = {"id", "s", "tessera_apply('" + AXPY + "', x, -x) AS a",
      "tessera_apply('" + SQUARE_PLUS + "', v) AS b"};

  private static List<Row> sorted(Dataset<Row> df) {
    return df.orderBy("id").collectAsList();
  }

  @Test
  void parquetBatchesGoThroughWithoutRowConversion() {
    Dataset<Row> columnar = parquet.selectExpr(SELECT);
    List<Row> expected = sorted(rows.selectExpr(SELECT));
    TesseraApplyTest.assertSameRows(expected, sorted(columnar));
    List<TesseraEvalExec> evals = SparkTests.evalNodes(columnar);
    assertEquals(1, evals.size());
    SparkPlan child = evals.get(0).child();
    assertTrue(child.supportsColumnar(), "the scan feeds batches: " + SparkTests.executedPlan(columnar));
  }

  @Test
  void cachedTablesToo() {
    Dataset<Row> cached = rows.cache();
    cached.count();
    Dataset<Row> df = cached.selectExpr("id", "tessera_apply('" + AXPY + "', x, x) AS a");
    List<Row> expected = sorted(rows.selectExpr("id", "CAST(2 AS FLOAT) * x + x AS a"));
    TesseraApplyTest.assertSameRows(expected, sorted(df));
    SparkTests.assertNoArrowMemoryHeld();
  }

  /**
   * Scalar columns of a cached table's on-heap vectors are copied a whole batch at a time: values
   * and validity of a column without nulls and of one with nulls, batches of a row count that is
   * not a multiple of 8.
   */
  @Test
  void cachedScalarColumnsAreCopiedWholeWithAndWithoutNulls() {
    String fma = """
        HloModule fma_columnar
        ENTRY e {
          a = f64[] parameter(0)
          b = f64[] parameter(1)
          ab = f64[] multiply(a, b)
          ROOT r = f64[] add(ab, a)
        }
        """;
    Dataset<Row> source = spark.sql("SELECT id, CAST(id AS DOUBLE) * 0.5 AS a, "
        + "CASE WHEN id % 9 = 4 THEN NULL ELSE CAST(id AS DOUBLE) / 3 END AS b FROM range(0, 2003, 1, 3)");
    Dataset<Row> cached = source.cache();
    try {
      cached.count();
      Dataset<Row> df = cached.selectExpr("id", "tessera_apply('" + fma + "', a, b) AS r",
          "tessera_apply('" + fma + "', b, a) AS s");
      List<Row> expected = sorted(source.selectExpr("id", "a * b + a AS r", "b * a + b AS s"));
      TesseraApplyTest.assertSameRows(expected, sorted(df));
      assertTrue(SparkTests.evalNodes(df).get(0).child().supportsColumnar(), "the cache feeds batches");
      SparkTests.assertNoArrowMemoryHeld();
    } finally {
      cached.unpersist(true);
    }
  }
}
