package io.tessera.compiler.eval;

import java.util.Arrays;

/**
 * Linear offsets into a row-major array for every index over a subset of its dimensions, the
 * other dimensions held at 0. Reduce splits an array into kept and reduced dimensions this way,
 * dot into batch, free and contracting ones; an output element is then a sum of one offset from
 * each part, with no index arithmetic in the inner loop.
 */
final class Offsets {
  private Offsets() {}

  /**
   * The offsets of every index over dimensions {@code which} of an array of {@code dims}, in
   * row-major order over {@code which} as listed (its last dimension varies fastest). Empty when
   * one of those dimensions has size 0; {@code {0}} when {@code which} is empty.
   */
  static int[] over(int[] dims, int[] which) {
    int[] strides = Indexing.strides(dims);
    int[] sizes = new int[which.length];
    for (int i = 0; i < which.length; i++) {
      sizes[i] = dims[which[i]];
    }
    int[] offsets = new int[Indexing.count(sizes)];
    if (offsets.length == 0) {
      return offsets;
    }
    int[] index = new int[which.length];
    int n = 0;
    do {
      int offset = 0;
      for (int i = 0; i < which.length; i++) {
        offset += index[i] * strides[which[i]];
      }
      offsets[n++] = offset;
    } while (Indexing.next(index, sizes));
    return offsets;
  }

  /** The dimensions {@code 0..rank-1} that are not in {@code excluded}, ascending. */
  static int[] complement(int rank, int[]... excluded) {
    boolean[] taken = new boolean[rank];
    for (int[] dims : excluded) {
      for (int d : dims) {
        taken[d] = true;
      }
    }
    int[] rest = new int[rank];
    int n = 0;
    for (int d = 0; d < rank; d++) {
      if (!taken[d]) {
        rest[n++] = d;
      }
    }
    return Arrays.copyOf(rest, n);
  }

  /**
   * {@code dims} as ints after checking each names a dimension of an array of {@code rank} and
   * none repeats; {@code what} names the attribute in the message.
   */
  static int[] checkedDimensions(long[] dims, int rank, String what) {
    int[] result = new int[dims.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] >= rank) {
        throw new IllegalArgumentException(what + " names dimension " + dims[i] + " of an array of rank " + rank);
      }
      int d = (int) dims[i];
      if (seen[d]) {
        throw new IllegalArgumentException(what + " names dimension " + d + " twice");
      }
      seen[d] = true;
      result[i] = d;
    }
    return result;
  }
}
