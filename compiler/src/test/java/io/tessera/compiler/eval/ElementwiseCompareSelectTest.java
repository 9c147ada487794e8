package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** compare (every comparison type), select, clamp and map. */
class ElementwiseCompareSelectTest {

  private static Literal run(String hlo, String... args) {
    return new Interpreter().run(HloParser.parse(hlo), Arrays.stream(args).map(HloParser::parseLiteral).toList());
  }

  /** {@code compare(a, b), direction=D[, type=T]} on two literals of one shape. */
  private static Literal compare(String direction, String type, String a, String b) {
    Literal x = HloParser.parseLiteral(a);
    String shape = x.shape().toStringWithoutLayout();
    String dims = shape.substring(shape.indexOf('['));
    String hlo = "HloModule m\nENTRY e {\n  a = " + shape + " parameter(0)\n  b = " + shape + " parameter(1)\n"
        + "  ROOT r = pred" + dims + " compare(a, b), direction=" + direction + (type == null ? "" : ", type=" + type)
        + "\n}\n";
    return run(hlo, a, b);
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  @Test
  void floatComparisonsWithNanAreFalseExceptNotEqual() {
    String a = "f32[6] {1, nan, nan, -0, 1, 2}";
    String b = "f32[6] {2, 1, nan, 0, 1, 1}";
    check("pred[6] {true, false, false, false, false, false}", compare("LT", null, a, b));
    check("pred[6] {true, false, false, true, true, false}", compare("LE", null, a, b));
    check("pred[6] {false, false, false, false, false, true}", compare("GT", null, a, b));
    check("pred[6] {false, false, false, true, true, true}", compare("GE", null, a, b));
    check("pred[6] {false, false, false, true, true, false}", compare("EQ", null, a, b));
    check("pred[6] {true, true, true, false, false, true}", compare("NE", null, a, b));
    check("pred[6] {true, false, false, false, false, false}", compare("LT", "FLOAT", a, b));
  }

  @Test
  void totalOrderSeparatesZerosAndOrdersNans() {
    // -NaN < -inf < ... < -0 < +0 < ... < inf < NaN
    String a = "f32[6] {-0, nan, -nan, nan, -inf, 1}";
    String b = "f32[6] {0, inf, -inf, nan, -nan, 1}";
    check("pred[6] {true, false, true, false, false, false}", compare("LT", "TOTALORDER", a, b));
    check("pred[6] {false, false, false, true, false, true}", compare("EQ", "TOTALORDER", a, b));
    check("pred[6] {false, true, false, false, true, false}", compare("GT", "TOTALORDER", a, b));
    check("pred[2] {true, false}", compare("LT", "TOTALORDER", "f64[2] {-1, 2}", "f64[2] {-0.5, 1}"));
  }

  @Test
  void integerComparisonsFollowSignedness() {
    check("pred[2] {true, false}", compare("LT", null, "s32[2] {-1, 5}", "s32[2] {1, 5}"));
    check("pred[1] {false}", compare("LT", null, "u32[1] {4294967295}", "u32[1] {1}"));
    check("pred[1] {true}", compare("GT", null, "u64[1] {18446744073709551615}", "u64[1] {1}"));
    check("pred[1] {true}", compare("GT", null, "s8[1] {127}", "s8[1] {-128}"));
    check("pred[1] {true}", compare("GT", null, "pred[1] {true}", "pred[1] {false}"));
    // An explicit type reads the bits with that signedness.
    check("pred[1] {true}", compare("GT", "UNSIGNED", "s64[1] {-1}", "s64[1] {1}"));
    check("pred[1] {true}", compare("LT", "SIGNED", "u8[1] {255}", "u8[1] {1}"));
  }

  @Test
  void comparisonTypeMustFitTheElementType() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> compare("LT", "TOTALORDER", "s32[1] {1}", "s32[1] {2}"));
    assertTrue(e.getMessage().contains("TOTALORDER") && e.getMessage().contains("s32"), e.getMessage());
    assertThrows(EvaluationException.class, () -> compare("LT", "SIGNED", "f32[1] {1}", "f32[1] {2}"));
  }

  @Test
  void selectWithArrayAndScalarPredicates() {
    String hlo = """
        HloModule m
        ENTRY e {
          p = pred[3] parameter(0)
          t = s32[3] parameter(1)
          f = s32[3] parameter(2)
          ROOT r = s32[3] select(p, t, f)
        }
        """;
    check("s32[3] {1, 5, 3}", run(hlo, "pred[3] {true, false, true}", "s32[3] {1, 2, 3}", "s32[3] {4, 5, 6}"));
    String scalar = """
        HloModule m
        ENTRY e {
          p = pred[] parameter(0)
          t = f32[2] parameter(1)
          f = f32[2] parameter(2)
          ROOT r = f32[2] select(p, t, f)
        }
        """;
    check("f32[2] {nan, -0}", run(scalar, "pred[] false", "f32[2] {1, 2}", "f32[2] {nan, -0}"));
    check("f32[2] {1, 2}", run(scalar, "pred[] true", "f32[2] {1, 2}", "f32[2] {nan, -0}"));
  }

  @Test
  void clampWithScalarBoundsPropagatesNan() {
    String hlo = """
        HloModule m
        ENTRY e {
          x = f32[5] parameter(0)
          lo = f32[] constant(0)
          hi = f32[] constant(1)
          ROOT r = f32[5] clamp(lo, x, hi)
        }
        """;
    check("f32[5] {0, 0.5, 1, nan, 0}", run(hlo, "f32[5] {-1, 0.5, 2, nan, -0}"));
  }

  @Test
  void clampWithArrayBoundsAndNanBounds() {
    String hlo = """
        HloModule m
        ENTRY e {
          lo = f32[3] parameter(0)
          x = f32[3] parameter(1)
          hi = f32[3] parameter(2)
          ROOT r = f32[3] clamp(lo, x, hi)
        }
        """;
    check("f32[3] {nan, 2, nan}", run(hlo, "f32[3] {nan, 2, 0}", "f32[3] {1, 1, 1}", "f32[3] {2, 3, nan}"));
  }

  @Test
  void integerClampIsUnsignedForUnsignedTypes() {
    String hlo = """
        HloModule m
        ENTRY e {
          x = u32[3] parameter(0)
          lo = u32[] constant(2)
          hi = u32[] constant(10)
          ROOT r = u32[3] clamp(lo, x, hi)
        }
        """;
    check("u32[3] {10, 2, 5}", run(hlo, "u32[3] {4294967295, 0, 5}"));
    String signed = hlo.replace("u32", "s32");
    check("s32[3] {2, 2, 5}", run(signed, "s32[3] {-1, 0, 5}"));
  }

  @Test
  void mapAppliesAScalarComputationPerElement() {
    String hlo = """
        HloModule m
        axpy {
          x = f32[] parameter(0)
          y = s32[] parameter(1)
          c = f32[] constant(2)
          xc = f32[] multiply(x, c)
          yf = f32[] convert(y)
          ROOT s = f32[] add(xc, yf)
        }
        ENTRY e {
          a = f32[2,2] parameter(0)
          b = s32[2,2] parameter(1)
          ROOT r = f32[2,2] map(a, b), dimensions={0,1}, to_apply=axpy
        }
        """;
    check("f32[2,2] {{12, 24}, {36, 48}}", run(hlo, "f32[2,2] {{1, 2}, {3, 4}}", "s32[2,2] {{10, 20}, {30, 40}}"));
  }

  @Test
  void mapToAnotherElementType() {
    String hlo = """
        HloModule m
        positive {
          x = s32[] parameter(0)
          z = s32[] constant(0)
          ROOT gt = pred[] compare(x, z), direction=GT
        }
        ENTRY e {
          a = s32[3] parameter(0)
          ROOT r = pred[3] map(a), dimensions={0}, to_apply=positive
        }
        """;
    check("pred[3] {false, true, false}", run(hlo, "s32[3] {-1, 4, 0}"));
  }
}
