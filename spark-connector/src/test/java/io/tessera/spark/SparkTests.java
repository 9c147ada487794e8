package io.tessera.spark;

import org.apache.spark.sql.SparkSession;

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

  /** Removes every {@code spark.tessera.*} setting a test made. */
  static void resetTesseraConf() {
    SparkSession s = session();
    for (String key : new String[] {TesseraConf.BATCH_ROWS, TesseraConf.BATCH_BYTES, TesseraConf.BACKEND,
        TesseraConf.FALLBACK, TesseraConf.COMPILE_EXPRESSIONS}) {
      s.conf().unset(key);
    }
  }
}
