package io.tessera.compiler.tools;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.DynamicRows;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.Pipelines;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code tessera run-hlo FILE --backend interpreter|cpu|gpu [--args FILE] [--compare BACKEND] [--seed N]
 * [--rows N]}: runs the entry computation and prints each result as an XLA literal (a tuple
 * prints its elements, one per line).
 *
 * <p>As XLA's {@code run_hlo_module} does, the backend compiles the module after its own HLO
 * passes ({@link Pipelines#forBackend}), and missing inputs are generated from a seeded generator:
 * arguments when no {@code --args} file is given, and constants elided in the text
 * ({@code constant({...})}). Both are announced on stderr. A module with a dynamic leading
 * dimension ({@code f32[?,4]}) takes its row count from {@code --args}, or from {@code --rows}
 * when arguments are generated.
 */
final class RunHloCommand {
  private RunHloCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("backend", "args", "compare", "seed", "rows"));
    String file = cl.onePositional("HLO file");
    Backend backend = backend(cl.option("backend", "interpreter"));
    Backend reference = cl.has("compare") ? backend(cl.option("compare", "")) : null;
    long seed = parseSeed(cl.option("seed", "42"));
    Module module = HloFiles.readModule(file);
    int filled = ElidedConstants.fill(module, seed);
    // Compiled before any input is generated, so that what a backend cannot run (a dynamic
    // dimension, an opcode it lacks) is reported as the backend says it.
    try (Executable executable = backend.compile(Pipelines.optimizedFor(backend.name(), module));
         Executable referenceExecutable = reference == null ? null : reference.compile(module)) {
      if (filled > 0) {
        err.println("tessera: " + filled + " elided constant(s) filled with seeded random values (seed " + seed + ")");
      }
      List<Literal> arguments;
      if (cl.has("args")) {
        arguments = HloFiles.readLiterals(cl.option("args", ""));
      } else {
        long rows = cl.has("rows") ? parseRows(cl.option("rows", "")) : -1;
        arguments = randomArguments(module, seed, rows);
        if (!arguments.isEmpty()) {
          err.println("tessera: no --args given; " + arguments.size() + " argument(s) generated with seed " + seed
              + (rows >= 0 ? " and " + rows + " rows" : ""));
        }
      }
      Literal result = executable.run(arguments);
      if (referenceExecutable != null) {
        String mismatch = LiteralComparator.DEFAULT.mismatch(referenceExecutable.run(arguments), result);
        String pair = backend.name() + " and " + reference.name();
        if (mismatch != null) {
          err.println("tessera: " + pair + " differ: " + mismatch);
          return 1;
        }
        err.println("tessera: " + pair + " agree");
      }
      print(result, out);
      return 0;
    }
  }

  private static Backend backend(String name) {
    Backend backend;
    try {
      backend = Backends.byName(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (!backend.isAvailable()) {
      throw new IllegalStateException("backend " + name + " is not available here: " + backend.unavailableReason());
    }
    return backend;
  }

  private static long parseSeed(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException("--seed must be an integer, got '" + text + "'");
    }
  }

  private static long parseRows(String text) {
    try {
      long rows = Long.parseLong(text);
      if (rows >= 0 && rows <= Integer.MAX_VALUE) {
        return rows;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--rows must be a row count from 0 to " + Integer.MAX_VALUE + ", got '" + text + "'");
  }

  /**
   * Seeded arguments, one per parameter; dynamic dimensions ({@code ?}) get {@code rows} rows
   * ({@code rows < 0}: none given, so a dynamic parameter is an error).
   */
  private static List<Literal> randomArguments(Module module, long seed, long rows) {
    Random random = new Random(seed);
    List<Literal> arguments = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      if (p.shape().hasDynamicDimension() && rows < 0) {
        throw new IllegalArgumentException("%" + p.name() + " (parameter) has the dynamic shape "
            + p.shape().toStringWithoutLayout() + ": give --args, or --rows N to generate arguments with N rows");
      }
      arguments.add(ElidedConstants.randomLiteral(DynamicRows.bind(p.shape(), Math.max(rows, 0)), random));
    }
    return arguments;
  }

  static void print(Literal result, PrintStream out) {
    if (result.isTuple()) {
      for (Literal element : result.tupleElements()) {
        print(element, out);
      }
    } else {
      out.println(result);
    }
  }
}
