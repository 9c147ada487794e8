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

class DotTest {

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  /** {@code dot(lhs, rhs)} declared as {@code resultShape}, with the dimension numbers as XLA prints them. */
  private static Literal dot(Literal lhs, Literal rhs, String resultShape, String dimensionNumbers) {
    String hlo = """
        HloModule m
        ENTRY e {
          lhs = %s parameter(0)
          rhs = %s parameter(1)
          ROOT r = %s dot(lhs, rhs)%s
        }
        """.formatted(lhs.shape().toStringWithoutLayout(), rhs.shape().toStringWithoutLayout(), resultShape,
        dimensionNumbers.isEmpty() ? "" : ", " + dimensionNumbers);
    return new Interpreter().run(HloParser.parse(hlo), List.of(lhs, rhs));
  }

  private static final String MATMUL = "lhs_contracting_dims={1}, rhs_contracting_dims={0}";

  @Test
  void matrixTimesMatrix() {
    Literal a = lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}");
    Literal b = lit("f32[3,4] {{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}}");
    assertEquals(lit("f32[2,4] {{1, 2, 3, 6}, {4, 5, 6, 15}}"), dot(a, b, "f32[2,4]", MATMUL));
  }

  @Test
  void matrixTimesVector() {
    Literal a = lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}");
    assertEquals(lit("f32[2] {6, 15}"), dot(a, lit("f32[3] {1, 1, 1}"), "f32[2]", MATMUL));
  }

  @Test
  void vectorDotVectorIsAScalar() {
    Literal result = dot(lit("f32[3] {1, 2, 3}"), lit("f32[3] {4, 5, 6}"), "f32[]",
        "lhs_contracting_dims={0}, rhs_contracting_dims={0}");
    assertEquals(lit("f32[] 32"), result);
  }

  @Test
  void batchMatmul() {
    Literal a = lit("f32[2,2,3] {{{1, 2, 3}, {4, 5, 6}}, {{1, 0, 1}, {0, 1, 0}}}");
    Literal b = lit("f32[2,3,1] {{{1}, {1}, {1}}, {{2}, {3}, {4}}}");
    Literal result = dot(a, b, "f32[2,2,1]",
        "lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}");
    assertEquals(lit("f32[2,2,1] {{{6}, {15}}, {{6}, {3}}}"), result);
  }

  /** Batch dimensions come first in the result even when they are not leading in the operands. */
  @Test
  void batchDimensionsLeadTheResultWhateverTheirOperandPosition() {
    Literal a = lit("f32[2,2] {{1, 2}, {3, 4}}");
    Literal b = lit("f32[2,3] {{1, 10, 100}, {2, 20, 200}}");
    Literal result = dot(a, b, "f32[2,2,3]", "lhs_batch_dims={1}, rhs_batch_dims={0}");
    assertEquals(lit("f32[2,2,3] {{{1, 10, 100}, {3, 30, 300}}, {{4, 40, 400}, {8, 80, 800}}}"), result);
  }

  /** Contracting dimensions pair up in the order listed, not in ascending order. */
  @Test
  void multipleContractingDimensionsPairInListedOrder() {
    Literal a = lit("f32[2,2,2] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}");
    Literal b = lit("f32[2,2] {{1, 2}, {3, 4}}");
    assertEquals(lit("f32[2] {30, 70}"), dot(a, b, "f32[2]", "lhs_contracting_dims={1,2}, rhs_contracting_dims={0,1}"));
    assertEquals(lit("f32[2] {29, 69}"), dot(a, b, "f32[2]", "lhs_contracting_dims={2,1}, rhs_contracting_dims={0,1}"));
  }

  @Test
  void contractingTheFirstDimensionOfBothIsATransposedProduct() {
    Literal a = lit("f32[3,2] {{1, 4}, {2, 5}, {3, 6}}");
    Literal b = lit("f32[3,1] {{1}, {1}, {1}}");
    assertEquals(lit("f32[2,1] {{6}, {15}}"), dot(a, b, "f32[2,1]", "lhs_contracting_dims={0}, rhs_contracting_dims={0}"));
  }

  @Test
  void noContractingDimensionsIsAnOuterProduct() {
    assertEquals(lit("f32[2,3] {{3, 4, 5}, {6, 8, 10}}"), dot(lit("f32[2] {1, 2}"), lit("f32[3] {3, 4, 5}"), "f32[2,3]", ""));
  }

  @Test
  void emptyContractingExtentGivesZeros() {
    Literal a = Literal.zeros(Shape.array(ElementType.F32, 2, 0));
    Literal b = Literal.zeros(Shape.array(ElementType.F32, 0, 3));
    assertEquals(Literal.zeros(Shape.array(ElementType.F32, 2, 3)), dot(a, b, "f32[2,3]", MATMUL));
  }

  @Test
  void integerDotWrapsAtTheResultWidth() {
    String vv = "lhs_contracting_dims={0}, rhs_contracting_dims={0}";
    assertEquals(lit("s8[] 44"), dot(lit("s8[2] {100, 100}"), lit("s8[2] {2, 1}"), "s8[]", vv)); // 300 - 256
    assertEquals(lit("s32[] -2"), dot(lit("s32[1] {2147483647}"), lit("s32[1] {2}"), "s32[]", vv));
    assertEquals(lit("u8[] 144"), dot(lit("u8[1] {200}"), lit("u8[1] {2}"), "u8[]", vv)); // 400 - 256
    assertEquals(lit("s32[] 300"), dot(lit("s8[2] {100, 100}"), lit("s8[2] {2, 1}"), "s32[]", vv)); // preferred type
  }

  /** f16 products are summed in double and rounded once: 2048 + 1 + 1 stays 2050, not 2048 per step. */
  @Test
  void f16DotRoundsOncePerOutputElement() {
    Literal result = dot(lit("f16[3] {2048, 1, 1}"), lit("f16[3] {1, 1, 1}"), "f16[]",
        "lhs_contracting_dims={0}, rhs_contracting_dims={0}");
    assertEquals(lit("f16[] 2050"), result);
    Literal tenth = dot(lit("f16[1] {0.1}"), lit("f16[1] {0.1}"), "f16[]", "lhs_contracting_dims={0}, rhs_contracting_dims={0}");
    // f16 0.1 is 0.0999755859375; its square 0.009995...rounds to the f16 value 0.0099945068359375.
    assertEquals(Literal.scalar(ElementType.F16, 0.0099945068359375), tenth);
  }

  @Test
  void bf16OperandsWithAnF32ResultKeepF32Precision() {
    Literal result = dot(lit("bf16[2] {256, 1}"), lit("bf16[2] {1, 1}"), "f32[]",
        "lhs_contracting_dims={0}, rhs_contracting_dims={0}");
    assertEquals(lit("f32[] 257"), result); // 257 is not a bf16 value
  }

  @Test
  void operandsAreConvertedToANarrowerResultTypeFirstAsConvolutionDoes() {
    // 1 + 2^-8 is no bf16 value: converted to bf16 it is 1 (a tie, to even), so the sum is 3. Summing
    // the exact f32 products would give 3.01171875, which rounds to the bf16 3.015625.
    Literal x = lit("f32[3] {1.00390625, 1.00390625, 1.00390625}");
    Literal ones = lit("f32[3] {1, 1, 1}");
    assertEquals(lit("bf16[] 3"), dot(x, ones, "bf16[]", "lhs_contracting_dims={0}, rhs_contracting_dims={0}"));
    String conv = """
        HloModule m
        ENTRY e {
          x = f32[1,3,1] parameter(0)
          k = f32[3,1,1] parameter(1)
          ROOT c = bf16[1,1,1] convolution(x, k), window={size=3}, dim_labels=b0f_0io->b0f
        }
        """;
    assertEquals(lit("bf16[1,1,1] {{{3}}}"), new Interpreter().run(HloParser.parse(conv),
        List.of(lit("f32[1,3,1] {{{1.00390625}, {1.00390625}, {1.00390625}}}"), lit("f32[3,1,1] {{{1}}, {{1}}, {{1}}}"))));
  }

  @Test
  void predDotIsAnOrOfAnds() {
    Literal a = lit("pred[3,2] {{true, false}, {false, false}, {true, true}}");
    Literal result = dot(a, lit("pred[2] {true, true}"), "pred[3]", MATMUL);
    assertEquals(lit("pred[3] {true, false, true}"), result);
  }

  @Test
  void mismatchedContractingSizesNameTheInstruction() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> dot(lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}"), lit("f32[2,2] {{1, 2}, {3, 4}}"), "f32[2,2]", MATMUL));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("contracting"), e.getMessage());
  }

  @Test
  void unpairedBatchDimensionsAreReported() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> dot(lit("f32[2,2] {{1, 2}, {3, 4}}"), lit("f32[2,2] {{1, 2}, {3, 4}}"), "f32[2,2]",
            "lhs_batch_dims={0}, lhs_contracting_dims={1}, rhs_contracting_dims={0}"));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("batch"), e.getMessage());
  }

  @Test
  void declaredShapeThatDisagreesIsReported() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> dot(lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}"), lit("f32[3] {1, 1, 1}"), "f32[3]", MATMUL));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("[2]"), e.getMessage());
  }
}
