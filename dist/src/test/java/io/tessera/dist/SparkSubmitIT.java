package io.tessera.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded jar as a user runs it: Spark's SparkSubmit in its own JVM, on Spark's jars only, with
 * Tessera given by {@code --jars} and {@code spark.sql.extensions} and nothing else; the submitted
 * application calls {@code tessera_apply} in SQL and compares it with Spark's SQL.
 */
class SparkSubmitIT {
  private static final long ROWS = 20_000;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void tesseraApplyThroughSparkSubmitJars() throws Exception {
    Path dir = SparkJvm.WORK_DIR.resolve("spark-submit");
    List<String> args = List.of(
        "--master", "local[2]",
        "--jars", SparkJvm.DIST_JAR.toString(),
        "--conf", "spark.sql.extensions=io.tessera.spark.TesseraExtensions",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.local.dir=" + dir.resolve("local"),
        "--class", "io.tessera.dist.app.TesseraSqlJob",
        SparkJvm.APP_JAR.toString(), "0", String.valueOf(ROWS));
    try (SparkJvm submit = SparkJvm.start("spark-submit", dir.resolve("spark-submit.log"), Map.of(), "1g",
        "org.apache.spark.deploy.SparkSubmit", args)) {
      int exit = submit.awaitExit(240);
      String context = "log " + submit.log() + " ends with:\n" + SparkJvm.tail(submit.log(), 150);
      assertEquals(0, exit, context);
      JobReport report = new JobReport(submit.output(), context);

      // In local mode the tasks run in the driver JVM, whose executor id is "driver".
      report.assertConnectorFrom(SparkJvm.DIST_JAR, 1);
      for (int round = 1; round <= 2; round++) {
        report.assertRoundMatchesSpark(round, ROWS);
        Map<String, Map<String, String>> executors = report.executorsOfRound(round);
        assertEquals(List.of("driver"), List.copyOf(executors.keySet()), context);
        Map<String, String> driver = executors.get("driver");
        assertEquals(16, JobReport.number(driver, "tasks"), context);
        // Two task threads share the JVM's kernel cache: one compilation in all, none in round 2.
        assertEquals(round == 1 ? 1 : 0, JobReport.number(driver, "compilations"), context);
        assertEquals(round == 1 ? 15 : 16, JobReport.number(driver, "cacheHits"), context);
      }
    }
  }
}
