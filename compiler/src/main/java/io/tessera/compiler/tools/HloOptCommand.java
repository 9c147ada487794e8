package io.tessera.compiler.tools;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloPrinter;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code tessera hlo-opt FILE [--passes a,b,...] [--emit hlo|llvm]}: parses and verifies a module,
 * runs the named passes and prints the result to stdout: as HLO text, or as the CPU backend's
 * optimized LLVM IR.
 */
final class HloOptCommand {
  private HloOptCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("passes", "emit"));
    Module module = HloFiles.readModule(cl.onePositional("HLO file"));
    if (cl.has("passes") && !cl.option("passes", "").isBlank()) {
      // No optimization pass is part of this build yet: name the first requested one.
      String first = cl.option("passes", "").split(",")[0].strip();
      throw new UsageException("unknown pass '" + first + "' (this build has no optimization passes yet)");
    }
    String emit = cl.option("emit", "hlo");
    switch (emit) {
      case "hlo" -> out.print(HloPrinter.print(module));
      // The CPU backend's kernel after LLVM's optimization pipeline: what actually runs.
      case "llvm" -> out.print(new CpuBackend().emitLlvmIr(module, BackendOptions.defaults(), true));
      default -> throw new UsageException("--emit " + emit + " is not supported (available: hlo, llvm)");
    }
    return 0;
  }
}
