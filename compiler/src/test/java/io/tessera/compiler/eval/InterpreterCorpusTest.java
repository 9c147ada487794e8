package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every module of the HLO corpus ({@code src/test/resources/hlo}) through the interpreter, with
 * arguments and elided constants drawn as {@code run-hlo} draws them (seed {@value #SEED}). Modules
 * that cannot run by design fail with their reason; for the others the result has the entry's
 * shape and, where the module's meaning is simple enough, the values are checked against a
 * computation written out here in plain Java. Together the modules that run use every opcode but
 * {@code custom-call}, so every opcode is evaluated on real-world-style input.
 */
class InterpreterCorpusTest {
  private static final long SEED = 42;

  /** Modules the interpreter refuses by design, and the reason it gives. */
  private static final Map<String, String> CANNOT_RUN = Map.of(
      "custom_call.hlo", "custom-call %custom-call has target \"my_scale_kernel\", which Tessera does not implement",
      "dynamic_and_tiled_shapes.hlo",
      "%x (parameter) in computation main has the dynamic shape f32[?,4]; the interpreter evaluates static shapes only");

  static Stream<String> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(InterpreterCorpusTest.class.getResource("/hlo").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hlo")).sorted().toList().stream();
    }
  }

  /** A module with its seeded arguments and, when it ran, its result. */
  private record Run(Module module, List<Literal> arguments, Literal result) {
    Literal argument(int i) {
      return arguments.get(i);
    }

    Literal output(int i) {
      return result.tupleElement(i);
    }
  }

  private static Module load(String name) {
    try {
      Path file = Path.of(InterpreterCorpusTest.class.getResource("/hlo/" + name).toURI());
      Module module = HloParser.parse(Files.readString(file));
      Verifier.verify(module);
      ElidedConstants.fill(module, SEED);
      return module;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Literal> seededArguments(Module module) {
    Random random = new Random(SEED);
    List<Literal> arguments = new ArrayList<>();
    for (Instruction parameter : module.entry().parameters()) {
      arguments.add(ElidedConstants.randomLiteral(parameter.shape(), random));
    }
    return arguments;
  }

  private static Run run(String name) {
    Module module = load(name);
    List<Literal> arguments = seededArguments(module);
    return new Run(module, arguments, new Interpreter().run(module, arguments));
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void everyModuleRunsOrFailsWithItsReason(String name) {
    String reason = CANNOT_RUN.get(name);
    if (reason != null) {
      Module module = load(name);
      EvaluationException e = assertThrows(EvaluationException.class, () -> {
        // Static arguments for the dynamic module: its parameter shapes have no size to draw from.
        List<Literal> arguments = new ArrayList<>();
        for (Instruction p : module.entry().parameters()) {
          arguments.add(Literal.zeros(p.shape().hasDynamicDimension() ? staticVersion(p) : p.shape()));
        }
        new Interpreter().run(module, arguments);
      });
      assertEquals(reason, e.getMessage());
      return;
    }
    Run first = run(name);
    assertTrue(first.result().shape().equalsIgnoringLayout(first.module().entry().resultShape()),
        name + ": result " + first.result().shape() + ", entry returns " + first.module().entry().resultShape());
    assertEquals(first.result(), run(name).result(), name + ": the same seed gives the same values");
  }

  @Test
  void theModulesThatRunUseEveryOpcodeButCustomCall() throws Exception {
    Set<Opcode> missing = EnumSet.allOf(Opcode.class);
    for (String name : corpus().toList()) {
      if (!CANNOT_RUN.containsKey(name)) {
        for (Computation computation : load(name).computations()) {
          computation.instructions().forEach(i -> missing.remove(i.opcode()));
        }
      }
    }
    assertEquals(EnumSet.of(Opcode.CUSTOM_CALL), missing);
  }

  /** The shape with every dynamic dimension given size 2. */
  private static Shape staticVersion(Instruction p) {
    int[] dims = p.shape().dimensions();
    for (int d = 0; d < dims.length; d++) {
      dims[d] = dims[d] < 0 ? 2 : dims[d];
    }
    return Shape.array(p.shape().elementType(), dims);
  }

  @Test
  void sortOrdersByTotalOrderAndCarriesTheIotaAlong() {
    Run r = run("sort.hlo");
    double[] x = r.argument(0).floatStorage().clone();
    Arrays.sort(x); // no NaN or -0 among the seeded values, so this is the total order
    assertEquals(Literal.ofDoubles(r.argument(0).shape(), x), r.output(0));
    Literal y = r.argument(1);
    Literal order = r.output(1);
    for (int row = 0; row < 2; row++) {
      boolean[] seen = new boolean[5];
      for (int j = 0; j < 5; j++) {
        int index = (int) order.getLong(row * 5 + j);
        seen[index] = true;
        if (j > 0) {
          int previous = (int) order.getLong(row * 5 + j - 1);
          assertTrue(y.getDouble(row * 5 + previous) <= y.getDouble(row * 5 + index), "row " + row + " at " + j);
        }
      }
      assertEquals("[true, true, true, true, true]", Arrays.toString(seen), "a permutation of row " + row);
    }
  }

  @Test
  void variadicReduceIsArgmaxOfEachRow() {
    Run r = run("variadic_reduce.hlo");
    Literal x = r.argument(0);
    for (int row = 0; row < 3; row++) {
      int best = 0;
      for (int j = 1; j < 5; j++) {
        if (x.getDouble(row * 5 + j) > x.getDouble(row * 5 + best)) {
          best = j;
        }
      }
      assertEquals(x.getDouble(row * 5 + best), r.output(0).getDouble(row), "max of row " + row);
      assertEquals(best, r.output(1).getLong(row), "argmax of row " + row);
    }
  }

  @Test
  void gatherLooksUpRowsWithNegativeIdsCountedFromTheEnd() {
    Run r = run("gather_embedding.hlo");
    Literal table = r.argument(0);
    Literal ids = r.argument(1);
    Literal out = r.result();
    for (int i = 0; i < 6; i++) {
      long id = ids.getLong(i);
      int row = (int) (id < 0 ? id + 10 : id);
      for (int k = 0; k < 4; k++) {
        assertEquals(table.getDouble(row * 4 + k), out.getDouble(i * 4 + k), "row " + i + " column " + k);
      }
    }
  }

  @Test
  void scatterAddsEveryUpdateRowIntoItsTarget() {
    Run r = run("scatter_add.hlo");
    float[] expected = new float[40];
    for (int i = 0; i < 40; i++) {
      expected[i] = (float) r.argument(0).getDouble(i);
    }
    for (int u = 0; u < 3; u++) { // updates in order, each rounded to f32 as the f32 add does
      long id = r.argument(1).getLong(u);
      int row = (int) (id < 0 ? id + 10 : id);
      for (int k = 0; k < 4; k++) {
        expected[row * 4 + k] += (float) r.argument(2).getDouble(u * 4 + k);
      }
    }
    for (int i = 0; i < 40; i++) {
      assertEquals(expected[i], r.result().getDouble(i), "element " + i);
    }
  }

  @Test
  void foriLoopDoublesTenTimes() {
    Run r = run("while_fori_loop.hlo");
    for (int i = 0; i < 3; i++) {
      assertEquals(r.argument(0).getDouble(i) * 1024, r.result().getDouble(i), "element " + i); // exact in f32
    }
  }

  @Test
  void switchClampsItsIndexAndRunsThatBranch() {
    Run r = run("conditional_switch.hlo");
    int branch = (int) Math.max(0, Math.min(2, r.argument(0).getLong(0)));
    for (int i = 0; i < 4; i++) {
      double x = r.argument(1).getDouble(i);
      double expected = switch (branch) {
        case 0 -> (float) StrictMath.sin(x);
        case 1 -> (float) StrictMath.cos(x);
        default -> -x;
      };
      assertEquals(expected, r.result().getDouble(i), "branch " + branch + ", element " + i);
    }
  }

  @Test
  void predicatedConditionalAddsThePairOrNegatesTheOther() {
    Run r = run("conditional_pred.hlo");
    Literal pair = r.argument(1);
    double expected = r.argument(0).getLong(0) != 0
        ? (float) (pair.tupleElement(0).getDouble(0) + pair.tupleElement(1).getDouble(0))
        : -r.argument(2).getDouble(0);
    assertEquals(expected, r.result().getDouble(0));
  }

  @Test
  void forwardReferencedHelperIsCalled() {
    Run r = run("forward_reference.hlo");
    for (int i = 0; i < 3; i++) {
      assertEquals((float) StrictMath.exp(r.argument(0).getDouble(i)), r.result().getDouble(i), "element " + i);
    }
  }

  @Test
  void computationsWithoutRootReturnTheirLastInstruction() {
    Run r = run("no_entry_no_root.hlo");
    float sum = 0;
    for (int i = 0; i < 4; i++) {
      sum += (float) r.argument(0).getDouble(i); // both reducers add in index order
    }
    assertEquals(sum + sum, r.result().getDouble(0));
  }

  @Test
  void mlpSoftmaxRowsAreDistributions() {
    Run r = run("jax_mlp.hlo");
    for (int row = 0; row < 8; row++) {
      double a = r.result().getDouble(row * 2);
      double b = r.result().getDouble(row * 2 + 1);
      assertTrue(a > 0 && a < 1 && b > 0 && b < 1, "row " + row + ": " + a + ", " + b);
      assertEquals(1, a + b, 1e-6, "row " + row);
    }
  }

  @Test
  void literalsComeBackAsWritten() {
    Run r = run("literals.hlo");
    assertEquals(HloParser.parseLiteral("s8[3] {-128, 0, 127}"), r.output(1));
    assertEquals(HloParser.parseLiteral("u64[3] {0, 9223372036854775808, 18446744073709551615}"), r.output(8));
    assertEquals(HloParser.parseLiteral("f32[8] {nan, inf, -inf, -0, 1e-05, 3.40282347e+38, 1.17549435e-38, 0.1}"),
        r.output(11));
    assertEquals(HloParser.parseLiteral("f32[] 3"), r.output(19)); // 0x1.8p1
    Literal elided = r.output(18); // filled from the seeded generator: uniform in [-1, 1)
    assertEquals(ElementType.F32, elided.elementType());
    for (int i = 0; i < elided.elementCount(); i++) {
      assertTrue(elided.getDouble(i) >= -1 && elided.getDouble(i) < 1, "element " + i);
    }
  }
}
