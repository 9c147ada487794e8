package io.tessera.compiler.hlo;

/**
 * The optional {@code type=} of a {@code compare}. When absent, XLA uses {@link #FLOAT} for
 * floating-point operands, {@link #SIGNED} for signed integers and {@link #UNSIGNED} for
 * unsigned integers and {@code pred}. {@link #TOTALORDER} orders floats as
 * {@code -NaN < -inf < ... < -0 < +0 < ... < inf < NaN} (by their sign-magnitude bits).
 */
public enum ComparisonType {
  FLOAT, TOTALORDER, SIGNED, UNSIGNED;

  /** The comparison XLA uses for {@code type} when the attribute is absent. */
  public static ComparisonType defaultFor(ElementType type) {
    if (type.isFloat()) {
      return FLOAT;
    }
    return type.isSigned() ? SIGNED : UNSIGNED;
  }
}
