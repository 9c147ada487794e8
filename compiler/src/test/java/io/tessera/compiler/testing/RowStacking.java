package io.tessera.compiler.testing;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Between per-row values and batched ones (the row leading): what tests of the batching pass and of
 * backends running batched modules compare.
 */
public final class RowStacking {
  private RowStacking() {}

  /** Rows of {@code rowShape} stacked along a new leading dimension. */
  public static Literal stack(List<Literal> rows, Shape rowShape) {
    int[] dims = rowShape.dimensions();
    int[] out = new int[dims.length + 1];
    out[0] = rows.size();
    System.arraycopy(dims, 0, out, 1, dims.length);
    Literal stacked = Literal.zeros(Shape.array(rowShape.elementType(), out));
    int n = (int) rowShape.elementCount();
    for (int r = 0; r < rows.size(); r++) {
      for (int e = 0; e < n; e++) {
        stacked.copyElement(rows.get(r), e, r * n + e);
      }
    }
    return stacked;
  }

  /** Row {@code r} of a literal whose leading dimension is the row (every element, for a tuple). */
  public static Literal row(Literal batched, int r) {
    if (batched.isTuple()) {
      return Literal.tuple(batched.tupleElements().stream().map(e -> row(e, r)).toList());
    }
    int[] dims = batched.shape().dimensions();
    Shape rowShape = Shape.array(batched.elementType(), Arrays.copyOfRange(dims, 1, dims.length));
    Literal row = Literal.zeros(rowShape);
    int n = (int) rowShape.elementCount();
    for (int e = 0; e < n; e++) {
      row.copyElement(batched, r * n + e, e);
    }
    return row;
  }
}
