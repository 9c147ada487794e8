package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** convert between every family of types, bitcast-convert (same and different widths), reduce-precision. */
class ElementwiseConversionsTest {

  /** {@code ROOT r = <resultShape> op(p)<attributes>} on {@code input} (literal text). */
  private static Literal run(String op, String input, String resultShape, String attributes) {
    Literal in = HloParser.parseLiteral(input);
    String hlo = "HloModule m\nENTRY e {\n  p = " + in.shape().toStringWithoutLayout() + " parameter(0)\n  ROOT r = "
        + resultShape + " " + op + "(p)" + attributes + "\n}\n";
    return new Interpreter().run(HloParser.parse(hlo), List.of(in));
  }

  /** {@code convert} to {@code resultType} with the input's dimensions. */
  private static Literal convert(String input, String resultType) {
    String dims = input.substring(input.indexOf('['), input.indexOf(']') + 1);
    return run("convert", input, resultType + dims, "");
  }

  private static Literal reducePrecision(String input, int exponentBits, int mantissaBits) {
    String shape = input.substring(0, input.indexOf(']') + 1);
    return run("reduce-precision", input, shape, ", exponent_bits=" + exponentBits + ", mantissa_bits=" + mantissaBits);
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  @Test
  void floatToIntegerTruncatesSaturatesAndSendsNanToZero() {
    check("s32[8] {1, -1, 2147483647, -2147483648, 0, 2147483647, -2147483648, 0}",
        convert("f32[8] {1.9, -1.9, 3e9, -3e9, nan, inf, -inf, -0.5}", "s32"));
    check("u8[4] {0, 255, 255, 0}", convert("f32[4] {-1, 255.9, 256, nan}", "u8"));
    check("s8[2] {127, -128}", convert("f16[2] {300, -300}", "s8"));
    check("u64[3] {18446744073709551615, 9300000000000000000, 0}", convert("f64[3] {1.8446744073709552e19, 9.3e18, -5}", "u64"));
    check("s64[2] {9223372036854775807, -9223372036854775808}", convert("f64[2] {1e19, -1e19}", "s64"));
  }

  @Test
  void floatToPredIsNonZero() {
    check("pred[4] {false, false, true, true}", convert("f32[4] {0, -0, 0.5, nan}", "pred"));
  }

  @Test
  void integerToFloatRoundsToNearestEven() {
    check("f32[2] {16777216, 16777220}", convert("s32[2] {16777217, 16777219}", "f32"));
    check("f16[3] {65504, inf, 2048}", convert("s32[3] {65519, 65520, 2049}", "f16"));
    check("f64[1] {1.8446744073709552e19}", convert("u64[1] {18446744073709551615}", "f64"));
    check("f32[1] {1.8446744e19}", convert("u64[1] {18446744073709551615}", "f32"));
    check("f32[1] {-9.223372e18}", convert("s64[1] {-9223372036854775808}", "f32"));
    check("bf16[2] {256, -256}", convert("s32[2] {257, -257}", "bf16"));
  }

  @Test
  void sixtyFourBitIntegersRoundOnceNotTwice() {
    // 2^60 + 2^36 + 1 lies just above halfway between two f32 values. Through a double it would
    // first lose the +1 and then tie down to 2^60; rounding once goes up to 2^60 + 2^37.
    Literal r = convert("s64[2] {1152921573326323713, -1152921573326323713}", "f32");
    assertEquals(0x1p60 + 0x1p37, r.getDouble(0));
    assertEquals(-(0x1p60 + 0x1p37), r.getDouble(1));
  }

  @Test
  void integerToIntegerKeepsTheLowBits() {
    check("s8[2] {44, 127}", convert("s32[2] {300, -129}", "s8"));
    check("s32[1] {-1}", convert("u32[1] {4294967295}", "s32"));
    check("u32[1] {4294967295}", convert("s32[1] {-1}", "u32"));
    check("u64[1] {18446744073709551615}", convert("s64[1] {-1}", "u64"));
    check("s64[1] {-1}", convert("u64[1] {18446744073709551615}", "s64"));
    check("s64[1] {4294967295}", convert("u32[1] {4294967295}", "s64"));
  }

  @Test
  void predConversions() {
    check("pred[3] {false, true, true}", convert("s32[3] {0, 2, -1}", "pred"));
    check("f32[2] {1, 0}", convert("pred[2] {true, false}", "f32"));
    check("u8[2] {1, 0}", convert("pred[2] {true, false}", "u8"));
  }

  @Test
  void floatToFloatRounds() {
    check("f32[3] {0.1, inf, 0}", convert("f64[3] {0.1, 1e300, 1e-50}", "f32"));
    assertEquals((double) 0.1f, convert("f64[1] {0.1}", "f32").getDouble(0));
    check("f16[3] {inf, 1, 0.000000059604645}", convert("f32[3] {65520, 1.00048828125, 0.00000005960464477539063}", "f16"));
    check("bf16[1] {0.10009765625}", convert("f32[1] {0.1}", "bf16"));
    check("f32[1] {0.0999755859375}", convert("f16[1] {0.1}", "f32"));
    check("f64[2] {nan, -inf}", convert("bf16[2] {nan, -inf}", "f64"));
  }

  @Test
  void bitcastConvertOfOneWidthReinterpretsBits() {
    check("s32[3] {1065353216, -2147483648, -1073741824}", run("bitcast-convert", "f32[3] {1, -0, -2}", "s32[3]", ""));
    check("f32[2] {1, inf}", run("bitcast-convert", "u32[2] {1065353216, 2139095040}", "f32[2]", ""));
    check("u16[1] {15360}", run("bitcast-convert", "f16[1] {1}", "u16[1]", "")); // 0x3C00
    // NaNs become the quiet NaN of their sign (payloads are not kept).
    check("u16[2] {65024, 32256}", run("bitcast-convert", "f16[2] {-nan, nan}", "u16[2]", "")); // 0xFE00, 0x7E00
    check("u16[2] {65472, 32704}", run("bitcast-convert", "bf16[2] {-nan, nan}", "u16[2]", "")); // 0xFFC0, 0x7FC0
    check("u32[1] {4290772992}", run("bitcast-convert", "f32[1] {-nan}", "u32[1]", "")); // 0xFFC00000
    check("s16[1] {-16512}", run("bitcast-convert", "bf16[1] {-1}", "s16[1]", "")); // 0xBF80
    check("s64[1] {4607182418800017408}", run("bitcast-convert", "f64[1] {1}", "s64[1]", ""));
    check("bf16[1] {1}", run("bitcast-convert", "f16[1] {1.875}", "bf16[1]", "")); // 0x3F80 either way
  }

  @Test
  void bitcastConvertBetweenWidthsIsLittleEndian() {
    check("u8[1,4] {{1, 2, 3, 4}}", run("bitcast-convert", "u32[1] {67305985}", "u8[1,4]", "")); // 0x04030201
    check("u16[2] {513, 1027}", run("bitcast-convert", "u8[2,2] {{1, 2}, {3, 4}}", "u16[2]", ""));
    check("s32[1] {-1}", run("bitcast-convert", "s8[1,4] {{-1, -1, -1, -1}}", "s32[1]", ""));
    check("bf16[2] {0, 1}", run("bitcast-convert", "f32[] 1", "bf16[2]", "")); // 0x3F800000
    check("f64[] 1", run("bitcast-convert", "s32[2] {0, 1072693248}", "f64[]", ""));
  }

  @Test
  void bitcastConvertRejectsMismatchedSizes() {
    assertThrows(EvaluationException.class, () -> run("bitcast-convert", "u8[3] {1, 2, 3}", "u16[1]", ""));
  }

  @Test
  void reducePrecisionToF16RangeFlushesSubnormalsAndOverflows() {
    check("f32[10] {1, 1.001953125, 65504, inf, 65504, 0, 0.00006103515625, -0, nan, -inf}",
        reducePrecision("f32[10] {1.00048828125, 1.00146484375, 65504, 65520, 65519.99, 1e-5, 0.00006103515625, -1e-8,"
            + " nan, -inf}", 5, 10));
  }

  @Test
  void reducePrecisionWithNoMantissaBits() {
    // Ties go to an even exponent field: 3 (between 2 and 4) to 2, 6 (between 4 and 8) to 8.
    check("f32[4] {2, 8, inf, 1}", reducePrecision("f32[4] {3, 6, nan, 1}", 8, 0));
  }

  @Test
  void reducePrecisionKeepsNanAndActsOnEveryFloatType() {
    check("f32[2] {0.10009765625, nan}", reducePrecision("f32[2] {0.1, nan}", 8, 7));
    check("f64[1] {0.10009765625}", reducePrecision("f64[1] {0.1}", 8, 7));
    check("bf16[2] {1, 2}", reducePrecision("bf16[2] {1.0078125, 1.9921875}", 8, 2));
    check("f16[2] {0, 0.5}", reducePrecision("f16[2] {0.00006103515625, 0.5}", 3, 10));
    // On the operand's own encoding: f16 subnormals survive f16's own format (XLA's evaluator,
    // working in f32, would flush them).
    check("f16[1] {0.000000059604645}", reducePrecision("f16[1] {0.000000059604645}", 5, 10));
    assertEquals(Literal.ofDoubles(Shape.array(ElementType.F64, 1), 0x1p-1022),
        reducePrecision("f64[1] {2.2250738585072014e-308}", 11, 52)); // identity at full precision
  }
}
