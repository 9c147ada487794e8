package io.tessera.benchmarks;

import io.tessera.arrow.ArrowKernel;
import io.tessera.arrow.ColumnBinding;
import io.tessera.arrow.tools.ArrowApplyCommand;
import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.BatchingPass;
import io.tessera.compiler.text.HloParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow bridge side by side with a plain Java loop, in one JVM run: Arrow batches with two
 * float columns {@code a}, {@code b} and a 16-float {@code FixedSizeList} column {@code features}
 * (0.1% of {@code a} null) go through a small model, {@code score = logistic(a * dot(features, w)
 * + b)} with a constant {@code w}:
 *
 * <ul>
 *   <li>Tessera: {@link ArrowKernel#apply} per batch on the CPU backend (compiled once), output
 *       vectors allocated per batch; the time inside {@link Executable#execute} is measured
 *       separately, so the rest (column mapping, validity, allocation) is the time outside the
 *       kernel;
 *   <li>Java: a loop over the same vectors reading each value with {@code get(i)} and writing a
 *       new {@code Float4Vector} per batch, nulls handled per row;
 *   <li>{@code arrow-apply} end to end on an Arrow IPC file of the same size.
 * </ul>
 *
 * <p>Every in-memory figure is a median over the batches of repeated passes, after warm-up, in
 * thread CPU time and in wall time (the machine is shared). Single thread.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests}, then
 * {@code bin/bench-arrow [OUT.md] [ROWS]}.
 * Writes a markdown table to {@code benchmarks/results/arrow.md} (or the path given as the first
 * argument) and the ratios to {@code arrow.ratios.tsv} beside it ({@link Ratios}); the second
 * argument is the total row count (default 10M).
 */
public final class ArrowBenchmarks {
  private static final int FEATURES = 16;
  private static final int WARMUPS = 2;
  private static final int PASSES = 5;
  private static final int JIT_WARMUP_CALLS = 20_000;
  private static final float[] W = new float[FEATURES];

  static {
    for (int j = 0; j < FEATURES; j++) {
      W[j] = (j % 3 - 1) * 0.25f + j / 64f;
    }
  }

  /** The model, per row, as a user writes it for {@code arrow-apply} or {@code tessera_apply}. */
  static String perRowModel() {
    StringBuilder w = new StringBuilder();
    for (int j = 0; j < FEATURES; j++) {
      w.append(j == 0 ? "" : ", ").append(W[j]);
    }
    return """
        HloModule score
        ENTRY e {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          features = f32[16] parameter(2)
          w = f32[16] constant({%s})
          d = f32[] dot(features, w), lhs_contracting_dims={0}, rhs_contracting_dims={0}
          ad = f32[] multiply(a, d)
          z = f32[] add(ad, b)
          ROOT score = f32[] logistic(z)
        }
        """.formatted(w);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** By thread CPU time (the main table) and by wall-clock time. */
  private final List<String[]> rows = new ArrayList<>();
  private final List<String[]> wallRows = new ArrayList<>();
  /** The machine-readable ratios ({@link Ratios}), from the thread-CPU-time figures. */
  private final List<String[]> ratios = new ArrayList<>();
  private String fileRow = "";
  private String loadBefore = "";
  private String loadAfter = "";

  /** Per-batch times of one configuration: apply, apply outside the kernel, the Java loop. */
  private static final class Samples {
    final List<Double> apply = new ArrayList<>();
    final List<Double> outside = new ArrayList<>();
    final List<Double> java = new ArrayList<>();

    void add(long applyNanos, long outsideNanos, long javaNanos) {
      apply.add((double) applyNanos);
      outside.add((double) outsideNanos);
      java.add((double) javaNanos);
    }

    String[] row(int batchRows, double maxDifference) {
      double tesseraRate = batchRows / (median(apply) / 1e9);
      double javaRate = batchRows / (median(java) / 1e9);
      return new String[] {String.format(Locale.ROOT, "%,d", batchRows), mrows(tesseraRate), mrows(javaRate),
          String.format(Locale.ROOT, "%.1fx", tesseraRate / javaRate),
          String.format(Locale.ROOT, "%.0f µs", median(outside) / 1e3),
          String.format(Locale.ROOT, "%.1f%%", 100 * median(outside) / median(apply)),
          String.format(Locale.ROOT, "%.1e", maxDifference)};
    }
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/arrow.md");
    long totalRows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    ArrowBenchmarks b = new ArrowBenchmarks();
    b.loadBefore = Machine.loadAverage();
    Backend cpu = Backends.byName("cpu");
    if (!cpu.isAvailable()) {
      throw new IllegalStateException("the cpu backend is not available: " + cpu.unavailableReason());
    }
    for (int batchRows : new int[] {65_536, 4_096, 1 << 20}) {
      b.measure(cpu, totalRows, batchRows);
    }
    b.fileRun(totalRows, 65_536);
    b.loadAfter = Machine.loadAverage();
    String table = b.markdown(totalRows);
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    Path tsv = Ratios.pathBeside(out, "arrow");
    Ratios.write(tsv, b.ratios);
    System.out.println("written to " + out + " and " + tsv);
  }

  private void measure(Backend cpu, long totalRows, int batchRows) {
    // What ArrowKernel.compile does, with a timer around the executable: batch, then compile.
    Module module = HloParser.parse(perRowModel());
    new BatchingPass().run(module);
    try (BufferAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = batches(allocator, totalRows, batchRows);
      TimedExecutable timed = new TimedExecutable(cpu.compile(module));
      try (ArrowKernel kernel = ArrowKernel.forExecutable(timed, List.of("score"), ColumnBinding.byPosition())) {
        double maxDifference = compare(kernel, batches.get(0), allocator);
        warmUpTheJit(kernel, allocator);
        // Per full batch, over all passes: wall and thread CPU time of apply, of the kernel, of the loop.
        // Each pass runs every batch through Tessera, then every batch through the Java loop, so that
        // neither disturbs the other's allocator and caches batch by batch.
        Samples wall = new Samples();
        Samples cpuTime = new Samples();
        for (int pass = -WARMUPS; pass < PASSES; pass++) {
          List<long[]> tessera = new ArrayList<>();
          for (VectorSchemaRoot batch : batches) {
            long kernelWall = timed.wallNanos;
            long kernelCpu = timed.cpuNanos;
            long startWall = System.nanoTime();
            long startCpu = THREADS.getCurrentThreadCpuTime();
            kernel.apply(batch, allocator).close();
            long applyWall = System.nanoTime() - startWall;
            long applyCpu = THREADS.getCurrentThreadCpuTime() - startCpu;
            tessera.add(new long[] {applyWall, applyWall - (timed.wallNanos - kernelWall), applyCpu,
                applyCpu - (timed.cpuNanos - kernelCpu)});
          }
          for (int i = 0; i < batches.size(); i++) {
            VectorSchemaRoot batch = batches.get(i);
            long startWall = System.nanoTime();
            long startCpu = THREADS.getCurrentThreadCpuTime();
            javaLoop(batch, allocator).close();
            long javaWall = System.nanoTime() - startWall;
            long javaCpu = THREADS.getCurrentThreadCpuTime() - startCpu;
            if (pass >= 0 && batch.getRowCount() == batchRows) {
              long[] t = tessera.get(i);
              wall.add(t[0], t[1], javaWall);
              cpuTime.add(t[2], t[3], javaCpu);
            }
          }
        }
        rows.add(cpuTime.row(batchRows, maxDifference));
        ratios.add(new String[] {"arrow", String.format(Locale.ROOT, "ArrowKernel.apply, %,d-row batches", batchRows),
            "Java loop, get(i)", Ratios.format(median(cpuTime.java) / median(cpuTime.apply)),
            "thread CPU time"});
        wallRows.add(wall.row(batchRows, maxDifference));
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  /**
   * Runs {@code apply} and the Java loop often enough on a small batch for the JIT to compile the
   * per-batch code with C2: a few hundred large batches would otherwise be timed partly in the
   * interpreter, which is a one-time cost per JVM, not a per-batch one.
   */
  private static void warmUpTheJit(ArrowKernel kernel, BufferAllocator allocator) {
    List<VectorSchemaRoot> small = batches(allocator, 256, 256);
    try {
      for (int i = 0; i < JIT_WARMUP_CALLS; i++) {
        kernel.apply(small.get(0), allocator).close();
        javaLoop(small.get(0), allocator).close();
      }
    } finally {
      small.forEach(VectorSchemaRoot::close);
    }
  }

  private static final FieldType FLOAT = FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
  private static final Schema SCHEMA = new Schema(List.of(new Field("a", FLOAT, null), new Field("b", FLOAT, null),
      new Field("features", FieldType.nullable(new ArrowType.FixedSizeList(FEATURES)),
          List.of(new Field("$data$", FLOAT, null)))));

  /** Batches of {@code batchRows} rows (the last one shorter) holding {@code totalRows} rows. */
  private static List<VectorSchemaRoot> batches(BufferAllocator allocator, long totalRows, int batchRows) {
    Random random = new Random(42);
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (long done = 0; done < totalRows; done += batchRows) {
      VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
      fill(root, (int) Math.min(batchRows, totalRows - done), random);
      batches.add(root);
    }
    return batches;
  }

  /** Fills {@code root} with {@code n} random rows, 0.1% of {@code a} null. */
  private static void fill(VectorSchemaRoot root, int n, Random random) {
    root.getFieldVectors().forEach(v -> v.setInitialCapacity(n));
    root.allocateNew();
    Float4Vector a = (Float4Vector) root.getVector("a");
    Float4Vector b = (Float4Vector) root.getVector("b");
    FixedSizeListVector features = (FixedSizeListVector) root.getVector("features");
    Float4Vector values = (Float4Vector) features.getDataVector();
    for (int i = 0; i < n; i++) {
      if (random.nextInt(1000) == 0) {
        a.setNull(i);
      } else {
        a.set(i, (float) random.nextGaussian());
      }
      b.set(i, (float) random.nextGaussian());
      features.setNotNull(i);
      for (int j = 0; j < FEATURES; j++) {
        values.set(i * FEATURES + j, (float) random.nextGaussian());
      }
    }
    root.setRowCount(n);
  }

  /**
   * {@code tessera arrow-apply} in this JVM on an Arrow IPC file of {@code totalRows} rows in
   * batches of {@code batchRows}: wall time from start to the renamed output file, compilation
   * and file reading and writing included.
   */
  private void fileRun(long totalRows, int batchRows) throws IOException {
    Path dir = Files.createTempDirectory("tessera-arrow-bench");
    Path in = dir.resolve("in.arrow");
    Path out = dir.resolve("out.arrow");
    Path hlo = Files.writeString(dir.resolve("score.hlo"), perRowModel());
    try {
      Random random = new Random(7);
      try (BufferAllocator allocator = new RootAllocator();
          VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
          FileChannel channel = FileChannel.open(in, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
        writer.start();
        for (long done = 0; done < totalRows; done += batchRows) {
          fill(root, (int) Math.min(batchRows, totalRows - done), random);
          writer.writeBatch();
        }
        writer.end();
      }
      ByteArrayOutputStream messages = new ByteArrayOutputStream();
      long start = System.nanoTime();
      int status = ArrowApplyCommand.run(List.of("--hlo", hlo.toString(), "--in", in.toString(), "--out", out.toString(),
          "--backend", "cpu"), System.out, new PrintStream(messages, true, StandardCharsets.UTF_8));
      double seconds = (System.nanoTime() - start) / 1e9;
      if (status != 0) {
        throw new IllegalStateException("arrow-apply failed: " + messages);
      }
      fileRow = String.format(Locale.ROOT, "`arrow-apply` on an Arrow IPC file of %,d rows in batches of %,d (%,d MB in,"
          + " %,d MB out), cpu backend, in one JVM: %.1f s from start to the renamed output, %.1f M rows/s (compilation,"
          + " reading and writing included).%n", totalRows, batchRows, Files.size(in) >> 20, Files.size(out) >> 20,
          seconds, totalRows / seconds / 1e6);
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(hlo);
      Files.deleteIfExists(dir);
    }
  }

  /** The baseline: the model over the vectors, value by value through {@code get(i)}. */
  private static Float4Vector javaLoop(VectorSchemaRoot batch, BufferAllocator allocator) {
    int n = batch.getRowCount();
    Float4Vector a = (Float4Vector) batch.getVector("a");
    Float4Vector b = (Float4Vector) batch.getVector("b");
    FixedSizeListVector features = (FixedSizeListVector) batch.getVector("features");
    Float4Vector values = (Float4Vector) features.getDataVector();
    Float4Vector score = new Float4Vector("score", allocator);
    score.allocateNew(n);
    for (int i = 0; i < n; i++) {
      if (a.isNull(i) || b.isNull(i) || features.isNull(i)) {
        score.setNull(i);
        continue;
      }
      float d = 0;
      for (int j = 0; j < FEATURES; j++) {
        d += values.get(i * FEATURES + j) * W[j];
      }
      float z = a.get(i) * d + b.get(i);
      score.set(i, (float) (1 / (1 + Math.exp(-z))));
    }
    score.setValueCount(n);
    return score;
  }

  /** Largest difference between Tessera's and the Java loop's scores on {@code batch}. */
  private static double compare(ArrowKernel kernel, VectorSchemaRoot batch, BufferAllocator allocator) {
    try (VectorSchemaRoot result = kernel.apply(batch, allocator);
        Float4Vector expected = javaLoop(batch, allocator)) {
      Float4Vector score = (Float4Vector) result.getVector("score");
      double max = 0;
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (score.isNull(i) != expected.isNull(i)) {
          throw new IllegalStateException("row " + i + ": null differs");
        }
        if (!score.isNull(i)) {
          max = Math.max(max, Math.abs(score.get(i) - expected.get(i)));
        }
      }
      return max;
    }
  }

  private String markdown(long totalRows) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Arrow bridge: Tessera vs a Java loop over the same vectors\n\n");
    sb.append(String.format(Locale.ROOT, "%,d rows; columns `a`, `b` (float32, 0.1%% of `a` null) and `features`"
        + " (fixed_size_list<float32>[16]); model `score = logistic(a * dot(features, w) + b)`, w constant.%n", totalRows));
    sb.append("Tessera: `ArrowKernel.apply` on the cpu backend, compiled once, new output vectors per batch. ");
    sb.append("Java: `get(i)` per value, `isNull(i)` per row, a new `Float4Vector` per batch. ");
    sb.append("Outside the kernel: `apply` time not spent in `Executable.execute` (column mapping, validity, ");
    sb.append("output allocation), per batch and as a share of `apply`. Each figure is the median over the full ");
    sb.append("batches of " + PASSES + " passes (after " + String.format(Locale.ROOT, "%,d", JIT_WARMUP_CALLS)
        + " calls on a small batch for the JIT and " + WARMUPS + " warm-up passes), one thread. ");
    sb.append("The machine is shared with other work, so the main table counts the benchmark thread's CPU time ");
    sb.append("(what wall time is on an idle machine); the wall-clock table below it includes the waits.\n\n");
    table(sb, rows);
    sb.append("\nWall-clock time, same runs:\n\n");
    table(sb, wallRows);
    sb.append("\n").append(fileRow);
    sb.append("\nMachine: ").append(Machine.cpuName()).append(", ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores; Java ").append(System.getProperty("java.version")).append("; ").append(LocalDate.now())
        .append("; load average (1, 5, 15 min) ").append(loadBefore).append(" before the run, ").append(loadAfter).append(" after.\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<String[]> rows) {
    sb.append("| batch rows | Tessera rows/s | Java get(i) rows/s | speed-up | outside kernel per batch | outside kernel |"
        + " max abs diff |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String[] r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
  }

  private static String mrows(double rate) {
    return String.format(Locale.ROOT, "%.1f M", rate / 1e6);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** An executable that adds up the wall and thread CPU time spent in {@link #execute}. */
  private static final class TimedExecutable implements Executable {
    private final Executable delegate;
    long wallNanos;
    long cpuNanos;

    TimedExecutable(Executable delegate) {
      this.delegate = delegate;
    }

    @Override
    public String backendName() {
      return delegate.backendName();
    }

    @Override
    public ExecutableSignature signature() {
      return delegate.signature();
    }

    @Override
    public void execute(long rowCount, Buffers parameters, Buffers results) {
      long startWall = System.nanoTime();
      long startCpu = THREADS.getCurrentThreadCpuTime();
      delegate.execute(rowCount, parameters, results);
      cpuNanos += THREADS.getCurrentThreadCpuTime() - startCpu;
      wallNanos += System.nanoTime() - startWall;
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
