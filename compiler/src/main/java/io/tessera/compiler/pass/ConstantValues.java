package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;

/** Questions rewrite rules ask about values known at compile time. */
final class ConstantValues {
  private ConstantValues() {}

  /**
   * Whether every element of {@code x} is known to equal {@code value}: {@code x} is a constant
   * holding only {@code value}, or a broadcast (of a broadcast ...) of such a constant. For floats
   * {@code -0} counts as 0; an elided constant is unknown.
   */
  static boolean isAll(Instruction x, long value) {
    Instruction source = x;
    while (source.opcode() == Opcode.BROADCAST) {
      source = source.operand(0);
    }
    if (source.opcode() != Opcode.CONSTANT || source.attr(Attr.LITERAL) == null) {
      return false;
    }
    Literal literal = source.literal();
    if (literal.isTuple()) {
      return false;
    }
    int n = literal.elementCount();
    if (literal.isFloat()) {
      for (int i = 0; i < n; i++) {
        if (literal.getDouble(i) != value) {
          return false;
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        if (literal.getLong(i) != value) {
          return false;
        }
      }
    }
    return true; // an empty array holds every value vacuously
  }

  /**
   * Whether {@code x} holds only zeros that leave every float unchanged under {@code op}: for
   * floats, {@code -0} for an addition ({@code x + -0} is {@code x} for every {@code x}, while
   * {@code -0 + +0} is {@code +0}) and {@code +0} for a subtraction; any zero for integers.
   */
  static boolean isIdentityZero(Instruction x, boolean forAddition) {
    if (!isAll(x, 0)) {
      return false;
    }
    Instruction source = x;
    while (source.opcode() == Opcode.BROADCAST) {
      source = source.operand(0);
    }
    Literal literal = source.literal();
    if (!literal.isFloat()) {
      return true;
    }
    for (int i = 0; i < literal.elementCount(); i++) {
      boolean negative = Double.doubleToRawLongBits(literal.getDouble(i)) < 0;
      if (negative != forAddition) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code x} is a constant with its values written out (not elided). */
  static boolean isKnownConstant(Instruction x) {
    return x.opcode() == Opcode.CONSTANT && x.attr(Attr.LITERAL) != null;
  }
}
