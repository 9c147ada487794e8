package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.ElementType;

/**
 * How HLO element types live in LLVM IR. Each type has a <em>storage</em> type (its bytes in a
 * buffer) and a <em>value</em> type (what emitted code computes with):
 *
 * <ul>
 *   <li>{@code pred}: stored as an {@code i8} (0 or 1, any non-zero byte reads as true), computed
 *       as {@code i1};
 *   <li>integers: {@code iN} for both; signedness lives in the operations, not the type;
 *   <li>{@code f16}, {@code bf16}: stored as their {@code i16} bits, computed as {@code float}
 *       holding a value exactly representable in the narrow type (every operation rounds its
 *       result back, see {@link FloatFormats}); the conversions are integer code, so they need no
 *       compiler-rt helper at run time and vectorize;
 *   <li>{@code f32}, {@code f64}: {@code float}, {@code double}.
 * </ul>
 */
public final class IrTypes {
  private IrTypes() {}

  /** The LLVM type emitted code computes with for {@code type}. */
  public static String valueType(ElementType type) {
    return switch (type) {
      case PRED -> "i1";
      case S8, U8 -> "i8";
      case S16, U16 -> "i16";
      case S32, U32 -> "i32";
      case S64, U64 -> "i64";
      case F16, BF16, F32 -> "float";
      case F64 -> "double";
      case TOKEN -> throw new IllegalArgumentException("token has no LLVM value type");
    };
  }

  /** The LLVM type of one element in a buffer. */
  public static String storageType(ElementType type) {
    return switch (type) {
      case PRED -> "i8";
      case F16, BF16 -> "i16";
      default -> valueType(type);
    };
  }

  /** True for the types computed in {@code float} but stored narrower. */
  public static boolean isNarrowFloat(ElementType type) {
    return type == ElementType.F16 || type == ElementType.BF16;
  }

  /** The bit width of integer type text {@code iN}. */
  public static int intWidth(String type) {
    if (!type.startsWith("i")) {
      throw new IllegalArgumentException("not an integer type: " + type);
    }
    return Integer.parseInt(type.substring(1));
  }

  /** The LLVM intrinsic suffix of a float value type: {@code f32} or {@code f64}. */
  public static String floatSuffix(String valueType) {
    return switch (valueType) {
      case "float" -> "f32";
      case "double" -> "f64";
      default -> throw new IllegalArgumentException("not a float type: " + valueType);
    };
  }
}
