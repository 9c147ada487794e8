package io.tessera.spark;

import io.tessera.compiler.Backends;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.internal.SQLConf;

/**
 * Every {@code spark.tessera.*} setting, read once on the driver when a query is planned and
 * shipped to the executors inside the plan (so a task never reads the session's configuration).
 * Values are checked when read: a bad setting fails the query with a message naming the key.
 *
 * @param batchRows {@value #BATCH_ROWS}: most rows per Arrow batch handed to a kernel
 * @param batchBytes {@value #BATCH_BYTES}: a batch also ends once its Arrow buffers hold about
 *     this many bytes, so that wide rows (long tensors, long strings) do not make huge batches
 * @param backend {@value #BACKEND}: {@code auto}, {@code cpu}, {@code interpreter}, or another
 *     name the compiler's backend table knows ({@code gpu} once that backend exists)
 * @param fallback {@value #FALLBACK}: whether a module the chosen backend cannot compile runs on
 *     the interpreter (with a warning) instead of failing the query
 * @param compileExpressions {@value #COMPILE_EXPRESSIONS}: translate plain Catalyst expressions in
 *     projections and filters to one fused HLO module per operator, with Spark's exact results
 *     ({@link ExpressionTranslator} lists what it translates); opt-in
 */
public record TesseraConf(int batchRows, long batchBytes, String backend, boolean fallback, boolean compileExpressions)
    implements Serializable {

  public static final String BATCH_ROWS = "spark.tessera.batchRows";
  public static final String BATCH_BYTES = "spark.tessera.batchBytes";
  public static final String BACKEND = "spark.tessera.backend";
  public static final String FALLBACK = "spark.tessera.fallback";
  public static final String COMPILE_EXPRESSIONS = "spark.tessera.compileExpressions";

  /** One setting: its key, its default as text, and what it does. The README's table is generated from {@link #KEYS}. */
  public record Key(String name, String defaultValue, String meaning) {}

  public static final int DEFAULT_BATCH_ROWS = 65536;
  /** 64 MiB: 65536 rows of 256 floats. */
  public static final long DEFAULT_BATCH_BYTES = 64L << 20;
  /** Compile for the best backend the task has: its GPU, else the CPU, else the interpreter ({@link BackendChoice}). */
  public static final String AUTO = "auto";

  /** Every {@code spark.tessera.*} key, with its default and meaning. */
  public static final List<Key> KEYS = List.of(
      new Key(BATCH_ROWS, Integer.toString(DEFAULT_BATCH_ROWS), "most rows per Arrow batch handed to a kernel"),
      new Key(BATCH_BYTES, Long.toString(DEFAULT_BATCH_BYTES), "a batch also ends once its Arrow buffers hold about"
          + " this many bytes, so that wide rows (long tensors, long strings) do not make huge batches"),
      new Key(BACKEND, AUTO, "`auto` (the GPU Spark assigned to the task (`spark.task.resource.gpu.amount`) when the"
          + " GPU backend can run there, else the CPU when its natives load, else the interpreter), `cpu`, `gpu` (the"
          + " task's GPU, or device 0), `interpreter`, or another backend name the compiler knows"),
      new Key(FALLBACK, "true", "a module the chosen backend cannot compile runs on the interpreter, with a"
          + " warning, instead of failing the query"),
      new Key(COMPILE_EXPRESSIONS, "false", "translate plain Catalyst expressions in projections and filters into"
          + " one fused HLO module per operator, with Spark's exact results (see \"Supported Spark expressions\")"));

  public TesseraConf {
    if (batchRows < 1) {
      throw new IllegalArgumentException(BATCH_ROWS + " must be at least 1, got " + batchRows);
    }
    if (batchBytes < 1) {
      throw new IllegalArgumentException(BATCH_BYTES + " must be at least 1, got " + batchBytes);
    }
    backend = backend.trim().toLowerCase(Locale.ROOT);
    if (!backend.equals(AUTO) && !Backends.names().contains(backend)) {
      throw new IllegalArgumentException(BACKEND + " must be " + AUTO + " or one of " + Backends.names() + ", got '"
          + backend + "'");
    }
  }

  /** The defaults, as a session without any {@code spark.tessera.*} setting gets them. */
  public static TesseraConf defaults() {
    return new TesseraConf(DEFAULT_BATCH_ROWS, DEFAULT_BATCH_BYTES, AUTO, true, false);
  }

  /** The settings of the active session ({@link SQLConf#get()}). */
  public static TesseraConf current() {
    return from(SQLConf.get());
  }

  /**
   * The settings in {@code conf}.
   *
   * @throws IllegalArgumentException naming the key whose value is malformed or out of range
   */
  public static TesseraConf from(SQLConf conf) {
    return new TesseraConf(
        (int) parseLong(conf, BATCH_ROWS, DEFAULT_BATCH_ROWS, Integer.MAX_VALUE),
        parseLong(conf, BATCH_BYTES, DEFAULT_BATCH_BYTES, Long.MAX_VALUE),
        conf.getConfString(BACKEND, AUTO),
        parseBoolean(conf, FALLBACK, true),
        parseBoolean(conf, COMPILE_EXPRESSIONS, false));
  }

  private static long parseLong(SQLConf conf, String key, long defaultValue, long max) {
    String text = conf.getConfString(key, Long.toString(defaultValue)).trim();
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + text + "'", e);
    }
    if (value > max) {
      throw new IllegalArgumentException(key + " must be at most " + max + ", got " + value);
    }
    return value;
  }

  private static boolean parseBoolean(SQLConf conf, String key, boolean defaultValue) {
    String text = conf.getConfString(key, Boolean.toString(defaultValue)).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + text + "'");
    };
  }
}
