package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Literal#toString()} and {@link HloParser#parseLiteral} are inverses. */
class LiteralTextTest {

  private static void assertRoundTrips(Literal literal) {
    String text = literal.toString();
    Literal back = HloParser.parseLiteral(text);
    assertEquals(literal, back, text);
    assertEquals(text, back.toString());
  }

  @Test
  void examplesFromXla() {
    assertEquals(Literal.ofDoubles(Shape.array(ElementType.F32, 2, 2), 1, 2, 3, 4),
        HloParser.parseLiteral("f32[2,2] {{1, 2}, {3, 4}}"));
    assertEquals(Literal.ofLongs(Shape.array(ElementType.PRED, 2), 1, 0), HloParser.parseLiteral("pred[2] {true, false}"));
    assertTrue(Double.isNaN(HloParser.parseLiteral("f32[] nan").getDouble(0)));
    assertEquals(Literal.ofDoubles(Shape.array(ElementType.F32, 2, 2), 1, 2, 3, 4),
        HloParser.parseLiteral("f32[2,2]{1,0} { { 1, 2 }, { 3, 4 } }"));
  }

  @Test
  void tuplesInBothForms() {
    Literal expected = Literal.tuple(Literal.scalar(ElementType.F32, 1.0), Literal.scalar(ElementType.S32, 2L));
    assertEquals(expected, HloParser.parseLiteral("(f32[], s32[]) (1, 2)"));
    assertEquals(expected, HloParser.parseLiteral("(f32[] 1, s32[] 2)"));
    Literal nested = Literal.tuple(expected, Literal.ofLongs(Shape.array(ElementType.U8, 3), 1, 2, 255), Literal.tuple());
    assertRoundTrips(nested);
    assertEquals(nested, HloParser.parseLiteral("((f32[], s32[]), u8[3], ()) ((1, 2), {1, 2, 255}, ())"));
  }

  @Test
  void floatEdgeValuesOfEveryWidth() {
    double[] edges = {0.0, -0.0, 1.0, -1.5, 0.1, 1e-5, 1e10, 123456.789, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        65504, 6e-8, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL, Math.PI};
    for (ElementType type : new ElementType[] {ElementType.F16, ElementType.BF16, ElementType.F32, ElementType.F64}) {
      assertRoundTrips(Literal.ofDoubles(Shape.array(type, edges.length), edges));
      for (double v : edges) {
        assertRoundTrips(Literal.scalar(type, v));
      }
    }
    Literal negativeZero = HloParser.parseLiteral("f32[] -0");
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(negativeZero.getDouble(0)));
  }

  @Test
  void everyF16AndBf16BitPatternRoundTrips() {
    for (ElementType type : new ElementType[] {ElementType.F16, ElementType.BF16}) {
      double[] all = new double[0x10000];
      for (int bits = 0; bits < all.length; bits++) {
        all[bits] = ElementValues.bitsToFloat(type, bits);
      }
      assertRoundTrips(Literal.ofDoubles(Shape.array(type, 256, 256), all));
    }
  }

  @Test
  void randomF32AndF64ValuesRoundTripExactly() {
    Random random = new Random(42);
    double[] f32 = new double[2000];
    double[] f64 = new double[2000];
    for (int i = 0; i < f32.length; i++) {
      f32[i] = Float.intBitsToFloat(random.nextInt());
      f64[i] = Double.longBitsToDouble(random.nextLong());
    }
    assertRoundTrips(Literal.ofDoubles(Shape.array(ElementType.F32, f32.length), f32));
    assertRoundTrips(Literal.ofDoubles(Shape.array(ElementType.F64, f64.length), f64));
  }

  @Test
  void integerExtremesOfEveryWidth() {
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.S8, 3), Byte.MIN_VALUE, 0, Byte.MAX_VALUE));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.S16, 2), Short.MIN_VALUE, Short.MAX_VALUE));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.S32, 2), Integer.MIN_VALUE, Integer.MAX_VALUE));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.S64, 2), Long.MIN_VALUE, Long.MAX_VALUE));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.U8, 2), 0, 255));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.U16, 2), 0, 65535));
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.U32, 2), 0, 0xFFFFFFFFL));
    Literal u64 = Literal.ofLongs(Shape.array(ElementType.U64, 3), 0, Long.MIN_VALUE, -1L);
    assertEquals("u64[3] {0, 9223372036854775808, 18446744073709551615}", u64.toString());
    assertRoundTrips(u64);
    assertRoundTrips(Literal.ofLongs(Shape.array(ElementType.PRED, 2, 2), 1, 0, 0, 1));
  }

  @Test
  void emptyAndHighRankArrays() {
    assertRoundTrips(Literal.zeros(Shape.array(ElementType.F32, 0)));
    assertRoundTrips(Literal.zeros(Shape.array(ElementType.S32, 2, 0, 3)));
    assertRoundTrips(Literal.zeros(Shape.array(ElementType.S32, 0, 4)));
    double[] values = new double[2 * 3 * 1 * 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = i - 5.5;
    }
    assertRoundTrips(Literal.ofDoubles(Shape.array(ElementType.F64, 2, 3, 1, 2), values));
  }

  @Test
  void floatSpellingsXlaAccepts() {
    assertEquals(1e-5f, (float) HloParser.parseLiteral("f32[] 1e-05").getDouble(0));
    assertEquals(1e-5f, (float) HloParser.parseLiteral("f32[] 1E-5").getDouble(0));
    assertEquals(2000.0, HloParser.parseLiteral("f32[] +2e+3").getDouble(0));
    assertEquals(0.5, HloParser.parseLiteral("f32[] .5").getDouble(0));
    assertEquals(3.0, HloParser.parseLiteral("f64[] 0x1.8p1").getDouble(0));
    assertTrue(Double.isNaN(HloParser.parseLiteral("f32[] -nan").getDouble(0)));
    assertTrue(Double.isNaN(HloParser.parseLiteral("bf16[] nan(0x7f)").getDouble(0)));
    assertEquals(Double.NEGATIVE_INFINITY, HloParser.parseLiteral("f16[] -inf").getDouble(0));
    assertEquals(Double.POSITIVE_INFINITY, HloParser.parseLiteral("f16[] 1e5").getDouble(0), "overflows f16");
    assertEquals(1.0, HloParser.parseLiteral("f32[] 1").getDouble(0));
  }

  @Test
  void aNegativeNanKeepsItsSignButNotItsPayload() {
    assertEquals("f32[2] {-nan, nan}", HloParser.parseLiteral("f32[2] {-nan, nan(0x7fc00001)}").toString());
    assertEquals("f16[] -nan", HloParser.parseLiteral("f16[] -nan").toString());
    assertEquals("bf16[] -nan", HloParser.parseLiteral("bf16[] -nan(0x7f)").toString());
  }
}
