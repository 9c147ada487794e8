package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The dense buffer encoding of array literals that kernels read and write: row-major,
 * little-endian, each element in its type's width ({@code pred} one byte 0/1, f16/bf16 their
 * 16-bit encodings). Tessera targets little-endian machines only (x86-64, AArch64).
 */
public final class LiteralBytes {
  private LiteralBytes() {}

  /** The buffer bytes of array literal {@code literal}. */
  public static byte[] toBytes(Literal literal) {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(literal.shape().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    write(literal, buf);
    return buf.array();
  }

  /** Writes array literal {@code literal} at {@code out}'s position (which must be little-endian). */
  public static void write(Literal literal, ByteBuffer out) {
    ElementType t = literal.elementType();
    int n = literal.elementCount();
    switch (t) {
      case PRED, S8, U8 -> {
        long[] v = literal.intStorage();
        for (int i = 0; i < n; i++) {
          out.put((byte) v[i]);
        }
      }
      case S16, U16 -> {
        long[] v = literal.intStorage();
        for (int i = 0; i < n; i++) {
          out.putShort((short) v[i]);
        }
      }
      case S32, U32 -> {
        long[] v = literal.intStorage();
        for (int i = 0; i < n; i++) {
          out.putInt((int) v[i]);
        }
      }
      case S64, U64 -> {
        long[] v = literal.intStorage();
        for (int i = 0; i < n; i++) {
          out.putLong(v[i]);
        }
      }
      case F16, BF16 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          out.putShort((short) ElementValues.floatToBits(t, v[i]));
        }
      }
      case F32 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          out.putFloat((float) v[i]);
        }
      }
      case F64 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          out.putDouble(v[i]);
        }
      }
      default -> throw new IllegalArgumentException("no buffer encoding for " + t);
    }
  }

  /** Reads an array literal of {@code shape} from {@code in}'s position (little-endian). */
  public static Literal read(Shape shape, ByteBuffer in) {
    Literal literal = Literal.zeros(shape);
    ElementType t = shape.elementType();
    int n = literal.elementCount();
    switch (t) {
      case PRED, S8, U8 -> {
        for (int i = 0; i < n; i++) {
          literal.setLong(i, t == ElementType.S8 ? in.get() : in.get() & 0xFFL);
        }
      }
      case S16, U16 -> {
        for (int i = 0; i < n; i++) {
          literal.setLong(i, in.getShort());
        }
      }
      case S32, U32 -> {
        for (int i = 0; i < n; i++) {
          literal.setLong(i, in.getInt());
        }
      }
      case S64, U64 -> {
        for (int i = 0; i < n; i++) {
          literal.setLong(i, in.getLong());
        }
      }
      case F16, BF16 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          v[i] = ElementValues.bitsToFloat(t, in.getShort());
        }
      }
      case F32 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          v[i] = in.getFloat();
        }
      }
      case F64 -> {
        double[] v = literal.floatStorage();
        for (int i = 0; i < n; i++) {
          v[i] = in.getDouble();
        }
      }
      default -> throw new IllegalArgumentException("no buffer encoding for " + t);
    }
    return literal;
  }
}
