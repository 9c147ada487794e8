package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Verifier;

/**
 * Binds the row count of a batched module: a copy in which every dynamic dimension ({@code ?})
 * has a given size, so that code needing static shapes (the interpreter, a backend specializing
 * for a batch size) can run it. Batched modules keep the row count out of attributes (a slice of a
 * batched value is a cutting pad), so replacing the sizes in shapes is all binding takes.
 */
public final class DynamicShapes {
  private DynamicShapes() {}

  /**
   * A verified copy of {@code module} with every dynamic dimension set to {@code rows}.
   *
   * @throws IllegalArgumentException when {@code rows} is negative
   */
  public static Module bind(Module module, long rows) {
    if (rows < 0 || rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("the row count must be in [0, " + Integer.MAX_VALUE + "], got " + rows);
    }
    Module bound = ModuleCopy.copy(module, shape -> bind(shape, (int) rows));
    Verifier.verify(bound);
    return bound;
  }

  /** {@code shape} with every dynamic dimension (in every tuple element) set to {@code rows}. */
  public static Shape bind(Shape shape, int rows) {
    if (shape.isTuple()) {
      return Shape.tuple(shape.tupleShapes().stream().map(s -> bind(s, rows)).toList());
    }
    if (!shape.isArray() || !shape.hasDynamicDimension()) {
      return shape;
    }
    int[] dims = shape.dimensions();
    for (int d = 0; d < dims.length; d++) {
      if (dims[d] == Shape.DYNAMIC) {
        dims[d] = rows;
      }
    }
    return Shape.array(shape.elementType(), dims, shape.minorToMajor());
  }
}
