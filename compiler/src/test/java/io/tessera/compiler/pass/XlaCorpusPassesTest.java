package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.XlaCorpus;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The passes on real XLA modules ({@code src/test/resources/xla-corpus}: TensorFlow graphs as XLA
 * received them, and after XLA's own CPU pipeline), on the inputs XLA ran them with: every pass
 * and the CPU pipeline keep the interpreter's results, and rebatching a module whose rows are
 * independent keeps them too (bound back to the module's own batch size).
 */
class XlaCorpusPassesTest {

  static Stream<Path> modules() throws IOException {
    try (Stream<Path> files = Files.list(XlaCorpus.dir())) {
      return files.filter(p -> p.toString().endsWith(".hlo")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void everyPassKeepsTheResults(Path file) throws IOException {
    Module original = HloParser.parse(Files.readString(file));
    String unsupported = PassNumericsTest.unsupported(original);
    assumeTrue(unsupported == null, () -> file.getFileName() + " is skipped: " + unsupported);
    List<Literal> args = arguments(file);
    Literal expected = new Interpreter().run(original, args);
    List<Supplier<Pass>> passes = new ArrayList<>(PassNumericsTest.passes());
    for (Supplier<Pass> factory : passes) {
      Pass pass = factory.get();
      Module m = ModuleCopy.copy(original);
      pass.run(m);
      String what = file.getFileName() + " after " + pass.name();
      assertEquals(List.of(), Verifier.problems(m), what);
      String printed = HloPrinter.print(m);
      Module reparsed = HloParser.parse(printed);
      assertNull(LiteralComparator.DEFAULT.mismatch(expected, new Interpreter().run(reparsed, args)), what);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void rebatchedModulesKeepTheResults(Path file) throws IOException {
    Module original = HloParser.parse(Files.readString(file));
    String unsupported = PassNumericsTest.unsupported(original);
    assumeTrue(unsupported == null, () -> file.getFileName() + " is skipped: " + unsupported);
    assumeTrue(!original.entry().parameters().isEmpty() && original.entry().parameter(0).shape().isArray()
        && original.entry().parameter(0).shape().rank() > 0, "parameter 0 has no leading dimension");
    Module rebatched = ModuleCopy.copy(original);
    try {
      new RebatchingPass().run(rebatched);
    } catch (PassException e) {
      assumeTrue(false, () -> file.getFileName() + " is not rebatched: " + e.getMessage());
    }
    List<Literal> args = arguments(file);
    int batch = original.entry().parameter(0).shape().dimension(0);
    Literal expected = new Interpreter().run(original, args);
    Literal actual = new Interpreter().run(DynamicShapes.bind(rebatched, batch), args);
    assertNull(LiteralComparator.DEFAULT.mismatch(expected, actual), () -> file.getFileName() + " rebatched\n"
        + HloPrinter.print(rebatched));
  }

  private static List<Literal> arguments(Path file) {
    return XlaCorpus.arguments(XlaCorpus.entryOf(file.getFileName().toString()));
  }
}
