package io.tessera.examples;

import io.tessera.spark.TesseraExtensions;
import org.apache.spark.sql.SparkSession;

/**
 * The local Spark session every example runs in: all of this machine's cores ({@code local[*]}),
 * the Tessera extension installed, no web UI. {@code getOrCreate}: the examples' tests share one.
 */
public final class ExampleSession {
  private ExampleSession() {}

  /** The session, with {@code spark.sql.extensions=io.tessera.spark.TesseraExtensions}. */
  public static SparkSession local(String appName) {
    return SparkSession.builder()
        .master("local[*]")
        .appName(appName)
        .config("spark.sql.extensions", TesseraExtensions.class.getName())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        // The examples build wide array expressions; keep their plans printable without a warning.
        .config("spark.sql.debug.maxToStringFields", "200")
        .getOrCreate();
  }
}
