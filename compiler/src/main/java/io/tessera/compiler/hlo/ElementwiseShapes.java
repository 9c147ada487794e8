package io.tessera.compiler.hlo;

import java.util.Arrays;

/**
 * Shape rules of the elementwise opcodes (unary, binary, {@code compare}, {@code select},
 * {@code clamp}, {@code convert}, {@code bitcast-convert}).
 *
 * <p>HLO has no implicit broadcasting (XLA's verifier rejects it): binary operands have equal
 * dimensions and, as Tessera allows no mixed precision, equal element types. The two exceptions XLA
 * makes are kept: {@code select} takes a scalar predicate and {@code clamp} scalar bounds.
 */
final class ElementwiseShapes {
  private ElementwiseShapes() {}

  static Shape unary(Operation op) {
    Shape x = op.array(0, "operand");
    ElementType t = x.elementType();
    switch (op.opcode) {
      case ABS, SIGN -> requireType(op, t, t.isSigned() || t.isFloat(), "a signed integer or float");
      case NEGATE -> requireType(op, t, t.isInteger() || t.isFloat(), "an integer or float");
      case FLOOR, CEIL, ROUND_NEAREST_AFZ, ROUND_NEAREST_EVEN, EXPONENTIAL, EXPONENTIAL_MINUS_ONE, LOG,
          LOG_PLUS_ONE, SQRT, RSQRT, CBRT, TANH, LOGISTIC, ERF, SINE, COSINE, TAN ->
          requireType(op, t, t.isFloat(), "a float");
      case IS_FINITE -> {
        requireType(op, t, t.isFloat(), "a float");
        return x.withElementType(ElementType.PRED).withoutLayout();
      }
      case NOT -> requireType(op, t, t.isPred() || t.isInteger(), "pred or an integer");
      case POPCNT, COUNT_LEADING_ZEROS -> requireType(op, t, t.isInteger(), "an integer");
      case REDUCE_PRECISION -> reducePrecision(op, t);
      case CONVERT -> {
        return convert(op, x);
      }
      case BITCAST_CONVERT -> {
        return bitcastConvert(op, x);
      }
      default -> throw new IllegalArgumentException(op.opcode + " is not unary");
    }
    return x.withoutLayout();
  }

  private static void requireType(Operation op, ElementType t, boolean ok, String expected) {
    if (!ok) {
      throw op.fail("operand type " + t + " is not " + expected);
    }
  }

  private static void reducePrecision(Operation op, ElementType t) {
    requireType(op, t, t.isFloat(), "a float");
    long exponentBits = op.require(Attr.EXPONENT_BITS);
    long mantissaBits = op.require(Attr.MANTISSA_BITS);
    // One exponent bit is the least that tells zero from infinity; zero mantissa bits still make sense.
    if (exponentBits < 1) {
      throw op.fail("exponent_bits=" + exponentBits + " must be at least 1");
    }
    if (mantissaBits < 0) {
      throw op.fail("mantissa_bits=" + mantissaBits + " must not be negative");
    }
  }

  /** The target element type is not an attribute in HLO: it is the declared shape's. */
  private static Shape convert(Operation op, Shape x) {
    Shape result = op.declaredArray("the target element type is the declared shape's");
    if (!result.sameDimensions(x)) {
      throw op.fail("declared shape " + Operation.str(result) + " does not have the dimensions of operand "
          + Operation.str(x));
    }
    return result;
  }

  /**
   * Reinterprets the bits of each element. Types of equal width keep the dimensions; a wider
   * operand element becomes a new minor dimension of narrower ones, and narrower operand elements
   * must fill the minor dimension exactly (XLA's rule). {@code pred} has no defined bit pattern
   * and is rejected.
   */
  private static Shape bitcastConvert(Operation op, Shape x) {
    Shape result = op.declaredArray("the target element type is the declared shape's");
    ElementType from = x.elementType();
    ElementType to = result.elementType();
    if (from.isPred() || to.isPred()) {
      throw op.fail("cannot reinterpret the bits of pred (" + from + " to " + to + ")");
    }
    int fromBits = from.bitWidth();
    int toBits = to.bitWidth();
    int[] dims = x.dimensions();
    int[] expected;
    if (fromBits == toBits) {
      expected = dims;
    } else if (fromBits > toBits) {
      expected = Arrays.copyOf(dims, dims.length + 1);
      expected[dims.length] = fromBits / toBits;
    } else {
      int ratio = toBits / fromBits;
      if (dims.length == 0 || dims[dims.length - 1] != ratio) {
        throw op.fail("converting " + from + " to " + to + " needs a minor dimension of size " + ratio
            + ", operand is " + Operation.str(x));
      }
      expected = Arrays.copyOf(dims, dims.length - 1);
    }
    return Shape.array(to, expected);
  }

  static Shape binary(Operation op) {
    Shape lhs = op.array(0, "lhs");
    Shape rhs = op.array(1, "rhs");
    if (!lhs.sameDimensions(rhs)) {
      throw op.fail("operand shapes " + Operation.str(lhs) + " and " + Operation.str(rhs) + " differ");
    }
    op.requireSameElementType(lhs, "lhs", rhs, "rhs");
    ElementType t = lhs.elementType();
    switch (op.opcode) {
      case ADD, MULTIPLY, MAXIMUM, MINIMUM -> { }
      case SUBTRACT, DIVIDE, REMAINDER, POWER -> requireType(op, t, !t.isPred(), "an integer or float");
      // XLA's shape check only rejects pred for these, but their semantics exist only for the
      // types below; rejecting the rest here gives a message instead of an evaluator failure.
      case ATAN2 -> requireType(op, t, t.isFloat(), "a float");
      case SHIFT_LEFT, SHIFT_RIGHT_ARITHMETIC, SHIFT_RIGHT_LOGICAL -> requireType(op, t, t.isInteger(), "an integer");
      case AND, OR, XOR -> requireType(op, t, t.isPred() || t.isInteger(), "pred or an integer");
      case COMPARE -> {
        compareAttributes(op, t);
        return lhs.withElementType(ElementType.PRED).withoutLayout();
      }
      default -> throw new IllegalArgumentException(op.opcode + " is not binary");
    }
    return lhs.withoutLayout();
  }

  /** {@code direction} is required; an explicit {@code type} must suit the operand type, as in XLA. */
  private static void compareAttributes(Operation op, ElementType t) {
    op.require(Attr.DIRECTION);
    ComparisonType type = op.attributes.get(Attr.COMPARISON_TYPE);
    if (type == null) {
      return;
    }
    boolean ok = t.isFloat()
        ? type == ComparisonType.FLOAT || type == ComparisonType.TOTALORDER
        : type == ComparisonType.defaultFor(t);
    if (!ok) {
      throw op.fail("type=" + type + " does not suit operands of type " + t + " (expected "
          + (t.isFloat() ? "FLOAT or TOTALORDER" : ComparisonType.defaultFor(t)) + ")");
    }
  }

  /** {@code select(pred, on_true, on_false)}: pred has the dimensions of the values, or is a scalar. */
  static Shape select(Operation op) {
    Shape pred = op.array(0, "predicate");
    Shape onTrue = op.array(1, "on_true");
    Shape onFalse = op.array(2, "on_false");
    if (!onTrue.equalsIgnoringLayout(onFalse)) {
      throw op.fail("on_true " + Operation.str(onTrue) + " and on_false " + Operation.str(onFalse) + " differ");
    }
    if (pred.elementType() != ElementType.PRED) {
      throw op.fail("predicate must be of type pred, got " + Operation.str(pred));
    }
    if (!pred.isScalar() && !pred.sameDimensions(onTrue)) {
      throw op.fail("predicate " + Operation.str(pred) + " must be a scalar or have the dimensions of "
          + Operation.str(onTrue));
    }
    return onTrue.withoutLayout();
  }

  /** {@code clamp(min, operand, max)}: each bound has the operand's shape or is a scalar of its type. */
  static Shape clamp(Operation op) {
    Shape min = op.array(0, "min");
    Shape x = op.array(1, "operand");
    Shape max = op.array(2, "max");
    op.requireSameElementType(min, "min", x, "operand");
    op.requireSameElementType(max, "max", x, "operand");
    checkBound(op, "min", min, x);
    checkBound(op, "max", max, x);
    return x.withoutLayout();
  }

  private static void checkBound(Operation op, String role, Shape bound, Shape x) {
    if (!bound.isScalar() && !bound.sameDimensions(x)) {
      throw op.fail(role + " " + Operation.str(bound) + " must be a scalar or have the shape of operand "
          + Operation.str(x));
    }
  }
}
