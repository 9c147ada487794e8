package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScatterTest {

  /** The combiner JAX emits for {@code x.at[idx].set(v)}: the update replaces the value. */
  private static final String SET = """
      set {
        current = f32[] parameter(0)
        ROOT update = f32[] parameter(1)
      }
      """;

  /** The combiner of {@code x.at[idx].add(v)}. */
  private static final String ADD = """
      add {
        a = f32[] parameter(0)
        b = f32[] parameter(1)
        ROOT sum = f32[] add(a, b)
      }
      """;

  private static Literal run(String hlo, Literal... args) {
    return new Interpreter().run(HloParser.parse(hlo), List.of(args));
  }

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  /** A 1-D scatter of scalars into f32[size], as JAX emits for {@code .at[idx]}. */
  private static String scatter1d(String combiner, String combinerName, int size, int count) {
    return "HloModule m\n" + combiner + """
        ENTRY e {
          x = f32[%1$d] parameter(0)
          idx = s32[%2$d,1] parameter(1)
          v = f32[%2$d] parameter(2)
          ROOT s = f32[%1$d] scatter(x, idx, v), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, indices_are_sorted=false, unique_indices=false, to_apply=%3$s
        }
        """.formatted(size, count, combinerName);
  }

  @Test
  void atSetReplacesTheAddressedElements() {
    assertEquals(lit("f32[5] {40, 1, 2, 30, 4}"),
        run(scatter1d(SET, "set", 5, 2), lit("f32[5] {0, 1, 2, 3, 4}"), lit("s32[2,1] {{3}, {0}}"),
            lit("f32[2] {30, 40}")));
  }

  @Test
  void atSetWithDuplicateIndicesKeepsTheLastUpdate() {
    // Updates are applied in row-major order, so the later one wins.
    assertEquals(lit("f32[3] {0, 20, 0}"),
        run(scatter1d(SET, "set", 3, 2), lit("f32[3] {0, 0, 0}"), lit("s32[2,1] {{1}, {1}}"),
            lit("f32[2] {10, 20}")));
  }

  @Test
  void atAddAccumulatesDuplicateIndices() {
    assertEquals(lit("f32[4] {1, 31, 1, 6}"),
        run(scatter1d(ADD, "add", 4, 3), lit("f32[4] {1, 1, 1, 1}"), lit("s32[3,1] {{1}, {1}, {3}}"),
            lit("f32[3] {10, 20, 5}")));
  }

  @Test
  void outOfBoundsUpdatesAreSkippedNotClamped() {
    // -1 and 5 fall outside f32[5]: those updates vanish (gather would clamp them).
    assertEquals(lit("f32[5] {0, 0, 9, 0, 0}"),
        run(scatter1d(SET, "set", 5, 3), lit("f32[5] {0, 0, 0, 0, 0}"), lit("s32[3,1] {{-1}, {5}, {2}}"),
            lit("f32[3] {7, 8, 9}")));
  }

  @Test
  void aWindowPartlyOutOfBoundsIsSkippedWhole() {
    // Each update is a 1x2 window along a row. The window at (0,1) fits; the one at (1,2) would
    // cover columns 2 and 3 of a 3-wide operand, so none of it is written, not even column 2.
    String hlo = "HloModule m\n" + SET + """
        ENTRY e {
          x = f32[3,3] parameter(0)
          idx = s32[2,2] parameter(1)
          v = f32[2,2] parameter(2)
          ROOT s = f32[3,3] scatter(x, idx, v), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0,1}, index_vector_dim=1, to_apply=set
        }
        """;
    assertEquals(lit("f32[3,3] {{0, 1, 2}, {0, 0, 0}, {0, 0, 0}}"),
        run(hlo, lit("f32[3,3] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}"), lit("s32[2,2] {{0, 1}, {1, 2}}"),
            lit("f32[2,2] {{1, 2}, {3, 4}}")));
  }

  @Test
  void rowUpdatesWithAnUpdateWindow() {
    // x.at[idx].set(rows) for a matrix: each update is a whole row.
    String hlo = "HloModule m\n" + SET + """
        ENTRY e {
          x = f32[3,2] parameter(0)
          idx = s32[2,1] parameter(1)
          v = f32[2,2] parameter(2)
          ROOT s = f32[3,2] scatter(x, idx, v), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=set
        }
        """;
    assertEquals(lit("f32[3,2] {{3, 4}, {0, 0}, {1, 2}}"),
        run(hlo, lit("f32[3,2] {{0, 0}, {0, 0}, {0, 0}}"), lit("s32[2,1] {{2}, {0}}"), lit("f32[2,2] {{1, 2}, {3, 4}}")));
  }

  @Test
  void batchingDimensionsScatterWithinTheirOwnBatch() {
    // x[b][idx[b][n]] = v[b][n]; idx 3 is out of bounds for a row of 3 and is skipped.
    String hlo = "HloModule m\n" + SET + """
        ENTRY e {
          x = f32[2,3] parameter(0)
          idx = s32[2,2] parameter(1)
          v = f32[2,2] parameter(2)
          ROOT s = f32[2,3] scatter(x, idx, v), update_window_dims={}, inserted_window_dims={1}, scatter_dims_to_operand_dims={1}, input_batching_dims={0}, scatter_indices_batching_dims={0}, index_vector_dim=2, to_apply=set
        }
        """;
    assertEquals(lit("f32[2,3] {{2, 0, 1}, {0, 3, 0}}"),
        run(hlo, lit("f32[2,3] {{0, 0, 0}, {0, 0, 0}}"), lit("s32[2,2] {{2, 0}, {1, 3}}"), lit("f32[2,2] {{1, 2}, {3, 4}}")));
  }

  @Test
  void variadicScatterCombinesEachOperandWithItsUpdate() {
    // Two operands of different types; the combiner keeps the f32 sum and the s32 update:
    // (x, i) at [1] sees (10, 7) then (20, 8); at [0] sees (1, 9).
    String hlo = """
        HloModule m
        combine {
          x = f32[] parameter(0)
          i = s32[] parameter(1)
          dx = f32[] parameter(2)
          di = s32[] parameter(3)
          sum = f32[] add(x, dx)
          ROOT pair = (f32[], s32[]) tuple(sum, di)
        }
        ENTRY e {
          xs = f32[3] parameter(0)
          is = s32[3] parameter(1)
          idx = s32[3] parameter(2)
          dxs = f32[3] parameter(3)
          dis = s32[3] parameter(4)
          ROOT s = (f32[3], s32[3]) scatter(xs, is, idx, dxs, dis), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=combine
        }
        """;
    Literal result = run(hlo, lit("f32[3] {0.5, 0.5, 0.5}"), lit("s32[3] {-1, -1, -1}"), lit("s32[3] {1, 1, 0}"),
        lit("f32[3] {10, 20, 1}"), lit("s32[3] {7, 8, 9}"));
    assertEquals(Literal.tuple(lit("f32[3] {1.5, 30.5, 0.5}"), lit("s32[3] {9, 8, -1}")), result);
  }

  @Test
  void variadicSetNeedsNoArithmetic() {
    String hlo = """
        HloModule m
        swap {
          x = f32[] parameter(0)
          i = s32[] parameter(1)
          dx = f32[] parameter(2)
          di = s32[] parameter(3)
          ROOT pair = (f32[], s32[]) tuple(dx, i)
        }
        ENTRY e {
          xs = f32[2] parameter(0)
          is = s32[2] parameter(1)
          idx = s32[1,1] parameter(2)
          dxs = f32[1] parameter(3)
          dis = s32[1] parameter(4)
          ROOT s = (f32[2], s32[2]) scatter(xs, is, idx, dxs, dis), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=swap
        }
        """;
    // Operand 0 takes the update; operand 1 keeps its value (the combiner returns it unchanged).
    Literal result = run(hlo, lit("f32[2] {1, 2}"), lit("s32[2] {3, 4}"), lit("s32[1,1] {{1}}"),
        lit("f32[1] {9}"), lit("s32[1] {7}"));
    assertEquals(Literal.tuple(lit("f32[2] {1, 9}"), lit("s32[2] {3, 4}")), result);
  }

  @Test
  void scatterLeavesItsOperandUntouched() {
    Literal x = lit("f32[3] {1, 2, 3}");
    run(scatter1d(SET, "set", 3, 1), x, lit("s32[1,1] {{0}}"), lit("f32[1] {9}"));
    assertEquals(lit("f32[3] {1, 2, 3}"), x);
  }

  @Test
  void aFailingCombinerIsReportedThroughTheScatter() {
    String hlo = "HloModule m\n" + """
        bad {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT r = f32[] custom-call(a, b), custom_call_target="no_such_target"
        }
        """ + scatter1d("", "bad", 3, 1).substring("HloModule m\n".length());
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> run(hlo, lit("f32[3] {1, 2, 3}"), lit("s32[1,1] {{0}}"), lit("f32[1] {9}")));
    assertTrue(e.getMessage().startsWith("%s (scatter): to_apply=bad:"), e.getMessage());
    assertTrue(e.getMessage().contains("no_such_target"), e.getMessage());
  }

  @Test
  void aCombinerOfTheWrongArityIsRejectedNamingTheInstruction() {
    String hlo = """
        HloModule m
        one {
          ROOT a = f32[] parameter(0)
        }
        ENTRY e {
          x = f32[3] parameter(0)
          idx = s32[1,1] parameter(1)
          v = f32[1] parameter(2)
          ROOT upd = f32[3] scatter(x, idx, v), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=one
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> run(hlo, lit("f32[3] {1, 2, 3}"), lit("s32[1,1] {{0}}"), lit("f32[1] {9}")));
    assertTrue(e.getMessage().contains("%upd") && e.getMessage().contains("to_apply"), e.getMessage());
  }
}
