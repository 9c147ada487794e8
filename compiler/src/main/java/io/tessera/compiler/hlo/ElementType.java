package io.tessera.compiler.hlo;

import java.util.HashMap;
import java.util.Map;

/**
 * An HLO primitive type, named as XLA prints it ({@code f32}, {@code pred}, ...).
 *
 * <p>{@code token} is XLA's ordering token: it has no values and appears only in modules that
 * carry side effects; Tessera parses it so that such dumps load, but no evaluator produces one.
 */
public enum ElementType {
  PRED("pred", 1, Kind.PRED),
  S8("s8", 8, Kind.SIGNED),
  S16("s16", 16, Kind.SIGNED),
  S32("s32", 32, Kind.SIGNED),
  S64("s64", 64, Kind.SIGNED),
  U8("u8", 8, Kind.UNSIGNED),
  U16("u16", 16, Kind.UNSIGNED),
  U32("u32", 32, Kind.UNSIGNED),
  U64("u64", 64, Kind.UNSIGNED),
  F16("f16", 16, Kind.FLOAT),
  BF16("bf16", 16, Kind.FLOAT),
  F32("f32", 32, Kind.FLOAT),
  F64("f64", 64, Kind.FLOAT),
  TOKEN("token", 0, Kind.TOKEN);

  /** The families of element types that operation semantics distinguish. */
  public enum Kind { PRED, SIGNED, UNSIGNED, FLOAT, TOKEN }

  private static final Map<String, ElementType> BY_NAME = new HashMap<>();

  static {
    for (ElementType t : values()) {
      BY_NAME.put(t.mnemonic, t);
    }
  }

  private final String mnemonic;
  private final int bitWidth;
  private final Kind kind;

  ElementType(String mnemonic, int bitWidth, Kind kind) {
    this.mnemonic = mnemonic;
    this.bitWidth = bitWidth;
    this.kind = kind;
  }

  /** The name as XLA prints it, e.g. {@code bf16}. */
  public String mnemonic() {
    return mnemonic;
  }

  /** Bits of one element as laid out in memory ({@code pred} occupies one byte, reports 1). */
  public int bitWidth() {
    return bitWidth;
  }

  /** Bytes one element occupies in a dense buffer ({@code pred} takes a full byte, as in XLA). */
  public int byteSize() {
    return this == PRED ? 1 : bitWidth / 8;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isFloat() {
    return kind == Kind.FLOAT;
  }

  /** Signed or unsigned integer; not {@code pred}. */
  public boolean isInteger() {
    return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
  }

  public boolean isSigned() {
    return kind == Kind.SIGNED;
  }

  public boolean isUnsigned() {
    return kind == Kind.UNSIGNED;
  }

  public boolean isPred() {
    return this == PRED;
  }

  /** True for types an array can hold values of (everything but {@code token}). */
  public boolean isArrayType() {
    return kind != Kind.TOKEN;
  }

  /** Returns the type named {@code mnemonic}, or {@code null} when XLA has no such type here. */
  public static ElementType fromMnemonic(String mnemonic) {
    return BY_NAME.get(mnemonic);
  }

  @Override
  public String toString() {
    return mnemonic;
  }
}
