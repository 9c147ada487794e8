package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;

/**
 * Evaluates the element-type conversions: {@code convert}, {@code bitcast-convert} and
 * {@code reduce-precision}.
 *
 * <p>{@code convert} between every pair of types:
 *
 * <ul>
 *   <li>float → float rounds to nearest, ties to even;
 *   <li>float → integer truncates toward zero and saturates at the type's bounds; NaN becomes 0
 *       (XLA's evaluator; C++ leaves it undefined);
 *   <li>float → pred is {@code x != 0}, so NaN is true (C++'s {@code bool} conversion);
 *   <li>integer or pred → float rounds to nearest, ties to even, with a single rounding even for
 *       64-bit integers (XLA's evaluator goes through f32 for f16/bf16 and may round twice;
 *       Tessera gives the correctly rounded value);
 *   <li>integer → integer keeps the low bits (two's complement), u64 read unsigned;
 *       integer → pred is {@code x != 0}; pred → anything is 0 or 1.
 * </ul>
 */
final class ElementwiseConversions {
  private ElementwiseConversions() {}

  static Literal convert(Instruction instr, Literal x) {
    ElementType from = x.elementType();
    Literal result = Literal.zeros(instr.shape());
    ElementType to = result.elementType();
    int n = x.elementCount();
    if (from.isFloat()) {
      double[] in = x.floatStorage();
      if (to.isFloat()) {
        double[] out = result.floatStorage();
        System.arraycopy(in, 0, out, 0, n);
        ElementwiseStorage.roundAll(to, out);
      } else {
        long[] out = result.intStorage();
        if (to.isPred()) {
          for (int i = 0; i < n; i++) {
            out[i] = in[i] != 0 ? 1 : 0;
          }
        } else {
          for (int i = 0; i < n; i++) {
            out[i] = ElementValues.floatToInteger(to, in[i]);
          }
        }
      }
    } else {
      long[] in = x.intStorage();
      if (to.isFloat()) {
        double[] out = result.floatStorage();
        for (int i = 0; i < n; i++) {
          out[i] = integerToFloat(from, in[i], to);
        }
      } else {
        long[] out = result.intStorage();
        System.arraycopy(in, 0, out, 0, n);
        ElementwiseStorage.wrapAll(to, out);
      }
    }
    return result;
  }

  /** Canonical integer {@code v} of {@code from} as the nearest value of float type {@code to}. */
  private static double integerToFloat(ElementType from, long v, ElementType to) {
    boolean negative = from.isSigned() && v < 0;
    long magnitude = negative ? -v : v; // read unsigned: -Long.MIN_VALUE is 2^63's bit pattern
    double d = to == ElementType.F64
        ? ElementValues.integerToDouble(ElementType.U64, magnitude) // correctly rounded
        : ElementValues.roundFloat(to, unsignedToDoubleRoundedToOdd(magnitude));
    return negative ? -d : d;
  }

  /**
   * The unsigned 64-bit {@code magnitude} rounded to 53 bits by rounding to odd: bits cut off
   * leave a sticky 1 in the last kept bit. Rounding that once more to 24 bits or fewer gives the
   * correctly rounded result (53 >= 2 * 24 + 2), where a plain double conversion could round twice.
   */
  private static double unsignedToDoubleRoundedToOdd(long magnitude) {
    int significant = 64 - Long.numberOfLeadingZeros(magnitude);
    if (significant <= 53) {
      return magnitude; // below 2^53: exact
    }
    int cut = significant - 53;
    long kept = magnitude >>> cut;
    if ((magnitude & ((1L << cut) - 1)) != 0) {
      kept |= 1;
    }
    return Math.scalb((double) kept, cut); // kept < 2^53: exact
  }

  /**
   * {@code bitcast-convert}: the operand's bits reinterpreted as the result type.
   *
   * <p>Between types of one width, element i keeps its bits. Between widths, XLA adds or removes a
   * minor dimension: a wide element splits into {@code wide/narrow} narrow elements along a new
   * last dimension, and {@code wide/narrow} elements along the operand's last dimension join into
   * one wide element. Which part goes first is implementation-defined in XLA; Tessera takes the
   * memory order of a little-endian machine, least significant part first (what XLA's CPU and GPU
   * backends do). Pred is 8 bits wide: false is 0, true is 1, and a nonzero byte read as pred is
   * true.
   */
  static Literal bitcastConvert(Instruction instr, Literal x) {
    ElementType from = x.elementType();
    Literal result = Literal.zeros(instr.shape());
    ElementType to = result.elementType();
    int fromBits = width(from);
    int toBits = width(to);
    int n = x.elementCount();
    int m = result.elementCount();
    boolean fits = fromBits == toBits ? m == n
        : fromBits > toBits ? fromBits % toBits == 0 && (long) n * (fromBits / toBits) == m
        : toBits % fromBits == 0 && (long) m * (toBits / fromBits) == n;
    if (!fits) {
      throw EvaluationException.error(instr, "cannot bitcast " + x.shape().toStringWithoutLayout() + " to "
          + result.shape().toStringWithoutLayout());
    }
    long toMask = -1L >>> (64 - toBits);
    for (int j = 0; j < m; j++) {
      long bits;
      if (fromBits >= toBits) {
        int parts = fromBits / toBits;
        bits = (rawBits(x, j / parts) >>> ((j % parts) * toBits)) & toMask;
      } else {
        int parts = toBits / fromBits;
        bits = 0;
        for (int k = 0; k < parts; k++) {
          bits |= rawBits(x, j * parts + k) << (k * fromBits);
        }
      }
      if (to.isFloat()) {
        result.floatStorage()[j] = ElementValues.bitsToFloat(to, bits);
      } else {
        result.intStorage()[j] = to.isPred() ? (bits != 0 ? 1 : 0) : ElementValues.wrapInteger(to, bits);
      }
    }
    return result;
  }

  private static int width(ElementType type) {
    return type.isPred() ? 8 : type.bitWidth();
  }

  /** Element {@code i}'s bits, zero-extended. */
  private static long rawBits(Literal x, int i) {
    ElementType type = x.elementType();
    return type.isFloat()
        ? ElementValues.floatToBits(type, x.getDouble(i))
        : ElementwiseStorage.unsignedView(type.isPred() ? ElementType.U8 : type, x.getLong(i));
  }

  /**
   * {@code reduce-precision(x), exponent_bits=E, mantissa_bits=M}: XLA's bit manipulation on the
   * operand's own encoding (what XLA's CPU and GPU emitters do; its evaluator does the same on f32
   * for f16/bf16 operands):
   *
   * <ul>
   *   <li>the mantissa is rounded to M bits, to nearest with ties to even, by adding a bias to the
   *       bit pattern; a carry may raise the exponent, up to infinity. With M = 0 "even" is the
   *       exponent's lowest bit, so 3 rounds to 2 and 6 to 8;
   *   <li>when E is narrower than the operand's exponent, values beyond the reduced range become
   *       ±infinity and values in or below the reduced format's subnormal range become ±0: the
   *       reduced format has no subnormals;
   *   <li>NaN stays NaN, except that with M = 0 it becomes +infinity (there is no NaN encoding).
   * </ul>
   */
  static Literal reducePrecision(Instruction instr, Literal x) {
    long exponentBits = instr.requireAttr(Attr.EXPONENT_BITS);
    long mantissaBits = instr.requireAttr(Attr.MANTISSA_BITS);
    ElementType type = x.elementType();
    if (!type.isFloat()) {
      throw EvaluationException.error(instr, "reduce-precision needs a float operand, got " + type);
    }
    if (exponentBits < 1 || mantissaBits < 0) {
      throw EvaluationException.error(instr, "reduce-precision needs exponent_bits >= 1 and mantissa_bits >= 0, got "
          + exponentBits + " and " + mantissaBits);
    }
    Literal result = Literal.zeros(instr.shape());
    double[] in = x.floatStorage();
    double[] out = result.floatStorage();
    for (int i = 0; i < in.length; i++) {
      out[i] = reducePrecision(type, in[i], (int) Math.min(exponentBits, 64), (int) Math.min(mantissaBits, 64));
    }
    return result;
  }

  private static double reducePrecision(ElementType type, double v, int exponentBits, int mantissaBits) {
    int width = type.bitWidth();
    int srcMantissa = switch (type) {
      case F64 -> 52;
      case F32 -> 23;
      case F16 -> 10;
      default -> 7; // BF16
    };
    int srcExponent = width - 1 - srcMantissa;
    long widthMask = -1L >>> (64 - width);
    long signMask = 1L << (width - 1);
    long exponentMask = ((1L << srcExponent) - 1) << srcMantissa;
    long bits = ElementValues.floatToBits(type, v);
    if (mantissaBits < srcMantissa) {
      int cut = srcMantissa - mantissaBits;
      long lastKept = 1L << cut;
      // 0111... below the last kept bit, plus that bit: round to nearest, ties to even.
      long bias = (lastKept >>> 1) - 1 + ((bits & lastKept) >>> cut);
      bits = ((bits + bias) & ~(lastKept - 1)) & widthMask;
    }
    if (exponentBits < srcExponent) {
      long srcBias = (1L << (srcExponent - 1)) - 1;
      long reducedBias = (1L << (exponentBits - 1)) - 1;
      long exponent = bits & exponentMask;
      long signedZero = bits & signMask;
      if (exponent > (srcBias + reducedBias) << srcMantissa) {
        bits = signedZero | exponentMask; // ±infinity
      } else if (exponent <= (srcBias - reducedBias) << srcMantissa) {
        bits = signedZero;
      }
    }
    if (Double.isNaN(v)) {
      return mantissaBits > 0 ? v : Double.POSITIVE_INFINITY;
    }
    return ElementValues.bitsToFloat(type, bits);
  }
}
