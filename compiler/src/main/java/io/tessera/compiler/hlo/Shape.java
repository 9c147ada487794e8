package io.tessera.compiler.hlo;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An HLO shape: an array ({@code f32[3,4]{1,0}}), a scalar ({@code f32[]}) or a tuple of shapes
 * ({@code (f32[], s32[2])}). Immutable.
 *
 * <p>The layout ({@code {1,0}}, minor-to-major dimension order) is optional and carried only so
 * that dumps round-trip; Tessera's buffers are always row-major (layout {@code {n-1,...,0}}).
 * Shape equality used by the verifier ignores layouts ({@link #equalsIgnoringLayout}).
 *
 * <p>A dimension of size {@link #DYNAMIC} (printed {@code ?}) has a size known only at run time;
 * the batching pass gives modules such a leading row dimension.
 */
public final class Shape {

  /** Size of a dimension whose extent is a runtime value (printed {@code ?}). */
  public static final int DYNAMIC = -1;

  private final ElementType elementType; // null for tuples
  private final int[] dimensions; // null for tuples
  private final int[] minorToMajor; // null when no layout was given
  private final List<Shape> tupleShapes; // null for arrays

  private Shape(ElementType elementType, int[] dimensions, int[] minorToMajor, List<Shape> tuple) {
    this.elementType = elementType;
    this.dimensions = dimensions;
    this.minorToMajor = minorToMajor;
    this.tupleShapes = tuple;
  }

  /** An array shape with no layout. Dimensions must be non-negative or {@link #DYNAMIC}. */
  public static Shape array(ElementType type, int... dimensions) {
    return array(type, dimensions, null);
  }

  /**
   * An array shape with a layout given minor-to-major, as XLA prints it; {@code null} for none.
   *
   * @throws IllegalArgumentException on a negative dimension or a layout that is not a
   *     permutation of the dimensions
   */
  public static Shape array(ElementType type, int[] dimensions, int[] minorToMajor) {
    Objects.requireNonNull(type, "element type");
    if (type == ElementType.TOKEN && dimensions.length != 0) {
      throw new IllegalArgumentException("token shapes have no dimensions");
    }
    for (int d : dimensions) {
      if (d < 0 && d != DYNAMIC) {
        throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dimensions));
      }
    }
    if (minorToMajor != null) {
      if (minorToMajor.length != dimensions.length) {
        throw new IllegalArgumentException("layout " + Arrays.toString(minorToMajor)
            + " does not have one entry per dimension of " + Arrays.toString(dimensions));
      }
      boolean[] seen = new boolean[dimensions.length];
      for (int d : minorToMajor) {
        if (d < 0 || d >= dimensions.length || seen[d]) {
          throw new IllegalArgumentException("layout " + Arrays.toString(minorToMajor) + " is not a permutation");
        }
        seen[d] = true;
      }
    }
    return new Shape(type, dimensions.clone(), minorToMajor == null ? null : minorToMajor.clone(), null);
  }

  public static Shape scalar(ElementType type) {
    return array(type);
  }

  public static Shape tuple(List<Shape> elements) {
    return new Shape(null, null, null, List.copyOf(elements));
  }

  public static Shape tuple(Shape... elements) {
    return tuple(List.of(elements));
  }

  /** The {@code token[]} shape. */
  public static Shape token() {
    return array(ElementType.TOKEN);
  }

  public boolean isTuple() {
    return tupleShapes != null;
  }

  public boolean isArray() {
    return tupleShapes == null && elementType != ElementType.TOKEN;
  }

  public boolean isToken() {
    return elementType == ElementType.TOKEN;
  }

  public boolean isScalar() {
    return isArray() && dimensions.length == 0;
  }

  /** The element type; throws for tuples. */
  public ElementType elementType() {
    requireNotTuple("elementType");
    return elementType;
  }

  public int rank() {
    requireNotTuple("rank");
    return dimensions.length;
  }

  public int dimension(int i) {
    requireNotTuple("dimension");
    return dimensions[i];
  }

  /** A copy of the dimension sizes. */
  public int[] dimensions() {
    requireNotTuple("dimensions");
    return dimensions.clone();
  }

  public boolean isDynamicDimension(int i) {
    return dimension(i) == DYNAMIC;
  }

  public boolean hasDynamicDimension() {
    if (isTuple()) {
      return tupleShapes.stream().anyMatch(Shape::hasDynamicDimension);
    }
    for (int d : dimensions) {
      if (d == DYNAMIC) {
        return true;
      }
    }
    return false;
  }

  /** Number of elements (1 for a scalar). Throws for tuples and dynamic shapes. */
  public long elementCount() {
    requireNotTuple("elementCount");
    long n = 1;
    for (int d : dimensions) {
      if (d == DYNAMIC) {
        throw new IllegalStateException("shape " + this + " has a dynamic dimension");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes of a dense row-major buffer of this array shape. */
  public long byteSize() {
    return Math.multiplyExact(elementCount(), elementType.byteSize());
  }

  /** The layout minor-to-major, or {@code null} when none was given. */
  public int[] minorToMajor() {
    requireNotTuple("minorToMajor");
    return minorToMajor == null ? null : minorToMajor.clone();
  }

  public boolean hasLayout() {
    return minorToMajor != null;
  }

  public List<Shape> tupleShapes() {
    if (tupleShapes == null) {
      throw new IllegalStateException("shape " + this + " is not a tuple");
    }
    return tupleShapes;
  }

  public Shape tupleShape(int index) {
    return tupleShapes().get(index);
  }

  /** The same dimensions with another element type (layout kept). */
  public Shape withElementType(ElementType type) {
    requireNotTuple("withElementType");
    return new Shape(type, dimensions, minorToMajor, null);
  }

  /** This shape with every layout removed, recursively. */
  public Shape withoutLayout() {
    if (isTuple()) {
      return tuple(tupleShapes.stream().map(Shape::withoutLayout).toList());
    }
    return minorToMajor == null ? this : new Shape(elementType, dimensions, null, null);
  }

  /** This shape with the default row-major layout {@code {n-1,...,1,0}} on every array. */
  public Shape withDefaultLayout() {
    if (isTuple()) {
      return tuple(tupleShapes.stream().map(Shape::withDefaultLayout).toList());
    }
    int n = dimensions.length;
    int[] m2m = new int[n];
    for (int i = 0; i < n; i++) {
      m2m[i] = n - 1 - i;
    }
    return new Shape(elementType, dimensions, m2m, null);
  }

  /** Same element types and dimensions (and tuple structure); layouts are not compared. */
  public boolean equalsIgnoringLayout(Shape other) {
    if (isTuple() || other.isTuple()) {
      if (!isTuple() || !other.isTuple() || tupleShapes.size() != other.tupleShapes.size()) {
        return false;
      }
      for (int i = 0; i < tupleShapes.size(); i++) {
        if (!tupleShapes.get(i).equalsIgnoringLayout(other.tupleShapes.get(i))) {
          return false;
        }
      }
      return true;
    }
    return elementType == other.elementType && Arrays.equals(dimensions, other.dimensions);
  }

  /** Same dimensions (and tuple structure) whatever the element types. */
  public boolean sameDimensions(Shape other) {
    return !isTuple() && !other.isTuple() && Arrays.equals(dimensions, other.dimensions);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Shape other)) {
      return false;
    }
    return equalsIgnoringLayout(other) && sameLayouts(other);
  }

  private boolean sameLayouts(Shape other) {
    if (isTuple()) {
      for (int i = 0; i < tupleShapes.size(); i++) {
        if (!tupleShapes.get(i).sameLayouts(other.tupleShapes.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Arrays.equals(minorToMajor, other.minorToMajor);
  }

  @Override
  public int hashCode() {
    if (isTuple()) {
      return tupleShapes.hashCode();
    }
    return 31 * elementType.hashCode() + Arrays.hashCode(dimensions);
  }

  /** XLA's text form, with the layout when one is set: {@code f32[3,4]{1,0}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    appendTo(sb, true);
    return sb.toString();
  }

  /** XLA's text form without layouts: {@code f32[3,4]}. */
  public String toStringWithoutLayout() {
    StringBuilder sb = new StringBuilder();
    appendTo(sb, false);
    return sb.toString();
  }

  private void appendTo(StringBuilder sb, boolean withLayout) {
    if (isTuple()) {
      sb.append('(');
      for (int i = 0; i < tupleShapes.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        tupleShapes.get(i).appendTo(sb, withLayout);
      }
      sb.append(')');
      return;
    }
    sb.append(elementType.mnemonic()).append('[');
    for (int i = 0; i < dimensions.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(dimensions[i] == DYNAMIC ? "?" : Integer.toString(dimensions[i]));
    }
    sb.append(']');
    if (withLayout && minorToMajor != null) {
      sb.append('{');
      for (int i = 0; i < minorToMajor.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(minorToMajor[i]);
      }
      sb.append('}');
    }
  }

  private void requireNotTuple(String what) {
    if (tupleShapes != null) {
      throw new IllegalStateException(what + " of tuple shape " + this);
    }
  }
}
