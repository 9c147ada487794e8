package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** What the pass tests share: run a pass on HLO text, compare with expected text and numbers. */
final class PassTesting {
  private PassTesting() {}

  /** The result of one pass on a module parsed from text. */
  record Outcome(Module before, Module after, boolean changed) {}

  /** Parses and verifies {@code hlo}, runs {@code pass} on a copy, verifies and re-parses the result. */
  static Outcome run(Pass pass, String hlo) {
    Module before = HloParser.parse(hlo);
    Verifier.verify(before);
    Module after = ModuleCopy.copy(before);
    boolean changed = pass.run(after);
    Verifier.verify(after);
    String printed = HloPrinter.print(after);
    assertEquals(printed, HloPrinter.print(HloParser.parse(printed)), "the result prints and re-parses");
    return new Outcome(before, after, changed);
  }

  /** Asserts that {@code actual} prints as {@code expectedHlo} does (names, order, shapes, attributes). */
  static void assertModule(String expectedHlo, Module actual) {
    assertEquals(HloPrinter.print(HloParser.parse(expectedHlo)), HloPrinter.print(actual));
  }

  /** Runs {@code pass} on {@code hlo} and checks the printed result and the numbers before and after. */
  static Outcome assertRewrites(Pass pass, String hlo, String expectedHlo) {
    Outcome o = run(pass, hlo);
    assertModule(expectedHlo, o.after());
    assertEquals(!HloPrinter.print(o.before()).equals(HloPrinter.print(o.after())), o.changed(),
        "run() reports a change exactly when the module changed");
    assertSameResults(o.before(), o.after(), 1);
    return o;
  }

  /** Runs {@code pass} on {@code hlo} and checks that nothing changed. */
  static void assertUnchanged(Pass pass, String hlo) {
    Outcome o = run(pass, hlo);
    assertEquals(HloPrinter.print(o.before()), HloPrinter.print(o.after()));
    assertEquals(false, o.changed(), "run() reports no change");
  }

  /** Random arguments for the entry parameters of {@code module}, from {@code seed}. */
  static List<Literal> randomArguments(Module module, long seed) {
    Random random = new Random(seed);
    List<Literal> args = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      args.add(ElidedConstants.randomLiteral(p.shape(), random));
    }
    return args;
  }

  /** The interpreter gives the same results for both modules on arguments drawn from {@code seed}. */
  static void assertSameResults(Module expected, Module actual, long seed) {
    List<Literal> args = randomArguments(expected, seed);
    Literal want = new Interpreter().run(expected, args);
    Literal got = new Interpreter().run(actual, args);
    assertNull(LiteralComparator.DEFAULT.mismatch(want, got), () -> "results differ (seed " + seed + ")\n"
        + HloPrinter.print(actual));
  }
}
