package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;

/**
 * Whole-array steps that put raw results back into a {@link io.tessera.compiler.hlo.Literal}'s
 * canonical form, and the signed/unsigned views of a canonical integer.
 *
 * <p>Evaluators compute into the storage array in double or 64-bit arithmetic and then call
 * {@link #roundAll} or {@link #wrapAll} once: the element type is switched on once per array, not
 * once per element. Rounding f16/bf16 after each operation is what makes a chain of operations
 * give the same values as a device that stores every intermediate in the narrow type.
 */
final class ElementwiseStorage {
  private ElementwiseStorage() {}

  /** Rounds every value to float type {@code type} (ties to even). */
  static void roundAll(ElementType type, double[] values) {
    switch (type) {
      case F64 -> { }
      case F32 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) values[i];
        }
      }
      case F16 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = ElementValues.roundToPrecision(values[i], 5, 10);
        }
      }
      case BF16 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = ElementValues.roundToPrecision(values[i], 8, 7);
        }
      }
      default -> throw new IllegalArgumentException(type + " is not a float type");
    }
  }

  /** Wraps every value to integer type {@code type} (two's complement), or to 0/1 for pred. */
  static void wrapAll(ElementType type, long[] values) {
    switch (type) {
      case PRED -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = values[i] != 0 ? 1 : 0;
        }
      }
      case S64, U64 -> { }
      default -> {
        int shift = 64 - type.bitWidth();
        if (type.isSigned()) {
          for (int i = 0; i < values.length; i++) {
            values[i] = (values[i] << shift) >> shift;
          }
        } else {
          long mask = -1L >>> shift;
          for (int i = 0; i < values.length; i++) {
            values[i] &= mask;
          }
        }
      }
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
