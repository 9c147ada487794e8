package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParseException;
import io.tessera.compiler.text.HloParser;
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
 * Modules of both corpora with a few seeded edits each (a character deleted, a token inserted, a
 * digit changed) that still parse go to the CPU backend without the verifier: the emitter must
 * produce IR or a {@link CompilationException}, never a NullPointerException, an index error or
 * any other failure; some of those that emit are compiled by LLVM too, which must accept the IR or
 * report the failure the same way.
 */
class CpuMutatedModulesTest {
  private static final long SEED = 20250101;
  private static final int MUTANTS = 1500;
  private static final int COMPILE_EVERY = 30;
  private static final String[] TOKENS = {"f32", "s32", "u8", "pred", "bf16", "u64", "0", "1", "-1", "3", "{",
      "}", "(", ")", ",", "[", "]", "=", "?", "{}", "{0}", "{1,0}", "dimensions={0}", "index=1", "direction=LT",
      "index_vector_dim=0", "slice_sizes={1,1}", "window={size=2}", "dim_labels=b0f_0io->b0f", "1x1"};

  @Test
  void everyParsedMutantCompilesOrFailsWithACompilationException() throws IOException, URISyntaxException {
    List<String> texts = new ArrayList<>();
    for (String dir : List.of("/hlo", "/xla-corpus")) {
      Path path = Path.of(CpuMutatedModulesTest.class.getResource(dir).toURI());
      try (Stream<Path> files = Files.list(path)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".hlo")).sorted().toList()) {
          texts.add(Files.readString(file));
        }
      }
    }
    Random random = new Random(SEED);
    int emitted = 0;
    for (int i = 0; i < MUTANTS; i++) {
      String text = mutate(texts.get(random.nextInt(texts.size())), random);
      Module module;
      try {
        module = HloParser.parse(text);
        ElidedConstants.fill(module, 1);
      } catch (HloParseException | IllegalArgumentException notAModule) {
        continue;
      }
      try {
        Oracle.CPU.emitLlvmIr(module, BackendOptions.defaults(), false);
        emitted++;
        if (emitted % COMPILE_EVERY == 0) {
          Oracle.CPU.compile(module).close();
        }
      } catch (CompilationException expected) {
        // What a module the backend cannot compile should give.
      } catch (RuntimeException e) {
        fail("mutant " + i + " (seed " + SEED + ") failed with " + e + ":\n" + text, e);
      }
    }
    assertTrue(emitted > MUTANTS / 10, "only " + emitted + " mutants were emitted");
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
