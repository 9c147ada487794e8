package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Literal;

/**
 * The one loop behind the data-movement opcodes: copy a box of elements from a strided view of one
 * array to a strided view of another.
 *
 * <p>For every index {@code idx} in the box {@code dims}, {@code dst[dstBase + Σ idx[d] *
 * dstStrides[d]] = src[srcBase + Σ idx[d] * srcStrides[d]]}. A stride of 0 repeats an element
 * (broadcast), a negative stride walks backwards (reverse), a permuted stride transposes, a
 * multiplied stride skips (strided slice, interior padding). The innermost dimension is a tight
 * loop; outer positions advance incrementally, with no division per element.
 */
final class ShapeOpStridedCopy {
  private ShapeOpStridedCopy() {}

  static void copy(Literal src, int srcBase, int[] srcStrides, Literal dst, int dstBase, int[] dstStrides, int[] dims) {
    for (int d : dims) {
      if (d == 0) {
        return;
      }
    }
    int rank = dims.length;
    if (rank == 0) {
      dst.copyElement(src, srcBase, dstBase);
      return;
    }
    int inner = dims[rank - 1];
    int srcStep = srcStrides[rank - 1];
    int dstStep = dstStrides[rank - 1];
    int[] idx = new int[rank - 1];
    int srcRow = srcBase;
    int dstRow = dstBase;
    boolean floats = src.isFloat();
    while (true) {
      if (floats) {
        double[] from = src.floatStorage();
        double[] to = dst.floatStorage();
        for (int j = 0, s = srcRow, t = dstRow; j < inner; j++, s += srcStep, t += dstStep) {
          to[t] = from[s];
        }
      } else {
        long[] from = src.intStorage();
        long[] to = dst.intStorage();
        for (int j = 0, s = srcRow, t = dstRow; j < inner; j++, s += srcStep, t += dstStep) {
          to[t] = from[s];
        }
      }
      // Odometer over the outer dimensions, moving both row starts along.
      int d = rank - 2;
      for (; d >= 0; d--) {
        idx[d]++;
        srcRow += srcStrides[d];
        dstRow += dstStrides[d];
        if (idx[d] < dims[d]) {
          break;
        }
        srcRow -= srcStrides[d] * dims[d];
        dstRow -= dstStrides[d] * dims[d];
        idx[d] = 0;
      }
      if (d < 0) {
        return;
      }
    }
  }

  /** Copies all of {@code src} (row-major) into the box of {@code dst} at {@code dstBase} with {@code dstStrides}. */
  static void copyInto(Literal src, Literal dst, int dstBase, int[] dstStrides) {
    int[] dims = src.shape().dimensions();
    copy(src, 0, Indexing.strides(dims), dst, dstBase, dstStrides, dims);
  }

  /** Fills {@code dst} (row-major, all of it) from the view of {@code src} at {@code srcBase} with {@code srcStrides}. */
  static void copyFrom(Literal src, int srcBase, int[] srcStrides, Literal dst) {
    int[] dims = dst.shape().dimensions();
    copy(src, srcBase, srcStrides, dst, 0, Indexing.strides(dims), dims);
  }
}
