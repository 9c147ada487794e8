package io.tessera.compiler.hlo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ElementValuesTest {

  @Test
  void f16RoundsToNearestEvenAndOverflowsToInfinity() {
    assertEquals(1.0, ElementValues.roundFloat(ElementType.F16, 1.0 + 0x1p-11)); // tie → even
    assertEquals(1.0 + 0x1p-9, ElementValues.roundFloat(ElementType.F16, 1.0 + 0x1p-10 + 0x1p-11)); // tie → even (up)
    assertEquals(65504.0, ElementValues.roundFloat(ElementType.F16, 65519.0));
    assertEquals(Double.POSITIVE_INFINITY, ElementValues.roundFloat(ElementType.F16, 65520.0));
    assertEquals(0x1p-24, ElementValues.roundFloat(ElementType.F16, 0x1.8p-25)); // subnormal, rounds up
    assertEquals(0.0, ElementValues.roundFloat(ElementType.F16, 0x1p-26));
  }

  @Test
  void bf16KeepsEightBitsOfPrecision() {
    assertEquals(1.0, ElementValues.roundFloat(ElementType.BF16, 1.0 + 0x1p-9));
    assertEquals(1.0 + 0x1p-7, ElementValues.roundFloat(ElementType.BF16, 1.0 + 0x1.8p-8));
  }

  @Test
  void f16AndBf16BitsRoundTrip() {
    for (int bits = 0; bits < 0x10000; bits++) {
      double f16 = ElementValues.fromF16Bits((short) bits);
      if (!Double.isNaN(f16)) {
        assertEquals(bits, ElementValues.toF16Bits(f16) & 0xFFFF, "f16 bits " + Integer.toHexString(bits));
        assertEquals(f16, ElementValues.roundFloat(ElementType.F16, f16));
      }
      double bf16 = ElementValues.fromBf16Bits((short) bits);
      if (!Double.isNaN(bf16)) {
        assertEquals(bits, ElementValues.toBf16Bits(bf16) & 0xFFFF, "bf16 bits " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void integersWrapAndConvertsSaturate() {
    assertEquals(-128, ElementValues.wrapInteger(ElementType.S8, 128));
    assertEquals(255, ElementValues.wrapInteger(ElementType.U8, -1));
    assertEquals(0xFFFFFFFFL, ElementValues.wrapInteger(ElementType.U32, -1));
    assertEquals(127, ElementValues.floatToInteger(ElementType.S8, 1e9));
    assertEquals(0, ElementValues.floatToInteger(ElementType.U8, -3.5));
    assertEquals(-3, ElementValues.floatToInteger(ElementType.S32, -3.9));
    assertEquals(0, ElementValues.floatToInteger(ElementType.S32, Double.NaN));
    assertEquals(-1L, ElementValues.floatToInteger(ElementType.U64, 1e30));
    assertEquals(0x8000000000000000L, ElementValues.floatToInteger(ElementType.U64, 0x1p63));
    assertEquals(0x1p64 - 2048, ElementValues.integerToDouble(ElementType.U64, -2048L));
  }
}
