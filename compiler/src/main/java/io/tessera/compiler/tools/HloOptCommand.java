package io.tessera.compiler.tools;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.cpu.CpuBackend;
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
 * {@code tessera hlo-opt FILE [--passes a,b,...] [--emit hlo|buffers|llvm] [--dump-to DIR]}: parses and
 * verifies a module, runs the named passes (the CPU pipeline, {@link Pipelines#cpuDefault}, when
 * {@code --passes} is absent; nothing when it is {@code none}) with the verifier between them, and
 * prints the result to stdout: the module as HLO text, or with {@code --emit buffers} the buffer
 * assignment of the result ({@link BufferAssignment#report()}). {@code --dump-to} writes the module
 * after each change, as {@code --xla_dump_to} does. {@code --emit llvm} prints the CPU backend's kernel
 * for the result after LLVM's optimizations: what actually runs.
 */
final class HloOptCommand {
  private HloOptCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("passes", "emit", "dump-to"));
    String emit = cl.option("emit", "hlo");
    if (!emit.equals("hlo") && !emit.equals("buffers") && !emit.equals("llvm")) {
      throw new UsageException("--emit " + emit + " is not supported (available: hlo, buffers, llvm)");
    }
    Pipeline pipeline = pipeline(cl);
    Module module = HloFiles.readModule(cl.onePositional("HLO file"));
    if (pipeline != null) {
      pipeline.run(module);
    }
    out.print(switch (emit) {
      case "buffers" -> BufferAssignment.assign(module).report();
      case "llvm" -> new CpuBackend().emitLlvmIr(module, BackendOptions.defaults(), true);
      default -> HloPrinter.print(module);
    });
    return 0;
  }

  /** The pipeline the options ask for, or {@code null} for none. */
  private static Pipeline pipeline(CommandLine cl) {
    Path dump = cl.has("dump-to") ? Path.of(cl.option("dump-to", "")) : null;
    if (!cl.has("passes")) {
      return Pipelines.cpuDefault(dump);
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
