package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of XLA's elementwise semantics on the CPU backend, against hand-computed values:
 * integer division and shifts at their limits, NaN and signed zeros, rounding modes, saturating
 * conversions, f16/bf16 rounding (ties, overflow, subnormals, double rounding).
 */
class CpuElementwiseSemanticsTest {
  private static final CpuBackend CPU = new CpuBackend();

  /** Runs a module whose ROOT is computed from constants and returns its value. */
  static Literal run(String body) {
    Module m = HloParser.parse("HloModule m\nENTRY e {\n" + body + "\n}\n");
    try (Executable e = CPU.compile(m)) {
      return e.run(List.of());
    }
  }

  private static void check(String expected, String body) {
    assertEquals(HloParser.parseLiteral(expected), run(body), body);
  }

  @Test
  void signedDivisionAndRemainderFollowXlaAtZeroAndOverflow() {
    String operands = """
          a = s32[5] constant({7, -7, 5, -2147483648, 3})
          b = s32[5] constant({2, 2, 0, -1, -4})
        """;
    check("s32[5] {3, -3, -1, -2147483648, 0}", operands + "ROOT r = s32[5] divide(a, b)");
    check("s32[5] {1, -1, 5, 0, 3}", operands + "ROOT r = s32[5] remainder(a, b)");
  }

  @Test
  void unsignedDivisionByZeroGivesAllOnesAndRemainderTheDividend() {
    String operands = """
          a = u8[3] constant({200, 7, 9})
          b = u8[3] constant({0, 0, 4})
        """;
    check("u8[3] {255, 255, 2}", operands + "ROOT r = u8[3] divide(a, b)");
    check("u8[3] {200, 7, 1}", operands + "ROOT r = u8[3] remainder(a, b)");
  }

  @Test
  void shiftsByTheWidthOrMoreSaturate() {
    check("s32[4] {8, 0, 0, -2147483648}", """
          a = s32[4] constant({1, 1, 1, -1})
          b = s32[4] constant({3, 32, -1, 31})
          ROOT r = s32[4] shift-left(a, b)""");
    check("s32[4] {-4, -1, 0, -1}", """
          a = s32[4] constant({-8, -8, 8, -1})
          b = s32[4] constant({1, 40, 40, -3})
          ROOT r = s32[4] shift-right-arithmetic(a, b)""");
    check("s32[3] {15, 0, 4}", """
          a = s32[3] constant({-8, -8, 8})
          b = s32[3] constant({28, 32, 1})
          ROOT r = s32[3] shift-right-logical(a, b)""");
    check("u8[2] {128, 0}", """
          a = u8[2] constant({1, 1})
          b = u8[2] constant({7, 8})
          ROOT r = u8[2] shift-left(a, b)""");
  }

  @Test
  void maximumAndMinimumPropagateNanAndOrderSignedZeros() {
    String operands = """
          a = f32[4] constant({nan, 1, -0, 3})
          b = f32[4] constant({1, nan, 0, -3})
        """;
    check("f32[4] {nan, nan, 0, 3}", operands + "ROOT r = f32[4] maximum(a, b)");
    check("f32[4] {nan, nan, -0, -3}", operands + "ROOT r = f32[4] minimum(a, b)");
  }

  @Test
  void roundingModes() {
    String x = "x = f32[6] constant({0.5, 1.5, 2.5, -0.5, -2.5, 2.4})\n";
    check("f32[6] {1, 2, 3, -1, -3, 2}", x + "ROOT r = f32[6] round-nearest-afz(x)");
    check("f32[6] {0, 2, 2, -0, -2, 2}", x + "ROOT r = f32[6] round-nearest-even(x)");
    check("f32[6] {0, 1, 2, -1, -3, 2}", x + "ROOT r = f32[6] floor(x)");
    check("f32[6] {1, 2, 3, -0, -2, 3}", x + "ROOT r = f32[6] ceil(x)");
  }

  @Test
  void floatToIntegerConversionTruncatesSaturatesAndMapsNanToZeroButPredToTrue() {
    check("s32[5] {2147483647, -2147483648, 0, 2, -2}", """
          x = f32[5] constant({1e10, -1e10, nan, 2.9, -2.9})
          ROOT r = s32[5] convert(x)""");
    check("u8[4] {0, 255, 255, 0}", """
          x = f32[4] constant({-5, 300, 255.9, -inf})
          ROOT r = u8[4] convert(x)""");
    check("pred[4] {false, false, true, true}", """
          x = f32[4] constant({0, -0, nan, 0.1})
          ROOT r = pred[4] convert(x)""");
    check("s64[2] {9223372036854775807, -9223372036854775808}", """
          x = f64[2] constant({inf, -1e300})
          ROOT r = s64[2] convert(x)""");
  }

  @Test
  void integerConversionsWrapAndExtendBySignedness() {
    check("s8[3] {-1, 44, 127}", """
          x = s32[3] constant({255, 300, 127})
          ROOT r = s8[3] convert(x)""");
    check("s32[2] {255, 65535}", """
          x = u16[2] constant({255, 65535})
          ROOT r = s32[2] convert(x)""");
    check("s32[2] {-1, 1}", """
          x = s8[2] constant({-1, 1})
          ROOT r = s32[2] convert(x)""");
    check("f32[2] {1, 0}", """
          x = pred[2] constant({true, false})
          ROOT r = f32[2] convert(x)""");
  }

  @Test
  void f16ArithmeticRoundsToNearestEvenWithOverflowAndSubnormals() {
    // 2048 + 1 is a tie (ulp 2 there): even 2048; 65504 + 16 rounds past the largest finite value;
    // 2^-24 * 0.5 is a tie between 0 and the smallest subnormal: 0; * 1.5 ties to 2^-23.
    check("f16[4] {2048, 2052, inf, 1.1920928955078125e-07}", """
          a = f16[4] constant({2048, 2048, 65504, 5.9604644775390625e-08})
          b = f16[4] constant({1, 3, 16, 5.9604644775390625e-08})
          ROOT r = f16[4] add(a, b)""");
    check("f16[2] {0, 1.1920928955078125e-07}", """
          a = f16[2] constant({5.9604644775390625e-08, 5.9604644775390625e-08})
          b = f16[2] constant({0.5, 1.5})
          ROOT r = f16[2] multiply(a, b)""");
  }

  @Test
  void bf16ArithmeticRoundsToNearestEven() {
    // bf16 has 7 mantissa bits: ulp(1) = 2^-7.
    check("bf16[3] {1, 1.015625, 2}", """
          a = bf16[3] constant({1, 1, 1})
          b = bf16[3] constant({0.00390625, 0.01171875, 1})
          ROOT r = bf16[3] add(a, b)""");
  }

  @Test
  void narrowConversionsRoundOnceFromTheExactValue() {
    // 1 + 2^-11 + 2^-40 is just above the f16 tie at 1 + 2^-11: it rounds up. Rounding to f32
    // first would land on the tie and round to even, 1.
    double x = 1 + 0x1p-11 + 0x1p-40;
    check("f16[2] {1.0009765625, 1}", "x = f64[2] constant({" + x + ", " + (1 + 0x1p-11) + "})\n"
        + "ROOT r = f16[2] convert(x)");
    // 2^24 + 2^16 + 1 is just above the bf16 tie at 2^24 + 2^16 (bf16 ulp there is 2^17).
    check("bf16[1] {16908288}", "x = s32[1] constant({16842753})\nROOT r = bf16[1] convert(x)");
    check("f32[3] {65504, inf, -inf}", """
          x = f16[3] constant({65504, inf, -inf})
          ROOT r = f32[3] convert(x)""");
    check("f16[2] {inf, 0}", """
          x = f32[2] constant({65520, 1e-9})
          ROOT r = f16[2] convert(x)""");
  }

  @Test
  void comparisonsOfNanAndTotalOrder() {
    String operands = """
          a = f32[4] constant({nan, nan, -0, 1})
          b = f32[4] constant({nan, inf, 0, 1})
        """;
    check("pred[4] {false, false, true, true}", operands + "ROOT r = pred[4] compare(a, b), direction=EQ");
    check("pred[4] {true, true, false, false}", operands + "ROOT r = pred[4] compare(a, b), direction=NE");
    check("pred[4] {false, false, false, false}",
        operands + "ROOT r = pred[4] compare(a, b), direction=GT");
    check("pred[4] {false, true, false, false}",
        operands + "ROOT r = pred[4] compare(a, b), direction=GT, type=TOTALORDER");
    check("pred[4] {false, false, true, false}",
        operands + "ROOT r = pred[4] compare(a, b), direction=LT, type=TOTALORDER");
    check("pred[2] {true, false}", """
          a = u32[2] constant({4294967295, 1})
          b = u32[2] constant({1, 2})
          ROOT r = pred[2] compare(a, b), direction=GT""");
    check("pred[2] {false, false}", """
          a = s32[2] constant({-1, 1})
          b = s32[2] constant({1, 2})
          ROOT r = pred[2] compare(a, b), direction=GT""");
  }

  @Test
  void integerPowerSquaresAndTreatsNegativeExponents() {
    check("s32[7] {1024, 1, -8, 1, 0, 0, 0}", """
          a = s32[7] constant({2, 3, -2, 1, 2, -1, 2})
          b = s32[7] constant({10, 0, 3, -5, -1, -3, 40})
          ROOT r = s32[7] power(a, b)""");
    check("u8[2] {0, 243}", """
          a = u8[2] constant({2, 3})
          b = u8[2] constant({8, 5})
          ROOT r = u8[2] power(a, b)""");
  }

  @Test
  void bitCountingAndIntegerUnaryOps() {
    String x = "x = s32[4] constant({0, 1, -1, 256})\n";
    check("s32[4] {0, 1, 32, 1}", x + "ROOT r = s32[4] popcnt(x)");
    check("s32[4] {32, 31, 0, 23}", x + "ROOT r = s32[4] count-leading-zeros(x)");
    check("s32[4] {-1, -2, 0, -257}", x + "ROOT r = s32[4] not(x)");
    check("s32[4] {0, 1, -1, 1}", x + "ROOT r = s32[4] sign(x)");
    check("s8[3] {-128, 5, 5}", """
          x = s8[3] constant({-128, -5, 5})
          ROOT r = s8[3] abs(x)""");
    check("s8[2] {-128, 5}", """
          x = s8[2] constant({-128, -5})
          ROOT r = s8[2] negate(x)""");
    check("pred[2] {false, true}", """
          x = pred[2] constant({true, false})
          ROOT r = pred[2] not(x)""");
  }

  @Test
  void floatUnaryEdgeCases() {
    String x = "x = f32[6] constant({-0, 0, nan, -inf, -2, 3})\n";
    check("f32[6] {-0, 0, nan, -1, -1, 1}", x + "ROOT r = f32[6] sign(x)");
    check("pred[6] {true, true, false, false, true, true}", x + "ROOT r = pred[6] is-finite(x)");
    check("f32[6] {0, 0, nan, inf, 2, 3}", x + "ROOT r = f32[6] abs(x)");
    check("f32[6] {0, -0, nan, inf, 2, -3}", x + "ROOT r = f32[6] negate(x)");
    check("f32[3] {0.5, 1, 0}", """
          x = f32[3] constant({0, 100, -200})
          ROOT r = f32[3] logistic(x)""");
    check("f32[3] {inf, -inf, 0.5}", """
          x = f32[3] constant({0, -0, 4})
          ROOT r = f32[3] rsqrt(x)""");
  }

  @Test
  void reducePrecisionRoundsMantissaAndFlushesOutOfRangeExponents() {
    // To f16's range and precision: 1 + 2^-11 + 2^-20 rounds up to 1 + 2^-10; 1e6 overflows;
    // 1e-10 is below f16's normal range (no subnormals after reduce-precision); NaN stays NaN.
    float x = 1f + 0x1p-11f + 0x1p-20f;
    check("f32[5] {1.0009765625, inf, 0, nan, -inf}", "x = f32[5] constant({" + x + ", 1e6, 1e-10, nan, -1e6})\n"
        + "ROOT r = f32[5] reduce-precision(x), exponent_bits=5, mantissa_bits=10");
    check("f32[1] {inf}", "x = f32[1] constant({nan})\n"
        + "ROOT r = f32[1] reduce-precision(x), exponent_bits=8, mantissa_bits=0");
  }

  @Test
  void bitcastConvertReinterpretsBits() {
    check("s32[2] {1065353216, -2147483648}", """
          x = f32[2] constant({1, -0})
          ROOT r = s32[2] bitcast-convert(x)""");
    check("u16[2] {15360, 49152}", """
          x = f16[2] constant({1, -2})
          ROOT r = u16[2] bitcast-convert(x)""");
    check("bf16[1] {1}", """
          x = s16[1] constant({16256})
          ROOT r = bf16[1] bitcast-convert(x)""");
  }

  @Test
  void selectAndClampWithScalarBounds() {
    check("f32[4] {1, 20, 3, 40}", """
          p = pred[4] constant({true, false, true, false})
          a = f32[4] constant({1, 2, 3, 4})
          b = f32[4] constant({10, 20, 30, 40})
          ROOT r = f32[4] select(p, a, b)""");
    check("s32[4] {0, 0, 5, 10}", """
          lo = s32[] constant(0)
          hi = s32[] constant(10)
          x = s32[4] constant({-5, 0, 5, 50})
          ROOT r = s32[4] clamp(lo, x, hi)""");
    check("f32[2] {nan, 1}", """
          lo = f32[] constant(1)
          hi = f32[] constant(2)
          x = f32[2] constant({nan, -3})
          ROOT r = f32[2] clamp(lo, x, hi)""");
  }

  @Test
  void transcendentalFunctionsMatchJavaWithinAnUlp() {
    double[] xs = {0.1, 0.5, 1, 2, 10};
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      values.append(i > 0 ? ", " : "").append(xs[i]);
    }
    String x = "x = f64[5] constant({" + values + "})\n";
    Literal exp = run(x + "ROOT r = f64[5] exponential(x)");
    Literal log1p = run(x + "ROOT r = f64[5] log-plus-one(x)");
    Literal tanh = run(x + "ROOT r = f64[5] tanh(x)");
    Literal atan2 = run(x + "ROOT r = f64[5] atan2(x, x)");
    for (int i = 0; i < xs.length; i++) {
      assertNear(Math.exp(xs[i]), exp.getDouble(i));
      assertNear(Math.log1p(xs[i]), log1p.getDouble(i));
      assertNear(Math.tanh(xs[i]), tanh.getDouble(i));
      assertNear(Math.PI / 4, atan2.getDouble(i));
    }
  }

  private static void assertNear(double expected, double actual) {
    assertTrue(Math.abs(expected - actual) <= 2 * Math.ulp(expected), () -> "expected " + expected + ", got " + actual);
  }
}
