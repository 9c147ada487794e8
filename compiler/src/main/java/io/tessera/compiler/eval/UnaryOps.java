package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Opcode;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The table of elementwise unary functions: for an opcode and an element type, the scalar function
 * that {@link ElementwiseEvaluator} applies to every element. Chosen once per instruction.
 *
 * <p>Float functions take and return exact values of the element type as doubles and are computed
 * in double precision; the caller rounds the results once to the element type. Integer functions
 * take canonical values and may return any 64-bit value; the caller wraps the results.
 */
final class UnaryOps {
  private UnaryOps() {}

  /** The function of {@code opcode} on floats, or {@code null} when it is not defined there. */
  static DoubleUnaryOperator forFloat(Opcode opcode) {
    return switch (opcode) {
      case ABS -> Math::abs;
      case NEGATE -> x -> -x;
      case SIGN -> Math::signum; // NaN stays NaN, -0 stays -0
      case FLOOR -> Math::floor;
      case CEIL -> Math::ceil;
      case ROUND_NEAREST_AFZ -> ElementwiseMath::roundHalfAwayFromZero;
      case ROUND_NEAREST_EVEN -> Math::rint;
      case EXPONENTIAL -> StrictMath::exp;
      case EXPONENTIAL_MINUS_ONE -> StrictMath::expm1;
      case LOG -> StrictMath::log;
      case LOG_PLUS_ONE -> StrictMath::log1p;
      case SQRT -> Math::sqrt; // correctly rounded, so Math and StrictMath agree
      case RSQRT -> x -> 1 / Math.sqrt(x);
      case CBRT -> StrictMath::cbrt;
      case TANH -> StrictMath::tanh;
      case LOGISTIC -> ElementwiseMath::logistic;
      case ERF -> ElementwiseMath::erf;
      case SINE -> StrictMath::sin;
      case COSINE -> StrictMath::cos;
      case TAN -> StrictMath::tan;
      default -> null;
    };
  }

  /**
   * The function of {@code opcode} on integers or pred of {@code type}, or {@code null} when it is
   * not defined there. Pred behaves as C++'s {@code bool} does in XLA's evaluator: {@code not} is
   * logical, {@code negate} and {@code abs} are the identity.
   */
  static LongUnaryOperator forInteger(Opcode opcode, ElementType type) {
    boolean signed = type.isSigned();
    int width = type.bitWidth();
    return switch (opcode) {
      // abs(INT_MIN) wraps back to INT_MIN, as in two's complement hardware.
      case ABS -> signed ? Math::abs : x -> x;
      case NEGATE -> x -> -x;
      case SIGN -> signed ? Long::signum : x -> x != 0 ? 1 : 0;
      case NOT -> type.isPred() ? x -> x ^ 1 : x -> ~x;
      case POPCNT -> type.isPred() ? null : x -> Long.bitCount(ElementwiseStorage.unsignedView(type, x));
      case COUNT_LEADING_ZEROS -> type.isPred() ? null
          : x -> Long.numberOfLeadingZeros(ElementwiseStorage.unsignedView(type, x)) - (64 - width);
      default -> null;
    };
  }
}
