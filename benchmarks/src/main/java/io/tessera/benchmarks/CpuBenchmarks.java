package io.tessera.benchmarks;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The CPU backend side by side with plain Java and the memory-bandwidth limit, in one JVM run:
 *
 * <ul>
 *   <li>fused elementwise f32 over 16M elements: {@code a*x+b} and {@code tanh(a*x+b) *
 *       logistic(x)}: Tessera on native buffers, a plain Java loop over float arrays holding the
 *       same values, and a memcpy of the same number of bytes (read + write);
 *   <li>dot f32 [4096,256] x [256,256] and the GEMV [4096,256] x [256]: GFLOP/s of Tessera, of a
 *       plain Java triple loop (i-k-j order, which C2 vectorizes), and one core's peak (2 FMA x 8
 *       lanes x 2 flops x the clock in /proc/cpuinfo);
 *   <li>compile time of a 20-op fused module, the first compile in the JVM and later ones, and
 *       the overhead of one call.
 * </ul>
 *
 * <p>Every measurement warms up, repeats, and reports the median. Single-threaded throughout.
 * Writes a markdown table to {@code benchmarks/results/cpu.md} (or the path given as the first
 * argument) and prints it, and the ratios to {@code cpu.ratios.tsv} beside it ({@link Ratios}).
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && bin/bench-cpu}.
 */
public final class CpuBenchmarks {
  private static final int ELEMENTS = 1 << 24;
  private static final int M = 4096;
  private static final int K = 256;
  private static final int N = 256;
  private static final CpuBackend CPU = new CpuBackend();

  private final List<String[]> rows = new ArrayList<>();
  /** The machine-readable ratios ({@link Ratios}): suite, case, compared with, ratio, note. */
  private final List<String[]> ratios = new ArrayList<>();

  private void ratio(String caseName, String comparedWith, double ratio, String note) {
    ratios.add(new String[] {"cpu", caseName, comparedWith, Ratios.format(ratio), note});
  }

  private static String loadBefore;

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/cpu.md");
    loadBefore = Machine.loadAverage();
    // Compile time first, so that "first compile" is the JVM's first.
    CpuBenchmarks b = new CpuBenchmarks();
    double[] compile = b.compileTimes();
    b.elementwise();
    b.dots();
    b.rows.add(new String[] {"compile 20-op fused module, first in JVM", ms(compile[0]), "", "",
        "includes LLVM and JIT start-up"});
    b.rows.add(new String[] {"compile 20-op fused module, later (median of 10)", ms(compile[1]), "", "", ""});
    b.rows.add(new String[] {"call overhead: f32[4] negate, per call", String.format("%.2f us", b.callOverhead() * 1e6),
        "", "", "argument checks, frame, trampoline"});
    String table = b.markdown();
    System.out.println(table);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, table);
    Path tsv = Ratios.pathBeside(out, "cpu");
    Ratios.write(tsv, b.ratios);
    System.out.println("written to " + out + " and " + tsv);
  }

  // ---- fused elementwise ---------------------------------------------------------------------

  private void elementwise() {
    Random random = new Random(1);
    float[] x = new float[ELEMENTS];
    for (int i = 0; i < ELEMENTS; i++) {
      x[i] = (float) (random.nextGaussian() * 3);
    }
    float a = 0.75f;
    float b = -0.25f;
    long bytes = 4L * ELEMENTS;
    try (NativeArray xs = new NativeArray(x); NativeArray as = new NativeArray(new float[] {a});
         NativeArray bs = new NativeArray(new float[] {b}); NativeArray ys = new NativeArray(new float[ELEMENTS])) {
      float[] y = new float[ELEMENTS];
      double copy = median(10, () -> Pointer.memcpy(ys.memory, xs.memory, bytes));
      double copyGbs = 2.0 * bytes / copy / 1e9;
      rows.add(new String[] {"memcpy of 64 MiB (the bandwidth limit)", ms(copy), gbs(copyGbs), "1.00 of copy", ""});

      String axpb = """
          HloModule axpb
          ENTRY e {
            x = f32[%1$d] parameter(0)
            a = f32[] parameter(1)
            b = f32[] parameter(2)
            ab = f32[%1$d] broadcast(a), dimensions={}
            bb = f32[%1$d] broadcast(b), dimensions={}
            ax = f32[%1$d] multiply(ab, x)
            ROOT r = f32[%1$d] add(ax, bb)
          }
          """.formatted(ELEMENTS);
      double tessera = timeKernel(axpb, List.of(xs, as, bs), ys);
      double java = median(10, () -> {
        for (int i = 0; i < ELEMENTS; i++) {
          y[i] = a * x[i] + b;
        }
      });
      checkClose(ys, y, 0, "a*x+b");
      double gb = 2.0 * bytes / tessera / 1e9;
      rows.add(new String[] {"a*x+b f32[16M], Tessera", ms(tessera), gbs(gb), ratio(copy / tessera) + " of copy",
          ratio(java / tessera) + "x the Java loop"});
      rows.add(new String[] {"a*x+b f32[16M], Java loop", ms(java), gbs(2.0 * bytes / java / 1e9),
          ratio(copy / java) + " of copy", ""});
      ratio("a*x+b f32[16M]", "Java loop", java / tessera, "memory-bound");
      ratio("a*x+b f32[16M]", "memcpy (bandwidth limit)", copy / tessera, "fraction of the limit: same bytes read and written");

      String chain = """
          HloModule chain
          ENTRY e {
            x = f32[%1$d] parameter(0)
            a = f32[] parameter(1)
            b = f32[] parameter(2)
            ab = f32[%1$d] broadcast(a), dimensions={}
            bb = f32[%1$d] broadcast(b), dimensions={}
            ax = f32[%1$d] multiply(ab, x)
            axb = f32[%1$d] add(ax, bb)
            t = f32[%1$d] tanh(axb)
            l = f32[%1$d] logistic(x)
            ROOT r = f32[%1$d] multiply(t, l)
          }
          """.formatted(ELEMENTS);
      tessera = timeKernel(chain, List.of(xs, as, bs), ys);
      java = median(3, () -> {
        for (int i = 0; i < ELEMENTS; i++) {
          float v = x[i];
          y[i] = (float) (Math.tanh(a * v + b) * (1 / (1 + Math.exp(-v))));
        }
      });
      checkClose(ys, y, 1e-6, "tanh(a*x+b)*logistic(x)");
      rows.add(new String[] {"tanh(a*x+b)*logistic(x) f32[16M], Tessera", ms(tessera), gbs(2.0 * bytes / tessera / 1e9),
          ratio(copy / tessera) + " of copy", ratio(java / tessera) + "x the Java loop"});
      rows.add(new String[] {"tanh(a*x+b)*logistic(x) f32[16M], Java loop (Math.tanh, Math.exp)", ms(java),
          gbs(2.0 * bytes / java / 1e9), ratio(copy / java) + " of copy", ""});
      ratio("tanh(a*x+b)*logistic(x) f32[16M]", "Java loop (Math.tanh, Math.exp)", java / tessera, "");
      ratio("tanh(a*x+b)*logistic(x) f32[16M]", "memcpy (bandwidth limit)", copy / tessera,
          "fraction of the limit: same bytes read and written");
    }
  }

  // ---- dots ----------------------------------------------------------------------------------

  private void dots() {
    Random random = new Random(2);
    float[] a = randomFloats(random, M * K);
    float[] w = randomFloats(random, K * N);
    float[] v = randomFloats(random, K);
    double peak = peakGflops();
    try (NativeArray as = new NativeArray(a); NativeArray ws = new NativeArray(w); NativeArray vs = new NativeArray(v);
         NativeArray c = new NativeArray(new float[M * N]); NativeArray yv = new NativeArray(new float[M])) {
      String gemm = """
          HloModule gemm
          ENTRY e {
            a = f32[%d,%d] parameter(0)
            w = f32[%d,%d] parameter(1)
            ROOT c = f32[%d,%d] dot(a, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          }
          """.formatted(M, K, K, N, M, N);
      double flops = 2.0 * M * N * K;
      double tessera = timeKernel(gemm, List.of(as, ws), c);
      float[] cj = new float[M * N];
      double java = median(3, () -> {
        Arrays.fill(cj, 0);
        for (int i = 0; i < M; i++) {
          for (int p = 0; p < K; p++) {
            float aip = a[i * K + p];
            for (int j = 0; j < N; j++) {
              cj[i * N + j] += aip * w[p * N + j];
            }
          }
        }
      });
      checkClose(c, cj, 1e-5, "gemm");
      double gf = flops / tessera / 1e9;
      rows.add(new String[] {"dot f32[4096,256] x [256,256], Tessera", ms(tessera), gflops(gf),
          percent(gf / peak) + " of one core's peak", ratio(java / tessera) + "x the Java loop"});
      rows.add(new String[] {"dot f32[4096,256] x [256,256], Java triple loop (i-k-j)", ms(java),
          gflops(flops / java / 1e9), percent(flops / java / 1e9 / peak) + " of one core's peak", ""});
      ratio("dot f32[4096,256] x [256,256]", "Java triple loop (i-k-j)", java / tessera, "");
      ratio("dot f32[4096,256] x [256,256]", "one core's f32 peak (FLOP limit)", gf / peak, "fraction of the limit");

      String gemv = """
          HloModule gemv
          ENTRY e {
            a = f32[%d,%d] parameter(0)
            v = f32[%d] parameter(1)
            ROOT y = f32[%d] dot(a, v), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          }
          """.formatted(M, K, K, M);
      double gemvFlops = 2.0 * M * K;
      tessera = timeKernel(gemv, List.of(as, vs), yv);
      float[] yj = new float[M];
      java = median(20, () -> {
        for (int i = 0; i < M; i++) {
          float s = 0;
          for (int p = 0; p < K; p++) {
            s += a[i * K + p] * v[p];
          }
          yj[i] = s;
        }
      });
      checkClose(yv, yj, 1e-5, "gemv");
      rows.add(new String[] {"GEMV f32[4096,256] x [256], Tessera", ms(tessera), gflops(gemvFlops / tessera / 1e9),
          percent(gemvFlops / tessera / 1e9 / peak) + " of one core's peak", ratio(java / tessera) + "x the Java loop"});
      rows.add(new String[] {"GEMV f32[4096,256] x [256], Java loop", ms(java), gflops(gemvFlops / java / 1e9),
          percent(gemvFlops / java / 1e9 / peak) + " of one core's peak", ""});
      ratio("GEMV f32[4096,256] x [256]", "Java loop", java / tessera, "");
      ratio("GEMV f32[4096,256] x [256]", "one core's f32 peak (FLOP limit)", gemvFlops / tessera / 1e9 / peak,
          "fraction of the limit; 4 MiB of matrix per call, so memory-bound");
    }
  }

  private static float[] randomFloats(Random random, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return f;
  }

  // ---- compile time --------------------------------------------------------------------------

  /** {first compile in this JVM, median of the next ten} in seconds. */
  private double[] compileTimes() {
    StringBuilder sb = new StringBuilder("HloModule fused20\nENTRY e {\n  p0 = f32[1024] parameter(0)\n"
        + "  p1 = f32[1024] parameter(1)\n");
    String[] ops = {"add", "multiply", "tanh", "subtract", "exponential", "maximum", "multiply", "log-plus-one", "add",
        "negate", "minimum", "logistic", "multiply", "abs", "sqrt", "add", "sine", "divide", "floor", "add"};
    String prev = "p0";
    for (int i = 0; i < ops.length; i++) {
      String name = "v" + i;
      boolean binary = switch (ops[i]) {
        case "add", "multiply", "subtract", "maximum", "minimum", "divide" -> true;
        default -> false;
      };
      sb.append("  ").append(i == ops.length - 1 ? "ROOT " : "").append(name).append(" = f32[1024] ").append(ops[i])
          .append('(').append(prev).append(binary ? ", p1" : "").append(")\n");
      prev = name;
    }
    String text = sb.append("}\n").toString();
    long start = System.nanoTime();
    CPU.compile(HloParser.parse(text), BackendOptions.defaults()).close();
    double first = (System.nanoTime() - start) / 1e9;
    double later = median(10, () -> CPU.compile(HloParser.parse(text), BackendOptions.defaults()).close());
    return new double[] {first, later};
  }

  /** Seconds per call of a tiny kernel: what a call costs beyond its work. */
  private double callOverhead() {
    int calls = 100_000;
    try (NativeArray x = new NativeArray(new float[4]); NativeArray r = new NativeArray(new float[4])) {
      String text = "HloModule small\nENTRY e {\n  x = f32[4] parameter(0)\n  ROOT r = f32[4] negate(x)\n}\n";
      return timeKernel(text, List.of(x), r, calls) / calls;
    }
  }

  // ---- measuring -----------------------------------------------------------------------------

  /** Median seconds of one Tessera call on these buffers (compiled once, warmed up). */
  private static double timeKernel(String hlo, List<NativeArray> params, NativeArray result) {
    return timeKernel(hlo, params, result, 1);
  }

  /** Median seconds of {@code calls} back-to-back Tessera calls. */
  private static double timeKernel(String hlo, List<NativeArray> params, NativeArray result, int calls) {
    Module module = HloParser.parse(hlo);
    try (Executable e = CPU.compile(module, BackendOptions.defaults())) {
      Buffers in = Buffers.host(params.stream().mapToLong(p -> p.memory.address()).toArray(),
          params.stream().mapToLong(p -> p.bytes).toArray());
      Buffers out = Buffers.host(new long[] {result.memory.address()}, new long[] {result.bytes});
      return median(10, () -> {
        for (int i = 0; i < calls; i++) {
          e.execute(in, out);
        }
      });
    }
  }

  /** Warms up ({@code repeats / 2 + 1} runs, at least 0.2 s), then the median of {@code repeats} runs. */
  private static double median(int repeats, Runnable body) {
    long warmEnd = System.nanoTime() + 200_000_000L;
    for (int i = 0; i < repeats / 2 + 1 || System.nanoTime() < warmEnd; i++) {
      body.run();
    }
    double[] t = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long s = System.nanoTime();
      body.run();
      t[i] = (System.nanoTime() - s) / 1e9;
    }
    Arrays.sort(t);
    return t[repeats / 2];
  }

  private static void checkClose(NativeArray got, float[] want, double tolerance, String what) {
    FloatBuffer g = got.floats();
    for (int i = 0; i < want.length; i++) {
      float gi = g.get(i);
      if (Math.abs(gi - want[i]) > tolerance * Math.max(1, Math.abs(want[i])) * 64) {
        throw new IllegalStateException(what + ": element " + i + " is " + gi + ", plain Java says " + want[i]);
      }
    }
  }

  /** f32 array in native memory (JavaCPP), with a float view for Java. */
  private static final class NativeArray implements AutoCloseable {
    final BytePointer memory;
    final long bytes;

    NativeArray(float[] values) {
      bytes = 4L * values.length;
      memory = new BytePointer(bytes);
      floats().put(values); // also touches every page before timing
    }

    FloatBuffer floats() {
      return memory.capacity(bytes).asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    @Override
    public void close() {
      memory.deallocate();
    }
  }

  // ---- machine and table ---------------------------------------------------------------------

  /** 2 FMA units x 8 f32 lanes x 2 flops per cycle, at the clock /proc/cpuinfo reports. */
  private static double peakGflops() {
    try {
      return 2 * 8 * 2 * Double.parseDouble(Machine.cpuinfo("cpu MHz")) / 1000;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private String markdown() {
    StringBuilder sb = new StringBuilder("# Tessera CPU benchmarks\n\n");
    sb.append("- machine: ").append(Machine.cpuName()).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores visible, ").append(Machine.cpuinfo("cpu MHz"))
        .append(" MHz per /proc/cpuinfo; one core's f32 peak ").append(String.format("%.1f", peakGflops()))
        .append(" GFLOP/s (2 FMA x 8 lanes x 2 flops x that clock; the core may boost above it)\n");
    sb.append("- LLVM target: ").append(target()).append('\n');
    sb.append("- date: ").append(LocalDate.now()).append(", Java ").append(System.getProperty("java.version"))
        .append('\n');
    sb.append("- single-threaded; medians after warm-up. The machine is shared and noisy (other builds may run\n"
        + "  at the same time), so ratios measured side by side in one run mean more than absolute times.\n"
        + "  Load average (1, 5, 15 min) before the run: ").append(loadBefore).append(", after: ").append(Machine.loadAverage())
        .append('\n');
    sb.append("- run: `mvn -B -q -pl benchmarks -am package -DskipTests && bin/bench-cpu`\n\n");
    sb.append("| benchmark | time (median) | throughput | vs limit | vs Java |\n");
    sb.append("| --- | ---: | ---: | ---: | ---: |\n");
    for (String[] r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return sb.toString();
  }

  /** Triple, CPU name and the vector features that matter here. */
  private static String target() {
    String[] parts = CPU.targetDescription(BackendOptions.defaults()).split(" ");
    StringBuilder sb = new StringBuilder(parts[0]).append(' ').append(parts.length > 1 ? parts[1] : "");
    List<String> features = parts.length > 2 ? List.of(parts[2].split(",")) : List.of();
    for (String f : new String[] {"avx2", "fma", "avx512f"}) {
      sb.append(features.contains("+" + f) ? ", " + f : ", no " + f);
    }
    return sb.toString();
  }

  private static String ms(double seconds) {
    return String.format("%.2f ms", seconds * 1e3);
  }

  private static String gbs(double v) {
    return String.format("%.1f GB/s", v);
  }

  private static String gflops(double v) {
    return String.format("%.1f GFLOP/s", v);
  }

  private static String ratio(double v) {
    return String.format("%.2f", v);
  }

  private static String percent(double v) {
    return String.format("%.0f%%", v * 100);
  }
}
