package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.ElementType;

/**
 * Conversions between the narrow float formats ({@code f16}, {@code bf16}) and {@code float},
 * written as integer IR so that they need no compiler-rt helper at run time and vectorize, plus
 * XLA's {@code reduce-precision} bit manipulation.
 *
 * <p>All roundings are IEEE round-to-nearest-even with subnormals and overflow to infinity.
 * Computing an f16/bf16 operation in {@code float} and rounding once gives the correctly rounded
 * narrow result for +, -, *, / and sqrt, because float has at least 2p+2 bits for p = 11 and 8
 * (double rounding is then innocuous). A {@code double} reaches a narrow type through
 * {@code float} rounded to odd, which makes the second rounding exact as well.
 */
public final class FloatFormats {
  private FloatFormats() {}

  private static final String F16_TO_F32 = "@tessera.f16_to_f32";
  private static final String F32_TO_F16 = "@tessera.f32_to_f16";
  private static final String BF16_TO_F32 = "@tessera.bf16_to_f32";
  private static final String F32_TO_BF16 = "@tessera.f32_to_bf16";
  private static final String F64_TO_F32_ODD = "@tessera.f64_to_f32_odd";

  /** The value of a stored element: {@code pred} bytes to {@code i1}, f16/bf16 bits to float. */
  public static IrValue decode(IrBuilder b, ElementType type, IrValue stored) {
    return switch (type) {
      case PRED -> b.icmp("ne", stored, IrValue.intConst("i8", 0));
      case F16 -> b.call("float", helper(b.module(), F16_TO_F32), stored);
      case BF16 -> b.call("float", helper(b.module(), BF16_TO_F32), stored);
      default -> stored;
    };
  }

  /** The stored form of a value; f16/bf16 values must already be exact in their type. */
  public static IrValue encode(IrBuilder b, ElementType type, IrValue value) {
    return switch (type) {
      case PRED -> b.cast("zext", value, "i8");
      case F16 -> b.call("i16", helper(b.module(), F32_TO_F16), value);
      case BF16 -> b.call("i16", helper(b.module(), F32_TO_BF16), value);
      default -> value;
    };
  }

  /** Rounds a {@code float} to the nearest value of narrow type {@code type} (kept in a float). */
  public static IrValue roundTo(IrBuilder b, ElementType type, IrValue floatValue) {
    if (!IrTypes.isNarrowFloat(type)) {
      return floatValue;
    }
    return decode(b, type, encode(b, type, floatValue));
  }

  /** Rounds a {@code double} to float type {@code type} (f16, bf16 or f32), in its value type. */
  public static IrValue fromDouble(IrBuilder b, ElementType type, IrValue doubleValue) {
    return switch (type) {
      case F64 -> doubleValue;
      case F32 -> b.cast("fptrunc", doubleValue, "float");
      case F16, BF16 -> roundTo(b, type, b.call("float", helper(b.module(), F64_TO_F32_ODD), doubleValue));
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /** The encoding bits of a float value of {@code type} as an integer of its width. */
  public static IrValue toBits(IrBuilder b, ElementType type, IrValue value) {
    return switch (type) {
      case F16, BF16 -> encode(b, type, value);
      case F32 -> b.cast("bitcast", value, "i32");
      case F64 -> b.cast("bitcast", value, "i64");
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /** The float value of {@code type} whose encoding is integer {@code bits}. */
  public static IrValue fromBits(IrBuilder b, ElementType type, IrValue bits) {
    return switch (type) {
      case F16, BF16 -> decode(b, type, bits);
      case F32 -> b.cast("bitcast", bits, "float");
      case F64 -> b.cast("bitcast", bits, "double");
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /** Exponent bits of float type {@code type}'s encoding. */
  public static int exponentBits(ElementType type) {
    return switch (type) {
      case F16 -> 5;
      case BF16, F32 -> 8;
      case F64 -> 11;
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /** Explicit mantissa bits of float type {@code type}'s encoding. */
  public static int mantissaBits(ElementType type) {
    return switch (type) {
      case F16 -> 10;
      case BF16 -> 7;
      case F32 -> 23;
      case F64 -> 52;
      default -> throw new IllegalArgumentException(type + " is not a float type");
    };
  }

  /**
   * XLA's {@code reduce-precision} on the operand's own encoding: round the mantissa to
   * {@code mantissaBits} (nearest, ties to even; a carry may reach the exponent), then send
   * values outside the reduced exponent range to signed infinity or zero (the reduced format has
   * no subnormals). NaN stays NaN, except that with no mantissa bits it becomes +infinity.
   */
  public static IrValue reducePrecision(IrBuilder b, ElementType type, IrValue x, int exponentBits, int mantissaBits) {
    int srcExponent = exponentBits(type);
    int srcMantissa = mantissaBits(type);
    IrValue bits = toBits(b, type, x);
    String it = bits.type();
    int nbits = IrTypes.intWidth(it);
    long signMask = 1L << (nbits - 1);
    long expMask = ((1L << srcExponent) - 1) << srcMantissa;
    IrValue abs = b.and(bits, IrValue.intConst(it, ~signMask));
    IrValue isNan = b.icmp("ugt", abs, IrValue.intConst(it, expMask));
    if (mantissaBits < srcMantissa) {
      int drop = srcMantissa - mantissaBits;
      long lastBit = 1L << drop;
      IrValue last = b.binop("lshr", b.and(bits, IrValue.intConst(it, lastBit)), IrValue.intConst(it, drop));
      IrValue bias = b.add(last, IrValue.intConst(it, (lastBit >>> 1) - 1));
      bits = b.and(b.add(bits, bias), IrValue.intConst(it, ~(lastBit - 1)));
    }
    if (exponentBits < srcExponent) {
      long bias = (1L << (srcExponent - 1)) - 1;
      long reducedBias = (1L << (exponentBits - 1)) - 1;
      long maxExponent = (bias + reducedBias) << srcMantissa;
      long minExponent = (bias - reducedBias) << srcMantissa;
      IrValue exponent = b.and(bits, IrValue.intConst(it, expMask));
      IrValue overflows = b.icmp("ugt", exponent, IrValue.intConst(it, maxExponent));
      IrValue underflows = b.icmp("ule", exponent, IrValue.intConst(it, minExponent));
      IrValue signedZero = b.and(bits, IrValue.intConst(it, signMask));
      IrValue signedInf = b.or(signedZero, IrValue.intConst(it, expMask));
      bits = b.select(overflows, signedInf, bits);
      bits = b.select(underflows, signedZero, bits);
    }
    IrValue result = fromBits(b, type, bits);
    IrValue nanResult = mantissaBits > 0 ? x : IrValue.fpConst(x.type(), Double.POSITIVE_INFINITY);
    return b.select(isNan, nanResult, result);
  }

  /** Defines helper {@code symbol} in {@code module} on first use and returns its name. */
  private static String helper(IrModule module, String symbol) {
    if (!module.hasHelper(symbol)) {
      module.defineHelper(symbol, definition(symbol));
      if (symbol.equals(F64_TO_F32_ODD)) {
        module.declare("llvm.fabs.f64", "declare double @llvm.fabs.f64(double)");
      }
    }
    return symbol;
  }

  private static String definition(String symbol) {
    String attrs = " " + IrModule.HELPER_ATTRIBUTES + " {\nentry:\n";
    return switch (symbol) {
      // Fabian Giesen's branch-free conversions, as selects.
      case F32_TO_F16 -> "define internal i16 " + symbol + "(float %x)" + attrs
          + "  %b = bitcast float %x to i32\n"
          + "  %sign = and i32 %b, -2147483648\n"
          + "  %a = xor i32 %b, %sign\n"
          // |x| >= 65536 (after rounding, everything from 65520 up is inf): inf, or a quiet NaN
          + "  %big = icmp uge i32 %a, 1199570944\n"
          + "  %isnan = icmp ugt i32 %a, 2139095040\n"
          + "  %special = select i1 %isnan, i32 32256, i32 31744\n"
          // below 2^-14 the result is subnormal: adding 0.5 aligns the 10 mantissa bits at the
          // bottom and the FPU rounds to nearest even
          + "  %small = icmp ult i32 %a, 947912704\n"
          + "  %af = bitcast i32 %a to float\n"
          + "  %sum = fadd float %af, 0x3FE0000000000000\n"
          + "  %sumb = bitcast float %sum to i32\n"
          + "  %sub = sub i32 %sumb, 1056964608\n"
          // normal: rebias the exponent and round the 13 dropped bits to nearest even
          + "  %odd0 = lshr i32 %a, 13\n"
          + "  %odd = and i32 %odd0, 1\n"
          + "  %n1 = add i32 %a, -939520001\n"
          + "  %n2 = add i32 %n1, %odd\n"
          + "  %norm = lshr i32 %n2, 13\n"
          + "  %r1 = select i1 %small, i32 %sub, i32 %norm\n"
          + "  %r2 = select i1 %big, i32 %special, i32 %r1\n"
          + "  %s16 = lshr i32 %sign, 16\n"
          + "  %r3 = or i32 %r2, %s16\n"
          + "  %r = trunc i32 %r3 to i16\n"
          + "  ret i16 %r\n}\n";
      case F16_TO_F32 -> "define internal float " + symbol + "(i16 %h)" + attrs
          + "  %w = zext i16 %h to i32\n"
          + "  %em = and i32 %w, 32767\n"
          + "  %o = shl i32 %em, 13\n"
          + "  %exp = and i32 %o, 260046848\n"
          + "  %o1 = add i32 %o, 939524096\n"
          + "  %isspecial = icmp eq i32 %exp, 260046848\n"
          + "  %o2 = add i32 %o1, 939524096\n"
          // zero and subnormals: renormalize by subtracting 2^-14 in float (exact)
          + "  %iszero = icmp eq i32 %exp, 0\n"
          + "  %o3 = add i32 %o1, 8388608\n"
          + "  %o3f = bitcast i32 %o3 to float\n"
          + "  %o4f = fsub float %o3f, 0x3F10000000000000\n"
          + "  %o4 = bitcast float %o4f to i32\n"
          + "  %r1 = select i1 %isspecial, i32 %o2, i32 %o1\n"
          + "  %r2 = select i1 %iszero, i32 %o4, i32 %r1\n"
          + "  %sign = and i32 %w, 32768\n"
          + "  %s = shl i32 %sign, 16\n"
          + "  %r3 = or i32 %r2, %s\n"
          + "  %r = bitcast i32 %r3 to float\n"
          + "  ret float %r\n}\n";
      case BF16_TO_F32 -> "define internal float " + symbol + "(i16 %h)" + attrs
          + "  %w = zext i16 %h to i32\n"
          + "  %s = shl i32 %w, 16\n"
          + "  %r = bitcast i32 %s to float\n"
          + "  ret float %r\n}\n";
      case F32_TO_BF16 -> "define internal i16 " + symbol + "(float %x)" + attrs
          + "  %b = bitcast float %x to i32\n"
          + "  %lsb0 = lshr i32 %b, 16\n"
          + "  %lsb = and i32 %lsb0, 1\n"
          + "  %bias = add i32 %lsb, 32767\n"
          + "  %r0 = add i32 %b, %bias\n"
          + "  %r1 = lshr i32 %r0, 16\n"
          + "  %abs = and i32 %b, 2147483647\n"
          + "  %isnan = icmp ugt i32 %abs, 2139095040\n"
          + "  %q = or i32 %lsb0, 64\n"
          + "  %r2 = select i1 %isnan, i32 %q, i32 %r1\n"
          + "  %r = trunc i32 %r2 to i16\n"
          + "  ret i16 %r\n}\n";
      // Round to odd: truncate toward zero, then set the last bit when inexact. A later rounding
      // to a format at least two bits narrower is then the correct rounding of the double.
      case F64_TO_F32_ODD -> "define internal float " + symbol + "(double %x)" + attrs
          + "  %t = fptrunc double %x to float\n"
          + "  %back = fpext float %t to double\n"
          + "  %ax = call double @llvm.fabs.f64(double %x)\n"
          + "  %ab = call double @llvm.fabs.f64(double %back)\n"
          + "  %over = fcmp ogt double %ab, %ax\n"
          + "  %tb = bitcast float %t to i32\n"
          + "  %tb1 = add i32 %tb, -1\n"
          + "  %tz = select i1 %over, i32 %tb1, i32 %tb\n"
          + "  %inexact = fcmp one double %back, %x\n"
          + "  %odd = or i32 %tz, 1\n"
          + "  %r0 = select i1 %inexact, i32 %odd, i32 %tz\n"
          + "  %r = bitcast i32 %r0 to float\n"
          + "  ret float %r\n}\n";
      default -> throw new IllegalArgumentException(symbol);
    };
  }
}
