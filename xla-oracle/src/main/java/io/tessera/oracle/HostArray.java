package io.tessera.oracle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * A dense row-major array on the Java heap: the form in which inputs are generated, results are
 * compared, and both are written as XLA literals. Float types keep their values in a
 * {@code double[]} (each exactly a value of the type), integer types and pred in a {@code long[]},
 * like the compiler's {@code Literal}, so that one code path serves every type.
 */
final class HostArray {
  final ElementKind kind;
  private final long[] shape;
  private final double[] floats;
  private final long[] ints;

  private HostArray(ElementKind kind, long[] shape, double[] floats, long[] ints) {
    this.kind = kind;
    this.shape = shape.clone();
    this.floats = floats;
    this.ints = ints;
  }

  static HostArray ofDoubles(ElementKind kind, long[] shape, double[] values) {
    if (!kind.isFloat) {
      throw new IllegalArgumentException(kind + " is not a float type");
    }
    checkCount(shape, values.length);
    double[] rounded = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      rounded[i] = roundTo(kind, values[i]);
    }
    return new HostArray(kind, shape, rounded, null);
  }

  static HostArray ofLongs(ElementKind kind, long[] shape, long[] values) {
    if (kind.isFloat) {
      throw new IllegalArgumentException(kind + " is not an integer type or pred");
    }
    checkCount(shape, values.length);
    return new HostArray(kind, shape, null, values.clone());
  }

  private static void checkCount(long[] shape, int count) {
    if (elementCount(shape) != count) {
      throw new IllegalArgumentException(count + " values for shape " + Arrays.toString(shape));
    }
  }

  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** {@code value} rounded to the nearest value of float type {@code kind}. */
  static double roundTo(ElementKind kind, double value) {
    return switch (kind) {
      case F64 -> value;
      case F32 -> (float) value;
      case F16 -> HalfFloats.fromF16Bits(HalfFloats.toF16Bits((float) value));
      case BF16 -> HalfFloats.fromBf16Bits(HalfFloats.toBf16Bits((float) value));
      default -> throw new IllegalArgumentException(kind + " is not a float type");
    };
  }

  long[] shape() {
    return shape.clone();
  }

  int size() {
    return floats != null ? floats.length : ints.length;
  }

  double getDouble(int i) {
    return floats[i];
  }

  long getLong(int i) {
    return ints[i];
  }

  /** Reads a tensor's raw little-endian buffer. */
  static HostArray fromTensor(Tensor tensor) {
    ElementKind kind = ElementKind.of(tensor.dataType());
    long[] shape = tensor.shape().asArray();
    int n = Math.toIntExact(elementCount(shape));
    ByteDataBuffer data = tensor.asRawTensor().data();
    byte[] bytes = new byte[Math.toIntExact(data.size())];
    data.read(bytes);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (kind.isFloat) {
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = switch (kind) {
          case F32 -> buf.getFloat();
          case F64 -> buf.getDouble();
          case F16 -> HalfFloats.fromF16Bits(buf.getShort());
          default -> HalfFloats.fromBf16Bits(buf.getShort()); // BF16
        };
      }
      return new HostArray(kind, shape, values, null);
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = switch (kind) {
        case S32 -> buf.getInt();
        case S64 -> buf.getLong();
        case U8 -> buf.get() & 0xffL;
        case U16 -> buf.getShort() & 0xffffL;
        default -> buf.get() != 0 ? 1 : 0; // PRED
      };
    }
    return new HostArray(kind, shape, null, values);
  }

  /** A new tensor with these values; the caller closes it. */
  Tensor toTensor() {
    ByteBuffer buf = ByteBuffer.allocate(size() * kind.byteSize).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < size(); i++) {
      switch (kind) {
        case F32 -> buf.putFloat((float) floats[i]);
        case F64 -> buf.putDouble(floats[i]);
        case F16 -> buf.putShort(HalfFloats.toF16Bits((float) floats[i]));
        case BF16 -> buf.putShort(HalfFloats.toBf16Bits((float) floats[i]));
        case S32 -> buf.putInt((int) ints[i]);
        case S64 -> buf.putLong(ints[i]);
        case U8, PRED -> buf.put((byte) ints[i]);
        case U16 -> buf.putShort((short) ints[i]);
      }
    }
    ByteDataBuffer data = DataBuffers.of(buf.array(), true, false);
    return Tensor.of(kind.tensorClass, Shape.of(shape), data);
  }

  /** XLA's shape text without layout, e.g. {@code f32[2,3]}. */
  String shapeText() {
    StringBuilder sb = new StringBuilder(kind.xlaName).append('[');
    for (int d = 0; d < shape.length; d++) {
      sb.append(d == 0 ? "" : ",").append(shape[d]);
    }
    return sb.append(']').toString();
  }

  /**
   * XLA's literal text: {@code f32[2,3] {{1, 2, 3}, {4, 5, 6}}}, {@code s32[] 5},
   * {@code pred[2] {true, false}}; floats print the shortest decimal that reads back to the same
   * value of the type, with nan, inf and -inf spelled as XLA spells them.
   */
  String toLiteralText() {
    StringBuilder sb = new StringBuilder(shapeText()).append(' ');
    if (shape.length == 0) {
      appendElement(sb, 0);
      return sb.toString();
    }
    appendDimension(sb, 0, 0);
    return sb.toString();
  }

  /** Appends the sub-array at {@code dim} starting at flat index {@code offset}. */
  private int appendDimension(StringBuilder sb, int dim, int offset) {
    sb.append('{');
    int index = offset;
    for (long i = 0; i < shape[dim]; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (dim == shape.length - 1) {
        appendElement(sb, index++);
      } else {
        index = appendDimension(sb, dim + 1, index);
      }
    }
    sb.append('}');
    return index;
  }

  private void appendElement(StringBuilder sb, int i) {
    if (kind == ElementKind.PRED) {
      sb.append(ints[i] != 0 ? "true" : "false");
    } else if (!kind.isFloat) {
      sb.append(ints[i]);
    } else {
      sb.append(floatText(kind, floats[i]));
    }
  }

  static String floatText(ElementKind kind, double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    // f16 and bf16 values are floats; the shortest float text rounds back to the same half value.
    String text = kind == ElementKind.F64 ? Double.toString(value) : Float.toString((float) value);
    return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
  }
}
