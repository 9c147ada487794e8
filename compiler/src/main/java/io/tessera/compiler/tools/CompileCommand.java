package io.tessera.compiler.tools;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.cpu.AotCompiler;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.Pipelines;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code tessera compile FILE --target x86_64|aarch64 -o NAME [--cpu CPU] [--features F] [--opt O2|O3]
 * [--fast-math true|false]}: ahead-of-time compilation, as XLA's tfcompile. Writes
 * {@code NAME.o} (a relocatable ELF object for Linux on the target) and {@code NAME.h} (the C
 * header declaring the entry function {@code NAME} and its buffer sizes), so that a C or C++
 * program links the kernel with no JVM and no LLVM: {@code cc main.c NAME.o -lm}.
 *
 * <p>The last component of {@code NAME} names the entry function and must be a C identifier.
 * The CPU defaults to the architecture's baseline ({@code x86-64}, AArch64 {@code generic}), so
 * that the object runs on every machine of the architecture; {@code --cpu native} tunes it for
 * this one.
 */
final class CompileCommand {
  private CompileCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLine.parse(args, Set.of("target", "o", "cpu", "features", "opt", "fast-math"));
    String file = cl.onePositional("HLO file");
    if (!cl.has("o")) {
      throw new UsageException("compile needs -o NAME (writes NAME.o and NAME.h)");
    }
    AotCompiler.Architecture architecture = architecture(cl);
    Path base = Path.of(cl.option("o", ""));
    String symbol = base.getFileName() == null ? "" : base.getFileName().toString();
    try {
      AotCompiler.checkSymbol(symbol);
    } catch (IllegalArgumentException e) {
      throw new UsageException("-o " + cl.option("o", "") + ": " + e.getMessage());
    }
    BackendOptions options = options(cl);
    Module module = HloFiles.readModule(file);

    // As tfcompile runs XLA's HLO passes before code generation.
    AotCompiler.Artifact artifact = AotCompiler.compile(Pipelines.optimizedFor("cpu", module), symbol, architecture,
        options,
        Path.of(file).getFileName().toString());
    Path object = sibling(base, symbol + ".o");
    Path header = sibling(base, symbol + ".h");
    try {
      if (base.getParent() != null) {
        Files.createDirectories(base.getParent());
      }
      Files.write(object, artifact.object());
      Files.writeString(header, artifact.header(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + object + " / " + header + ": " + e.getMessage(), e);
    }
    out.println("wrote " + object + " (" + artifact.object().length + " bytes, " + architecture.triple() + ", cpu "
        + artifact.cpu() + ") and " + header);
    out.println("  int32_t " + symbol + "(int64_t rows, const void* const* params, void* const* results, void* scratch);");
    if (!artifact.undefinedSymbols().isEmpty()) {
      out.println("  link with -lm (calls " + String.join(", ", artifact.undefinedSymbols()) + ")");
    }
    return 0;
  }

  private static AotCompiler.Architecture architecture(CommandLine cl) {
    if (!cl.has("target")) {
      AotCompiler.Architecture host = AotCompiler.Architecture.host();
      if (host == null) {
        throw new UsageException("this machine is neither x86_64 nor aarch64: give --target");
      }
      return host;
    }
    try {
      return AotCompiler.Architecture.parse(cl.option("target", ""));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static BackendOptions options(CommandLine cl) {
    BackendOptions options = BackendOptions.defaults();
    String opt = cl.option("opt", "O3");
    options = switch (opt) {
      case "O2" -> options.withOptLevel(BackendOptions.OptLevel.O2);
      case "O3" -> options.withOptLevel(BackendOptions.OptLevel.O3);
      default -> throw new UsageException("--opt " + opt + " (expected O2 or O3)");
    };
    String fastMath = cl.option("fast-math", "false");
    if (!fastMath.equals("true") && !fastMath.equals("false")) {
      throw new UsageException("--fast-math " + fastMath + " (expected true or false)");
    }
    options = options.withFastMath(fastMath.equals("true"));
    if (cl.has("cpu") || cl.has("features")) {
      options = options.withCpu(cl.has("cpu") ? cl.option("cpu", "") : null,
          cl.has("features") ? cl.option("features", "") : null);
    }
    return options;
  }

  private static Path sibling(Path base, String fileName) {
    return base.getParent() == null ? Path.of(fileName) : base.getParent().resolve(fileName);
  }
}
