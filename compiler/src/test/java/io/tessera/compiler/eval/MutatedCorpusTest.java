package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.VerificationException;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParseException;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Corpus modules with a few seeded edits each (a character deleted, a token inserted, a digit
 * changed) go through the whole pipeline, parse, verify, fill, interpret, print: every one ends in
 * a result or in one of the errors made to be shown to a user (a parse error with line:col, a
 * verifier problem naming the instruction, an evaluation error), never in a
 * NullPointerException, an index error or another failure.
 */
class MutatedCorpusTest {
  private static final long SEED = 20240601;
  private static final int MUTANTS = 3000;
  private static final String[] TOKENS = {"f32", "s32", "u8", "pred", "bf16", "u64", "0", "1", "-1", "3", "{",
      "}", "(", ")", ",", "[", "]", "=", "%", "?", "{}", "{0}", "{1,0}", "dimensions={0}", "ROOT", "ENTRY",
      "parameter(0)", "index=1", "direction=LT", "to_apply=", "nan", "->", "1x1", "..."};

  @Test
  void everyMutantEndsInAResultOrAUserFacingError() throws IOException, URISyntaxException {
    Path dir = Path.of(MutatedCorpusTest.class.getResource("/hlo").toURI());
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".hlo")).sorted().toList()) {
        texts.add(Files.readString(file));
      }
    }
    Random random = new Random(SEED);
    int evaluated = 0;
    for (int i = 0; i < MUTANTS; i++) {
      String text = mutate(texts.get(random.nextInt(texts.size())), random);
      try {
        evaluated += runs(text) ? 1 : 0;
      } catch (HloParseException | VerificationException | EvaluationException expected) {
        // A user-facing error: what malformed input should give.
      } catch (RuntimeException e) {
        fail("mutant " + i + " (seed " + SEED + ") failed with " + e + ":\n" + text, e);
      }
    }
    assertTrue(evaluated > MUTANTS / 20, "only " + evaluated + " mutants got as far as the interpreter");
  }

  /** Runs one mutant; false when it is not evaluated (a loop the edit may have made endless). */
  private static boolean runs(String text) {
    Module module = HloParser.parse(text);
    Verifier.verify(module);
    HloParser.parse(HloPrinter.print(module));
    if (text.contains(" while(")) {
      return false;
    }
    ElidedConstants.fill(module, 1);
    Random random = new Random(1);
    List<Literal> arguments = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      arguments.add(ElidedConstants.randomLiteral(p.shape(), random));
    }
    new Interpreter().run(module, arguments);
    return true;
  }

  private static String mutate(String text, Random random) {
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(3)) {
        case 0 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(3)));
        case 1 -> text = text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(at);
        default -> {
          int digit = at;
          while (digit < text.length() && !Character.isDigit(text.charAt(digit))) {
            digit++;
          }
          if (digit < text.length()) {
            text = text.substring(0, digit) + (char) ('0' + random.nextInt(10)) + text.substring(digit + 1);
          }
        }
      }
    }
    return text;
  }
}
