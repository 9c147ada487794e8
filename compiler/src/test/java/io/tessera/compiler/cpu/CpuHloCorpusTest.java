package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every module of the HLO corpus ({@code src/test/resources/hlo}: hand-written and framework
 * dumps that together use every opcode) on the CPU backend against the interpreter, with
 * arguments and elided constants drawn as {@code run-hlo} draws them. A module with a custom-call
 * must fail to compile naming its target; one the interpreter cannot run (dynamic shapes) or
 * whose entry takes a tuple (the executable interface takes one buffer per array parameter) is
 * skipped.
 */
class CpuHloCorpusTest {
  private static final long SEED = 42;

  static Stream<String> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(CpuHloCorpusTest.class.getResource("/hlo").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hlo")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void cpuMatchesTheInterpreter(String name) throws Exception {
    Module module = HloParser.parse(Files.readString(Path.of(CpuHloCorpusTest.class.getResource("/hlo/" + name).toURI())));
    ElidedConstants.fill(module, SEED);
    if (hasCustomCall(module)) {
      CompilationException e = assertThrows(CompilationException.class, () -> Oracle.CPU.compile(module).close());
      assertTrue(e.getMessage().contains("custom-call"), e.getMessage());
      return;
    }
    Assumptions.assumeFalse(module.entry().parameters().stream().anyMatch(p -> p.shape().hasDynamicDimension()),
        name + " has dynamic dimensions, which the interpreter does not evaluate");
    Assumptions.assumeFalse(module.entry().parameters().stream().anyMatch(p -> p.shape().isTuple()),
        name + " takes a tuple parameter; executables take one buffer per array parameter");
    Random random = new Random(SEED);
    List<Literal> args = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      args.add(ElidedConstants.randomLiteral(p.shape(), random));
    }
    Literal expected = Oracle.INTERPRETER.run(module, args);
    // Sums (reductions, dots, convolutions) may add in another order; transcendental functions differ in the last bits.
    Oracle.assertClose(expected, Oracle.runCpu(module, args), new Oracle.Tolerance(64, 1e-5, 1e-5), name);
  }

  private static boolean hasCustomCall(Module module) {
    for (Computation c : module.computations()) {
      for (Instruction i : c.instructions()) {
        if (i.opcode() == Opcode.CUSTOM_CALL) {
          return true;
        }
      }
    }
    return false;
  }
}
