package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.BatchingNumerics.assertRowByRow;
import static io.tessera.compiler.pass.BatchingNumerics.batched;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BatchingPassTest {
  private static final int[] ROW_COUNTS = {1, 3, 17};

  private static void assertBatchesRowByRow(String hlo) {
    Module perRow = HloParser.parse(hlo);
    Module batched = batched(perRow);
    for (int rows : ROW_COUNTS) {
      assertRowByRow(perRow, batched, rows, rows, "module");
    }
  }

  private static String entry(String body) {
    return "HloModule m\nENTRY e {\n" + body + "}\n";
  }

  @Test
  void aMapListsTheRowDimensionAmongItsDimensions() {
    String perRow = """
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT c = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[2,3] parameter(0)
          y = f32[2,3] parameter(1)
          ROOT m = f32[2,3] map(x, y), dimensions={0,1}, to_apply=add
        }
        """;
    assertBatchesRowByRow(perRow);
    Instruction map = batched(HloParser.parse(perRow)).entry().root();
    assertArrayEquals(new long[] {0, 1, 2}, map.requireAttr(Attr.DIMENSIONS));
  }

  @Test
  void aVectorTimesAMatrixBecomesOneMatrixProduct() {
    Module batched = batched(HloParser.parse(entry("""
          x = f32[4] parameter(0)
          w = f32[4,3] constant({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}})
          d = f32[3] dot(x, w), lhs_contracting_dims={0}, rhs_contracting_dims={0}
          b = f32[3] constant({0.5, -1, 2})
          ROOT y = f32[3] add(d, b)
        """)));
    PassTesting.assertModule(entry("""
          x = f32[?,4] parameter(0)
          w = f32[4,3] constant({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}})
          d = f32[?,3] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          b = f32[3] constant({0.5, -1, 2})
          broadcast = f32[?,3] broadcast(b), dimensions={1}
          ROOT y = f32[?,3] add(d, broadcast)
        """), batched);
  }

  @Test
  void valuesThatDoNotDependOnTheRowStayUnbatched() {
    Module batched = batched(HloParser.parse(entry("""
          x = f32[3] parameter(0)
          c = f32[] constant(2)
          cc = f32[] multiply(c, c)
          b = f32[3] broadcast(cc), dimensions={}
          ROOT y = f32[3] multiply(x, b)
        """)));
    assertEquals("f32[]", batched.entry().instruction("cc").shape().toString());
    assertEquals("f32[3]", batched.entry().instruction("b").shape().toString());
    assertEquals("f32[?,3]", batched.entry().root().shape().toString());
  }

  @Test
  void theRowDimensionFollowsTransposesAndDotsAndComesBackToTheFront() {
    assertBatchesRowByRow(entry("""
          x = f32[2,3] parameter(0)
          t = f32[3,2] transpose(x), dimensions={1,0}
          w = f32[4,3] parameter(1)
          d = f32[4,2] dot(w, t), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          ROOT n = f32[4,2] negate(d)
        """));
    Module batched = batched(HloParser.parse(entry("""
          x = f32[2,3] parameter(0)
          w = f32[3,4] constant({...})
          d = f32[2,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          ROOT t = f32[4,2] transpose(d), dimensions={1,0}
        """)));
    assertEquals("f32[?,2,4]", batched.entry().instruction("d").shape().toString());
    assertEquals("f32[?,4,2]", batched.entry().root().shape().toString());
    // A matrix times a batched vector: the batched operand goes left, one [rows,3]x[4,3] product.
    Module right = batched(HloParser.parse(entry("""
          x = f32[3] parameter(0)
          w = f32[4,3] constant({...})
          d = f32[4] dot(w, x), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          ROOT n = f32[4] negate(d)
        """)));
    Instruction d = right.entry().instruction("d");
    assertEquals("f32[?,4]", d.shape().toString());
    assertEquals(List.of("x", "w"), d.operands().stream().map(Instruction::name).toList());
    assertTrue(HloPrinter.print(d).contains("lhs_contracting_dims={1}, rhs_contracting_dims={1}"), HloPrinter.print(d));
    // A matrix times a batched matrix: rows lead through a transpose of the dot's result.
    assertBatchesRowByRow(entry("""
          x = f32[3,2] parameter(0)
          w = f32[4,3] parameter(1)
          ROOT d = f32[4,2] dot(w, x), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        """));
    assertBatchesRowByRow(entry("""
          x = f32[5,3,2] parameter(0)
          w = f32[5,4,3] parameter(1)
          ROOT d = f32[5,4,2] dot(w, x), lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_contracting_dims={1}
        """));
    assertRowsLead(right);
  }

  /** Every dynamic dimension of the batched entry is its leading one. */
  private static void assertRowsLead(Module batched) {
    for (Instruction i : batched.entry().instructions()) {
      if (i.shape().isArray()) {
        for (int d = 1; d < i.shape().rank(); d++) {
          int dim = d;
          assertTrue(!i.shape().isDynamicDimension(dim), () -> i + " has rows in dimension " + dim);
        }
      }
    }
  }

  @Test
  void twoBatchedDotOperandsGetARowBatchDimension() {
    Module batched = batched(HloParser.parse(entry("""
          x = f32[3] parameter(0)
          y = f32[3] parameter(1)
          ROOT d = f32[] dot(x, y), lhs_contracting_dims={0}, rhs_contracting_dims={0}
        """)));
    Instruction d = batched.entry().root();
    assertEquals("f32[?]", d.shape().toString());
    assertTrue(HloPrinter.print(d).contains("lhs_batch_dims={0}, rhs_batch_dims={0}"), HloPrinter.print(d));
    assertBatchesRowByRow(entry("""
          x = f32[2,3] parameter(0)
          y = f32[3,2] parameter(1)
          ROOT d = f32[2,2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        """));
  }

  @Test
  void slicesBecomeCuttingPadsThatLeaveRowsWhole() {
    Module batched = batched(HloParser.parse(entry("""
          x = f32[10] parameter(0)
          ROOT s = f32[3] slice(x), slice={[2:5]}
        """)));
    Instruction s = batched.entry().root();
    assertEquals(Opcode.PAD, s.opcode());
    assertEquals("f32[?,3]", s.shape().toString());
    assertTrue(HloPrinter.print(s).contains("padding=0_0x-2_-5"), HloPrinter.print(s));
    assertBatchesRowByRow(entry("""
          x = f32[10,7] parameter(0)
          ROOT s = f32[3,2] slice(x), slice={[1:9:3], [0:7:4]}
        """));
  }

  @Test
  void dataMovementShiftsItsDimensionNumbers() {
    assertBatchesRowByRow(entry("""
          x = f32[2,3] parameter(0)
          b = f32[2,4,3] broadcast(x), dimensions={0,2}
          r = f32[6,4] reshape(b)
          v = f32[6,4] reverse(r), dimensions={0}
          z = f32[] constant(0)
          p = f32[8,5] pad(v, z), padding=1_1x0_1
          c = f32[8,10] concatenate(p, p), dimensions={1}
          i = s32[8,10] iota(), iota_dimension=1
          f = f32[8,10] convert(i)
          ROOT a = f32[8,10] add(c, f)
        """));
  }

  @Test
  void reductionsSortsAndWindowsKeepRowsApart() {
    assertBatchesRowByRow("""
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        less {
          l = f32[] parameter(0)
          m = f32[] parameter(1)
          ROOT lt = pred[] compare(l, m), direction=LT
        }
        ENTRY e {
          x = f32[4,5] parameter(0)
          z = f32[] constant(0)
          r = f32[5] reduce(x, z), dimensions={0}, to_apply=add
          total = f32[] reduce(x, z), dimensions={0,1}, to_apply=add
          sorted = f32[4,5] sort(x), dimensions={1}, to_apply=less
          w = f32[3,5] reduce-window(sorted, z), window={size=2x1}, to_apply=add
          tb = f32[3,5] broadcast(total), dimensions={}
          wt = f32[3,5] add(w, tb)
          ROOT t = (f32[5], f32[3,5]) tuple(r, wt)
        }
        """);
  }

  @Test
  void scalarRowsAndSelectsAndClampsWork() {
    assertBatchesRowByRow(entry("""
          x = f32[] parameter(0)
          v = f32[4] parameter(1)
          lo = f32[] constant(-0.5)
          c = f32[4] clamp(lo, v, x)
          xb = f32[4] broadcast(x), dimensions={}
          gt = pred[4] compare(v, xb), direction=GT
          s = f32[4] select(gt, c, v)
          ROOT t = (f32[4], f32[]) tuple(s, x)
        """));
  }

  @Test
  void anEmbeddingLookupGathersWithRowDependentIndices() {
    assertBatchesRowByRow(entry("""
          ids = s32[3] parameter(0)
          table = f32[9,4] iota(), iota_dimension=0
          i = s32[3,1] reshape(ids)
          ROOT g = f32[3,4] gather(table, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,4}
        """));
  }

  @Test
  void dynamicSlicesOfRowsOrAtRowIndicesBecomeGathers() {
    Module batched = batched(HloParser.parse(entry("""
          x = f32[6,3] parameter(0)
          i = s32[] parameter(1)
          j = s32[] constant(1)
          ROOT d = f32[2,2] dynamic-slice(x, i, j), dynamic_slice_sizes={2,2}
        """)));
    assertEquals(Opcode.GATHER, batched.entry().root().opcode());
    assertEquals("f32[?,2,2]", batched.entry().root().shape().toString());
    // Start indices out of range are clamped alike: random s32 indices are in [-4, 4].
    assertBatchesRowByRow(entry("""
          x = f32[6,3] parameter(0)
          i = s32[] parameter(1)
          j = s32[] constant(1)
          ROOT d = f32[2,2] dynamic-slice(x, i, j), dynamic_slice_sizes={2,2}
        """));
    assertBatchesRowByRow(entry("""
          i = s32[] parameter(0)
          table = f32[9,4] iota(), iota_dimension=0
          z = s32[] constant(0)
          ROOT d = f32[1,4] dynamic-slice(table, i, z), dynamic_slice_sizes={1,4}
        """));
    assertBatchesRowByRow(entry("""
          x = f32[5] parameter(0)
          i = s32[] constant(2)
          ROOT d = f32[3] dynamic-slice(x, i), dynamic_slice_sizes={3}
        """));
  }

  @Test
  void aGatherFromARowDependentOperandPairsRowsWithBatchingDimensions() {
    assertBatchesRowByRow(entry("""
          x = f32[5,3] parameter(0)
          ids = s32[4,1] parameter(1)
          ROOT g = f32[4,3] gather(x, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        """));
    assertBatchesRowByRow(entry("""
          x = f32[5,3] parameter(0)
          ids = s32[2,1] constant({{4}, {1}})
          ROOT g = f32[2,3] gather(x, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        """));
  }

  @Test
  void dynamicUpdateSliceGetsAZeroStartForTheRow() {
    assertBatchesRowByRow(entry("""
          x = f32[6] parameter(0)
          u = f32[2] parameter(1)
          i = s32[] constant(3)
          ROOT d = f32[6] dynamic-update-slice(x, u, i)
        """));
  }

  @Test
  void callsAreInlinedAndTheMlpBatchesRowByRow() throws IOException {
    assertBatchesRowByRow("""
        HloModule m
        relu {
          a = f32[3] parameter(0)
          z = f32[] constant(0)
          zs = f32[3] broadcast(z), dimensions={}
          ROOT r = f32[3] maximum(a, zs)
        }
        ENTRY e {
          x = f32[3] parameter(0)
          ROOT c = f32[3] call(x), to_apply=relu
        }
        """);
    Module mlp = HloParser.parse(Files.readString(Path.of("../examples/hlo/mlp.hlo")));
    Module batched = batched(mlp);
    assertEquals("f32[?,4]", batched.entry().parameter(0).shape().toString());
    assertEquals("f32[?,3]", batched.entry().root().shape().toString());
    assertTrue(!batched.headerAttributes().containsKey("entry_computation_layout"));
    for (int rows : ROW_COUNTS) {
      assertRowByRow(mlp, batched, rows, 7, "mlp");
    }
  }

  @Test
  void opsItCannotBatchAreNamed() {
    PassException loop = assertThrows(PassException.class, () -> new BatchingPass().run(HloParser.parse("""
        HloModule m
        cond {
          c = f32[2] parameter(0)
          ROOT f = pred[] constant(false)
        }
        body {
          ROOT s = f32[2] parameter(0)
        }
        ENTRY e {
          x = f32[2] parameter(0)
          ROOT w = f32[2] while(x), condition=cond, body=body
        }
        """)));
    assertEquals("cannot batch %w (while): no batching rule for while with a row-dependent operand", loop.getMessage());
    PassException custom = assertThrows(PassException.class, () -> new BatchingPass().run(HloParser.parse(entry("""
          x = f32[4] parameter(0)
          ROOT c = f32[4] custom-call(x), custom_call_target="foo"
        """))));
    assertEquals("cannot batch %c (custom-call): no batching rule for custom-call with a row-dependent operand",
        custom.getMessage());
    PassException twice = assertThrows(PassException.class, () -> new BatchingPass().run(HloParser.parse(entry("""
          ROOT x = f32[?,4] parameter(0)
        """))));
    assertTrue(twice.getMessage().contains("already has a dynamic dimension"), twice.getMessage());
  }

  static Stream<Path> corpus() throws Exception {
    return PassNumericsTest.corpus();
  }

  /** Corpus modules read as per-row modules: batched where the pass has rules, else skipped with its reason. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusModulesBatchRowByRow(Path file) throws IOException {
    Module perRow = HloParser.parse(Files.readString(file));
    assumeTrue(Verifier.problems(perRow).isEmpty(), file.getFileName() + " does not verify (a parser test case)");
    String unsupported = PassNumericsTest.unsupported(perRow);
    assumeTrue(unsupported == null, () -> file.getFileName() + " is skipped: " + unsupported);
    ElidedConstants.fill(perRow, 5);
    Module batched;
    try {
      batched = batched(perRow);
    } catch (PassException e) {
      assumeTrue(false, () -> file.getFileName() + " is not batched: " + e.getMessage());
      return;
    }
    for (int rows : ROW_COUNTS) {
      assertRowByRow(perRow, batched, rows, rows, file.getFileName().toString());
    }
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 100).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomProgramsBatchRowByRow(long seed) {
    Module perRow = RandomPrograms.generate(seed);
    Module batched;
    try {
      batched = batched(perRow);
    } catch (RuntimeException e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage() + "\n" + HloPrinter.print(perRow), e);
    }
    assertRowsLead(batched);
    for (int rows : ROW_COUNTS) {
      assertRowByRow(perRow, batched, rows, seed, "random program seed " + seed);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void batchedRandomProgramsSurviveTheCpuPipeline(long seed) {
    Module perRow = RandomPrograms.generate(seed);
    Module batched = batched(perRow);
    Pipelines.cpuDefault().run(batched);
    assertRowByRow(perRow, batched, 3, seed, "random program seed " + seed + " batched, then the cpu pipeline");
  }
}
