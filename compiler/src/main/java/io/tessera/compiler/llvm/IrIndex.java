package io.tessera.compiler.llvm;

import java.util.Arrays;

/**
 * A multi-dimensional index into an array of known dimensions, as {@code i64} IR values, with
 * the row-major linear index when the producer already has it (a flat loop, a reshape). Immutable:
 * emitters make a new index for each operand they read, and nothing is computed lazily, so an
 * index stays valid wherever the code that made it dominates.
 */
public final class IrIndex {
  private static final IrIndex SCALAR = new IrIndex(new IrValue[0], new int[0], IrValue.i64(0));

  private final IrValue[] indices;
  private final int[] dims;
  private final IrValue linear; // null when not known yet

  /**
   * @param indices one {@code i64} value per dimension
   * @param dims the array's dimensions
   * @param linear the row-major linear index of {@code indices} in {@code dims}, or {@code null}
   */
  public IrIndex(IrValue[] indices, int[] dims, IrValue linear) {
    if (indices.length != dims.length) {
      throw new IllegalArgumentException(indices.length + " indices for dimensions " + Arrays.toString(dims));
    }
    this.indices = indices.clone();
    this.dims = dims.clone();
    this.linear = linear;
  }

  /** The index of a scalar. */
  /** The row-major stride of each dimension of {@code dims}, in elements (the last is 1). */
  public static long[] rowMajorStrides(int[] dims) {
    long[] s = new long[dims.length];
    long stride = 1;
    for (int d = dims.length - 1; d >= 0; d--) {
      s[d] = stride;
      stride *= dims[d];
    }
    return s;
  }

  public static IrIndex scalar() {
    return SCALAR;
  }

  public int rank() {
    return dims.length;
  }

  /** The index along dimension {@code d}. */
  public IrValue get(int d) {
    return indices[d];
  }

  public int[] dims() {
    return dims.clone();
  }

  /** The row-major linear index if the producer supplied it, else {@code null}. */
  public IrValue knownLinear() {
    return linear;
  }

  /** The row-major linear index, emitted from the per-dimension indices when not already known. */
  public IrValue linear(IrBuilder b) {
    if (linear != null) {
      return linear;
    }
    if (dims.length == 0) {
      return IrValue.i64(0);
    }
    IrValue acc = indices[0];
    for (int d = 1; d < dims.length; d++) {
      acc = b.assign("i64", "mul nuw nsw i64 " + acc.ref() + ", " + dims[d]);
      acc = b.assign("i64", "add nuw nsw i64 " + acc.ref() + ", " + indices[d].ref());
    }
    return acc;
  }

  /** The index into {@code dims} whose row-major linear index is {@code linear}. */
  public static IrIndex fromLinear(IrBuilder b, IrValue linear, int[] dims) {
    IrValue[] indices = new IrValue[dims.length];
    long stride = 1;
    for (int d = dims.length - 1; d >= 0; d--) {
      IrValue q = stride == 1 ? linear : b.assign("i64", "udiv i64 " + linear.ref() + ", " + stride);
      indices[d] = d == 0 ? q : b.assign("i64", "urem i64 " + q.ref() + ", " + dims[d]);
      stride *= dims[d];
    }
    return new IrIndex(indices, dims, linear);
  }
}
