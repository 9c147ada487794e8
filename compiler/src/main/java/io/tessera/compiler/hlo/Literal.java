package io.tessera.compiler.hlo;

import java.util.Arrays;
import java.util.List;

/**
 * A value of an HLO shape: a dense row-major array, or a tuple of literals.
 *
 * <p>Storage is canonical so that evaluators need one code path per family, not per type: float
 * types (f16, bf16, f32, f64) live in a {@code double[]}, every element exactly a value of its type
 * (writes round); integer types and pred live in a {@code long[]}, wrapped to the type's width,
 * sign-extended when signed, zero-extended when unsigned (u64 keeps its raw bits), pred as 0/1.
 *
 * <p>Literals are mutable while an evaluator fills them and treated as values afterwards.
 */
public final class Literal {
  private final Shape shape;
  private final double[] floats; // float element types
  private final long[] ints; // integer element types and pred
  private final List<Literal> elements; // tuples

  private Literal(Shape shape, double[] floats, long[] ints, List<Literal> elements) {
    this.shape = shape;
    this.floats = floats;
    this.ints = ints;
    this.elements = elements;
  }

  /** An array literal of {@code shape} filled with zeros (false for pred). */
  public static Literal zeros(Shape shape) {
    if (shape.isTuple()) {
      return tuple(shape.tupleShapes().stream().map(Literal::zeros).toList());
    }
    if (!shape.isArray()) {
      throw new IllegalArgumentException("no literal of shape " + shape);
    }
    int n = Math.toIntExact(shape.elementCount());
    ElementType t = shape.elementType();
    return t.isFloat() ? new Literal(shape, new double[n], null, null) : new Literal(shape, null, new long[n], null);
  }

  /** A float array literal with the given values, rounded to the element type, row-major. */
  public static Literal ofDoubles(Shape shape, double... values) {
    Literal lit = zeros(shape);
    checkCount(shape, values.length);
    for (int i = 0; i < values.length; i++) {
      lit.setDouble(i, values[i]);
    }
    return lit;
  }

  /** An integer or pred array literal with the given values, wrapped to the element type, row-major. */
  public static Literal ofLongs(Shape shape, long... values) {
    Literal lit = zeros(shape);
    checkCount(shape, values.length);
    for (int i = 0; i < values.length; i++) {
      lit.setLong(i, values[i]);
    }
    return lit;
  }

  /** A scalar of float type {@code type}. */
  public static Literal scalar(ElementType type, double value) {
    return ofDoubles(Shape.scalar(type), value);
  }

  /** A scalar of integer type or pred {@code type}. */
  public static Literal scalar(ElementType type, long value) {
    return ofLongs(Shape.scalar(type), value);
  }

  public static Literal pred(boolean value) {
    return scalar(ElementType.PRED, value ? 1L : 0L);
  }

  public static Literal tuple(List<Literal> elements) {
    Shape shape = Shape.tuple(elements.stream().map(Literal::shape).toList());
    return new Literal(shape, null, null, List.copyOf(elements));
  }

  public static Literal tuple(Literal... elements) {
    return tuple(List.of(elements));
  }

  private static void checkCount(Shape shape, int count) {
    if (count != shape.elementCount()) {
      throw new IllegalArgumentException(count + " values given for shape " + shape + " of "
          + shape.elementCount() + " elements");
    }
  }

  public Shape shape() {
    return shape;
  }

  public ElementType elementType() {
    return shape.elementType();
  }

  public boolean isTuple() {
    return elements != null;
  }

  public List<Literal> tupleElements() {
    if (elements == null) {
      throw new IllegalStateException("literal of shape " + shape + " is not a tuple");
    }
    return elements;
  }

  public Literal tupleElement(int i) {
    return tupleElements().get(i);
  }

  public int elementCount() {
    return floats != null ? floats.length : ints.length;
  }

  /** True when values live in {@link #floatStorage()} (float element types). */
  public boolean isFloat() {
    return floats != null;
  }

  /**
   * The live float storage, row-major; for evaluators that loop over whole arrays. Values written
   * here must already be rounded to the element type ({@link ElementValues#roundFloat}).
   */
  public double[] floatStorage() {
    if (floats == null) {
      throw new IllegalStateException("literal of shape " + shape + " has no float storage");
    }
    return floats;
  }

  /**
   * The live integer storage, row-major, in canonical form ({@link ElementValues#wrapInteger}).
   */
  public long[] intStorage() {
    if (ints == null) {
      throw new IllegalStateException("literal of shape " + shape + " has no integer storage");
    }
    return ints;
  }

  /** Element {@code i} of a float literal. */
  public double getDouble(int i) {
    return floatStorage()[i];
  }

  /** Element {@code i} of an integer or pred literal, canonical. */
  public long getLong(int i) {
    return intStorage()[i];
  }

  /** Element {@code i} as a double, whatever the type (u64 read unsigned). */
  public double getAsDouble(int i) {
    return floats != null ? floats[i] : ElementValues.integerToDouble(elementType(), ints[i]);
  }

  /** Sets element {@code i} of a float literal, rounding to the element type. */
  public void setDouble(int i, double v) {
    floatStorage()[i] = ElementValues.roundFloat(elementType(), v);
  }

  /** Sets element {@code i} of an integer or pred literal, wrapping to the element type. */
  public void setLong(int i, long v) {
    intStorage()[i] = ElementValues.wrapInteger(elementType(), v);
  }

  /** Element {@code i} of this array as a scalar literal of the same element type. */
  public Literal scalarAt(int i) {
    Literal scalar = zeros(Shape.scalar(elementType()));
    scalar.copyElement(this, i, 0);
    return scalar;
  }

  /** Copies element {@code from} of {@code src} (same element type) to element {@code to} of this. */
  public void copyElement(Literal src, int from, int to) {
    if (floats != null) {
      floats[to] = src.floats[from];
    } else {
      ints[to] = src.ints[from];
    }
  }

  /** The row-major linear index of a multi-dimensional index into this array. */
  public int linearIndex(int... index) {
    int[] dims = shape.dimensions();
    int linear = 0;
    for (int d = 0; d < dims.length; d++) {
      linear = linear * dims[d] + index[d];
    }
    return linear;
  }

  /** A deep copy. */
  public Literal copy() {
    if (elements != null) {
      return tuple(elements.stream().map(Literal::copy).toList());
    }
    return new Literal(shape, floats == null ? null : floats.clone(), ints == null ? null : ints.clone(), null);
  }

  /** This literal's values under another shape of the same element type and count (a reshape). */
  public Literal reshaped(Shape newShape) {
    if (newShape.elementType() != elementType() || newShape.elementCount() != elementCount()) {
      throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
    }
    return new Literal(newShape, floats == null ? null : floats.clone(), ints == null ? null : ints.clone(), null);
  }

  /**
   * Same shape (layouts aside) and bitwise-same values: NaN equals NaN, -0 differs from +0.
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Literal other) || !shape.equalsIgnoringLayout(other.shape)) {
      return false;
    }
    if (elements != null) {
      return elements.equals(other.elements);
    }
    if (floats != null) {
      for (int i = 0; i < floats.length; i++) {
        if (Double.doubleToLongBits(floats[i]) != Double.doubleToLongBits(other.floats[i])) {
          return false;
        }
      }
      return true;
    }
    return Arrays.equals(ints, other.ints);
  }

  @Override
  public int hashCode() {
    if (elements != null) {
      return elements.hashCode();
    }
    return 31 * shape.withoutLayout().hashCode() + (floats != null ? Arrays.hashCode(floats) : Arrays.hashCode(ints));
  }

  /** XLA's literal text with the shape: {@code f32[2,2] {{1, 2}, {3, 4}}}; tuples one element per line. */
  @Override
  public String toString() {
    if (elements != null) {
      StringBuilder sb = new StringBuilder("(\n");
      for (int i = 0; i < elements.size(); i++) {
        sb.append(elements.get(i)).append(i + 1 < elements.size() ? ",\n" : "\n");
      }
      return sb.append(')').toString();
    }
    return shape.toStringWithoutLayout() + " " + valuesToString();
  }

  /**
   * The values alone as XLA writes them inside {@code constant(...)}: a scalar bare, arrays as
   * nested braces.
   */
  public String valuesToString() {
    if (elements != null) {
      throw new IllegalStateException("a tuple literal has no value text of its own");
    }
    StringBuilder sb = new StringBuilder();
    int[] dims = shape.dimensions();
    if (dims.length == 0) {
      sb.append(elementText(0));
    } else {
      appendDimension(sb, dims, 0, 0);
    }
    return sb.toString();
  }

  private int appendDimension(StringBuilder sb, int[] dims, int dim, int offset) {
    sb.append('{');
    for (int i = 0; i < dims[dim]; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (dim + 1 == dims.length) {
        sb.append(elementText(offset++));
      } else {
        offset = appendDimension(sb, dims, dim + 1, offset);
      }
    }
    sb.append('}');
    // An empty inner dimension still consumes no elements.
    return offset;
  }

  /** Element {@code i} as XLA writes it: {@code 1.5}, {@code -inf}, {@code true}, {@code 18446744073709551615}. */
  public String elementText(int i) {
    ElementType t = elementType();
    if (t.isFloat()) {
      return formatFloat(t, floats[i]);
    }
    if (t == ElementType.PRED) {
      return ints[i] != 0 ? "true" : "false";
    }
    return t == ElementType.U64 ? Long.toUnsignedString(ints[i]) : Long.toString(ints[i]);
  }

  /**
   * Shortest text that reads back as the same value of {@code type}: {@code 1}, {@code -0.5},
   * {@code 1e+10}, {@code inf}, {@code -inf}, {@code nan}, {@code -nan}, as XLA prints floats.
   * A NaN keeps its sign but not its payload (Tessera's literals keep no NaN payloads).
   */
  public static String formatFloat(ElementType type, double v) {
    if (Double.isNaN(v)) {
      return Double.doubleToRawLongBits(v) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String s = type == ElementType.F64 ? Double.toString(v) : Float.toString((float) v);
    // Java writes 1.0, 1.0E10, 1.5E-5; XLA writes 1, 1e+10, 1.5e-05 (any of these re-parse).
    String mantissa = s;
    String exponent = "";
    int e = s.indexOf('E');
    if (e >= 0) {
      mantissa = s.substring(0, e);
      String exp = s.substring(e + 1);
      String digits = exp.startsWith("-") ? exp.substring(1) : exp;
      // C's %g writes at least two exponent digits: 1e-05, 1e+10.
      exponent = (exp.startsWith("-") ? "e-" : "e+") + (digits.length() < 2 ? "0" : "") + digits;
    }
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    return mantissa + exponent;
  }
}
