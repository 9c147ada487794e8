package io.tessera.oracle;

/**
 * Conversions between float and the 16-bit float formats, rounding to nearest even as XLA's
 * {@code convert} does. (Java 17 has no {@code Float.floatToFloat16}.)
 */
final class HalfFloats {
  private HalfFloats() {}

  /** The f16 value nearest to {@code value}, ties to even, as raw bits. */
  static short toF16Bits(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) { // inf or nan; keep nan quiet and non-zero
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int unbiased = exponent - 127;
    if (unbiased > 15) {
      return (short) (sign | 0x7c00); // overflow to inf
    }
    if (unbiased >= -14) { // normal f16: drop 13 mantissa bits, rounding to nearest even
      int half = ((unbiased + 15) << 10) | (mantissa >>> 13);
      int rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
        half++; // may carry into the exponent, which is the right answer (up to inf)
      }
      return (short) (sign | half);
    }
    if (unbiased < -25) {
      return (short) sign; // below half the smallest subnormal: signed zero
    }
    // Subnormal f16: value = m * 2^-24 with the implicit bit made explicit.
    int full = mantissa | 0x800000;
    int shift = -unbiased - 14 + 13; // 14..24 bits dropped
    int half = full >>> shift;
    int rest = full & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }

  static float fromF16Bits(short halfBits) {
    int h = halfBits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // exact
      return sign != 0 ? -magnitude : magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** The bf16 value nearest to {@code value}, ties to even, as raw bits. */
  static short toBf16Bits(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  static float fromBf16Bits(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }
}
