package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ComparisonType;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;

/**
 * Evaluates {@code compare(a, b), direction=..., type=...} into a pred array.
 *
 * <p>The comparison type defaults per element type ({@link ComparisonType#defaultFor}):
 *
 * <ul>
 *   <li>{@code FLOAT}: IEEE comparison. Every comparison with NaN is false except {@code NE},
 *       which is true; -0 equals +0.
 *   <li>{@code TOTALORDER} (floats): by sign-magnitude bits, {@code -NaN < -inf < ... < -0 < +0 <
 *       ... < inf < NaN}; -0 and +0 differ, a NaN equals itself.
 *   <li>{@code SIGNED} / {@code UNSIGNED} (integers, pred): the operands' bits of the element
 *       width read as two's complement or unsigned, whatever the element type's own signedness.
 * </ul>
 *
 * Every comparison but {@code FLOAT} is done on 64-bit keys that order as the comparison type
 * does, so one test per direction serves every integer and total-order comparison. Sort and
 * select-and-scatter comparators use the same tests ({@link ElementComparator}).
 */
final class ElementwiseCompare {
  private ElementwiseCompare() {}

  /** A direction applied to two floats with IEEE semantics. */
  interface FloatTest {
    boolean test(double a, double b);
  }

  /** A direction applied to two keys ({@link #keys}) in signed 64-bit order. */
  interface KeyTest {
    boolean test(long a, long b);
  }

  static Literal compare(Instruction instr, Literal a, Literal b) {
    ComparisonDirection direction = instr.requireAttr(Attr.DIRECTION);
    ElementType type = a.elementType();
    ComparisonType comparison = comparisonType(instr, type);
    if (!applies(comparison, type)) {
      throw EvaluationException.error(instr, "comparison type " + comparison + " does not apply to " + type);
    }
    Literal result = Literal.zeros(instr.shape());
    long[] out = result.intStorage();
    if (comparison == ComparisonType.FLOAT) {
      FloatTest test = floatTest(direction);
      double[] x = a.floatStorage();
      double[] y = b.floatStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = test.test(x[i], y[i]) ? 1 : 0;
      }
    } else {
      KeyTest test = keyTest(direction);
      long[] x = keys(a, comparison);
      long[] y = keys(b, comparison);
      for (int i = 0; i < out.length; i++) {
        out[i] = test.test(x[i], y[i]) ? 1 : 0;
      }
    }
    return result;
  }

  /** The {@code type=} of a compare instruction, or the default for operands of {@code type}. */
  static ComparisonType comparisonType(Instruction compare, ElementType type) {
    return compare.attributes().getOrDefault(Attr.COMPARISON_TYPE, ComparisonType.defaultFor(type));
  }

  /** Float comparisons for float operands, signed or unsigned ones for integers and pred. */
  static boolean applies(ComparisonType comparison, ElementType type) {
    return type.isFloat()
        ? comparison == ComparisonType.FLOAT || comparison == ComparisonType.TOTALORDER
        : comparison == ComparisonType.SIGNED || comparison == ComparisonType.UNSIGNED;
  }

  /** IEEE comparison: false with a NaN operand, except {@code NE}; -0 equals +0. */
  static FloatTest floatTest(ComparisonDirection direction) {
    return switch (direction) {
      case EQ -> (a, b) -> a == b;
      case NE -> (a, b) -> a != b;
      case LT -> (a, b) -> a < b;
      case LE -> (a, b) -> a <= b;
      case GT -> (a, b) -> a > b;
      case GE -> (a, b) -> a >= b;
    };
  }

  static KeyTest keyTest(ComparisonDirection direction) {
    return switch (direction) {
      case EQ -> (a, b) -> a == b;
      case NE -> (a, b) -> a != b;
      case LT -> (a, b) -> a < b;
      case LE -> (a, b) -> a <= b;
      case GT -> (a, b) -> a > b;
      case GE -> (a, b) -> a >= b;
    };
  }

  /**
   * Keys whose signed 64-bit order is the order {@code comparison} (TOTALORDER, SIGNED or
   * UNSIGNED) puts the values of {@code x} in.
   */
  static long[] keys(Literal x, ComparisonType comparison) {
    ElementType type = x.elementType();
    long[] keys = new long[x.elementCount()];
    switch (comparison) {
      case TOTALORDER -> {
        double[] v = x.floatStorage();
        for (int i = 0; i < keys.length; i++) {
          // Negative values: flip the magnitude bits so that a larger magnitude orders lower.
          // Widening f16, bf16 and f32 to double keeps this order, so the stored double serves.
          long bits = Double.doubleToRawLongBits(v[i]);
          keys[i] = bits ^ ((bits >> 63) & Long.MAX_VALUE);
        }
      }
      case SIGNED -> {
        long[] v = x.intStorage();
        for (int i = 0; i < keys.length; i++) {
          keys[i] = ElementwiseStorage.signedView(type, v[i]);
        }
      }
      case UNSIGNED -> { // flipping the top bit maps unsigned order onto signed order
        long[] v = x.intStorage();
        for (int i = 0; i < keys.length; i++) {
          keys[i] = ElementwiseStorage.unsignedView(type, v[i]) ^ Long.MIN_VALUE;
        }
      }
      default -> throw new IllegalArgumentException(comparison + " comparisons have no keys");
    }
    return keys;
  }
}
