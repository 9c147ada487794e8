package io.tessera.benchmarks;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.cpu.CpuBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;

/**
 * What {@link XlaComparison} and {@link FusionBenchmarks} share: timing (warm-up, then medians),
 * the machine's description and load average, native buffers, and the ratios TSV that the report
 * generator reads ({@code suite\tcase\tcompared_with\tratio\tnote}).
 */
final class BenchSupport {
  private BenchSupport() {}

  /** Median, minimum and count of a series of run times, in seconds. */
  record Timing(double median, double min, int runs) {}

  /**
   * Times {@code body} as {@code XlaBenchmark} times TensorFlow (so that both sides of the XLA
   * table are measured alike): {@code warmups} untimed runs, then runs until at least
   * {@code minRuns} and {@code minSeconds} have passed; the median of those.
   */
  static Timing time(int warmups, int minRuns, double minSeconds, Runnable body) {
    for (int i = 0; i < warmups; i++) {
      body.run();
    }
    List<Double> times = new ArrayList<>();
    long start = System.nanoTime();
    long minNanos = (long) (minSeconds * 1e9);
    while (times.size() < minRuns || System.nanoTime() - start < minNanos) {
      long t0 = System.nanoTime();
      body.run();
      times.add((System.nanoTime() - t0) / 1e9);
    }
    double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Timing(sorted[sorted.length / 2], sorted[0], sorted.length);
  }

  /**
   * Times several bodies round-robin (one run of each per round) so that a change in the machine's
   * load touches all of them alike: {@code warmups} rounds untimed, then rounds until at least
   * {@code minRounds} and {@code minSeconds}; the median of each body's runs, in seconds.
   */
  static double[] timeInterleaved(List<Runnable> bodies, int warmups, int minRounds, double minSeconds) {
    for (int i = 0; i < warmups; i++) {
      bodies.forEach(Runnable::run);
    }
    List<List<Double>> times = new ArrayList<>();
    bodies.forEach(b -> times.add(new ArrayList<>()));
    long start = System.nanoTime();
    long minNanos = (long) (minSeconds * 1e9);
    for (int round = 0; round < minRounds || System.nanoTime() - start < minNanos; round++) {
      for (int k = 0; k < bodies.size(); k++) {
        long t0 = System.nanoTime();
        bodies.get(k).run();
        times.get(k).add((System.nanoTime() - t0) / 1e9);
      }
    }
    double[] medians = new double[bodies.size()];
    for (int k = 0; k < medians.length; k++) {
      double[] sorted = times.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      medians[k] = sorted[sorted.length / 2];
    }
    return medians;
  }

  /** CPU model, cores visible, and the LLVM target the CPU backend compiles for. */
  static String machine() {
    String[] parts = new CpuBackend().targetDescription(BackendOptions.defaults()).split(" ");
    List<String> features = parts.length > 2 ? List.of(parts[2].split(",")) : List.of();
    StringBuilder sb = new StringBuilder(Machine.cpuName()).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores visible, ").append(Machine.cpuinfo("cpu MHz"))
        .append(" MHz per /proc/cpuinfo; LLVM target ").append(parts[0]).append(' ')
        .append(parts.length > 1 ? parts[1] : "");
    for (String f : new String[] {"avx2", "fma", "avx512f"}) {
      sb.append(features.contains("+" + f) ? ", " + f : ", no " + f);
    }
    return sb.toString();
  }

  /** A buffer of native memory (JavaCPP), 64-byte aligned, freed by {@link #close}. */
  static final class NativeBuffer implements AutoCloseable {
    private final BytePointer raw;
    final long address;
    final long bytes;

    NativeBuffer(long bytes) {
      this.bytes = bytes;
      this.raw = new BytePointer(Math.max(1, bytes) + 64);
      if (raw.isNull()) {
        throw new OutOfMemoryError("could not allocate " + bytes + " bytes of native memory");
      }
      raw.fill(0); // touches every page before anything is timed
      long a = raw.address();
      this.address = (a + 63) & ~63L;
    }

    /** A buffer holding {@code content}. */
    static NativeBuffer of(byte[] content) {
      NativeBuffer b = new NativeBuffer(content.length);
      b.view().put(content);
      return b;
    }

    /** The buffer as a little-endian byte buffer (its whole length). */
    ByteBuffer view() {
      long offset = address - raw.address();
      // asByteBuffer starts at the pointer's address whatever its position: move the address instead.
      return raw.getPointer(offset).capacity(Math.max(1, bytes)).limit(Math.max(1, bytes)).asByteBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
      raw.deallocate();
    }
  }

  /** One row of a {@code *.ratios.tsv}; tabs and newlines in the note become spaces. */
  static String ratioRow(String suite, String caseName, String comparedWith, double ratio, String note) {
    return String.join("\t", suite, caseName, comparedWith, String.format(Locale.ROOT, "%.3f", ratio),
        note.replaceAll("[\\t\\n\\r]", " ")) + "\n";
  }

  static final String RATIOS_HEADER = "suite\tcase\tcompared_with\tratio\tnote\n";

  static String ms(double seconds) {
    return String.format(Locale.ROOT, "%.2f", seconds * 1e3);
  }

  static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
