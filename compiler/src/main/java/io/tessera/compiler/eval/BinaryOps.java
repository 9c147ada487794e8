package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Opcode;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * The table of elementwise binary functions (compare aside): for an opcode and an element type,
 * the scalar function that {@link ElementwiseEvaluator} applies to every pair of elements, and that
 * {@link ScalarFunction} applies for a reducer whose root is that opcode. Chosen once per
 * instruction; the one definition of each opcode's arithmetic in the interpreter.
 *
 * <p>Float functions are computed in double precision on exact element values; the caller rounds
 * once to the element type. For add, subtract, multiply, divide and remainder that single
 * rounding gives exactly the IEEE result of the narrow type (double has more than twice the
 * precision of f32, f16 and bf16). Integer functions take canonical values and may return any
 * 64-bit value; the caller wraps the results.
 */
final class BinaryOps {
  private BinaryOps() {}

  /**
   * The function of {@code opcode} on floats, or {@code null} when it is not defined there.
   *
   * <p>{@code maximum}/{@code minimum} are IEEE 754-2019 maximum/minimum: NaN when either operand
   * is NaN, and -0 < +0, so that they are commutative. (XLA's evaluator uses {@code std::max},
   * which returns its first operand for ±0; XLA leaves the sign of a zero result
   * implementation-defined.)
   */
  static DoubleBinaryOperator forFloat(Opcode opcode) {
    return switch (opcode) {
      case ADD -> (a, b) -> a + b;
      case SUBTRACT -> (a, b) -> a - b;
      case MULTIPLY -> (a, b) -> a * b;
      case DIVIDE -> (a, b) -> a / b;
      case REMAINDER -> (a, b) -> a % b; // Java's % on doubles is C's fmod: the sign of a
      case POWER -> ElementwiseMath::pow;
      case ATAN2 -> StrictMath::atan2;
      case MAXIMUM -> Math::max;
      case MINIMUM -> Math::min;
      default -> null;
    };
  }

  /**
   * The function of {@code opcode} on integers or pred of {@code type}, or {@code null} when it is
   * not defined there. The cases C leaves undefined get XLA's evaluator's answers:
   *
   * <ul>
   *   <li>{@code x / 0} is all ones (-1 signed, the maximum unsigned); {@code INT_MIN / -1} is
   *       INT_MIN; division truncates toward zero;
   *   <li>{@code x % 0} is x; {@code INT_MIN % -1} is 0; the remainder has the dividend's sign;
   *   <li>{@code power}: {@code 1^y = x^0 = 1}; a negative exponent gives 0 (even for a base of
   *       -1); otherwise repeated squaring, wrapping;
   *   <li>a shift by a negative amount or by the bit width or more: shift-left and
   *       shift-right-logical give 0, shift-right-arithmetic fills with the sign bit.
   * </ul>
   *
   * <p>Pred behaves as C++'s {@code bool}: add is or, multiply is and, subtract is xor.
   */
  static LongBinaryOperator forInteger(Opcode opcode, ElementType type) {
    boolean signed = type.isSigned();
    boolean pred = type.isPred();
    int width = type.bitWidth();
    return switch (opcode) {
      case ADD -> Long::sum;
      case SUBTRACT -> (a, b) -> a - b;
      case MULTIPLY -> (a, b) -> a * b;
      // Canonical INT_MIN of a narrow type divided by -1 gives 2^(w-1), which wraps back to
      // INT_MIN; Java already answers Long.MIN_VALUE for s64.
      case DIVIDE -> signed ? (a, b) -> b == 0 ? -1 : a / b : (a, b) -> b == 0 ? -1 : Long.divideUnsigned(a, b);
      case REMAINDER -> signed ? (a, b) -> b == 0 ? a : a % b : (a, b) -> b == 0 ? a : Long.remainderUnsigned(a, b);
      case POWER -> signed ? BinaryOps::signedPower : BinaryOps::unsignedPower;
      case MAXIMUM -> signed ? Math::max : (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b;
      case MINIMUM -> signed ? Math::min : (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b;
      case AND -> (a, b) -> a & b;
      case OR -> (a, b) -> a | b;
      case XOR -> (a, b) -> a ^ b;
      case SHIFT_LEFT -> pred ? null : (a, b) -> outOfRange(b, width) ? 0 : a << b;
      case SHIFT_RIGHT_ARITHMETIC -> pred ? null : (a, b) -> {
        long s = ElementwiseStorage.signedView(type, a);
        return outOfRange(b, width) ? (s < 0 ? -1 : 0) : s >> b;
      };
      case SHIFT_RIGHT_LOGICAL -> pred ? null
          : (a, b) -> outOfRange(b, width) ? 0 : ElementwiseStorage.unsignedView(type, a) >>> b;
      default -> null;
    };
  }

  /**
   * XLA reads the shift amount as unsigned: a negative amount is a huge one. Canonical unsigned
   * amounts are non-negative except u64 values of 2^63 or more, which are out of range too.
   */
  private static boolean outOfRange(long amount, int width) {
    return amount < 0 || amount >= width;
  }

  private static long signedPower(long base, long exponent) {
    if (base == 1 || exponent == 0) {
      return 1;
    }
    return exponent < 0 ? 0 : unsignedPower(base, exponent);
  }

  /** base^exponent mod 2^64 by repeated squaring, the exponent read as unsigned. */
  private static long unsignedPower(long base, long exponent) {
    long result = 1;
    for (long e = exponent; e != 0; e >>>= 1) {
      if ((e & 1) != 0) {
        result *= base;
      }
      base *= base;
    }
    return result;
  }
}
