package io.tessera.compiler.hlo;

/**
 * Conversions between element values and the canonical forms a {@link Literal} stores: a float
 * value of any width as the {@code double} it exactly equals; an integer as a {@code long},
 * sign-extended for signed types, zero-extended for unsigned ones (u64 keeps its raw bits);
 * {@code pred} as 0 or 1.
 */
public final class ElementValues {
  private ElementValues() {}

  /** Rounds {@code v} to the nearest value of float type {@code type} (ties to even, as IEEE). */
  public static double roundFloat(ElementType type, double v) {
    return switch (type) {
      case F64 -> v;
      case F32 -> (float) v;
      case F16 -> roundToPrecision(v, 5, 10);
      case BF16 -> roundToPrecision(v, 8, 7);
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /**
   * Rounds {@code v} to a binary float format with {@code exponentBits} exponent bits and
   * {@code mantissaBits} explicit mantissa bits, with IEEE round-to-nearest-even, subnormals and
   * overflow to infinity. This is XLA's {@code reduce-precision} on a double, and f16/bf16 rounding.
   */
  public static double roundToPrecision(double v, int exponentBits, int mantissaBits) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return v;
    }
    if (exponentBits >= 11 && mantissaBits >= 52) {
      return v;
    }
    int bias = (1 << (exponentBits - 1)) - 1;
    int minExponent = 1 - bias; // exponent of the smallest normal
    int maxExponent = bias;
    double a = Math.abs(v);
    int e = Math.max(Math.getExponent(a), minExponent);
    double quantum = Math.scalb(1.0, e - mantissaBits);
    double rounded = Math.rint(a / quantum) * quantum; // a/quantum is exact: quantum is a power of two
    double max = Math.scalb(2.0 - Math.scalb(1.0, -mantissaBits), maxExponent);
    if (rounded > max) {
      rounded = Double.POSITIVE_INFINITY;
    }
    return Math.copySign(rounded, v);
  }

  /** Wraps {@code v} to integer type {@code type} (two's complement), or 0/1 for pred. */
  public static long wrapInteger(ElementType type, long v) {
    return switch (type) {
      case PRED -> v != 0 ? 1 : 0;
      case S8 -> (byte) v;
      case S16 -> (short) v;
      case S32 -> (int) v;
      case S64, U64 -> v;
      case U8 -> v & 0xFFL;
      case U16 -> v & 0xFFFFL;
      case U32 -> v & 0xFFFFFFFFL;
      default -> throw new IllegalArgumentException(type + " is not an integer type");
    };
  }

  /** The numeric value of canonical integer {@code v} of {@code type} as a double (u64 unsigned). */
  public static double integerToDouble(ElementType type, long v) {
    if (type == ElementType.U64 && v < 0) {
      // Unsigned: halve, convert, double; keep the low bit so the rounding stays correct.
      return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }
    return v;
  }

  /**
   * Converts float {@code v} to integer type {@code type} as XLA does: truncation toward zero,
   * saturating at the type's bounds, NaN to 0.
   */
  public static long floatToInteger(ElementType type, double v) {
    if (Double.isNaN(v)) {
      return 0;
    }
    if (type == ElementType.PRED) {
      return v != 0 ? 1 : 0;
    }
    double t = v < 0 ? Math.ceil(v) : Math.floor(v);
    return switch (type) {
      case S8 -> (long) Math.max(Byte.MIN_VALUE, Math.min(Byte.MAX_VALUE, t));
      case S16 -> (long) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, t));
      case S32 -> (long) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, t));
      case S64 -> (long) t; // Java's cast saturates
      case U8 -> (long) Math.max(0, Math.min(0xFF, t));
      case U16 -> (long) Math.max(0, Math.min(0xFFFF, t));
      case U32 -> (long) Math.max(0, Math.min(0xFFFFFFFFL, t));
      case U64 -> t <= 0 ? 0 : t >= 0x1p64 ? -1L : t >= 0x1p63 ? (long) (t - 0x1p63) ^ Long.MIN_VALUE : (long) t;
      default -> throw new IllegalArgumentException(type + " is not an integer type");
    };
  }

  /**
   * The IEEE binary16 bits of {@code v}, which must already be an f16 value. A NaN becomes the
   * quiet NaN of its sign: literals keep no NaN payloads.
   */
  public static short toF16Bits(double v) {
    int sign = (Double.doubleToRawLongBits(v) < 0) ? 0x8000 : 0;
    double a = Math.abs(v);
    if (Double.isNaN(v)) {
      return (short) (sign | 0x7E00);
    }
    if (Double.isInfinite(a)) {
      return (short) (sign | 0x7C00);
    }
    if (a == 0) {
      return (short) sign;
    }
    int e = Math.getExponent(a);
    if (e < -14) { // subnormal: multiples of 2^-24
      return (short) (sign | (int) Math.round(a * 0x1p24));
    }
    int mantissa = (int) Math.round((a / Math.scalb(1.0, e) - 1.0) * 1024);
    return (short) (sign | ((e + 15) << 10) | mantissa);
  }

  /** The value of IEEE binary16 bits {@code bits}. */
  public static double fromF16Bits(short bits) {
    int b = bits & 0xFFFF;
    int sign = b >>> 15;
    int exp = (b >>> 10) & 0x1F;
    int mant = b & 0x3FF;
    double v;
    if (exp == 0x1F) {
      v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exp == 0) {
      v = mant * 0x1p-24;
    } else {
      v = Math.scalb(1.0 + mant / 1024.0, exp - 15);
    }
    return sign == 1 ? -v : v;
  }

  /** The bfloat16 bits of {@code v}, which must already be a bf16 value; a NaN as for {@link #toF16Bits}. */
  public static short toBf16Bits(double v) {
    if (Double.isNaN(v)) {
      return (short) ((Double.doubleToRawLongBits(v) < 0 ? 0x8000 : 0) | 0x7FC0);
    }
    return (short) (Float.floatToRawIntBits((float) v) >>> 16);
  }

  /** The value of bfloat16 bits {@code bits}. */
  public static double fromBf16Bits(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** The raw bits of float value {@code v} in {@code type}'s encoding, zero-extended to a long. */
  public static long floatToBits(ElementType type, double v) {
    return switch (type) {
      case F64 -> Double.doubleToRawLongBits(v);
      case F32 -> Float.floatToRawIntBits((float) v) & 0xFFFFFFFFL;
      case F16 -> toF16Bits(v) & 0xFFFFL;
      case BF16 -> toBf16Bits(v) & 0xFFFFL;
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /** The float value whose {@code type} encoding is the low bits of {@code bits}. */
  public static double bitsToFloat(ElementType type, long bits) {
    return switch (type) {
      case F64 -> Double.longBitsToDouble(bits);
      case F32 -> Float.intBitsToFloat((int) bits);
      case F16 -> fromF16Bits((short) bits);
      case BF16 -> fromBf16Bits((short) bits);
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }
}
