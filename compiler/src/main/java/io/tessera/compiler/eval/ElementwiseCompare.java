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
 * Ordered comparisons are done on 64-bit keys that order as the comparison type does, so one loop
 * per direction serves every integer and total-order comparison.
 */
final class ElementwiseCompare {
  private ElementwiseCompare() {}

  static Literal compare(Instruction instr, Literal a, Literal b) {
    ComparisonDirection direction = instr.requireAttr(Attr.DIRECTION);
    ElementType type = a.elementType();
    ComparisonType comparison = instr.attributes().getOrDefault(Attr.COMPARISON_TYPE, ComparisonType.defaultFor(type));
    boolean typeFits = type.isFloat()
        ? comparison == ComparisonType.FLOAT || comparison == ComparisonType.TOTALORDER
        : comparison == ComparisonType.SIGNED || comparison == ComparisonType.UNSIGNED;
    if (!typeFits) {
      throw EvaluationException.error(instr, "comparison type " + comparison + " does not apply to " + type);
    }
    Literal result = Literal.zeros(instr.shape());
    long[] out = result.intStorage();
    if (comparison == ComparisonType.FLOAT) {
      compareFloats(direction, a.floatStorage(), b.floatStorage(), out);
    } else {
      compareKeys(direction, keys(a, comparison), keys(b, comparison), out);
    }
    return result;
  }

  private static void compareFloats(ComparisonDirection direction, double[] a, double[] b, long[] out) {
    switch (direction) {
      case EQ -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] == b[i] ? 1 : 0; } }
      case NE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] != b[i] ? 1 : 0; } }
      case LT -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] < b[i] ? 1 : 0; } }
      case LE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] <= b[i] ? 1 : 0; } }
      case GT -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] > b[i] ? 1 : 0; } }
      case GE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] >= b[i] ? 1 : 0; } }
    }
  }

  private static void compareKeys(ComparisonDirection direction, long[] a, long[] b, long[] out) {
    switch (direction) {
      case EQ -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] == b[i] ? 1 : 0; } }
      case NE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] != b[i] ? 1 : 0; } }
      case LT -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] < b[i] ? 1 : 0; } }
      case LE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] <= b[i] ? 1 : 0; } }
      case GT -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] > b[i] ? 1 : 0; } }
      case GE -> { for (int i = 0; i < out.length; i++) { out[i] = a[i] >= b[i] ? 1 : 0; } }
    }
  }

  /** Keys whose signed 64-bit order is the order {@code comparison} puts the values in. */
  private static long[] keys(Literal x, ComparisonType comparison) {
    ElementType type = x.elementType();
    long[] keys = new long[x.elementCount()];
    switch (comparison) {
      case TOTALORDER -> {
        double[] v = x.floatStorage();
        for (int i = 0; i < keys.length; i++) {
          // Negative values: flip the magnitude bits so that a larger magnitude orders lower.
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
      default -> { // UNSIGNED: flipping the top bit maps unsigned order onto signed order
        long[] v = x.intStorage();
        for (int i = 0; i < keys.length; i++) {
          keys[i] = ElementwiseStorage.unsignedView(type, v[i]) ^ Long.MIN_VALUE;
        }
      }
    }
    return keys;
  }
}
