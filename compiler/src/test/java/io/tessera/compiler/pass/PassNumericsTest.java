package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property every pass keeps: the interpreter gives the same results before and after it, on
 * seeded random arguments, over (a) the HLO corpus and (b) seeded random programs. Each pass runs
 * alone and in the CPU pipeline; the result must also verify and survive printing and re-parsing.
 */
class PassNumericsTest {
  private static final long SEED = 20240607;
  private static final int RANDOM_PROGRAMS = 150;

  /** Every pass that keeps a module's signature, by name, plus the whole CPU pipeline. */
  static List<Supplier<Pass>> passes() {
    List<Supplier<Pass>> passes = new ArrayList<>();
    for (String name : List.of("simplify", "constant-fold", "cse", "dce", "fuse", "inline")) {
      passes.add(() -> PassRegistry.create(name));
    }
    passes.add(Pipelines::cpuDefault);
    return passes;
  }

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(PassNumericsTest.class.getResource("/hlo").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".hlo")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusModulesGiveTheSameResultsAfterEveryPass(Path file) throws IOException {
    Module original = HloParser.parse(Files.readString(file));
    assumeTrue(Verifier.problems(original).isEmpty(), file.getFileName() + " does not verify (a parser test case)");
    String unsupported = unsupported(original);
    assumeTrue(unsupported == null, () -> file.getFileName() + " is skipped: " + unsupported);
    ElidedConstants.fill(original, SEED);
    List<Literal> args = PassTesting.randomArguments(original, SEED);
    checkEveryPass(original, args, file.getFileName().toString());
  }

  static Stream<Arguments> seeds() {
    return LongStream.range(0, RANDOM_PROGRAMS).mapToObj(Arguments::of);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomProgramsGiveTheSameResultsAfterEveryPass(long seed) {
    Module original = RandomPrograms.generate(seed);
    checkEveryPass(original, RandomPrograms.arguments(original, seed), "random program seed " + seed);
  }

  private static void checkEveryPass(Module original, List<Literal> args, String what) {
    Literal expected = new Interpreter().run(original, args);
    for (Supplier<Pass> factory : passes()) {
      Pass pass = factory.get();
      Module m = ModuleCopy.copy(original);
      pass.run(m);
      assertEquals(List.of(), Verifier.problems(m), what + ", after " + pass.name());
      String printed = HloPrinter.print(m);
      Module reparsed = HloParser.parse(printed);
      assertEquals(printed, HloPrinter.print(reparsed), what + ", after " + pass.name() + ": print/parse round trip");
      Literal actual = new Interpreter().run(reparsed, args);
      assertNull(LiteralComparator.DEFAULT.mismatch(expected, actual),
          () -> what + ", after " + pass.name() + ": results differ\n" + printed);
    }
  }

  /** Why the interpreter cannot run {@code module} on generated arguments, or {@code null}. */
  static String unsupported(Module module) {
    for (Computation c : module.computations()) {
      for (Instruction i : c.instructions()) {
        if (i.opcode() == Opcode.CUSTOM_CALL) {
          return "custom-call %" + i.name() + " has no semantics to compare";
        }
        if (i.shape().hasDynamicDimension()) {
          return "%" + i.name() + " has a dynamic dimension (" + i.shape() + "); arguments need a row count";
        }
      }
    }
    return null;
  }
}
