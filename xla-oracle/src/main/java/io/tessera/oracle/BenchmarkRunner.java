package io.tessera.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XLA baseline: runs {@link XlaBenchmark} once per {@link BenchmarkMode}, each in a fresh JVM
 * with the mode's environment, then writes {@code results.csv} and a {@code benchmark.md} table
 * that gives each XLA runtime's time as a ratio to TensorFlow's own and names the machine.
 *
 * <p>Usage: {@code BenchmarkRunner OUT_DIR} (the {@code benchmark} execution of the pom).
 */
public final class BenchmarkRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BenchmarkRunner.class);

  private BenchmarkRunner() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    Path csv = out.resolve("results.csv");
    Files.deleteIfExists(csv);
    String loadBefore = loadAverage();
    for (BenchmarkMode mode : BenchmarkMode.values()) {
      LOG.info("timing {} in a new JVM", mode.label);
      runChild(mode, csv, out);
    }
    // For the merged table (io.tessera.benchmarks.XlaComparison, in a JVM of its own).
    Files.writeString(out.resolve("run.properties"), String.join("\n",
        "machine=" + machine(),
        "tensorflow=" + org.tensorflow.TensorFlow.version(),
        "threads=" + XlaBenchmark.threads(),
        "date=" + LocalDate.now(),
        "java=" + System.getProperty("java.version"),
        "load_before=" + loadBefore,
        "load_after=" + loadAverage()) + "\n");
    List<XlaBenchmark.Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      rows.add(XlaBenchmark.Row.parse(line));
    }
    Files.writeString(out.resolve("benchmark.md"), table(rows));
    LOG.info("wrote {}", out.resolve("benchmark.md"));
  }

  /**
   * Runs one mode in a fresh JVM. The XLA_CLASSIC run also dumps XLA's modules (into
   * {@code OUT/xla-dump}; dumping happens while XLA compiles, before the timed runs) and exports
   * them with their inputs and results into {@code OUT/modules}.
   */
  private static void runChild(BenchmarkMode mode, Path csv, Path out) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx6g");
    String cacheDir = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cacheDir != null) {
      command.add("-Dorg.bytedeco.javacpp.cachedir=" + cacheDir);
    }
    command.add("-Dtessera.bench.threads=" + XlaBenchmark.threads());
    boolean export = mode == BenchmarkMode.XLA_CLASSIC;
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), XlaBenchmark.class.getName(),
        mode.name(), csv.toString()));
    if (export) {
      command.add(out.resolve("modules").toString());
    }
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().remove("TF_XLA_FLAGS");
    pb.environment().remove("XLA_FLAGS");
    pb.environment().putAll(mode.environment);
    if (export) {
      pb.environment().put("XLA_FLAGS", (mode.environment.get("XLA_FLAGS") + " --xla_dump_to="
          + out.resolve("xla-dump") + " --xla_dump_hlo_as_text --xla_dump_large_constants").trim());
    }
    pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
    int exit = pb.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException(mode + " benchmark JVM exited with " + exit);
    }
  }

  /** Median times per graph and mode, and TF's time divided by each XLA runtime's (above 1: XLA is faster). */
  static String table(List<XlaBenchmark.Row> rows) {
    Map<String, Map<BenchmarkMode, XlaBenchmark.Row>> byGraph = new LinkedHashMap<>();
    for (XlaBenchmark.Row row : rows) {
      byGraph.computeIfAbsent(row.graph(), g -> new EnumMap<>(BenchmarkMode.class)).put(row.mode(), row);
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# XLA baseline on the CPU\n\n")
        .append("Machine: ").append(machine()).append(". TensorFlow ").append(org.tensorflow.TensorFlow.version())
        .append(" (TF Java 1.1.0), ").append(LocalDate.now()).append(", ").append(XlaBenchmark.threads())
        .append(" intra-op and inter-op thread(s) (0: one per core).\n\n")
        .append("Steady state: median milliseconds per run after a warm-up (at least 10 runs and 3 s). ")
        .append("\"TF / XLA\" is TensorFlow's time divided by XLA's: above 1, XLA is faster. ")
        .append("First run: milliseconds of the first run, which includes XLA's compilation.\n\n")
        .append("| graph | TF (no XLA) ms | XLA thunks ms | TF / XLA thunks | XLA classic ms | TF / XLA classic "
            + "| first run TF / thunks / classic ms |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Map<BenchmarkMode, XlaBenchmark.Row>> e : byGraph.entrySet()) {
      XlaBenchmark.Row tf = e.getValue().get(BenchmarkMode.TF);
      XlaBenchmark.Row thunks = e.getValue().get(BenchmarkMode.XLA_THUNKS);
      XlaBenchmark.Row classic = e.getValue().get(BenchmarkMode.XLA_CLASSIC);
      sb.append("| ").append(e.getKey())
          .append(" | ").append(ms(tf)).append(" | ").append(ms(thunks)).append(" | ").append(ratio(tf, thunks))
          .append(" | ").append(ms(classic)).append(" | ").append(ratio(tf, classic))
          .append(" | ").append(first(tf)).append(" / ").append(first(thunks)).append(" / ").append(first(classic))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String ms(XlaBenchmark.Row row) {
    return row == null ? "-" : String.format(Locale.ROOT, "%.2f", row.medianMs());
  }

  private static String first(XlaBenchmark.Row row) {
    return row == null ? "-" : String.format(Locale.ROOT, "%.0f", row.firstMs());
  }

  private static String ratio(XlaBenchmark.Row tf, XlaBenchmark.Row xla) {
    return tf == null || xla == null ? "-" : String.format(Locale.ROOT, "%.2f", tf.medianMs() / xla.medianMs());
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The CPU model and the number of hardware threads, from /proc/cpuinfo where there is one. */
  private static String machine() {
    String model = System.getProperty("os.arch");
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux: the architecture will do
    }
    return model + ", " + Runtime.getRuntime().availableProcessors() + " hardware threads";
  }
}
