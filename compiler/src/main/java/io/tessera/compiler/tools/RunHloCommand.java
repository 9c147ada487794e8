package io.tessera.compiler.tools;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code tessera run-hlo FILE --backend interpreter [--args FILE] [--compare BACKEND] [--seed N]}:
 * runs the entry computation and prints each result as an XLA literal (a tuple prints its
 * elements, one per line).
 *
 * <p>As XLA's {@code run_hlo_module} does, missing inputs are generated from a seeded generator:
 * arguments when no {@code --args} file is given, and constants elided in the text
 * ({@code constant({...})}). Both are announced on stderr.
 */
final class RunHloCommand {
  static final List<String> BACKENDS = List.of("interpreter");

  private RunHloCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("backend", "args", "compare", "seed"));
    String file = cl.onePositional("HLO file");
    String backend = cl.option("backend", "interpreter");
    checkBackend(backend);
    if (cl.has("compare")) {
      checkBackend(cl.option("compare", ""));
    }
    long seed = parseSeed(cl.option("seed", "42"));
    Module module = HloFiles.readModule(file);
    Interpreter.checkStaticShapes(module); // before values are generated for its parameters

    int filled = ElidedConstants.fill(module, seed);
    if (filled > 0) {
      err.println("tessera: " + filled + " elided constant(s) filled with seeded random values (seed " + seed + ")");
    }
    List<Literal> arguments;
    if (cl.has("args")) {
      arguments = HloFiles.readLiterals(cl.option("args", ""));
    } else {
      arguments = randomArguments(module, seed);
      if (!arguments.isEmpty()) {
        err.println("tessera: no --args given; " + arguments.size() + " argument(s) generated with seed " + seed);
      }
    }

    Literal result = execute(backend, module, arguments);
    if (cl.has("compare")) {
      String other = cl.option("compare", "");
      Literal reference = execute(other, module, arguments);
      String mismatch = LiteralComparator.DEFAULT.mismatch(reference, result);
      if (mismatch != null) {
        err.println("tessera: " + backend + " and " + other + " differ: " + mismatch);
        return 1;
      }
      err.println("tessera: " + backend + " and " + other + " agree");
    }
    print(result, out);
    return 0;
  }

  private static void checkBackend(String backend) {
    if (!BACKENDS.contains(backend)) {
      throw new UsageException("backend '" + backend + "' is not part of this build (available: "
          + String.join(", ", BACKENDS) + ")");
    }
  }

  private static long parseSeed(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException("--seed must be an integer, got '" + text + "'");
    }
  }

  private static Literal execute(String backend, Module module, List<Literal> arguments) {
    // Only the reference interpreter exists in this build; compiled backends plug in here.
    return new Interpreter().run(module, arguments);
  }

  private static List<Literal> randomArguments(Module module, long seed) {
    Random random = new Random(seed);
    List<Literal> arguments = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      arguments.add(ElidedConstants.randomLiteral(p.shape(), random));
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
