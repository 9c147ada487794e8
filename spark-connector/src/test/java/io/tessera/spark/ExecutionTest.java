package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compilation and its cache, backends and fallback, settings, metrics and Arrow memory. */
class ExecutionTest {
  /** Sorts a row's four floats: {@code sort} is an opcode the CPU backend does not compile yet. */
  private static final String SORT4 = """
      HloModule sort4
      less {
        a = f32[] parameter(0)
        b = f32[] parameter(1)
        ROOT lt = pred[] compare(a, b), direction=LT
      }
      ENTRY e {
        x = f32[4] parameter(0)
        ROOT s = f32[4] sort(x), dimensions={0}, to_apply=less
      }
      """;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
  }

  @AfterEach
  void reset() {
    SparkTests.resetTesseraConf();
    spark.conf().unset("spark.sql.adaptive.enabled");
  }

  /** A module no other test uses, so that its first query compiles it. */
  private static String freshModule(String name) {
    return "HloModule " + name + System.nanoTime() + "\nENTRY e {\n  x = f64[] parameter(0)\n"
        + "  c = f64[] constant(0.5)\n  ROOT r = f64[] multiply(x, c)\n}\n";
  }

  private static long metric(Dataset<Row> df, String name) {
    long total = 0;
    for (TesseraEvalExec node : SparkTests.evalNodes(df)) {
      total += node.metrics().get(name).get().value();
    }
    return total;
  }

  @Test
  void tasksOnOneExecutorCompileOnce() {
    String module = freshModule("cache");
    String sql = "SELECT tessera_apply('" + module + "', CAST(id AS DOUBLE)) FROM range(0, 600, 1, 6)";
    Dataset<Row> first = spark.sql(sql);
    assertEquals(600, first.collectAsList().size());
    assertEquals(1, metric(first, EvalPartition.COMPILATIONS), "six tasks, one compilation");
    assertEquals(5, metric(first, EvalPartition.CACHE_HITS));
    assertTrue(metric(first, EvalPartition.COMPILE_TIME) > 0);
    assertEquals(600, metric(first, EvalPartition.OUTPUT_ROWS));
    assertEquals(6, metric(first, EvalPartition.BATCHES));

    Dataset<Row> again = spark.sql(sql);
    again.collectAsList();
    assertEquals(0, metric(again, EvalPartition.COMPILATIONS), "a later query reuses the kernel");
    assertEquals(6, metric(again, EvalPartition.CACHE_HITS));
  }

  @Test
  void batchRowsSplitsPartitionsIntoBatches() {
    spark.conf().set(TesseraConf.BATCH_ROWS, "7");
    Dataset<Row> df = spark.sql("SELECT tessera_apply('" + freshModule("batches") + "', CAST(id AS DOUBLE)) "
        + "FROM range(0, 40, 1, 2)");
    df.collectAsList();
    assertEquals(6, metric(df, EvalPartition.BATCHES), "20 rows per partition in batches of 7, 7 and 6");
  }

  @Test
  void interpreterBackendGivesTheSameResults() {
    String module = freshModule("interp");
    String sql = "SELECT id, tessera_apply('" + module + "', CAST(id AS DOUBLE) - 3.25D) FROM range(0, 50, 1, 3) "
        + "ORDER BY id";
    List<Row> compiled = spark.sql(sql).collectAsList();
    spark.conf().set(TesseraConf.BACKEND, "interpreter");
    Dataset<Row> interpreted = spark.sql(sql);
    assertEquals(compiled, interpreted.collectAsList());
    assertEquals(3, metric(interpreted, EvalPartition.INTERPRETED));
  }

  // The CPU backend now compiles every opcode the interpreter runs (sort included), and the
  // batched sort too (rows of a dynamic leading dimension), so the sort runs as one batched kernel,
  // neither interpreted nor row by row, and agrees with Spark.
  @Test
  void aSortModuleRunsCompiledOnTheCpuAndMatchesSpark() {
    spark.conf().set(TesseraConf.BACKEND, "cpu");
    String sql = "SELECT tessera_apply('" + SORT4 + "', v) AS s FROM VALUES (array(3f, 1f, 4f, 1.5f)), "
        + "(array(-1f, -2f, 0f, 9f)) AS t(v)";
    Dataset<Row> df = spark.sql(sql);
    List<Row> rows = df.collectAsList();
    List<Row> expected = spark.sql("SELECT array_sort(v) AS s FROM VALUES (array(3f, 1f, 4f, 1.5f)), "
        + "(array(-1f, -2f, 0f, 9f)) AS t(v)").collectAsList();
    assertEquals(expected, rows);
    assertEquals(0, metric(df, EvalPartition.INTERPRETED));
    assertEquals(0, metric(df, EvalPartition.ROW_BY_ROW), "the batched sort compiles");
    SparkTests.assertNoArrowMemoryHeld();
  }

  /** Pads a row's three floats with its own padding value: a row-dependent pad the batching pass cannot batch. */
  private static final String PAD_WITH = """
      HloModule pad_with
      ENTRY e {
        x = f32[3] parameter(0)
        p = f32[] parameter(1)
        ROOT r = f32[5] pad(x, p), padding=1_1
      }
      """;

  @Test
  void moduleTheBatchingPassCannotBatchRunsRowByRow() {
    String data = " FROM VALUES (array(1f, 2f, 3f), 0f), (array(-1f, 5f, 8f), 9f), (NULL, 1f), (array(4f, 4f, 4f), NULL) "
        + "AS t(x, p)";
    Dataset<Row> df = spark.sql("SELECT tessera_apply('" + PAD_WITH + "', x, p) AS r" + data);
    List<Row> expected = spark.sql("SELECT CASE WHEN x IS NULL OR p IS NULL THEN NULL "
        + "ELSE concat(array(p), x, array(p)) END AS r" + data).collectAsList();
    assertEquals(expected, df.collectAsList());
    assertTrue(metric(df, EvalPartition.ROW_BY_ROW) > 0);
    assertEquals(0, metric(df, EvalPartition.INTERPRETED), "still compiled, on the cpu");
  }

  /** Two floats' bits read as one double: the CPU backend refuses bitcast-convert between widths. */
  private static final String JOIN_BITS = """
      HloModule join_bits
      ENTRY e {
        x = f32[2] parameter(0)
        ROOT d = f64[] bitcast-convert(x)
      }
      """;

  @Test
  void moduleTheBackendCannotCompileFallsBackToTheInterpreter() {
    spark.conf().set(TesseraConf.BACKEND, "cpu");
    String sql = "SELECT tessera_apply('" + JOIN_BITS + "', x) FROM VALUES (array(1.5f, -2f)), (array(0f, 1f)) AS t(x)";
    Dataset<Row> df = spark.sql(sql);
    List<Row> rows = df.collectAsList();
    // Little-endian memory order: element 0 is the low half.
    double first = Double.longBitsToDouble(((long) Float.floatToRawIntBits(-2f) << 32)
        | (Float.floatToRawIntBits(1.5f) & 0xFFFFFFFFL));
    double second = Double.longBitsToDouble((long) Float.floatToRawIntBits(1f) << 32);
    assertEquals(List.of(RowFactory.create(first), RowFactory.create(second)), rows);
    assertTrue(metric(df, EvalPartition.INTERPRETED) > 0);

    spark.conf().set(TesseraConf.FALLBACK, "false");
    SparkException e = assertThrows(SparkException.class, () -> spark.sql(sql).collectAsList());
    String message = TensorApplyTest.allMessages(e);
    assertTrue(message.contains("could not compile module join_bits for backend cpu"), message);
    assertTrue(message.contains("bitcast-convert"), message);
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void badSettingsNameTheirKey() {
    spark.conf().set(TesseraConf.BATCH_ROWS, "lots");
    Exception e = assertThrows(Exception.class,
        () -> spark.sql("SELECT tessera_apply('" + SORT4 + "', array(1f, 2f, 3f, 4f))").collectAsList());
    assertTrue(TensorApplyTest.allMessages(e).contains("spark.tessera.batchRows must be a whole number, got 'lots'"),
        TensorApplyTest.allMessages(e));
    SparkTests.resetTesseraConf();
    spark.conf().set(TesseraConf.BACKEND, "tpu");
    e = assertThrows(Exception.class,
        () -> spark.sql("SELECT tessera_apply('" + SORT4 + "', array(1f, 2f, 3f, 4f))").collectAsList());
    assertTrue(TensorApplyTest.allMessages(e).contains("spark.tessera.backend must be auto or one of"),
        TensorApplyTest.allMessages(e));
  }

  @Test
  void noArrowMemoryOutlivesItsTask() {
    String module = freshModule("memory");
    // Rows in, strings passed through, batched kernel.
    spark.sql("SELECT CAST(id AS STRING) AS s, tessera_apply('" + module + "', CAST(id AS DOUBLE)) AS r "
        + "FROM range(0, 5000, 1, 4)").collectAsList();
    SparkTests.assertNoArrowMemoryHeld();
    assertTrue(TesseraMemory.peakBytes() > 0, "the tasks allocated from Tessera's allocator");
    // Row-by-row kernel, pred and array arguments, a failing task.
    spark.sql("SELECT tessera_apply('" + PAD_WITH + "', array(1f, 2f, CAST(id AS FLOAT)), 0f) FROM range(0, 100, 1, 3)")
        .collectAsList();
    assertThrows(SparkException.class, () -> spark.sql("SELECT tessera_apply('" + PAD_WITH + "', "
        + "CASE WHEN id = 77 THEN array(1f) ELSE array(1f, 2f, 3f) END, 0f) FROM range(0, 100, 1, 3)").collectAsList());
    SparkTests.assertNoArrowMemoryHeld();
  }

  @Test
  void cancelledTasksReleaseTheirArrowMemory() throws Exception {
    // The interpreter makes this query take minutes; it is cancelled once its tasks hold Arrow memory.
    spark.conf().set(TesseraConf.BACKEND, "interpreter");
    spark.conf().set(TesseraConf.BATCH_ROWS, "1000");
    String sql = "SELECT sum(r) FROM (SELECT tessera_apply('" + freshModule("cancel") + "', CAST(id AS DOUBLE)) AS r "
        + "FROM range(0, 100000000, 1, 2))";
    CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
      spark.sparkContext().setJobGroup("tessera-cancel", "cancellation test", true);
      return spark.sql(sql).collectAsList();
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (TesseraMemory.openTaskAllocators() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(TesseraMemory.openTaskAllocators() > 0, "the tasks started");
    spark.sparkContext().cancelJobGroup("tessera-cancel");
    Exception e = assertThrows(Exception.class, () -> run.get(60, TimeUnit.SECONDS));
    assertTrue(String.valueOf(TensorApplyTest.allMessages(e)).contains("cancel"), String.valueOf(e));
    SparkTests.assertNoArrowMemoryHeld();
  }
}
