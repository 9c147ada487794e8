package io.tessera.compiler.llvm;

/**
 * A typed operand of LLVM IR text: an SSA name ({@code %v12}), a global ({@code @c0}) or a
 * constant ({@code 42}, {@code 0x3FF0000000000000}, {@code true}). Immutable.
 *
 * @param type the LLVM type, e.g. {@code float}, {@code i64}, {@code ptr}
 * @param ref the text that names the value
 */
public record IrValue(String type, String ref) {

  /** {@code type ref}, as an instruction operand is written. */
  public String typed() {
    return type + " " + ref;
  }

  public static IrValue i64(long v) {
    return new IrValue("i64", Long.toString(v));
  }

  public static IrValue i32(long v) {
    return new IrValue("i32", Long.toString((int) v));
  }

  public static IrValue bool(boolean v) {
    return new IrValue("i1", v ? "true" : "false");
  }

  /**
   * An integer constant of {@code type} ({@code i1} to {@code i64}) whose low bits are those of
   * {@code v}; printed sign-extended from the type's width, which LLVM reads back as the same bits.
   */
  public static IrValue intConst(String type, long v) {
    int width = IrTypes.intWidth(type);
    if (width == 1) {
      return bool((v & 1) != 0);
    }
    long printed = width == 64 ? v : (v << (64 - width)) >> (64 - width);
    return new IrValue(type, Long.toString(printed));
  }

  /**
   * A floating-point constant of {@code type} ({@code float} or {@code double}). LLVM's text
   * form for both is the hex of the double's bits; for {@code float}, {@code v} is first rounded
   * to float so that the constant is exactly representable (LLVM rejects it otherwise).
   */
  public static IrValue fpConst(String type, double v) {
    double exact = type.equals("float") ? (double) (float) v : v;
    if (!type.equals("float") && !type.equals("double")) {
      throw new IllegalArgumentException("no float constant of type " + type);
    }
    return new IrValue(type, String.format("0x%016X", Double.doubleToRawLongBits(exact)));
  }

  @Override
  public String toString() {
    return ref;
  }
}
