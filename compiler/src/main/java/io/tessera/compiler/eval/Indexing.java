package io.tessera.compiler.eval;

/** Row-major index arithmetic shared by the evaluators. */
public final class Indexing {
  private Indexing() {}

  /** Row-major strides of {@code dims}: the last dimension has stride 1. */
  public static int[] strides(int[] dims) {
    int[] strides = new int[dims.length];
    int s = 1;
    for (int d = dims.length - 1; d >= 0; d--) {
      strides[d] = s;
      s = Math.multiplyExact(s, dims[d]);
    }
    return strides;
  }

  /** The linear index of {@code index} under {@code strides}. */
  public static int linear(int[] index, int[] strides) {
    int linear = 0;
    for (int d = 0; d < index.length; d++) {
      linear += index[d] * strides[d];
    }
    return linear;
  }

  /** Number of elements of an array of {@code dims}. */
  public static int count(int[] dims) {
    int n = 1;
    for (int d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * Advances {@code index} to the next row-major position within {@code dims} (an odometer).
   *
   * @return false once every position has been visited (the index is then all zeros again)
   */
  public static boolean next(int[] index, int[] dims) {
    for (int d = dims.length - 1; d >= 0; d--) {
      if (++index[d] < dims[d]) {
        return true;
      }
      index[d] = 0;
    }
    return false;
  }
}
