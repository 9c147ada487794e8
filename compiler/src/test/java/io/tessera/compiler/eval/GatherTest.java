package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatherTest {

  private static final Literal TABLE = lit("f32[4,3] {{0, 1, 2}, {10, 11, 12}, {20, 21, 22}, {30, 31, 32}}");

  /** v[i][j] = 10 * i + j. */
  private static final Literal GRID = lit("s32[4,4] {{0, 1, 2, 3}, {10, 11, 12, 13}, {20, 21, 22, 23}, {30, 31, 32, 33}}");

  private static Literal run(String hlo, Literal... args) {
    return new Interpreter().run(HloParser.parse(hlo), List.of(args));
  }

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  @Test
  void embeddingLookupWithExplicitIndexVectorDimension() {
    // jnp.take(table, ids, axis=0) as JAX emits it: one-component index vectors along dimension 1.
    String hlo = """
        HloModule m
        ENTRY e {
          table = f32[4,3] parameter(0)
          ids = s32[3,1] parameter(1)
          ROOT g = f32[3,3] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        }
        """;
    assertEquals(lit("f32[3,3] {{20, 21, 22}, {0, 1, 2}, {20, 21, 22}}"),
        run(hlo, TABLE, lit("s32[3,1] {{2}, {0}, {2}}")));
  }

  @Test
  void embeddingLookupWithImplicitIndexVectorDimensionClampsOutOfRangeIds() {
    // index_vector_dim equals the rank of the indices: each scalar is a one-component vector.
    // Starts clamp to [0, 4 - 1]: 5 reads row 3, -1 reads row 0.
    String hlo = """
        HloModule m
        ENTRY e {
          table = f32[4,3] parameter(0)
          ids = s32[4] parameter(1)
          ROOT g = f32[4,3] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        }
        """;
    assertEquals(lit("f32[4,3] {{30, 31, 32}, {10, 11, 12}, {30, 31, 32}, {0, 1, 2}}"),
        run(hlo, TABLE, lit("s32[4] {3, 1, 5, -1}")));
  }

  @Test
  void twoDimensionalSlicesClampSoTheWholeSliceStaysInBounds() {
    // A 2x2 window at (1,1); at (3,3), clamped to (2,2) = 4 - 2; at (-5,2), clamped to (0,2).
    String hlo = """
        HloModule m
        ENTRY e {
          grid = s32[4,4] parameter(0)
          starts = s32[3,2] parameter(1)
          ROOT g = s32[3,2,2] gather(grid, starts), offset_dims={1,2}, collapsed_slice_dims={}, start_index_map={0,1}, index_vector_dim=1, slice_sizes={2,2}
        }
        """;
    assertEquals(
        lit("s32[3,2,2] {{{11, 12}, {21, 22}}, {{22, 23}, {32, 33}}, {{2, 3}, {12, 13}}}"),
        run(hlo, GRID, lit("s32[3,2] {{1, 1}, {3, 3}, {-5, 2}}")));
  }

  @Test
  void indexVectorDimensionFirstAndStartIndexMapPermuted() {
    // Index vectors run down dimension 0 of the indices; start_index_map={1,0} makes component 0
    // the column and component 1 the row. Vectors: (col 3, row 0) and (col 0, row 2).
    String hlo = """
        HloModule m
        ENTRY e {
          grid = s32[4,4] parameter(0)
          starts = s32[2,2] parameter(1)
          ROOT g = s32[2,2] gather(grid, starts), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={1,0}, index_vector_dim=0, slice_sizes={1,2}
        }
        """;
    // Window of width 2 along the columns: col 3 clamps to 2.
    assertEquals(lit("s32[2,2] {{2, 3}, {20, 21}}"), run(hlo, GRID, lit("s32[2,2] {{3, 0}, {0, 2}}")));
  }

  @Test
  void offsetDimensionBeforeTheBatchDimension() {
    // Gathers columns: out[r][b] = grid[r][ids[b]]; the offset dimension comes first in the output.
    String hlo = """
        HloModule m
        ENTRY e {
          grid = s32[4,4] parameter(0)
          ids = s32[2] parameter(1)
          ROOT g = s32[4,2] gather(grid, ids), offset_dims={0}, collapsed_slice_dims={1}, start_index_map={1}, index_vector_dim=1, slice_sizes={4,1}
        }
        """;
    assertEquals(lit("s32[4,2] {{3, 0}, {13, 10}, {23, 20}, {33, 30}}"), run(hlo, GRID, lit("s32[2] {3, 0}")));
  }

  @Test
  void batchingDimensionsPairOperandAndIndexBatches() {
    // out[b][n][c] = op[b][ids[b][n]][c] (jax.vmap of a row lookup); row 5 clamps to 2.
    String hlo = """
        HloModule m
        ENTRY e {
          op = f32[2,3,2] parameter(0)
          ids = s32[2,2] parameter(1)
          ROOT g = f32[2,2,2] gather(op, ids), offset_dims={2}, collapsed_slice_dims={1}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=2, slice_sizes={1,1,2}
        }
        """;
    Literal op = lit("f32[2,3,2] {{{0, 1}, {10, 11}, {20, 21}}, {{100, 101}, {110, 111}, {120, 121}}}");
    assertEquals(lit("f32[2,2,2] {{{20, 21}, {0, 1}}, {{110, 111}, {120, 121}}}"),
        run(hlo, op, lit("s32[2,2] {{2, 0}, {1, 5}}")));
  }

  @Test
  void batchingDimensionOfTheIndicesNeedNotComeFirst() {
    // The indices are [n][b]: out[n][b][c] = op[b][ids[n][b]][c].
    String hlo = """
        HloModule m
        ENTRY e {
          op = f32[2,3,2] parameter(0)
          ids = s32[2,2] parameter(1)
          ROOT g = f32[2,2,2] gather(op, ids), offset_dims={2}, collapsed_slice_dims={1}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={1}, index_vector_dim=2, slice_sizes={1,1,2}
        }
        """;
    Literal op = lit("f32[2,3,2] {{{0, 1}, {10, 11}, {20, 21}}, {{100, 101}, {110, 111}, {120, 121}}}");
    assertEquals(lit("f32[2,2,2] {{{20, 21}, {110, 111}}, {{0, 1}, {120, 121}}}"),
        run(hlo, op, lit("s32[2,2] {{2, 1}, {0, 5}}")));
  }

  @Test
  void unsignedIndicesAboveTheSignedRangeClampToTheTop() {
    // u8 255 and u64 2^64-1 are huge positive starts, not -1: both clamp to the last row.
    String u8 = """
        HloModule m
        ENTRY e {
          table = f32[4,3] parameter(0)
          ids = u8[2] parameter(1)
          ROOT g = f32[2,3] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        }
        """;
    assertEquals(lit("f32[2,3] {{30, 31, 32}, {10, 11, 12}}"), run(u8, TABLE, lit("u8[2] {255, 1}")));
    String u64 = u8.replace("u8[2]", "u64[2]");
    Literal ids = Literal.ofLongs(Shape.array(ElementType.U64, 2), -1L, 2L); // -1L: the bits of 2^64-1
    assertEquals(lit("f32[2,3] {{30, 31, 32}, {20, 21, 22}}"), run(u64, TABLE, ids));
  }

  @Test
  void predOperandAndEmptyBatch() {
    String hlo = """
        HloModule m
        ENTRY e {
          flags = pred[3] parameter(0)
          ids = s32[2] parameter(1)
          ROOT g = pred[2] gather(flags, ids), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}
        }
        """;
    assertEquals(lit("pred[2] {true, false}"), run(hlo, lit("pred[3] {false, false, true}"), lit("s32[2] {2, 0}")));
    String empty = hlo.replace("s32[2]", "s32[0]").replace("pred[2] gather", "pred[0] gather");
    assertEquals(lit("pred[0] {}"), run(empty, lit("pred[3] {false, false, true}"), lit("s32[0] {}")));
  }

  @Test
  void floatIndicesAreRejectedNamingTheInstruction() {
    String hlo = """
        HloModule m
        ENTRY e {
          table = f32[4,3] parameter(0)
          ids = f32[2] parameter(1)
          ROOT lookup = f32[2,3] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class, () -> run(hlo, TABLE, lit("f32[2] {1, 2}")));
    assertTrue(e.getMessage().contains("%lookup"), e.getMessage());
    assertTrue(e.getMessage().contains("integer"), e.getMessage());
  }

  @Test
  void mismatchedSliceSizesAreRejected() {
    String hlo = """
        HloModule m
        ENTRY e {
          table = f32[4,3] parameter(0)
          ids = s32[2] parameter(1)
          ROOT lookup = f32[2,3] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,4}
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class, () -> run(hlo, TABLE, lit("s32[2] {1, 2}")));
    assertTrue(e.getMessage().contains("%lookup") && e.getMessage().contains("slice_sizes"), e.getMessage());
  }
}
