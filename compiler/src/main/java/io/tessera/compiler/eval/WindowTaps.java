package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Window;

/**
 * A window sliding over an array, as reduce-window and select-and-scatter place it: for each
 * output position and each position inside the window, the input element the window covers there,
 * or none when it covers padding or a hole left by base dilation.
 *
 * <p>Along one dimension, window position {@code k} of output position {@code o} lies at
 * {@code p = o * stride + k * window_dilation - pad_low} of the padded, base-dilated input; it is an
 * input element when {@code 0 <= p < (size - 1) * base_dilation + 1} and {@code p} is a multiple of
 * the base dilation (element {@code p / base_dilation}). Padding is applied after base dilation,
 * and negative padding cuts.
 */
final class WindowTaps {
  private static final int NONE = -1;

  private final int[] outputDims;
  private final int[] windowSizes;
  private final int[] inputStrides;
  /** Per dimension d, {@code taps[d][o * size + k]}: the input index along d, or NONE. */
  private final int[][] taps;
  private final int[] position; // scratch: a position inside the window

  private WindowTaps(int[] outputDims, int[] windowSizes, int[] inputStrides, int[][] taps) {
    this.outputDims = outputDims;
    this.windowSizes = windowSizes;
    this.inputStrides = inputStrides;
    this.taps = taps;
    this.position = new int[windowSizes.length];
  }

  /**
   * The placements of {@code window} over an array of {@code inputDims}.
   *
   * @throws IllegalArgumentException when the window's rank differs from the array's, or a size,
   *     stride or dilation is not positive, or it asks for reversal
   */
  static WindowTaps of(Window window, int[] inputDims) {
    int rank = inputDims.length;
    if (window.rank() != rank) {
      throw new IllegalArgumentException("window " + window + " has " + window.rank()
          + " dimension(s) for an operand of rank " + rank);
    }
    int[] outputDims = new int[rank];
    int[] sizes = new int[rank];
    int[][] taps = new int[rank][];
    for (int d = 0; d < rank; d++) {
      Window.Dim w = window.dim(d);
      if (w.size() <= 0 || w.stride() <= 0 || w.baseDilation() <= 0 || w.windowDilation() <= 0) {
        throw new IllegalArgumentException("window " + window + " has a non-positive size, stride or dilation in dimension " + d);
      }
      if (w.reversal()) {
        throw new IllegalArgumentException("window " + window + " reverses dimension " + d
            + "; only convolution windows may be reversed");
      }
      long dilatedBase = inputDims[d] == 0 ? 0 : (inputDims[d] - 1L) * w.baseDilation() + 1;
      long padded = dilatedBase + w.padLow() + w.padHigh();
      long dilatedWindow = (w.size() - 1) * w.windowDilation() + 1;
      long out = padded < dilatedWindow ? 0 : (padded - dilatedWindow) / w.stride() + 1;
      outputDims[d] = Math.toIntExact(out);
      sizes[d] = Math.toIntExact(w.size());
      int[] row = new int[Math.multiplyExact(outputDims[d], sizes[d])];
      for (int o = 0; o < outputDims[d]; o++) {
        for (int k = 0; k < sizes[d]; k++) {
          long p = o * w.stride() + k * w.windowDilation() - w.padLow();
          boolean inside = p >= 0 && p < dilatedBase && p % w.baseDilation() == 0;
          row[o * sizes[d] + k] = inside ? (int) (p / w.baseDilation()) : NONE;
        }
      }
      taps[d] = row;
    }
    return new WindowTaps(outputDims, sizes, Indexing.strides(inputDims), taps);
  }

  /** The dimensions of the output: one element per placement of the window. */
  int[] outputDimensions() {
    return outputDims.clone();
  }

  /** Number of positions inside the window: the most {@link #inputsOf} can return. */
  int windowElementCount() {
    return Indexing.count(windowSizes);
  }

  /**
   * Writes to {@code buffer} the linear input indices the window covers at output position
   * {@code outputIndex}, in row-major order over the window, skipping padding and holes. Not
   * thread-safe (it reuses a scratch index).
   *
   * @return how many were written
   */
  int inputsOf(int[] outputIndex, int[] buffer) {
    int rank = windowSizes.length;
    int[] k = position; // all zeros: Indexing.next leaves it so after the last position
    int count = 0;
    do {
      int linear = 0;
      boolean inside = true;
      for (int d = 0; d < rank && inside; d++) {
        int tap = taps[d][outputIndex[d] * windowSizes[d] + k[d]];
        inside = tap != NONE;
        linear += tap * inputStrides[d];
      }
      if (inside) {
        buffer[count++] = linear;
      }
    } while (Indexing.next(k, windowSizes));
    return count;
  }
}
