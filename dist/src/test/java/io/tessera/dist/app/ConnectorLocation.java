package io.tessera.dist.app;

import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/** Where a JVM loaded the Tessera connector from: the jar Spark received through {@code --jars}. */
final class ConnectorLocation {
  private static final String EXTENSION_CLASS = "io.tessera.spark.TesseraExtensions";

  private ConnectorLocation() {}

  /** The code source of the connector in this JVM, as Spark's task (context) class loader sees it. */
  static String of() {
    try {
      Class<?> cls = Class.forName(EXTENSION_CLASS, false, Thread.currentThread().getContextClassLoader());
      return String.valueOf(cls.getProtectionDomain().getCodeSource().getLocation());
    } catch (ClassNotFoundException e) {
      return "not-found";
    }
  }

  /** "executor=ID from=LOCATION", once per executor that ran one of {@code partitions} tasks. */
  static List<String> onExecutors(SparkSession spark, int partitions) {
    List<String> seen = spark.range(0, partitions, 1, partitions)
        .mapPartitions(new Probe(), Encoders.STRING())
        .collectAsList();
    return List.copyOf(new TreeSet<>(seen));
  }

  /** Runs in a task: a static class, so that nothing but itself is serialized. */
  private static final class Probe implements MapPartitionsFunction<Long, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<String> call(Iterator<Long> ignored) {
      return List.of("executor=" + SparkEnv.get().executorId() + " from=" + of()).iterator();
    }
  }
}
