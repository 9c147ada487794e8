package io.tessera.benchmarks;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Builder;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.pass.AlgebraicSimplifier;
import io.tessera.compiler.pass.BufferAssignment;
import io.tessera.compiler.pass.ConstantFolding;
import io.tessera.compiler.pass.Cse;
import io.tessera.compiler.pass.DeadCodeElimination;
import io.tessera.compiler.pass.Pipeline;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;

/**
 * Fused against unfused (issue 5), in one JVM run: the same module compiled by the CPU backend
 *
 * <ul>
 *   <li>{@code default}: after the default pipeline ({@link Pipelines#cpuDefault()});
 *   <li>{@code no fuse}: after the same pipeline without the fuse pass;
 *   <li>{@code no passes}: as written;
 *   <li>{@code op by op} (the unfused baseline): every instruction its own kernel, compiled
 *       separately, each writing its value to memory and the next reading it back, as an
 *       interpreter of precompiled kernels (TensorFlow without XLA, a framework without fusion)
 *       runs a graph. Constants and broadcasts are folded into the kernels that use them, as
 *       those frameworks broadcast scalars and biases on the fly.
 * </ul>
 *
 * <p>The CPU backend fuses by itself: elementwise and data-movement instructions are computed
 * inside their consumers' loops whether or not the fuse pass ran (see {@code ComputationEmitter}),
 * so the first three variants differ only where the fuse pass changes the code: a dot with its
 * bias and activation (the epilogue) and the grouping of a reduce with its inputs. The op-by-op
 * variant is what fusion saves.
 *
 * <p>Bytes moved, a model: each kernel reads each array input once and writes its output once
 * (scalars count as nothing, a folded broadcast as its operand), and a value the kernel keeps in
 * scratch memory is written once and read once. Against it, the bandwidth of a
 * memcpy of 64 MiB measured in the same run. Temporaries: the bytes of intermediate values in
 * memory (op by op: every intermediate value; otherwise the buffer assignment's temporaries).
 *
 * <p>Writes {@code benchmarks/results/passes.md} and {@code benchmarks/results/passes.ratios.tsv}
 * (suite {@code passes}, compared with {@code unfused}: the op-by-op time divided by the default
 * pipeline's). Run: {@code bin/bench-passes}.
 */
public final class FusionBenchmarks {
  private static final CpuBackend CPU = new CpuBackend();
  private static final int N = 1 << 24;
  private static final double MIN_SECONDS = 2.0;

  private record Variant(String name, String ms, String gbs, String moved, String temporaries, String assigned,
      double seconds, double maxDiff) {}

  private final List<String> markdownRows = new ArrayList<>();
  private final StringBuilder tsv = new StringBuilder(BenchSupport.RATIOS_HEADER);
  private double copyGbs;

  private FusionBenchmarks() {}

  public static void main(String[] args) throws IOException {
    Path outMd = Path.of(args.length > 0 ? args[0] : "benchmarks/results/passes.md");
    Path outTsv = Path.of(args.length > 1 ? args[1] : "benchmarks/results/passes.ratios.tsv");
    String loadBefore = Machine.loadAverage();
    FusionBenchmarks b = new FusionBenchmarks();
    b.memcpy();
    b.run("chain10_f32_16m", "10 cheap elementwise ops (mul, add, sub, max, min, abs, neg) over two f32[16M]",
        chain10());
    b.run("chain12_transcendental_16m", "12 elementwise ops with tanh and logistic over two f32[16M] "
        + "(the XLA table's elementwise_chain_16m)", chain12());
    b.run("sum_sq_diff_16m", "reduce after elementwise: sum((x - y)^2 * 0.5) over two f32[16M] to a scalar",
        sumSquaredDifference());
    b.run("row_sum_exp_4k_x_4k", "reduce after elementwise per row: sum(exp(x - 1) * y) over f32[4096,4096] rows",
        rowSumExp());
    b.run("dense_bias_relu_16k_256", "dot with epilogue: relu(x @ W + b), f32[16384,256] x [256,256]", dense());
    b.run("mlp3_64k_rows", "3-layer MLP 64 -> 128 -> 64 -> 10, bias and ReLU, over 65536 rows", mlp());
    String loadAfter = Machine.loadAverage();
    String md = b.markdown(loadBefore, loadAfter);
    Files.createDirectories(outMd.toAbsolutePath().getParent());
    Files.writeString(outMd, md);
    Files.writeString(outTsv, b.tsv.toString());
    System.out.println(md);
    System.out.println("written to " + outMd + " and " + outTsv);
  }

  // ---- modules -------------------------------------------------------------------------------

  private static String chain10() {
    return """
        HloModule chain10
        ENTRY e {
          x = f32[%1$d] parameter(0)
          y = f32[%1$d] parameter(1)
          half = f32[] constant(0.5)
          h = f32[%1$d] broadcast(half), dimensions={}
          t1 = f32[%1$d] multiply(x, y)
          t2 = f32[%1$d] add(t1, x)
          t3 = f32[%1$d] subtract(t2, y)
          t4 = f32[%1$d] maximum(t3, x)
          t5 = f32[%1$d] multiply(t4, h)
          t6 = f32[%1$d] add(t5, y)
          t7 = f32[%1$d] abs(t6)
          t8 = f32[%1$d] multiply(t7, x)
          t9 = f32[%1$d] minimum(t8, y)
          ROOT t10 = f32[%1$d] negate(t9)
        }
        """.formatted(N);
  }

  private static String chain12() {
    return """
        HloModule chain12
        ENTRY e {
          x = f32[%1$d] parameter(0)
          y = f32[%1$d] parameter(1)
          c15 = f32[] constant(1.5)
          c025 = f32[] constant(0.25)
          c1 = f32[] constant(1)
          c1e3 = f32[] constant(0.001)
          b15 = f32[%1$d] broadcast(c15), dimensions={}
          b025 = f32[%1$d] broadcast(c025), dimensions={}
          b1 = f32[%1$d] broadcast(c1), dimensions={}
          b1e3 = f32[%1$d] broadcast(c1e3), dimensions={}
          a = f32[%1$d] multiply(x, b15)
          t = f32[%1$d] add(a, y)
          th = f32[%1$d] tanh(t)
          sg = f32[%1$d] logistic(y)
          sq = f32[%1$d] multiply(sg, b025)
          u = f32[%1$d] subtract(th, sq)
          ax = f32[%1$d] abs(x)
          nx = f32[%1$d] negate(ax)
          m = f32[%1$d] maximum(u, nx)
          y2 = f32[%1$d] multiply(y, y)
          d = f32[%1$d] add(y2, b1)
          q = f32[%1$d] divide(m, d)
          q2 = f32[%1$d] multiply(q, q)
          s = f32[%1$d] add(q2, b1e3)
          ROOT r = f32[%1$d] sqrt(s)
        }
        """.formatted(N);
  }

  private static String sumSquaredDifference() {
    return """
        HloModule sum_sq_diff
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[%1$d] parameter(0)
          y = f32[%1$d] parameter(1)
          half = f32[] constant(0.5)
          h = f32[%1$d] broadcast(half), dimensions={}
          d = f32[%1$d] subtract(x, y)
          d2 = f32[%1$d] multiply(d, d)
          w = f32[%1$d] multiply(d2, h)
          zero = f32[] constant(0)
          ROOT r = f32[] reduce(w, zero), dimensions={0}, to_apply=add
        }
        """.formatted(N);
  }

  private static String rowSumExp() {
    return """
        HloModule row_sum_exp
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[4096,4096] parameter(0)
          y = f32[4096,4096] parameter(1)
          one = f32[] constant(1)
          o = f32[4096,4096] broadcast(one), dimensions={}
          xm = f32[4096,4096] subtract(x, o)
          ex = f32[4096,4096] exponential(xm)
          p = f32[4096,4096] multiply(ex, y)
          zero = f32[] constant(0)
          ROOT r = f32[4096] reduce(p, zero), dimensions={1}, to_apply=add
        }
        """;
  }

  private static String dense() {
    return """
        HloModule dense
        ENTRY e {
          x = f32[16384,256] parameter(0)
          w = f32[256,256] parameter(1)
          b = f32[256] parameter(2)
          d = f32[16384,256] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb = f32[16384,256] broadcast(b), dimensions={1}
          z = f32[16384,256] add(d, bb)
          zero = f32[] constant(0)
          zb = f32[16384,256] broadcast(zero), dimensions={}
          ROOT r = f32[16384,256] maximum(z, zb)
        }
        """;
  }

  private static String mlp() {
    return """
        HloModule mlp3
        ENTRY e {
          x = f32[65536,64] parameter(0)
          w1 = f32[64,128] parameter(1)
          b1 = f32[128] parameter(2)
          w2 = f32[128,64] parameter(3)
          b2 = f32[64] parameter(4)
          w3 = f32[64,10] parameter(5)
          b3 = f32[10] parameter(6)
          zero = f32[] constant(0)
          d1 = f32[65536,128] dot(x, w1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb1 = f32[65536,128] broadcast(b1), dimensions={1}
          z1 = f32[65536,128] add(d1, bb1)
          zb1 = f32[65536,128] broadcast(zero), dimensions={}
          h1 = f32[65536,128] maximum(z1, zb1)
          d2 = f32[65536,64] dot(h1, w2), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb2 = f32[65536,64] broadcast(b2), dimensions={1}
          z2 = f32[65536,64] add(d2, bb2)
          zb2 = f32[65536,64] broadcast(zero), dimensions={}
          h2 = f32[65536,64] maximum(z2, zb2)
          d3 = f32[65536,10] dot(h2, w3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb3 = f32[65536,10] broadcast(b3), dimensions={1}
          ROOT r = f32[65536,10] add(d3, bb3)
        }
        """;
  }

  // ---- measuring -----------------------------------------------------------------------------

  private void memcpy() {
    long bytes = 4L * N;
    try (BenchSupport.NativeBuffer a = new BenchSupport.NativeBuffer(bytes);
         BenchSupport.NativeBuffer b = new BenchSupport.NativeBuffer(bytes)) {
      Pointer src = new Pointer() { { address = a.address; } };
      Pointer dst = new Pointer() { { address = b.address; } };
      BenchSupport.Timing t = BenchSupport.time(3, 10, 1.0, () -> Pointer.memcpy(dst, src, bytes));
      copyGbs = 2.0 * bytes / t.median() / 1e9;
      markdownRows.add(String.format(Locale.ROOT, "| memcpy of 64 MiB (the bandwidth reference) | | %s | %.1f "
          + "| %.0f MiB | | | | |", BenchSupport.ms(t.median()), copyGbs, 2.0 * bytes / (1 << 20)));
    }
  }

  private void run(String name, String description, String hlo) {
    Module parsed = HloParser.parse(hlo);
    List<Shape> paramShapes = parsed.entry().parameterShapes();
    Random random = new Random(name.hashCode());
    List<BenchSupport.NativeBuffer> params = new ArrayList<>();
    List<Prepared> prepared = new ArrayList<>();
    try {
      for (Shape s : paramShapes) {
        BenchSupport.NativeBuffer p = new BenchSupport.NativeBuffer(s.byteSize());
        ByteBuffer v = p.view();
        for (long i = 0; i < s.elementCount(); i++) {
          v.putFloat((float) (random.nextDouble() * 4 - 2));
        }
        params.add(p);
      }
      Module fused = HloParser.parse(hlo);
      Pipelines.cpuDefault().run(fused);
      Module noFuse = HloParser.parse(hlo);
      withoutFusion().run(noFuse);
      Module noPasses = HloParser.parse(hlo);

      long oneKernelBytes = oneKernelBytes(parsed);
      ByteBuffer reference = null;
      Object[][] compiled = {{"default pipeline", fused}, {"no fuse pass", noFuse}, {"no passes", noPasses}};
      for (Object[] v : compiled) {
        Module m = (Module) v[1];
        Executable exe = CPU.compile(m, BackendOptions.defaults());
        BenchSupport.NativeBuffer out = new BenchSupport.NativeBuffer(m.entry().resultShape().byteSize());
        Buffers in = buffers(params);
        Buffers res = buffers(List.of(out));
        exe.execute(in, res);
        double diff = reference == null ? 0 : maxDifference(reference, out.view());
        if (reference == null) {
          reference = ByteBuffer.allocate((int) out.bytes).order(out.view().order()).put(out.view());
        }
        long scratch = exe.scratchBytes(Executable.STATIC_SHAPES);
        prepared.add(new Prepared((String) v[0], () -> exe.execute(in, res),
            oneKernelBytes + 2 * Math.max(0, scratch), scratch, assignedBytes(m), diff, () -> {
              exe.close();
              out.close();
            }));
      }
      prepared.add(opByOp(noPasses, params, reference));
      double[] medians = BenchSupport.timeInterleaved(prepared.stream().map(Prepared::call).toList(), 3, 10,
          prepared.size() * MIN_SECONDS);
      List<Variant> variants = new ArrayList<>();
      for (int k = 0; k < prepared.size(); k++) {
        Prepared p = prepared.get(k);
        variants.add(variant(p.name(), medians[k], p.moved(), p.scratch(), p.assigned(), p.diff()));
      }

      double defaultSeconds = variants.get(0).seconds();
      for (Variant v : variants) {
        markdownRows.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.2f | %s |", name, v.name(),
            v.ms(), v.gbs(), v.moved(), v.temporaries(), v.assigned(), v.seconds() / defaultSeconds,
            String.format(Locale.ROOT, "%.1e", v.maxDiff())));
      }
      Variant unfused = variants.get(3);
      tsv.append(BenchSupport.ratioRow("passes", name, "unfused", unfused.seconds() / defaultSeconds, String.format(
          Locale.ROOT, "default pipeline %s ms (%s GB/s) vs op by op %s ms (%s GB/s, %s moved); memcpy %.1f GB/s; "
              + "no fuse pass %.2fx, no passes %.2fx the default time", variants.get(0).ms(), variants.get(0).gbs(),
          unfused.ms(), unfused.gbs(), unfused.moved(), copyGbs, variants.get(1).seconds() / defaultSeconds,
          variants.get(2).seconds() / defaultSeconds)));
      findings(name, variants);
      long rows = paramShapes.get(0).rank() == 2 ? paramShapes.get(0).dimension(0) : 0;
      for (int k = 1; k <= 2; k++) {
        tsv.append(BenchSupport.ratioRow("passes", name, k == 1 ? "no_fuse_pass" : "no_passes",
            variants.get(k).seconds() / defaultSeconds, String.format(Locale.ROOT,
                "default pipeline %s ms vs %s %s ms; the CPU backend fuses elementwise work by itself, so this is "
                    + "the fuse pass's own effect", variants.get(0).ms(), variants.get(k).name(),
                variants.get(k).ms())));
      }
      descriptions.add("- `" + name + "`: " + description + (rows == 0 ? "" : String.format(Locale.ROOT,
          "; per row: %.1f ns fused, %.1f ns op by op", defaultSeconds / rows * 1e9, unfused.seconds() / rows * 1e9)));
      System.out.println(name + " done");
    } finally {
      prepared.forEach(p -> p.close().run());
      params.forEach(BenchSupport.NativeBuffer::close);
    }
  }

  /** A compiled variant ready to run: one call, its bytes moved and memory, and how to free it. */
  private record Prepared(String name, Runnable call, long moved, long scratch, long assigned, double diff,
      Runnable close) {}

  private final List<String> descriptions = new ArrayList<>();
  /** Observations computed from the measurements, printed under the table. */
  private final List<String> findings = new ArrayList<>();

  private void findings(String name, List<Variant> v) {
    double unfused = v.get(3).seconds() / v.get(0).seconds();
    double noFuse = v.get(1).seconds() / v.get(0).seconds();
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "- `%s`: fused is %.2fx faster than op by op, moving %s instead of %s; without the fuse pass %.2fx the "
            + "default time", name, unfused, v.get(0).moved(), v.get(3).moved(), noFuse));
    if (!v.get(0).temporaries().equals(v.get(0).assigned())) {
      sb.append(String.format(Locale.ROOT, "; the kernel's scratch is %s where the buffer assignment says %s",
          v.get(0).temporaries(), v.get(0).assigned()));
    }
    findings.add(sb.append('.').toString());
  }

  /** {@link Pipelines#cpuDefault()} without its last pass, fusion. */
  private static Pipeline withoutFusion() {
    return Pipeline.builder("cpu-no-fuse").fixedPoint("simplification", 8,
            new AlgebraicSimplifier(), new ConstantFolding(), new Cse(), new DeadCodeElimination())
        .verifyBetweenPasses(true).build();
  }

  private Variant variant(String name, double seconds, long bytes, long temporaries, long assigned, double diff) {
    return new Variant(name, BenchSupport.ms(seconds), String.format(Locale.ROOT, "%.1f", bytes / seconds / 1e9),
        mib(bytes), mib(temporaries), mib(assigned), seconds, diff);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
  }

  /** What the buffer assignment pass says the module's temporaries need. */
  private static long assignedBytes(Module m) {
    try {
      return BufferAssignment.assign(m).temporaryBytes();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** One kernel: every parameter read once, the result written once. */
  private static long oneKernelBytes(Module m) {
    long bytes = m.entry().resultShape().byteSize();
    for (Shape s : m.entry().parameterShapes()) {
      bytes += s.byteSize();
    }
    return bytes;
  }

  private static Buffers buffers(List<BenchSupport.NativeBuffer> list) {
    return Buffers.host(list.stream().mapToLong(b -> b.address).toArray(),
        list.stream().mapToLong(b -> b.bytes).toArray());
  }

  // ---- op by op ------------------------------------------------------------------------------

  /** A kernel of the op-by-op variant: its executable and the values it reads and writes. */
  private record Step(Executable exe, List<Instruction> inputs, Instruction output) {}

  /**
   * Folded into the kernels that use them rather than computed on their own: constants and
   * broadcasts, which frameworks without fusion apply on the fly too (a bias add, a scalar).
   */
  static boolean folded(Instruction i) {
    return i.opcode() == Opcode.CONSTANT || i.opcode() == Opcode.BROADCAST;
  }

  private Prepared opByOp(Module module, List<BenchSupport.NativeBuffer> params, ByteBuffer reference) {
    Computation entry = module.entry();
    List<Step> steps = new ArrayList<>();
    Map<Instruction, BenchSupport.NativeBuffer> memory = new IdentityHashMap<>();
    List<BenchSupport.NativeBuffer> owned = new ArrayList<>();
    Runnable close = () -> {
      steps.forEach(s -> s.exe().close());
      owned.forEach(BenchSupport.NativeBuffer::close);
    };
    long moved = 0;
    long temporaries = 0;
    try {
      for (Instruction p : entry.parameters()) {
        memory.put(p, params.get(p.parameterNumber()));
      }
      for (Instruction i : entry.instructions()) {
        if (i.opcode() == Opcode.PARAMETER || folded(i)) {
          continue;
        }
        List<Instruction> inputs = new ArrayList<>();
        Module kernel = kernelOf(i, inputs);
        steps.add(new Step(CPU.compile(kernel, BackendOptions.defaults()), inputs, i));
        BenchSupport.NativeBuffer out = new BenchSupport.NativeBuffer(i.shape().byteSize());
        owned.add(out);
        memory.put(i, out);
        if (i != entry.root()) {
          temporaries += i.shape().byteSize();
        }
        moved += i.shape().byteSize();
        for (Instruction in : inputs) {
          moved += in.shape().isScalar() ? 0 : in.shape().byteSize();
        }
      }
      List<Buffers[]> calls = new ArrayList<>();
      for (Step s : steps) {
        calls.add(new Buffers[] {buffers(s.inputs().stream().map(memory::get).toList()),
            buffers(List.of(memory.get(s.output())))});
      }
      Runnable all = () -> {
        for (int k = 0; k < steps.size(); k++) {
          steps.get(k).exe().execute(calls.get(k)[0], calls.get(k)[1]);
        }
      };
      all.run();
      double diff = maxDifference(reference, memory.get(entry.root()).view());
      return new Prepared("op by op (" + steps.size() + " kernels)", all, moved, temporaries, temporaries, diff,
          close);
    } catch (RuntimeException e) {
      close.run();
      throw e;
    }
  }

  /**
   * A module computing {@code i} alone: its operands become parameters (recorded in {@code inputs})
   * except constants and broadcasts of them, which are copied in; a reduce gets a fresh reducer.
   */
  static Module kernelOf(Instruction i, List<Instruction> inputs) {
    Builder b = new Builder("op_" + i.name().replace('.', '_'));
    Map<Instruction, Instruction> copies = new IdentityHashMap<>();
    List<Instruction> operands = new ArrayList<>();
    for (Instruction op : i.operands()) {
      operands.add(copy(b, op, copies, inputs));
    }
    Attributes attrs = i.attributes();
    Computation toApply = i.attr(Attr.TO_APPLY);
    if (toApply != null) {
      attrs = attrs.with(Attr.TO_APPLY, b.reducer(toApply.root().opcode(), i.shape().isTuple()
          ? i.shape().tupleShape(0).elementType() : i.shape().elementType()));
    } else if (!i.calledComputations().isEmpty()) {
      throw new IllegalArgumentException("op by op: %" + i.name() + " calls computations");
    }
    return b.build(b.instruction(i.opcode(), i.shape(), operands, attrs));
  }

  private static Instruction copy(Builder b, Instruction op, Map<Instruction, Instruction> copies,
      List<Instruction> inputs) {
    Instruction done = copies.get(op);
    if (done != null) {
      return done;
    }
    Instruction c;
    if (op.opcode() == Opcode.CONSTANT) {
      c = b.constant(op.literal());
    } else if (folded(op)) {
      c = b.instruction(op.opcode(), op.shape(), List.of(copy(b, op.operand(0), copies, inputs)), op.attributes());
    } else {
      c = b.parameter(op.shape());
      inputs.add(op);
    }
    copies.put(op, c);
    return c;
  }

  private static double maxDifference(ByteBuffer want, ByteBuffer got) {
    double max = 0;
    for (int k = 0; k < want.capacity(); k += 4) {
      double e = want.getFloat(k);
      double a = got.getFloat(k);
      if (e != a) {
        max = Math.max(max, Math.abs(a - e) / Math.max(Math.abs(e), 1.0));
      }
    }
    return max;
  }

  // ---- table ---------------------------------------------------------------------------------

  private String markdown(String loadBefore, String loadAfter) {
    StringBuilder sb = new StringBuilder("# Fused against unfused on the CPU backend\n\n");
    sb.append("- machine: ").append(BenchSupport.machine()).append('\n');
    sb.append("- date: ").append(LocalDate.now()).append(", Java ").append(System.getProperty("java.version"))
        .append("; single-threaded; load average (1, 5, 15 min) ").append(loadBefore).append(" before, ")
        .append(loadAfter).append(" after\n");
    sb.append("- each time: median of at least 10 runs after 3 warm-up runs; the variants of a case run\n"
        + "  round-robin (one call of each per round, at least ").append((int) MIN_SECONDS)
        .append(" s per variant) so that\n"
            + "  load from other processes touches them alike; the machine is shared (2 cores), so ratios within\n"
            + "  one run mean more than absolute times\n");
    sb.append("- variants: the same module after the default pipeline (`Pipelines.cpuDefault`), after it without\n"
        + "  the fuse pass, with no passes, and op by op: every instruction a kernel of its own, values in memory\n"
        + "  between them (constants and broadcasts folded into their users, as a bias add broadcasts on the fly).\n"
        + "  The CPU backend computes elementwise instructions inside their consumers' loops whatever the passes\n"
        + "  did, so the first three differ only where the fuse pass changes the code (a dot's epilogue); op by op\n"
        + "  is the unfused baseline, and `passes.ratios.tsv` gives its time over the default pipeline's.\n");
    sb.append("- moved: a model, each kernel reads each array input once and writes its output once, and a\n"
        + "  value in scratch memory is written once and read once. GB/s = moved / time.\n"
        + "  scratch: memory the compiled kernel uses per call for intermediate values (op by op: every intermediate\n"
        + "  value); assigned: what the buffer assignment pass computes for the module as the backend receives it.\n"
        + "  vs default: time / the default pipeline's time (above 1: slower than fused).\n");
    sb.append("- run: `bin/bench-passes` (after `mvn -B -q -pl benchmarks -am package -DskipTests`)\n\n");
    sb.append("| case | variant | ms | GB/s | moved | scratch | assigned | vs default | max diff to default |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    markdownRows.forEach(r -> sb.append(r).append('\n'));
    sb.append("\nFindings:\n\n");
    findings.forEach(f -> sb.append(f).append('\n'));
    sb.append("""
        - the fuse pass changes little of the time on this backend: the emitter computes elementwise and
          data-movement instructions inside their consumers' loops (fused or not). What it changes is memory:
          a `kOutput` fusion (a dot and its epilogue) writes the dot into the fusion's own output buffer and runs
          the bias and activation over it in place, so a fused model's scratch memory is what the buffer
          assignment says plus the GEMM's packing panels. The GEMM applies the epilogue to each block of the
          output as it finishes it, while the block is in cache, rather than in a second pass over memory.
        - the CPU backend packs its temporaries with the buffer assignment's rule (`SlotPacker`), over live
          ranges measured on the code it emits: values that are never live at the same time share memory.
        - memory-bound chains run at the memcpy bandwidth fused and op by op alike; the difference is the
          bytes moved. Transcendental chains are compute-bound, so fusion saves less there.
        """);
    sb.append("\nCases:\n\n");
    descriptions.forEach(d -> sb.append(d).append('\n'));
    return sb.toString();
  }
}
