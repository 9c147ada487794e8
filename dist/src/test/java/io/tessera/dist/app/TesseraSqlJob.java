package io.tessera.dist.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark application the integration tests submit, as a user would: its jar holds only this
 * package, and Tessera reaches it only through {@code --jars} and {@code spark.sql.extensions}.
 *
 * <p>It calls {@code tessera_apply} in SQL on a table of {@code rows} rows in 16 partitions, twice,
 * and compares every row with Spark's own SQL for the same arithmetic. It prints what it found as
 * {@code tessera-job: ...} lines on stdout for the test to check:
 * <ul>
 *   <li>{@code connector driver|executor=ID from=URL}: where the driver and each executor loaded Tessera from;
 *   <li>{@code round=N rows=.. nulls=.. mismatches=.. plan=..}: the comparison of run N;
 *   <li>{@code round=N executor=ID tasks=.. compilations=.. cacheHits=..}: per executor, from
 *       the Tessera operator's task metrics ({@link TaskMetricsByExecutor}).
 * </ul>
 * It exits non-zero only when it cannot run at all (the executors do not come up).
 *
 * <p>Arguments: {@code EXECUTORS ROWS}: how many executors to wait for (0 in local mode), and the
 * row count.
 */
public final class TesseraSqlJob {
  /** One row: {@code x * y + 3 * x - y} in f64. */
  static final String MODULE = """
      HloModule poly
      ENTRY e {
        x = f64[] parameter(0)
        y = f64[] parameter(1)
        xy = f64[] multiply(x, y)
        three = f64[] constant(3)
        tx = f64[] multiply(three, x)
        s = f64[] add(xy, tx)
        ROOT r = f64[] subtract(s, y)
      }
      """;

  static final int PARTITIONS = 16;
  private static final long EXECUTOR_WAIT_MS = 120_000;

  private TesseraSqlJob() {}

  public static void main(String[] args) throws Exception {
    int executors = Integer.parseInt(args[0]);
    long rows = Long.parseLong(args[1]);
    SparkSession spark = SparkSession.builder().appName("tessera-dist-it").getOrCreate();
    try {
      run(spark, executors, rows);
    } finally {
      spark.stop();
    }
  }

  private static void run(SparkSession spark, int executors, long rows) throws InterruptedException {
    SparkContext sc = spark.sparkContext();
    awaitExecutors(sc, executors);
    TaskMetricsByExecutor metrics = new TaskMetricsByExecutor();
    sc.addSparkListener(metrics);

    // x has at most 20 significant bits and y is a small integer: every product and sum is exact
    // in f64, so the kernel and Spark must agree bit for bit whatever order or FMA LLVM chooses.
    spark.range(0, rows, 1, PARTITIONS)
        .selectExpr("id",
            "CAST(id AS DOUBLE) / 8 - 50 AS x",
            "CASE WHEN id % 17 = 0 THEN NULL ELSE CAST(id % 13 AS DOUBLE) - 6 END AS y")
        .createOrReplaceTempView("points");
    say("connector driver from=" + ConnectorLocation.of());
    for (String line : ConnectorLocation.onExecutors(spark, PARTITIONS)) {
      say("connector " + line);
    }

    Map<Long, Double> expected = byId(spark.sql("SELECT id, x * y + 3 * x - y AS r FROM points"));
    for (int round = 1; round <= 2; round++) {
      String group = "tessera-round-" + round;
      sc.setJobGroup(group, "tessera_apply, round " + round, false);
      Dataset<Row> tessera = spark.sql("SELECT id, tessera_apply('" + MODULE + "', x, y) AS r FROM points");
      Map<Long, Double> actual = byId(tessera);
      sc.clearJobGroup();
      boolean planHasTessera = tessera.queryExecution().executedPlan().toString().contains("TesseraEval");
      say("round=" + round + " " + compare(expected, actual) + " plan=" + (planHasTessera ? "TesseraEval" : "none"));
      for (Map.Entry<String, TaskMetricsByExecutor.Counts> e : metrics.awaitGroup(group, 60_000).entrySet()) {
        TaskMetricsByExecutor.Counts c = e.getValue();
        say("round=" + round + " executor=" + e.getKey() + " tasks=" + c.tasks() + " compilations="
            + c.compilations() + " cacheHits=" + c.cacheHits());
      }
    }
  }

  private static void awaitExecutors(SparkContext sc, int executors) throws InterruptedException {
    long deadline = System.currentTimeMillis() + EXECUTOR_WAIT_MS;
    // The status tracker lists the driver too.
    while (sc.statusTracker().getExecutorInfos().length < executors + 1) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + (sc.statusTracker().getExecutorInfos().length - 1) + " of "
            + executors + " executors registered in " + EXECUTOR_WAIT_MS / 1000 + " s");
      }
      Thread.sleep(200);
    }
  }

  private static Map<Long, Double> byId(Dataset<Row> df) {
    List<Row> rows = df.collectAsList();
    Map<Long, Double> out = new HashMap<>(rows.size() * 2);
    for (Row r : rows) {
      out.put(r.getLong(0), r.isNullAt(1) ? null : r.getDouble(1));
    }
    return out;
  }

  /** "rows=N nulls=N mismatches=N [first=...]": bitwise comparison, nulls included. */
  private static String compare(Map<Long, Double> expected, Map<Long, Double> actual) {
    long mismatches = 0;
    long nulls = 0;
    String first = "";
    for (Map.Entry<Long, Double> e : new TreeMap<>(expected).entrySet()) {
      Double want = e.getValue();
      Double got = actual.get(e.getKey());
      boolean same = actual.containsKey(e.getKey())
          && (want == null ? got == null : got != null && Double.doubleToLongBits(want) == Double.doubleToLongBits(got));
      if (want == null) {
        nulls++;
      }
      if (!same) {
        if (mismatches++ == 0) {
          first = " first=id:" + e.getKey() + ",spark:" + want + ",tessera:" + got;
        }
      }
    }
    return "rows=" + actual.size() + " nulls=" + nulls + " mismatches=" + mismatches + first;
  }

  private static void say(String line) {
    System.out.println("tessera-job: " + line);
    System.out.flush();
  }
}
