package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Binary arithmetic, logic and shifts on every element-type family, with the cases C leaves
 * undefined given XLA's evaluator's answers.
 */
class ElementwiseBinaryTest {

  /** Runs {@code ROOT r = op(a, b)} on two literals given as text, of one shape. */
  private static Literal binary(String op, String a, String b) {
    Literal x = HloParser.parseLiteral(a);
    Literal y = HloParser.parseLiteral(b);
    String shape = x.shape().toStringWithoutLayout();
    String hlo = "HloModule m\nENTRY e {\n  a = " + shape + " parameter(0)\n  b = " + shape + " parameter(1)\n"
        + "  ROOT r = " + shape + " " + op + "(a, b)\n}\n";
    return new Interpreter().run(HloParser.parse(hlo), List.of(x, y));
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  @Test
  void addRoundsEachFloatTypeAndWrapsIntegers() {
    check("f32[3] {3.75, nan, 1}", binary("add", "f32[3] {1.5, inf, 1}", "f32[3] {2.25, -inf, 5.9604645e-08}"));
    // 1 + 2^-11 is a tie in f16 and goes to even (1); 1 + 2^-10 is exact; 65504 + 65504 overflows.
    check("f16[3] {1, 1.0009765625, inf}",
        binary("add", "f16[3] {1, 1, 65504}", "f16[3] {0.00048828125, 0.0009765625, 65504}"));
    check("bf16[2] {1, 1.0078125}", binary("add", "bf16[2] {1, 1}", "bf16[2] {0.00390625, 0.0078125}"));
    check("s8[2] {-128, 0}", binary("add", "s8[2] {127, -1}", "s8[2] {1, 1}"));
    check("u8[1] {0}", binary("add", "u8[1] {255}", "u8[1] {1}"));
    check("u64[1] {0}", binary("add", "u64[1] {18446744073709551615}", "u64[1] {1}"));
    check("s64[1] {-9223372036854775808}", binary("add", "s64[1] {9223372036854775807}", "s64[1] {1}"));
    check("pred[4] {false, true, true, true}", binary("add", "pred[4] {false, false, true, true}",
        "pred[4] {false, true, false, true}"));
  }

  @Test
  void narrowFloatsRoundAfterEveryOperation() {
    String hlo = """
        HloModule m
        ENTRY e {
          a = bf16[1] parameter(0)
          b = bf16[1] parameter(1)
          s = bf16[1] add(a, b)
          ROOT t = bf16[1] add(s, b)
        }
        """;
    // 1 + 2^-8 ties back to 1 at each step; one rounding at the end would give 1 + 2^-7.
    Literal r = new Interpreter().run(HloParser.parse(hlo),
        List.of(HloParser.parseLiteral("bf16[1] {1}"), HloParser.parseLiteral("bf16[1] {0.00390625}")));
    check("bf16[1] {1}", r);
  }

  @Test
  void subtractAndMultiplyWrap() {
    check("u32[1] {4294967295}", binary("subtract", "u32[1] {0}", "u32[1] {1}"));
    check("pred[2] {false, true}", binary("subtract", "pred[2] {true, false}", "pred[2] {true, true}"));
    check("s32[2] {0, -2147483648}", binary("multiply", "s32[2] {65536, 65536}", "s32[2] {65536, 32768}"));
    check("f32[2] {-0, 0}", binary("multiply", "f32[2] {-0, -0}", "f32[2] {5, -5}"));
    check("f64[1] {0.30000000000000004}", binary("add", "f64[1] {0.1}", "f64[1] {0.2}"));
  }

  @Test
  void signedDivisionTruncatesAndHasXlaAnswersForUndefinedCases() {
    // x/0 = -1 (all bits set) and INT_MIN/-1 = INT_MIN, as XLA's evaluator.
    check("s32[7] {3, -3, -3, 3, -1, -2147483648, -1}",
        binary("divide", "s32[7] {7, -7, 7, -7, 5, -2147483648, -2147483648}", "s32[7] {2, 2, -2, -2, 0, -1, 0}"));
    check("s8[2] {-128, -1}", binary("divide", "s8[2] {-128, 0}", "s8[2] {-1, 0}"));
    check("s64[1] {-9223372036854775808}", binary("divide", "s64[1] {-9223372036854775808}", "s64[1] {-1}"));
  }

  @Test
  void unsignedDivisionByZeroIsTheMaximum() {
    check("u32[3] {3, 4294967295, 2147483647}", binary("divide", "u32[3] {7, 5, 4294967295}", "u32[3] {2, 0, 2}"));
    check("u64[2] {9223372036854775807, 18446744073709551615}",
        binary("divide", "u64[2] {18446744073709551615, 5}", "u64[2] {2, 0}"));
    check("u8[1] {255}", binary("divide", "u8[1] {0}", "u8[1] {0}"));
  }

  @Test
  void floatDivisionFollowsIeee() {
    check("f32[4] {inf, -inf, nan, -inf}", binary("divide", "f32[4] {1, -1, 0, 1}", "f32[4] {0, 0, 0, -0}"));
    check("f32[1] {0.33333334}", binary("divide", "f32[1] {1}", "f32[1] {3}"));
  }

  @Test
  void integerRemainderTakesTheDividendsSign() {
    // x%0 = x and INT_MIN%-1 = 0, as XLA's evaluator.
    check("s32[6] {1, -1, 1, -1, 5, 0}",
        binary("remainder", "s32[6] {7, -7, 7, -7, 5, -2147483648}", "s32[6] {3, 3, -3, -3, 0, -1}"));
    check("u64[2] {5, 7}", binary("remainder", "u64[2] {18446744073709551615, 7}", "u64[2] {10, 0}"));
  }

  @Test
  void floatRemainderIsFmod() {
    check("f32[6] {1.5, -1.5, 1.5, nan, nan, -0}",
        binary("remainder", "f32[6] {5.5, -5.5, 5.5, 1, inf, -0}", "f32[6] {2, 2, -2, 0, 1, 1}"));
    check("f64[1] {1}", binary("remainder", "f64[1] {1}", "f64[1] {inf}"));
  }

  @Test
  void floatPowerFollowsC() {
    // pow(1, nan) = pow(nan, 0) = pow(-1, inf) = 1 in C (Java's Math.pow says NaN for two of them).
    check("f32[7] {1024, 1, 1, 1, inf, 1.4142135, nan}",
        binary("power", "f32[7] {2, 1, nan, -1, 0, 2, -8}", "f32[7] {10, nan, 0, inf, -1, 0.5, 0.5}"));
  }

  @Test
  void integerPowerWrapsAndNegativeExponentsGiveZero() {
    check("s32[9] {1024, 1, 0, 0, 1, 1, -8, -2147483648, 0}",
        binary("power", "s32[9] {2, 1, -1, 2, 0, 3, -2, 2, 2}", "s32[9] {10, -5, -1, -1, 0, 0, 3, 31, 32}"));
    check("u8[2] {243, 0}", binary("power", "u8[2] {3, 2}", "u8[2] {5, 8}"));
    check("pred[4] {true, false, true, true}", binary("power", "pred[4] {false, false, true, true}",
        "pred[4] {false, true, false, true}"));
  }

  @Test
  void atan2CoversTheQuadrantsAndSignedZero() {
    check("f64[4] {0.7853981633974483, 3.141592653589793, -3.141592653589793, 0}",
        binary("atan2", "f64[4] {1, 0, -0, 0}", "f64[4] {1, -1, -1, 0}"));
  }

  @Test
  void maximumAndMinimumPropagateNanAndOrderZeros() {
    String a = "f32[6] {1, nan, 1, -0, 0, -inf}";
    String b = "f32[6] {nan, 1, 2, 0, -0, inf}";
    check("f32[6] {nan, nan, 2, 0, 0, inf}", binary("maximum", a, b));
    check("f32[6] {nan, nan, 1, -0, -0, -inf}", binary("minimum", a, b));
    check("bf16[2] {nan, -0}", binary("minimum", "bf16[2] {nan, 0}", "bf16[2] {3, -0}"));
  }

  @Test
  void integerMaximumAndMinimumRespectSignedness() {
    check("s32[2] {5, -1}", binary("maximum", "s32[2] {5, -1}", "s32[2] {-7, -3}"));
    check("u32[1] {4294967295}", binary("maximum", "u32[1] {4294967295}", "u32[1] {1}"));
    check("u64[2] {1, 9223372036854775808}",
        binary("minimum", "u64[2] {9223372036854775808, 9223372036854775808}", "u64[2] {1, 18446744073709551615}"));
    check("pred[2] {true, false}", binary("maximum", "pred[2] {true, false}", "pred[2] {false, false}"));
  }

  @Test
  void bitwiseLogic() {
    check("s32[1] {8}", binary("and", "s32[1] {12}", "s32[1] {10}"));
    check("s32[1] {14}", binary("or", "s32[1] {12}", "s32[1] {10}"));
    check("s32[1] {6}", binary("xor", "s32[1] {12}", "s32[1] {10}"));
    check("u8[1] {240}", binary("xor", "u8[1] {255}", "u8[1] {15}"));
    String p = "pred[4] {false, false, true, true}";
    String q = "pred[4] {false, true, false, true}";
    check("pred[4] {false, false, false, true}", binary("and", p, q));
    check("pred[4] {false, true, true, true}", binary("or", p, q));
    check("pred[4] {false, true, true, false}", binary("xor", p, q));
  }

  @Test
  void shiftLeftByTheWidthOrMoreOrNegativeIsZero() {
    check("s32[5] {-2147483648, 0, 0, 0, -16}", binary("shift-left", "s32[5] {1, 1, 1, 1, -1}", "s32[5] {31, 32, -1, 33, 4}"));
    check("s8[1] {-128}", binary("shift-left", "s8[1] {1}", "s8[1] {7}"));
    check("u8[2] {254, 0}", binary("shift-left", "u8[2] {255, 255}", "u8[2] {1, 8}"));
    check("u64[1] {9223372036854775808}", binary("shift-left", "u64[1] {1}", "u64[1] {63}"));
  }

  @Test
  void shiftRightArithmeticFillsWithTheSignBit() {
    check("s32[5] {-4, -1, 0, -1, 0}", binary("shift-right-arithmetic", "s32[5] {-16, -16, 16, -1, 16}",
        "s32[5] {2, 32, 40, -1, 31}"));
    // On unsigned types the top bit of the element width is the sign.
    check("u8[3] {192, 255, 32}", binary("shift-right-arithmetic", "u8[3] {128, 128, 64}", "u8[3] {1, 8, 1}"));
  }

  @Test
  void shiftRightLogicalFillsWithZeros() {
    check("s32[3] {1073741820, 0, 0}", binary("shift-right-logical", "s32[3] {-16, -1, 16}", "s32[3] {2, 32, -1}"));
    check("s8[1] {127}", binary("shift-right-logical", "s8[1] {-1}", "s8[1] {1}"));
    check("u64[2] {1, 0}", binary("shift-right-logical", "u64[2] {18446744073709551615, 18446744073709551615}",
        "u64[2] {63, 64}"));
  }

  @Test
  void opcodesOutsideTheirTypesFail() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> binary("shift-left", "pred[1] {true}", "pred[1] {true}"));
    assertTrue(e.getMessage().contains("%r"), e.getMessage());
    assertThrows(EvaluationException.class, () -> binary("and", "f32[1] {1}", "f32[1] {1}"));
    assertThrows(EvaluationException.class, () -> binary("atan2", "s32[1] {1}", "s32[1] {1}"));
  }

  @Test
  void mismatchedOperandShapesAreReported() {
    String hlo = """
        HloModule m
        ENTRY e {
          a = f32[2] parameter(0)
          b = f32[3] parameter(1)
          ROOT r = f32[2] add(a, b)
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class, () -> new Interpreter().run(HloParser.parse(hlo),
        List.of(HloParser.parseLiteral("f32[2] {1, 2}"), HloParser.parseLiteral("f32[3] {1, 2, 3}"))));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("f32[3]"), e.getMessage());
  }
}
