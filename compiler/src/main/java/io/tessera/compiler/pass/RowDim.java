package io.tessera.compiler.pass;

import java.util.List;

/**
 * Where the row dimension of a value is, during batching: a dimension of an array, {@link #NONE}
 * for a value that does not depend on the row (a weight, a constant), or one entry per element of
 * a tuple.
 */
record RowDim(int dim, List<RowDim> elements) {
  static final int NONE = -1;
  static final RowDim UNBATCHED = new RowDim(NONE, null);

  static RowDim at(int dim) {
    return dim == NONE ? UNBATCHED : new RowDim(dim, null);
  }

  static RowDim tuple(List<RowDim> elements) {
    return new RowDim(NONE, List.copyOf(elements));
  }

  boolean isTuple() {
    return elements != null;
  }

  /** Whether the value depends on the row (any element of a tuple). */
  boolean isBatched() {
    return isTuple() ? elements.stream().anyMatch(RowDim::isBatched) : dim != NONE;
  }

  RowDim element(int i) {
    return elements.get(i);
  }
}
