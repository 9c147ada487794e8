package io.tessera.compiler.tools;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloPrinter;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code tessera hlo-opt FILE [--passes a,b,...] [--emit hlo]}: parses and verifies a module, runs
 * the named passes and prints the result to stdout.
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
    if (!emit.equals("hlo")) {
      throw new UsageException("--emit " + emit + " needs a code-generating backend, which this build does not have yet"
          + " (available: hlo)");
    }
    out.print(HloPrinter.print(module));
    return 0;
  }
}
