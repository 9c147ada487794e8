package io.tessera.compiler.tools;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code bin/tessera}: dispatches to a subcommand. Every failure ends with a
 * one-line reason on stderr and a non-zero exit status (2 for usage errors, 1 otherwise).
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: tessera <command> [options]",
      "  hlo-opt FILE [--passes a,b,...|none] [--emit hlo|buffers|llvm|ptx] [--gpu-arch sm_XX] [--dump-to DIR]",
      "                                                      optimize and print an HLO module",
      "  run-hlo FILE --backend interpreter|cpu|gpu [--args FILE] [--compare BACKEND] [--seed N] [--rows N]",
      "                                                      run a module and print its results",
      "  compile FILE --target x86_64|aarch64 -o NAME [--cpu CPU|native] [--features F] [--opt O2|O3]",
      "                                                      write NAME.o and NAME.h: the kernel for C programs",
      "  arrow-apply --hlo FILE --in IN.arrow --out OUT.arrow [--columns a,b] [--backend cpu|interpreter]",
      "                                                      run a per-row module on every row of an Arrow file");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Runs one command; returns the exit status. Separate from {@link #main} so tests can call it. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      (args.isEmpty() ? err : out).println(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (args.get(0)) {
        case "hlo-opt" -> HloOptCommand.run(rest, out, err);
        case "run-hlo" -> RunHloCommand.run(rest, out, err);
        case "compile" -> CompileCommand.run(rest, out, err);
        // Lives in arrow-bridge (the compiler does not depend on Arrow); bin/tessera starts it there.
        case "arrow-apply" -> throw new UsageException("arrow-apply runs from the arrow-bridge module: start it with"
            + " bin/tessera arrow-apply");
        default -> throw new UsageException("unknown command '" + args.get(0) + "'");
      };
    } catch (UsageException e) {
      err.println("tessera: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (RuntimeException e) {
      err.println("tessera: " + oneLine(e));
      return 1;
    }
  }

  private static String oneLine(Throwable e) {
    String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    int nl = msg.indexOf('\n');
    return nl >= 0 ? msg.substring(0, nl) : msg;
  }
}
