package io.tessera.compiler.tools;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.gpu.GpuBackend;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.BufferAssignment;
import io.tessera.compiler.pass.PassRegistry;
import io.tessera.compiler.pass.Pipeline;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.text.HloPrinter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code tessera hlo-opt FILE [--passes a,b,...|none] [--emit hlo|buffers|llvm|ptx] [--gpu-arch sm_XX]
 * [--dump-to DIR]}: parses and verifies a module, runs the named passes with the verifier between
 * them, and prints the result to stdout: the module as HLO text, its buffer assignment
 * ({@link BufferAssignment#report()}), the CPU backend's optimized LLVM IR, or the GPU backend's
 * PTX for {@code --gpu-arch} (default {@code sm_80}; no GPU needed).
 *
 * <p>Without {@code --passes}, {@code hlo}, {@code buffers} and {@code llvm} run the CPU pipeline
 * ({@link Pipelines#cpuDefault}) and {@code ptx} the GPU backend's ({@link Pipelines#forBackend}),
 * so the output is what {@code run-hlo}, {@code arrow-apply} and Spark run. {@code --passes none} runs nothing. {@code --dump-to} writes
 * the module after each change, as {@code --xla_dump_to} does.
 */
final class HloOptCommand {
  private HloOptCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("passes", "emit", "gpu-arch", "dump-to"));
    String emit = cl.option("emit", "hlo");
    if (!Set.of("hlo", "buffers", "llvm", "ptx").contains(emit)) {
      throw new UsageException("--emit " + emit + " is not supported (available: hlo, buffers, llvm, ptx)");
    }
    if (cl.has("gpu-arch") && !emit.equals("ptx")) {
      throw new UsageException("--gpu-arch goes with --emit ptx");
    }
    String gpuArch = cl.option("gpu-arch", "sm_80");
    if (!GpuBackend.isArchName(gpuArch)) {
      throw new UsageException("--gpu-arch must be of the form sm_XX (e.g. sm_80, sm_90), got '" + gpuArch + "'");
    }
    Pipeline pipeline = pipeline(cl, emit.equals("ptx") ? "gpu" : "cpu");
    Module module = HloFiles.readModule(cl.onePositional("HLO file"));
    if (pipeline != null) {
      pipeline.run(module);
    }
    switch (emit) {
      case "buffers" -> out.print(BufferAssignment.assign(module).report());
      // The CPU backend's kernel after LLVM's optimization pipeline: what actually runs.
      case "llvm" -> out.print(new CpuBackend().emitLlvmIr(module, BackendOptions.defaults(), true));
      // LLVM calls a GPU's architecture its CPU.
      case "ptx" -> out.print(new GpuBackend().emitPtx(module, BackendOptions.defaults().withCpu(gpuArch, null)));
      default -> out.print(HloPrinter.print(module));
    }
    return 0;
  }

  /** The pipeline the options ask for, or {@code null} for none. */
  private static Pipeline pipeline(CommandLine cl, String backend) {
    Path dump = cl.has("dump-to") ? Path.of(cl.option("dump-to", "")) : null;
    if (!cl.has("passes")) {
      return Pipelines.forBackend(backend, dump);
    }
    String passes = cl.option("passes", "").strip();
    if (passes.equals("none")) {
      return null;
    }
    try {
      return PassRegistry.pipeline(passes, dump);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
