package io.tessera.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;

/**
 * The one local Spark session the module's tests share (starting one takes seconds), with the
 * Tessera extension installed and two executor threads, so partitions run concurrently.
 */
final class SparkTests {
  private static SparkSession session;

  private SparkTests() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("tessera-spark-connector-tests")
          .config("spark.sql.extensions", TesseraExtensions.class.getName())
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          // Spark would evaluate projections over VALUES on the driver while optimizing; tests
          // want the operator, so small inline tables go through it too.
          .config("spark.sql.optimizer.excludedRules",
              "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation")
          .getOrCreate();
    }
    return session;
  }

  /**
   * The plan that ran: with adaptive execution, its final plan (query stages included); call after
   * an action.
   */
  static SparkPlan executedPlan(Dataset<?> df) {
    SparkPlan plan = df.queryExecution().executedPlan();
    return plan instanceof AdaptiveSparkPlanExec adaptive ? adaptive.executedPlan() : plan;
  }

  /** The Tessera operators of the plan that ran, in the order the plan string lists them. */
  static List<TesseraEvalExec> evalNodes(Dataset<?> df) {
    List<TesseraEvalExec> out = new ArrayList<>();
    collect(executedPlan(df), out);
    return out;
  }

  private static void collect(SparkPlan plan, List<TesseraEvalExec> out) {
    if (plan instanceof TesseraEvalExec eval) {
      out.add(eval);
    }
    if (plan instanceof QueryStageExec stage) {
      collect(stage.plan(), out);
    }
    for (SparkPlan child : scala.jdk.javaapi.CollectionConverters.asJava(plan.children())) {
      collect(child, out);
    }
  }

  /**
   * Asserts that no task holds Tessera's Arrow memory. Waits a little: when a job fails, Spark
   * reports it before the stage's other tasks have been killed and have cleaned up.
   */
  static void assertNoArrowMemoryHeld() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((TesseraMemory.allocatedBytes() > 0 || TesseraMemory.openTaskAllocators() > 0)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(0, TesseraMemory.openTaskAllocators(), "open task allocators");
    org.junit.jupiter.api.Assertions.assertEquals(0, TesseraMemory.allocatedBytes(), "bytes held");
  }

  /** Removes every {@code spark.tessera.*} setting a test made. */
  static void resetTesseraConf() {
    SparkSession s = session();
    for (String key : new String[] {TesseraConf.BATCH_ROWS, TesseraConf.BATCH_BYTES, TesseraConf.BACKEND,
        TesseraConf.FALLBACK, TesseraConf.COMPILE_EXPRESSIONS}) {
      s.conf().unset(key);
    }
  }
}
