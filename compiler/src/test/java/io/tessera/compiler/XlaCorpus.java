package io.tessera.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The XLA corpus under {@code src/test/resources/xla-corpus}, as the tests read it (the
 * {@code xla-oracle} module writes it; see the corpus README). For each entry {@code NAME}:
 * {@code NAME.hlo} (what TensorFlow handed XLA), {@code NAME.opt.hlo} (after XLA's CPU pipeline),
 * {@code NAME.args} (one literal per line, in ENTRY parameter order) and {@code NAME.expected}
 * (a tolerance line, then XLA's results, one literal per line, in the order of the result tuple).
 */
public final class XlaCorpus {
  private static final Pattern TOLERANCE = Pattern.compile("# tolerance rel=(\\S+) abs=(\\S+)");

  private XlaCorpus() {}

  /** The entry names: the stems of the {@code NAME.hlo} files, sorted. */
  public static List<String> names() {
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

  public static Path dir() {
    try {
      return Path.of(XlaCorpus.class.getResource("/xla-corpus").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String read(String file) {
    try {
      return Files.readString(dir().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a corpus file; a failure names the file. */
  public static Module parse(String file) {
    return parse(file, read(file));
  }

  public static Module parse(String file, String text) {
    try {
      return HloParser.parse(text);
    } catch (RuntimeException e) {
      throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
    }
  }

  /** The entry name of a corpus file: {@code NAME.hlo} and {@code NAME.opt.hlo} both give {@code NAME}. */
  public static String entryOf(String file) {
    return file.replaceFirst("(\\.opt)?\\.hlo$", "");
  }

  /** {@code NAME.args}. */
  public static List<Literal> arguments(String name) {
    List<Literal> args = new ArrayList<>();
    for (String line : read(name + ".args").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        args.add(HloParser.parseLiteral(line.strip()));
      }
    }
    return args;
  }

  /** The targets of the module's {@code custom-call}s (XLA runtime routines), in order. */
  public static List<String> customCallTargets(Module module) {
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

  /** {@code NAME.expected}: XLA's results and the tolerance they are compared with. */
  public record Expected(double rel, double abs, List<Literal> results) {
    public static Expected load(String name) {
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
      assertNotNull(rel, name + ".expected has no '# tolerance rel=... abs=...' line");
      return new Expected(rel, abs, results);
    }

    /** {@code |actual - expected| <= abs + rel |expected|}; NaN only matches NaN, infinities only themselves. */
    public boolean close(double expected, double actual) {
      if (Double.isNaN(expected) || Double.isNaN(actual)) {
        return Double.isNaN(expected) && Double.isNaN(actual);
      }
      if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
        return expected == actual;
      }
      return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }

    /**
     * The module's result (a tuple, as TensorFlow's clusters return, or a single array) against
     * XLA's, element by element; {@code what} names the file and the backend in the failure.
     */
    public void assertMatches(String what, Literal result) {
      List<Literal> actual = result.isTuple() ? result.tupleElements() : List.of(result);
      assertEquals(results.size(), actual.size(), what + ": number of results");
      for (int i = 0; i < actual.size(); i++) {
        String where = what + " result " + i;
        Literal want = results.get(i);
        Literal got = actual.get(i);
        assertTrue(got.shape().equalsIgnoringLayout(want.shape()), where + " has shape "
            + got.shape().toStringWithoutLayout() + ", XLA's has " + want.shape().toStringWithoutLayout());
        String mismatch = want.isFloat() ? floatMismatch(want, got) : integerMismatch(want, got);
        if (mismatch != null) {
          fail(where + " (" + want.shape().toStringWithoutLayout() + "): " + mismatch);
        }
      }
    }

    /** Null when every element is within tolerance, else a description of the misses. */
    private String floatMismatch(Literal want, Literal got) {
      double[] e = want.floatStorage();
      double[] a = got.floatStorage();
      int misses = 0;
      int first = -1;
      double worst = 0;
      for (int i = 0; i < e.length; i++) {
        if (!close(e[i], a[i])) {
          misses++;
          first = first < 0 ? i : first;
          worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
      }
      if (misses == 0) {
        return null;
      }
      return String.format(Locale.ROOT, "%d of %d elements differ from XLA beyond rel=%s abs=%s; first at %s: %s,"
          + " XLA %s; largest difference %.3g", misses, e.length, rel, abs, index(want.shape(), first), a[first],
          e[first], worst);
    }

    private static String integerMismatch(Literal want, Literal got) {
      long[] e = want.intStorage();
      long[] a = got.intStorage();
      int misses = 0;
      int first = -1;
      for (int i = 0; i < e.length; i++) {
        if (e[i] != a[i]) {
          misses++;
          first = first < 0 ? i : first;
        }
      }
      return misses == 0 ? null : misses + " of " + e.length + " elements differ from XLA; first at "
          + index(want.shape(), first) + ": " + a[first] + ", XLA " + e[first];
    }

    /** The multi-dimensional index of row-major element {@code flat}. */
    private static String index(Shape shape, int flat) {
      int[] index = new int[shape.rank()];
      for (int d = shape.rank() - 1; d >= 0; d--) {
        index[d] = flat % shape.dimension(d);
        flat /= shape.dimension(d);
      }
      return Arrays.toString(index);
    }
  }
}
