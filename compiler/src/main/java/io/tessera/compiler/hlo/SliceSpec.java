package io.tessera.compiler.hlo;

import java.util.Arrays;

/**
 * The {@code slice={[start:limit:stride], ...}} attribute: one half-open range per dimension.
 * A stride of 1 is printed without its {@code :1}, as XLA does.
 */
public final class SliceSpec {
  private final long[] starts;
  private final long[] limits;
  private final long[] strides;

  public SliceSpec(long[] starts, long[] limits, long[] strides) {
    if (starts.length != limits.length || starts.length != strides.length) {
      throw new IllegalArgumentException("slice starts, limits and strides differ in length");
    }
    this.starts = starts.clone();
    this.limits = limits.clone();
    this.strides = strides.clone();
  }

  public int rank() {
    return starts.length;
  }

  public long start(int dim) {
    return starts[dim];
  }

  public long limit(int dim) {
    return limits[dim];
  }

  public long stride(int dim) {
    return strides[dim];
  }

  public long[] starts() {
    return starts.clone();
  }

  public long[] limits() {
    return limits.clone();
  }

  public long[] strides() {
    return strides.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SliceSpec s && Arrays.equals(starts, s.starts)
        && Arrays.equals(limits, s.limits) && Arrays.equals(strides, s.strides);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(starts) + Arrays.hashCode(limits)) + Arrays.hashCode(strides);
  }

  /** XLA's text: {@code {[0:2], [1:9:2]}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < starts.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('[').append(starts[i]).append(':').append(limits[i]);
      if (strides[i] != 1) {
        sb.append(':').append(strides[i]);
      }
      sb.append(']');
    }
    return sb.append('}').toString();
  }
}
