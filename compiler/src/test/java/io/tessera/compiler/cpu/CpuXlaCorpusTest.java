package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every module of the XLA corpus ({@code src/test/resources/xla-corpus}: what TensorFlow handed
 * XLA, {@code NAME.hlo}, and what XLA's CPU pipeline made of it, {@code NAME.opt.hlo}, with its
 * fusions, loops and layouts) compiled by the CPU backend and run on the corpus inputs, against
 * XLA's own results within the tolerance each entry states. Modules that call XLA runtime
 * routines ({@code custom-call}, e.g. TopK) must fail to compile with a message naming the target.
 * The counts are printed at the end.
 */
class CpuXlaCorpusTest {
  private static final Pattern TOLERANCE = Pattern.compile("# tolerance rel=(\\S+) abs=(\\S+)");
  private static final AtomicInteger RAN = new AtomicInteger();
  private static final AtomicInteger REFUSED = new AtomicInteger();

  @TestFactory
  Stream<DynamicTest> corpusModulesMatchXla() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : names()) {
      for (String file : List.of(name + ".hlo", name + ".opt.hlo")) {
        tests.add(DynamicTest.dynamicTest(file, () -> check(name, file)));
      }
    }
    assertTrue(tests.size() >= 80, "the corpus has only " + tests.size() / 2 + " entries");
    return tests.stream();
  }

  @AfterAll
  static void report() {
    System.out.printf(Locale.ROOT, "XLA corpus on the cpu backend: %d modules match XLA, %d refused (custom-call)%n",
        RAN.get(), REFUSED.get());
  }

  private static void check(String name, String file) {
    Module module = HloParser.parse(read(file));
    List<String> targets = customCallTargets(module);
    if (!targets.isEmpty()) {
      CompilationException e = assertThrows(CompilationException.class, () -> Oracle.CPU.compile(module).close(),
          file + " calls " + targets + " and must not compile");
      for (String target : targets) {
        assertTrue(e.getMessage().contains("custom-call") && e.getMessage().contains("\"" + target + "\""),
            file + ": the error should name the custom-call target " + target + ": " + e.getMessage());
      }
      REFUSED.incrementAndGet();
      return;
    }
    Literal result = Oracle.runCpu(module, arguments(name));
    Expected expected = Expected.load(name);
    List<Literal> actual = result.isTuple() ? result.tupleElements() : List.of(result);
    assertEquals(expected.results().size(), actual.size(), file + ": number of results");
    for (int i = 0; i < actual.size(); i++) {
      Literal want = expected.results().get(i);
      Literal got = actual.get(i);
      String where = file + " result " + i;
      assertTrue(got.shape().equalsIgnoringLayout(want.shape()), where + " has shape " + got.shape() + ", XLA's "
          + want.shape());
      for (int j = 0; j < want.elementCount(); j++) {
        if (want.isFloat()) {
          double e = want.getDouble(j);
          double a = got.getDouble(j);
          if (!expected.close(e, a)) {
            fail(String.format(Locale.ROOT, "%s element %d: cpu %s, XLA %s (rel=%s abs=%s)", where, j, a, e,
                expected.rel(), expected.abs()));
          }
        } else if (want.getLong(j) != got.getLong(j)) {
          fail(where + " element " + j + ": cpu " + got.getLong(j) + ", XLA " + want.getLong(j));
        }
      }
    }
    RAN.incrementAndGet();
  }

  /** {@code NAME.expected}: the tolerance line, then XLA's results, one literal per line. */
  private record Expected(double rel, double abs, List<Literal> results) {
    static Expected load(String name) {
      Double rel = null;
      Double abs = null;
      List<Literal> results = new ArrayList<>();
      for (String line : read(name + ".expected").split("\n")) {
        Matcher m = TOLERANCE.matcher(line);
        if (m.matches()) {
          rel = Double.parseDouble(m.group(1));
          abs = Double.parseDouble(m.group(2));
        } else if (!line.isBlank() && !line.startsWith("#")) {
          results.add(HloParser.parseLiteral(line));
        }
      }
      assertNotNull(rel, name + ".expected has no tolerance line");
      return new Expected(rel, abs, results);
    }

    /** {@code |actual - expected| <= abs + rel |expected|}; NaN only matches NaN, infinities only themselves. */
    boolean close(double expected, double actual) {
      if (Double.isNaN(expected) || Double.isNaN(actual)) {
        return Double.isNaN(expected) && Double.isNaN(actual);
      }
      if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
        return expected == actual;
      }
      return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }
  }

  private static List<Literal> arguments(String name) {
    List<Literal> args = new ArrayList<>();
    for (String line : read(name + ".args").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        args.add(HloParser.parseLiteral(line));
      }
    }
    return args;
  }

  private static List<String> customCallTargets(Module module) {
    List<String> targets = new ArrayList<>();
    for (Computation computation : module.computations()) {
      for (Instruction instruction : computation.instructions()) {
        if (instruction.opcode() == Opcode.CUSTOM_CALL) {
          targets.add(String.valueOf(instruction.attr(Attr.CUSTOM_CALL_TARGET)));
        }
      }
    }
    return targets;
  }

  private static List<String> names() {
    try (Stream<Path> files = Files.list(dir())) {
      return files.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".hlo") && !f.endsWith(".opt.hlo"))
          .map(f -> f.substring(0, f.length() - ".hlo".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path dir() {
    try {
      return Path.of(CpuXlaCorpusTest.class.getResource("/xla-corpus").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(String file) {
    try {
      return Files.readString(dir().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
