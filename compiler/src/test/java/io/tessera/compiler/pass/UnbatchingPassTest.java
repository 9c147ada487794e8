package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnbatchingPassTest {
  private static final Path CORPUS = Path.of("src/test/resources/xla-corpus");

  /** A dense layer for a batch of 4, weights as parameters (the same for every row). */
  private static final String LAYER = """
      HloModule layer, entry_computation_layout={(f32[4,5]{1,0}, f32[5,3]{1,0}, f32[3]{0})->f32[4,3]{1,0}}
      ENTRY e {
        x = f32[4,5] parameter(0)
        w = f32[5,3] parameter(1)
        bias = f32[3] parameter(2)
        d = f32[4,3] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bb = f32[4,3] broadcast(bias), dimensions={1}
        z = f32[4,3] add(d, bb)
        ROOT t = f32[4,3] tanh(z)
      }
      """;

  private static Module unbatched(String text) {
    Module m = HloParser.parse(text);
    new UnbatchingPass().run(m);
    assertEquals(List.of(), Verifier.problems(m), () -> HloPrinter.print(m));
    String printed = HloPrinter.print(m);
    assertEquals(printed, HloPrinter.print(HloParser.parse(printed)), "round trip");
    return m;
  }

  @Test
  void aDenseLayerForFourRowsBecomesOneRow() {
    Module original = HloParser.parse(LAYER);
    Module m = unbatched(LAYER);
    assertEquals("f32[5]", m.entry().parameter(0).shape().toString());
    assertEquals("f32[5,3]", m.entry().parameter(1).shape().toString(), "weights stay whole");
    assertEquals("f32[3]", m.entry().parameter(2).shape().toString());
    assertEquals("f32[3]", m.entry().root().shape().toString());
    assertFalse(HloPrinter.print(m).contains("entry_computation_layout"), "the batched layout is gone");

    Random random = new Random(7);
    Literal x = ElidedConstants.randomLiteral(original.entry().parameter(0).shape(), random);
    Literal w = ElidedConstants.randomLiteral(original.entry().parameter(1).shape(), random);
    Literal b = ElidedConstants.randomLiteral(original.entry().parameter(2).shape(), random);
    Literal batch = new Interpreter().run(original, List.of(x, w, b));
    for (int r = 0; r < 4; r++) {
      Literal row = new Interpreter().run(m, List.of(row(x, r), w, b));
      assertNull(LiteralComparator.DEFAULT.mismatch(row(batch, r), row), "row " + r);
    }
  }

  /** Every MLP that TensorFlow gave XLA, one row at a time, gives XLA's own results for that row. */
  @Test
  void xlaCorpusMlpsRunRowByRowWithXlasResults() throws IOException {
    List<Path> mlps = new ArrayList<>();
    try (var files = Files.list(CORPUS)) {
      files.filter(p -> p.getFileName().toString().matches("mlp_[a-z0-9_]+\\.hlo")).sorted().forEach(mlps::add);
    }
    assertTrue(mlps.size() >= 5, "corpus MLPs: " + mlps);
    LiteralComparator tolerance = LiteralComparator.withTolerance(1e-5, 1e-5);
    for (Path file : mlps) {
      String name = file.getFileName().toString().replace(".hlo", "");
      Module m = unbatched(Files.readString(file));
      Literal x = literals(CORPUS.resolve(name + ".args")).get(0);
      Literal expected = literals(CORPUS.resolve(name + ".expected")).get(0);
      assertEquals(x.shape().dimension(1), m.entry().parameter(0).shape().dimension(0), name);
      for (int r = 0; r < x.shape().dimension(0); r++) {
        Literal got = new Interpreter().run(m, List.of(row(x, r)));
        assertNull(tolerance.mismatch(row(expected, r), got), name + " row " + r);
      }
    }
  }

  @Test
  void aReductionOverTheBatchIsRefused() {
    String text = """
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[8,3] parameter(0)
          zero = f32[] constant(0)
          ROOT total = f32[3] reduce(x, zero), dimensions={0}, to_apply=add
        }
        """;
    PassException e = assertThrows(PassException.class, () -> new UnbatchingPass().run(HloParser.parse(text)));
    assertTrue(e.getMessage().startsWith("cannot unbatch: %total"), e.getMessage());
  }

  @Test
  void takesTheBatchDimensionsAsRebatchDoes() {
    String text = """
        HloModule m
        ENTRY e {
          x = f32[3,8] parameter(0)
          ROOT n = f32[3,8] negate(x)
        }
        """;
    Module m = HloParser.parse(text);
    PassRegistry.create("unbatch:1").run(m);
    assertEquals("f32[3]", m.entry().parameter(0).shape().toString());
    assertEquals("f32[3]", m.entry().root().shape().toString());
  }

  /** Row {@code r} (leading dimension) of {@code batch}. */
  private static Literal row(Literal batch, int r) {
    int[] dims = batch.shape().dimensions();
    int[] rowDims = java.util.Arrays.copyOfRange(dims, 1, dims.length);
    Literal row = Literal.zeros(Shape.array(batch.elementType(), rowDims));
    int n = row.elementCount();
    for (int k = 0; k < n; k++) {
      row.copyElement(batch, r * n + k, k);
    }
    return row;
  }

  private static List<Literal> literals(Path file) throws IOException {
    List<Literal> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(HloParser.parseLiteral(line));
      }
    }
    return out;
  }
}
