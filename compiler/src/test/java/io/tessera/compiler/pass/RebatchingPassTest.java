package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RebatchingPassTest {
  private static final int BATCH = 8;

  /** A dense layer with softmax over the features, written for a batch of 8, weights as parameters. */
  private static final String LAYER = """
      HloModule layer
      max {
        a = f32[] parameter(0)
        b = f32[] parameter(1)
        ROOT m = f32[] maximum(a, b)
      }
      add {
        a2 = f32[] parameter(0)
        b2 = f32[] parameter(1)
        ROOT s = f32[] add(a2, b2)
      }
      ENTRY e {
        x = f32[8,5] parameter(0)
        w = f32[5,3] parameter(1)
        bias = f32[3] parameter(2)
        d = f32[8,3] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bb = f32[8,3] broadcast(bias), dimensions={1}
        z = f32[8,3] add(d, bb)
        ninf = f32[] constant(-inf)
        mx = f32[8] reduce(z, ninf), dimensions={1}, to_apply=max
        mxb = f32[8,3] broadcast(mx), dimensions={0}
        ex = f32[8,3] exponential(z)
        zero = f32[] constant(0)
        sum = f32[8] reduce(ex, zero), dimensions={1}, to_apply=add
        sb = f32[8,3] broadcast(sum), dimensions={0}
        ROOT p = f32[8,3] divide(ex, sb)
      }
      """;

  private static Module rebatched(String hlo, Pass pass) {
    Module m = HloParser.parse(hlo);
    pass.run(m);
    assertEquals(List.of(), Verifier.problems(m), () -> HloPrinter.print(m));
    String text = HloPrinter.print(m);
    assertEquals(text, HloPrinter.print(HloParser.parse(text)));
    return m;
  }

  @Test
  void theBatchOfADenseLayerBecomesARuntimeValue() {
    Module m = rebatched(LAYER, new RebatchingPass());
    assertEquals("f32[?,5]", m.entry().parameter(0).shape().toString());
    assertEquals("f32[5,3]", m.entry().parameter(1).shape().toString(), "weights are the same for every row");
    assertEquals("f32[3]", m.entry().parameter(2).shape().toString());
    assertEquals("f32[?,3]", m.entry().root().shape().toString());
    assertEquals("f32[?,3]", m.entry().instruction("d").shape().toString());
    assertEquals("f32[?]", m.entry().instruction("sum").shape().toString());
    Module original = HloParser.parse(LAYER);
    for (int rows : new int[] {1, 3, 8, 17}) {
      assertRowsMatch(original, m, List.of(0, RowDim.NONE, RowDim.NONE), List.of(0), rows, rows, BATCH);
    }
  }

  @Test
  void realJaxAndTensorFlowDumpsRebatch() throws IOException {
    for (String file : List.of("jax_mlp.hlo", "tf_before_optimizations.hlo")) {
      String text = Files.readString(Path.of("src/test/resources/hlo", file));
      Module original = HloParser.parse(text);
      int batch = original.entry().parameter(0).shape().dimension(0);
      Module m = rebatched(text, new RebatchingPass());
      List<Integer> paramDims = new ArrayList<>();
      for (Instruction p : original.entry().parameters()) {
        paramDims.add(p.shape().dimension(0) == batch ? 0 : RowDim.NONE);
      }
      int results = original.entry().resultShape().isTuple() ? original.entry().resultShape().tupleShapes().size() : 1;
      for (int rows : new int[] {1, 3, 17}) {
        assertRowsMatch(original, m, paramDims, Collections.nCopies(results, 0), rows, rows, batch);
      }
    }
  }

  @Test
  void aNamedBatchDimensionStaysWhereItIs() {
    String hlo = """
        HloModule m
        ENTRY e {
          x = f32[4,8] parameter(0)
          y = f32[8,4] parameter(1)
          t = f32[4,8] transpose(y), dimensions={1,0}
          ROOT s = f32[4,8] add(x, t)
        }
        """;
    Module m = rebatched(hlo, RebatchingPass.perParameter(List.of(1, 0)));
    assertEquals("f32[4,?]", m.entry().parameter(0).shape().toString());
    assertEquals("f32[?,4]", m.entry().parameter(1).shape().toString());
    assertEquals("f32[4,?]", m.entry().root().shape().toString());
    for (int rows : new int[] {1, 3, 17}) {
      assertRowsMatch(HloParser.parse(hlo), m, List.of(1, 0), List.of(1), rows, rows, BATCH);
    }
    Module every = rebatched("""
        HloModule m
        ENTRY e {
          x = f32[4,8] parameter(0)
          y = f32[4,8] parameter(1)
          ROOT s = f32[4,8] subtract(x, y)
        }
        """, RebatchingPass.everyParameterAt(1));
    assertEquals("f32[4,?]", every.entry().parameter(1).shape().toString());
    assertEquals("f32[4,?]", every.entry().root().shape().toString());
  }

  @Test
  void opsThatTieRowsTogetherAreNamed() {
    assertRefused("""
          x = f32[8,4] parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[4] reduce(x, z), dimensions={0}, to_apply=add
        """, "%r (reduce) reduces over the batch dimension 0");
    assertRefused("""
          x = f32[8,4] parameter(0)
          ROOT r = f32[32] reshape(x)
        """, "%r (reshape) reshapes f32[8,4] to f32[32], merging the batch dimension 0 with other dimensions");
    assertRefused("""
          x = f32[8,4] parameter(0)
          ROOT g = f32[4,4] dot(x, x), lhs_contracting_dims={0}, rhs_contracting_dims={0}
        """, "%g (dot) contracts the batch dimension");
    assertRefused("""
          x = f32[8,4] parameter(0)
          ROOT s = f32[4,4] slice(x), slice={[0:4], [0:4]}
        """, "%s (slice) slices the batch dimension 0");
    assertRefused("""
          x = f32[8,4] parameter(0)
          ROOT c = f32[16,4] concatenate(x, x), dimensions={0}
        """, "%c (concatenate) concatenates along the batch dimension 0");
    assertRefused("""
          x = f32[8,2] parameter(0)
          c = f32[8,2] constant({{1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {3, 4}})
          ROOT a = f32[8,2] add(x, c)
        """, "%a (add) mixes the batch with %c (f32[8,2]), which is not the same for every row");
    assertRefused("""
          x = f32[8,8] parameter(0)
          t = f32[8,8] transpose(x), dimensions={1,0}
          ROOT a = f32[8,8] add(x, t)
        """, "%a (add) mixes rows: %x and %t hold the batch in different dimensions (0 and 1)");
    assertRefused("""
          x = f32[8,4] parameter(0)
          z = f32[] constant(0)
          r = f32[8] reduce(x, z), dimensions={1}, to_apply=add
          ROOT k = f32[] constant(1)
        """, "result 0 of %k does not depend on the batch");
  }

  @Test
  void rowsThatAreTheSameForEveryRowAreAccepted() {
    Module m = rebatched("""
        HloModule m
        ENTRY e {
          x = f32[8,2] parameter(0)
          c = f32[8,2] constant({{1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2}})
          i = s32[8,2] iota(), iota_dimension=1
          f = f32[8,2] convert(i)
          a = f32[8,2] add(x, c)
          ROOT b = f32[8,2] multiply(a, f)
        }
        """, new RebatchingPass());
    assertEquals("f32[?,2]", m.entry().root().shape().toString());
  }

  @Test
  void dynamicSlicesAndUpdatesThatKeepTheWholeBatchAreAccepted() {
    String hlo = """
        HloModule m
        ENTRY e {
          x = f32[8,6] parameter(0)
          i = s32[] parameter(1)
          z = s32[] constant(0)
          d = f32[8,2] dynamic-slice(x, z, i), dynamic_slice_sizes={8,2}
          n = f32[8,2] negate(d)
          ROOT u = f32[8,6] dynamic-update-slice(x, n, z, i)
        }
        """;
    Module m = rebatched(hlo, new RebatchingPass());
    assertEquals("f32[?,6]", m.entry().root().shape().toString());
    assertEquals("s32[]", m.entry().parameter(1).shape().toString());
    for (int rows : new int[] {1, 3, 17}) {
      assertRowsMatch(HloParser.parse(hlo), m, List.of(0, RowDim.NONE), List.of(0), rows, rows, BATCH);
    }
    assertRefused("""
          x = f32[8,6] parameter(0)
          one = s32[] constant(1)
          ROOT d = f32[4,6] dynamic-slice(x, one, one), dynamic_slice_sizes={4,6}
        """, "%d (dynamic-slice) slices part of the batch dimension 0");
  }

  @Test
  void aParameterWhoseSizeIsNotTheBatchNeedsExplicitDimensions() {
    PassException e = assertThrows(PassException.class, () -> RebatchingPass.everyParameterAt(0).run(
        HloParser.parse("""
            HloModule m
            ENTRY e {
              x = f32[8,4] parameter(0)
              w = f32[4,4] parameter(1)
              ROOT d = f32[8,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            }
            """)));
    String expected = "cannot rebatch: parameter %w has size 4 in dimension 0, not the batch size 8";
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  private static void assertRefused(String body, String reason) {
    String hlo = """
        HloModule m
        add {
          lhs = f32[] parameter(0)
          rhs = f32[] parameter(1)
          ROOT sum = f32[] add(lhs, rhs)
        }
        ENTRY e {
        """ + body + "}\n";
    PassException e = assertThrows(PassException.class, () -> new RebatchingPass().run(HloParser.parse(hlo)));
    assertTrue(e.getMessage().startsWith("cannot rebatch: " + reason), e.getMessage());
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 100).boxed();
  }

  /**
   * A per-row random program batched and bound to 8 rows is a fixed-batch module whose rows are
   * independent by construction: rebatching must accept it and agree with the per-row program.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void fixedBatchRandomProgramsRebatch(long seed) {
    Module perRow = RandomPrograms.generate(seed);
    Module fixed = DynamicShapes.bind(BatchingNumerics.batched(perRow), BATCH);
    Module rebatched = ModuleCopy.copy(fixed);
    try {
      RebatchingPass.everyParameterAt(0).run(rebatched);
    } catch (PassException e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage() + "\n" + HloPrinter.print(fixed), e);
    }
    assertEquals(List.of(), Verifier.problems(rebatched), "seed " + seed);
    for (int rows : new int[] {1, 3, 17}) {
      BatchingNumerics.assertRowByRow(perRow, rebatched, rows, seed, "rebatched random program seed " + seed);
    }
  }

  /**
   * Runs {@code rebatched} on {@code rows} rows and checks each row against {@code original} (batch
   * {@code batch}) run on a batch that holds that row, the batch dimensions as given.
   */
  private static void assertRowsMatch(Module original, Module rebatched, List<Integer> paramDims,
                                      List<Integer> resultDims, int rows, long seed, int batch) {
    Random random = new Random(seed);
    List<Literal> args = new ArrayList<>();
    for (int k = 0; k < original.entry().parameterCount(); k++) {
      Shape shape = original.entry().parameter(k).shape();
      int d = paramDims.get(k);
      args.add(ElidedConstants.randomLiteral(d == RowDim.NONE ? shape : resized(shape, d, rows), random));
    }
    Literal all = new Interpreter().run(DynamicShapes.bind(rebatched, rows), args);
    for (int r = 0; r < rows; r++) {
      List<Literal> batchArgs = new ArrayList<>();
      for (int k = 0; k < args.size(); k++) {
        int d = paramDims.get(k);
        if (d == RowDim.NONE) {
          batchArgs.add(args.get(k));
        } else {
          Literal b = ElidedConstants.randomLiteral(original.entry().parameter(k).shape(), random);
          copyRow(args.get(k), r, b, r % batch, d);
          batchArgs.add(b);
        }
      }
      Literal expected = new Interpreter().run(original, batchArgs);
      List<Literal> expectedLeaves = expected.isTuple() ? expected.tupleElements() : List.of(expected);
      List<Literal> actualLeaves = all.isTuple() ? all.tupleElements() : List.of(all);
      for (int k = 0; k < expectedLeaves.size(); k++) {
        int d = resultDims.get(k);
        Literal want = Literal.zeros(resized(expectedLeaves.get(k).shape(), d, 1));
        Literal got = Literal.zeros(want.shape());
        copyRow(expectedLeaves.get(k), r % batch, want, 0, d);
        copyRow(actualLeaves.get(k), r, got, 0, d);
        String where = "row " + r + " of " + rows + ", result " + k;
        assertNull(LiteralComparator.DEFAULT.mismatch(want, got), where);
      }
    }
  }

  private static Shape resized(Shape shape, int d, int size) {
    int[] dims = shape.dimensions();
    dims[d] = size;
    return Shape.array(shape.elementType(), dims);
  }

  /** Copies index {@code from} along dimension {@code d} of {@code src} to index {@code to} of {@code dst}. */
  private static void copyRow(Literal src, int from, Literal dst, int to, int d) {
    int[] sd = src.shape().dimensions();
    int[] dd = dst.shape().dimensions();
    int inner = 1;
    for (int e = d + 1; e < sd.length; e++) {
      inner *= sd[e];
    }
    int outer = 1;
    for (int e = 0; e < d; e++) {
      outer *= sd[e];
    }
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < inner; k++) {
        dst.copyElement(src, (o * sd[d] + from) * inner + k, (o * dd[d] + to) * inner + k);
      }
    }
  }
}
