package io.tessera.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.XlaCorpus.Expected;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloPrinter;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The XLA corpus ({@link XlaCorpus}): modules that XLA itself produced from TensorFlow graphs,
 * with the inputs they were run on and XLA's results. Every module parses, verifies, and prints to
 * text that reads back to the same text; the interpreter reproduces XLA's results within the
 * tolerance the corpus states; XLA's optimized modules parse and print too, and run where they use
 * only what the interpreter implements.
 */
class XlaCorpusTest {

  static Stream<String> corpus() {
    return XlaCorpus.names().stream();
  }

  @Test
  void corpusHasAtLeastFortyCompleteEntries() {
    List<String> names = XlaCorpus.names();
    assertTrue(names.size() >= 40, "only " + names.size() + " entries in the XLA corpus");
    for (String name : names) {
      for (String suffix : List.of(".opt.hlo", ".args", ".expected")) {
        assertTrue(Files.exists(XlaCorpus.dir().resolve(name + suffix)), name + suffix + " is missing");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void moduleParsesVerifiesAndPrintsStably(String name) {
    Module module = XlaCorpus.parse(name + ".hlo");
    try {
      Verifier.verify(module);
    } catch (RuntimeException e) {
      throw new AssertionError(name + ".hlo does not verify: " + e.getMessage(), e);
    }
    assertPrintsStably(name + ".hlo", module);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void interpreterMatchesXla(String name) {
    Module module = XlaCorpus.parse(name + ".hlo");
    Expected.load(name).assertMatches(name, run(name + ".hlo", module, XlaCorpus.arguments(name)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void optimizedModuleParsesAndPrintsStably(String name) {
    Module module = XlaCorpus.parse(name + ".opt.hlo");
    assertPrintsStably(name + ".opt.hlo", module);
  }

  /**
   * Bonus: XLA's optimized module gives XLA's results too. Modules that call XLA's CPU runtime
   * ({@code custom-call}) are skipped, with the target named in the skip reason.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void optimizedModuleMatchesXlaWhereSupported(String name) {
    Module module = XlaCorpus.parse(name + ".opt.hlo");
    List<String> customCalls = XlaCorpus.customCallTargets(module);
    Assumptions.assumeTrue(customCalls.isEmpty(),
        () -> name + ".opt.hlo calls XLA CPU runtime routines " + customCalls + ", which the interpreter does not run");
    Expected.load(name).assertMatches(name + ".opt.hlo",
        run(name + ".opt.hlo", module, XlaCorpus.arguments(name)));
  }

  private static Literal run(String file, Module module, List<Literal> arguments) {
    try {
      return new Interpreter().run(module, arguments);
    } catch (RuntimeException e) {
      throw new AssertionError(file + ": the interpreter fails: " + e.getMessage(), e);
    }
  }

  private static void assertPrintsStably(String file, Module module) {
    String printed = HloPrinter.print(module);
    String reprinted = HloPrinter.print(XlaCorpus.parse(file + " as printed", printed));
    assertEquals(printed, reprinted, file + ": the printed module does not read back to the same text");
  }
}
