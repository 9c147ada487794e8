package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReduceWindowTest {

  private static final String COMPUTATIONS = """
      HloModule m
      %add (x: f32[], y: f32[]) -> f32[] {
        %x = f32[] parameter(0)
        %y = f32[] parameter(1)
        ROOT %sum = f32[] add(f32[] %x, f32[] %y)
      }
      %max (a: f32[], b: f32[]) -> f32[] {
        %a = f32[] parameter(0)
        %b = f32[] parameter(1)
        ROOT %m = f32[] maximum(f32[] %a, f32[] %b)
      }
      """;

  private static Literal run(String entry, Literal... args) {
    return new Interpreter().run(HloParser.parse(COMPUTATIONS + entry), List.of(args));
  }

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  /** One-dimensional reduce-window of f32[n] with the given window, reducer and init. */
  private static Literal window1d(String input, String resultShape, String window, String reducer, String init) {
    Literal x = lit(input);
    String entry = """
        ENTRY e {
          p = %s parameter(0)
          init = f32[] constant(%s)
          ROOT r = %s reduce-window(p, init), window={%s}, to_apply=%%%s
        }
        """.formatted(x.shape().toStringWithoutLayout(), init, resultShape, window, reducer);
    return run(entry, x);
  }

  @Test
  void maxPool2x2Stride2() {
    String entry = """
        ENTRY e {
          p = f32[4,4] parameter(0)
          ninf = f32[] constant(-inf)
          ROOT r = f32[2,2] reduce-window(p, ninf), window={size=2x2 stride=2x2}, to_apply=%max
        }
        """;
    Literal x = lit("f32[4,4] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}");
    assertEquals(lit("f32[2,2] {{6, 8}, {14, 16}}"), run(entry, x));
  }

  /** The sum half of an average pool with SAME padding: padded positions add nothing. */
  @Test
  void sumPool3x3WithSamePadding() {
    String entry = """
        ENTRY e {
          p = f32[3,3] parameter(0)
          zero = f32[] constant(0)
          ROOT r = f32[3,3] reduce-window(p, zero), window={size=3x3 pad=1_1x1_1}, to_apply=%add
        }
        """;
    Literal x = lit("f32[3,3] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}");
    assertEquals(lit("f32[3,3] {{12, 21, 16}, {27, 45, 33}, {24, 39, 28}}"), run(entry, x));
  }

  /** jnp.cumsum lowers to a reduce-window whose window spans everything before each element. */
  @Test
  void cumulativeSumAsJaxEmitsIt() {
    assertEquals(lit("f32[4] {1, 3, 6, 10}"), window1d("f32[4] {1, 2, 3, 4}", "f32[4]", "size=4 pad=3_0", "add", "0"));
  }

  @Test
  void strideWithHighPaddingKeepsThePartialLastWindow() {
    assertEquals(lit("f32[3] {5, 4, 3}"), window1d("f32[5] {1, 5, 2, 4, 3}", "f32[3]", "size=2 stride=2 pad=0_1", "max", "-inf"));
  }

  /** Padding contributes no elements: with a non-identity init the init appears once per window, not once per pad. */
  @Test
  void paddingIsSkippedRatherThanFoldedAsInit() {
    assertEquals(lit("f32[3] {13, 16, 15}"), window1d("f32[3] {1, 2, 3}", "f32[3]", "size=3 pad=1_1", "add", "10"));
  }

  @Test
  void negativePaddingCutsTheInput() {
    assertEquals(lit("f32[2] {5, 7}"), window1d("f32[4] {1, 2, 3, 4}", "f32[2]", "size=2 pad=-1_0", "add", "0"));
  }

  /** lhs_dilate=2 turns {1, 2, 3} into {1, _, 2, _, 3}; holes contribute nothing. */
  @Test
  void baseDilationSkipsHoles() {
    assertEquals(lit("f32[4] {11, 12, 12, 13}"), window1d("f32[3] {1, 2, 3}", "f32[4]", "size=2 lhs_dilate=2", "add", "10"));
  }

  /** rhs_dilate=2 makes a size-2 window cover elements i and i+2. */
  @Test
  void windowDilationSpreadsTheWindow() {
    assertEquals(lit("f32[3] {4, 6, 8}"), window1d("f32[5] {1, 2, 3, 4, 5}", "f32[3]", "size=2 rhs_dilate=2", "add", "0"));
  }

  @Test
  void windowLargerThanTheInputGivesAnEmptyResult() {
    assertEquals(lit("f32[0] {}"), window1d("f32[2] {1, 2}", "f32[0]", "size=3", "add", "0"));
  }

  @Test
  void variadicReduceWindowFoldsEachInputInTheTuple() {
    String entry = """
        %last (a0: f32[], a1: s32[], e0: f32[], e1: s32[]) -> (f32[], s32[]) {
          %a0 = f32[] parameter(0)
          %a1 = s32[] parameter(1)
          %e0 = f32[] parameter(2)
          %e1 = s32[] parameter(3)
          ROOT %t = (f32[], s32[]) tuple(%e0, %e1)
        }
        ENTRY e {
          v = f32[5] parameter(0)
          i = s32[5] parameter(1)
          z = f32[] constant(0)
          none = s32[] constant(-1)
          ROOT r = (f32[3], s32[3]) reduce-window(v, i, z, none), window={size=2 stride=2 pad=0_1}, to_apply=%last
        }
        """;
    Literal result = run(entry, lit("f32[5] {1, 2, 3, 4, 5}"), lit("s32[5] {10, 20, 30, 40, 50}"));
    // The last window covers element 4 and one padded position: its last element is element 4.
    assertEquals(Literal.tuple(lit("f32[3] {2, 4, 5}"), lit("s32[3] {20, 40, 50}")), result);
  }

  @Test
  void wrongDeclaredShapeNamesTheInstruction() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> window1d("f32[4] {1, 2, 3, 4}", "f32[4]", "size=2", "add", "0"));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("[3]"), e.getMessage());
  }

  @Test
  void windowOfTheWrongRankIsReported() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> window1d("f32[4] {1, 2, 3, 4}", "f32[3,3]", "size=2x2", "add", "0"));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("rank 1"), e.getMessage());
  }
}
