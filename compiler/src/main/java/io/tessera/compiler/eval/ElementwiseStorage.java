package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;

/**
 * Whole-array steps that put raw results back into a {@link io.tessera.compiler.hlo.Literal}'s
 * canonical form, and the signed/unsigned views of a canonical integer.
 *
 * <p>Evaluators compute into the storage array in double or 64-bit arithmetic and then call
 * {@link #roundAll} or {@link #wrapAll} once per array. Rounding f16/bf16 after each operation is what makes a chain of operations
 * give the same values as a device that stores every intermediate in the narrow type.
 */
final class ElementwiseStorage {
  private ElementwiseStorage() {}

  /**
   * Rounds every value to float type {@code type} (ties to even), as {@link
   * ElementValues#roundFloat} does one value; f64 and f32, the common types, take no switch per
   * element.
   */
  static void roundAll(ElementType type, double[] values) {
    switch (type) {
      case F64 -> { }
      case F32 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) values[i];
        }
      }
      default -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = ElementValues.roundFloat(type, values[i]);
        }
      }
    }
  }

  /**
   * Wraps every value to integer type {@code type} (two's complement), or to 0/1 for pred, as
   * {@link ElementValues#wrapInteger} does one value; 64-bit types are left as they are.
   */
  static void wrapAll(ElementType type, long[] values) {
    if (type == ElementType.S64 || type == ElementType.U64) {
      return;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = ElementValues.wrapInteger(type, values[i]);
    }
  }

  /** {@code v}'s low {@code type.bitWidth()} bits read as a signed number. */
  static long signedView(ElementType type, long v) {
    int shift = 64 - type.bitWidth();
    return (v << shift) >> shift;
  }

  /** {@code v}'s low {@code type.bitWidth()} bits read as an unsigned number (u64: the raw bits). */
  static long unsignedView(ElementType type, long v) {
    return v & (-1L >>> (64 - type.bitWidth()));
  }
}
