package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runtime row counts: binding the {@link Shape#DYNAMIC} dimensions of shapes and modules to the
 * row count of one call. Executables compile a module with a dynamic leading dimension once and
 * bind it per call; these helpers give the buffer sizes of such a call and, for backends that
 * need static shapes (the interpreter), a copy of the module with the rows filled in.
 */
public final class DynamicRows {
  private DynamicRows() {}

  /** True when {@code shape} (or any element of a tuple) has a dynamic dimension. */
  public static boolean isDynamic(Shape shape) {
    return shape.hasDynamicDimension();
  }

  /**
   * {@code shape} with every dynamic dimension set to {@code rows}; static shapes are returned
   * as they are.
   *
   * @throws IllegalArgumentException when {@code rows} is negative or too large for a dimension
   */
  public static Shape bind(Shape shape, long rows) {
    if (!shape.hasDynamicDimension()) {
      return shape;
    }
    int n = checkRows(rows);
    if (shape.isTuple()) {
      List<Shape> elements = new ArrayList<>();
      for (Shape s : shape.tupleShapes()) {
        elements.add(bind(s, n));
      }
      return Shape.tuple(elements);
    }
    int[] dims = shape.dimensions();
    for (int d = 0; d < dims.length; d++) {
      if (dims[d] == Shape.DYNAMIC) {
        dims[d] = n;
      }
    }
    return Shape.array(shape.elementType(), dims, shape.minorToMajor());
  }

  /**
   * Bytes of a dense buffer of array shape {@code shape} when its dynamic dimensions are
   * {@code rows}.
   *
   * @throws IllegalArgumentException when {@code rows} is negative or the size overflows
   */
  public static long byteSize(Shape shape, long rows) {
    if (!shape.hasDynamicDimension()) {
      return shape.byteSize();
    }
    if (rows < 0) {
      throw new IllegalArgumentException("row count " + rows + " is negative");
    }
    try {
      long n = shape.elementType().byteSize();
      for (int d : shape.dimensions()) {
        n = Math.multiplyExact(n, d == Shape.DYNAMIC ? rows : d);
      }
      return n;
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("a buffer of shape " + shape.toStringWithoutLayout() + " with " + rows
          + " rows has more than 2^63 bytes", e);
    }
  }

  /**
   * A copy of {@code module} in which every dynamic dimension is {@code rows}, for backends that
   * run static shapes only. The copy is made by printing the module and parsing the text with
   * each {@code ?} of a shape replaced, so nothing of the original is shared or changed.
   *
   * @throws IllegalArgumentException when {@code rows} is negative or larger than a dimension
   *     can be
   */
  public static Module bind(Module module, long rows) {
    int n = checkRows(rows);
    return HloParser.parse(replaceDynamicSizes(HloPrinter.print(module), Integer.toString(n)));
  }

  /**
   * Replaces the {@code ?} of every shape dimension in HLO text by {@code size}: a {@code ?}
   * between {@code [} or {@code ,} and {@code ,} or {@code ]}, outside quoted strings (metadata and
   * backend configs may contain anything).
   */
  static String replaceDynamicSizes(String text, String size) {
    StringBuilder out = new StringBuilder(text.length());
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        out.append(c);
        if (c == '\\' && i + 1 < text.length()) {
          out.append(text.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        }
        continue;
      }
      if (c == '"') {
        quoted = true;
      }
      boolean dimension = c == '?' && i > 0 && i + 1 < text.length() && (text.charAt(i - 1) == '[' || text.charAt(i - 1) == ',')
          && (text.charAt(i + 1) == ']' || text.charAt(i + 1) == ',');
      out.append(dimension ? size : String.valueOf(c));
    }
    return out.toString();
  }

  private static int checkRows(long rows) {
    if (rows < 0 || rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("row count " + rows + " is out of range (0.." + Integer.MAX_VALUE + ")");
    }
    return (int) rows;
  }
}
