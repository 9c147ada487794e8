package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unary elementwise opcodes, each on the element types it is defined for, with XLA's edge cases. */
class ElementwiseUnaryTest {

  /** Runs {@code ROOT r = <resultType with input's dims> op(p)} on {@code input} (literal text). */
  private static Literal unary(String op, String input, String resultType) {
    Literal in = HloParser.parseLiteral(input);
    String inShape = in.shape().toStringWithoutLayout();
    String outShape = resultType + inShape.substring(inShape.indexOf('['));
    String hlo = "HloModule m\nENTRY e {\n  p = " + inShape + " parameter(0)\n  ROOT r = " + outShape + " " + op
        + "(p)\n}\n";
    return new Interpreter().run(HloParser.parse(hlo), List.of(in));
  }

  /** Unary op whose result type is the operand's. */
  private static Literal unary(String op, String input) {
    return unary(op, input, input.substring(0, input.indexOf('[')));
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  @Test
  void absOfFloatsAndIntegers() {
    check("f32[5] {1.5, 0, 0, inf, nan}", unary("abs", "f32[5] {-1.5, 0, -0, -inf, nan}"));
    // abs(INT_MIN) wraps back to INT_MIN.
    check("s32[4] {3, 0, 5, -2147483648}", unary("abs", "s32[4] {-3, 0, 5, -2147483648}"));
    check("s8[2] {-128, 127}", unary("abs", "s8[2] {-128, -127}"));
    check("u32[1] {4294967295}", unary("abs", "u32[1] {4294967295}"));
  }

  @Test
  void negateWrapsIntegersAndFlipsZeroSign() {
    check("f32[4] {-1, 0, -0, -inf}", unary("negate", "f32[4] {1, -0, 0, inf}"));
    check("s32[2] {-2147483648, -7}", unary("negate", "s32[2] {-2147483648, 7}"));
    check("u8[2] {255, 0}", unary("negate", "u8[2] {1, 0}"));
    check("u64[1] {18446744073709551615}", unary("negate", "u64[1] {1}"));
    check("pred[2] {true, false}", unary("negate", "pred[2] {true, false}"));
  }

  @Test
  void signKeepsNanAndSignedZero() {
    check("f32[6] {-1, -0, 0, 1, nan, -1}", unary("sign", "f32[6] {-2.5, -0, 0, 3, nan, -inf}"));
    check("s32[3] {-1, 0, 1}", unary("sign", "s32[3] {-7, 0, 9}"));
    // Unsigned values are never negative, even with the top bit set.
    check("u64[2] {1, 0}", unary("sign", "u64[2] {18446744073709551615, 0}"));
  }

  @Test
  void floorAndCeil() {
    check("f32[4] {-2, 1, -1, -0}", unary("floor", "f32[4] {-1.5, 1.5, -0.5, -0}"));
    check("f32[4] {-1, 2, -0, -0}", unary("ceil", "f32[4] {-1.5, 1.5, -0.5, -0}"));
  }

  @Test
  void roundNearestAfzRoundsHalfwayAwayFromZero() {
    check("f64[8] {1, 2, 3, -1, -3, 0, -0, 4503599627370497}",
        unary("round-nearest-afz", "f64[8] {0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, -0.3, 4503599627370497}"));
    check("bf16[2] {2, -2}", unary("round-nearest-afz", "bf16[2] {1.5, -1.5}"));
  }

  @Test
  void roundNearestEvenRoundsHalfwayToEven() {
    check("f64[6] {0, 2, 2, -0, -2, -0}", unary("round-nearest-even", "f64[6] {0.5, 1.5, 2.5, -0.5, -2.5, -0.3}"));
    check("f16[2] {4, -4}", unary("round-nearest-even", "f16[2] {3.5, -4.5}"));
  }

  @Test
  void exponentialRoundsToTheElementType() {
    Literal f64 = unary("exponential", "f64[4] {0, 1, -inf, inf}");
    assertEquals(1.0, f64.getDouble(0));
    assertEquals(Math.E, f64.getDouble(1), Math.ulp(Math.E)); // fdlibm's exp is within 1 ulp
    assertEquals(0.0, f64.getDouble(2));
    assertEquals(Double.POSITIVE_INFINITY, f64.getDouble(3));
    check("f32[2] {2.7182817, inf}", unary("exponential", "f32[2] {1, 89}"));
    // e to 11 and 8 significant bits: both 2.71875.
    Literal f16 = unary("exponential", "f16[1] {1}");
    assertEquals(ElementValues.roundFloat(ElementType.F16, Math.E), f16.getDouble(0));
    assertEquals(2.71875, f16.getDouble(0));
    check("bf16[1] {2.71875}", unary("exponential", "bf16[1] {1}"));
    check("f16[1] {inf}", unary("exponential", "f16[1] {12}")); // e^12 > 65504
  }

  @Test
  void expm1AndLog1pAreAccurateNearZero() {
    assertEquals(1.00000000005e-10, unary("exponential-minus-one", "f64[1] {1e-10}").getDouble(0), 0);
    assertEquals(9.999999999500001e-11, unary("log-plus-one", "f64[1] {1e-10}").getDouble(0), 0);
    check("f32[2] {-1, inf}", unary("exponential-minus-one", "f32[2] {-inf, inf}"));
    check("f32[2] {-inf, nan}", unary("log-plus-one", "f32[2] {-1, -2}"));
  }

  @Test
  void logOfEdgeValues() {
    check("f64[4] {0, -inf, nan, 1}", unary("log", "f64[4] {1, 0, -1, 2.718281828459045}"));
  }

  @Test
  void sqrtRsqrtAndCbrt() {
    check("f32[4] {2, nan, -0, inf}", unary("sqrt", "f32[4] {4, -1, -0, inf}"));
    check("f32[4] {0.5, inf, -inf, 0}", unary("rsqrt", "f32[4] {4, 0, -0, inf}"));
    check("f64[4] {3, -2, -0, 1e+100}", unary("cbrt", "f64[4] {27, -8, -0, 1e300}"));
  }

  @Test
  void tanhAndLogisticSaturate() {
    check("f32[4] {0, 1, -1, 1}", unary("tanh", "f32[4] {0, inf, -inf, 20}"));
    check("f64[5] {0.5, 1, 0, nan, 1}", unary("logistic", "f64[5] {0, 800, -800, nan, inf}"));
    // Stable for large negative inputs: e^-40 / (1 + e^-40), not 1 - something.
    assertEquals(4.248354255291589e-18, unary("logistic", "f64[1] {-40}").getDouble(0), 1e-32);
  }

  @Test
  void erfMatchesReferenceValues() {
    Literal r = unary("erf", "f64[8] {0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4}");
    double[] expected = {0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108,
        0.9953222650189527, 0.999593047982555, 0.9999779095030014, 0.9999999845827421};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], r.getDouble(i), 1e-15, "erf element " + i);
    }
    check("f64[7] {-0, 0, -0.8427007929497149, 1, -1, nan, 1.1283791670955126e-10}",
        unary("erf", "f64[7] {-0, 0, -1, 10, -inf, nan, 1e-10}"));
    check("f32[1] {0.8427008}", unary("erf", "f32[1] {1}"));
  }

  @Test
  void trigonometry() {
    check("f64[3] {0, -0, 1}", unary("sine", "f64[3] {0, -0, 1.5707963267948966}"));
    check("f64[2] {1, -1}", unary("cosine", "f64[2] {0, 3.141592653589793}"));
    assertEquals(1.0, unary("tan", "f64[1] {0.7853981633974483}").getDouble(0), 1e-15);
    check("f32[2] {nan, nan}", unary("sine", "f32[2] {inf, nan}"));
  }

  @Test
  void isFiniteGivesPred() {
    check("pred[5] {true, false, false, false, true}", unary("is-finite", "f32[5] {1, inf, -inf, nan, -0}", "pred"));
    check("pred[2] {true, false}", unary("is-finite", "f16[2] {65504, inf}", "pred"));
  }

  @Test
  void notIsLogicalOnPredAndBitwiseOnIntegers() {
    check("pred[2] {false, true}", unary("not", "pred[2] {true, false}"));
    check("s8[3] {-1, 0, -6}", unary("not", "s8[3] {0, -1, 5}"));
    check("u8[2] {255, 0}", unary("not", "u8[2] {0, 255}"));
    check("u64[1] {18446744073709551615}", unary("not", "u64[1] {0}"));
  }

  @Test
  void popcntCountsBitsOfTheElementWidth() {
    check("s8[3] {8, 0, 1}", unary("popcnt", "s8[3] {-1, 0, -128}"));
    check("s32[1] {32}", unary("popcnt", "s32[1] {-1}"));
    check("u16[1] {8}", unary("popcnt", "u16[1] {61680}")); // 0xF0F0
    check("s64[1] {64}", unary("popcnt", "s64[1] {-1}"));
    check("u64[1] {64}", unary("popcnt", "u64[1] {18446744073709551615}"));
  }

  @Test
  void countLeadingZerosIsPerWidth() {
    check("s8[3] {7, 8, 0}", unary("count-leading-zeros", "s8[3] {1, 0, -1}"));
    check("s32[2] {31, 32}", unary("count-leading-zeros", "s32[2] {1, 0}"));
    check("u16[1] {8}", unary("count-leading-zeros", "u16[1] {255}"));
    check("u64[2] {64, 0}", unary("count-leading-zeros", "u64[2] {0, 9223372036854775808}"));
  }

  @Test
  void opcodesOutsideTheirTypesFailNamingTheInstruction() {
    EvaluationException e = assertThrows(EvaluationException.class, () -> unary("floor", "s32[1] {1}"));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("floor is not defined on s32"), e.getMessage());
    assertThrows(EvaluationException.class, () -> unary("not", "f32[1] {1}"));
    assertThrows(EvaluationException.class, () -> unary("popcnt", "pred[1] {true}"));
  }
}
