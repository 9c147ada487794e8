package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectAndScatterTest {

  private static final String COMPUTATIONS = """
      HloModule m
      %ge (a: f32[], b: f32[]) -> pred[] {
        %a = f32[] parameter(0)
        %b = f32[] parameter(1)
        ROOT %c = pred[] compare(f32[] %a, f32[] %b), direction=GE
      }
      %gt (a2: f32[], b2: f32[]) -> pred[] {
        %a2 = f32[] parameter(0)
        %b2 = f32[] parameter(1)
        ROOT %c2 = pred[] compare(f32[] %a2, f32[] %b2), direction=GT
      }
      %always (a3: f32[], b3: f32[]) -> pred[] {
        %a3 = f32[] parameter(0)
        %b3 = f32[] parameter(1)
        ROOT %t = pred[] constant(true)
      }
      %add (x: f32[], y: f32[]) -> f32[] {
        %x = f32[] parameter(0)
        %y = f32[] parameter(1)
        ROOT %sum = f32[] add(f32[] %x, f32[] %y)
      }
      %overwrite (out: f32[], src: f32[]) -> f32[] {
        %out = f32[] parameter(0)
        ROOT %src = f32[] parameter(1)
      }
      """;

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  private static Literal selectAndScatter(Literal operand, Literal source, String init, String window,
                                          String select, String scatter) {
    String entry = """
        ENTRY e {
          operand = %s parameter(0)
          source = %s parameter(1)
          init = f32[] constant(%s)
          ROOT r = %s select-and-scatter(operand, source, init), window={%s}, select=%%%s, scatter=%%%s
        }
        """.formatted(operand.shape().toStringWithoutLayout(), source.shape().toStringWithoutLayout(), init,
        operand.shape().toStringWithoutLayout(), window, select, scatter);
    return new Interpreter().run(HloParser.parse(COMPUTATIONS + entry), List.of(operand, source));
  }

  /** The gradient of a 2x2 stride-2 max-pool: each output gradient goes to its window's maximum. */
  @Test
  void maxPoolGradient() {
    Literal operand = lit("f32[4,4] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}");
    Literal source = lit("f32[2,2] {{1, 2}, {3, 4}}");
    Literal expected = lit("f32[4,4] {{0, 0, 0, 0}, {0, 1, 0, 2}, {0, 0, 0, 0}, {0, 3, 0, 4}}");
    assertEquals(expected, selectAndScatter(operand, source, "0", "size=2x2 stride=2x2", "ge", "add"));
  }

  @Test
  void overlappingWindowsAccumulateIntoTheSameElement() {
    Literal result = selectAndScatter(lit("f32[3] {1, 3, 2}"), lit("f32[2] {10, 20}"), "0", "size=2", "ge", "add");
    assertEquals(lit("f32[3] {0, 30, 0}"), result);
  }

  @Test
  void initValueFillsUnselectedElements() {
    Literal result = selectAndScatter(lit("f32[3] {1, 3, 2}"), lit("f32[2] {10, 20}"), "0.5", "size=2", "ge", "add");
    assertEquals(lit("f32[3] {0.5, 30.5, 0.5}"), result);
  }

  /** XLA keeps the selected element while select(selected, next) is true: GE keeps the first of equal maxima, GT the last. */
  @Test
  void tiesFollowTheSelectComputation() {
    assertEquals(lit("f32[2] {7, 0}"), selectAndScatter(lit("f32[2] {5, 5}"), lit("f32[1] {7}"), "0", "size=2", "ge", "add"));
    assertEquals(lit("f32[2] {0, 7}"), selectAndScatter(lit("f32[2] {5, 5}"), lit("f32[1] {7}"), "0", "size=2", "gt", "add"));
  }

  /** Padding is never selected, even when it would beat every element (all elements negative here). */
  @Test
  void paddingIsNeverSelected() {
    Literal result = selectAndScatter(lit("f32[3] {-1, -2, -3}"), lit("f32[2] {5, 6}"), "0", "size=2 stride=2 pad=0_1", "ge", "add");
    assertEquals(lit("f32[3] {5, 0, 6}"), result);
  }

  @Test
  void samePaddingWithStrideOne() {
    Literal result = selectAndScatter(lit("f32[3] {1, 2, 3}"), lit("f32[3] {1, 1, 1}"), "0", "size=3 pad=1_1", "ge", "add");
    assertEquals(lit("f32[3] {0, 1, 2}"), result);
  }

  /** An interpreted select that always answers true keeps the first element of every window. */
  @Test
  void interpretedSelectKeepsTheFirstElementWhileItAnswersTrue() {
    Literal result = selectAndScatter(lit("f32[4] {1, 9, 2, 8}"), lit("f32[2] {3, 4}"), "0", "size=2 stride=2", "always", "add");
    assertEquals(lit("f32[4] {3, 0, 4, 0}"), result);
  }

  /** The scatter computation is called as scatter(output, source): returning parameter 1 overwrites. */
  @Test
  void scatterTakesTheOutputFirstAndTheSourceSecond() {
    Literal result = selectAndScatter(lit("f32[3] {1, 3, 2}"), lit("f32[2] {10, 20}"), "0", "size=2", "ge", "overwrite");
    assertEquals(lit("f32[3] {0, 20, 0}"), result);
  }

  @Test
  void sourceOfTheWrongShapeIsReported() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> selectAndScatter(lit("f32[4] {1, 2, 3, 4}"), lit("f32[3] {1, 2, 3}"), "0", "size=2 stride=2", "ge", "add"));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("source"), e.getMessage());
  }
}
