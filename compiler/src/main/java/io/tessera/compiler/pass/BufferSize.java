package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Shape;

/**
 * The size of a buffer in bytes: fixed, or proportional to the row count of a batched module (a
 * shape with one dynamic dimension, {@code f32[?,784]}, takes {@code 784 * 4} bytes per row).
 */
public record BufferSize(long fixedBytes, long bytesPerRow) {

  /** Bytes of a dense row-major array of {@code shape}, which has at most one dynamic dimension. */
  public static BufferSize of(Shape shape) {
    long bytes = shape.elementType().byteSize();
    boolean dynamic = false;
    for (int d = 0; d < shape.rank(); d++) {
      if (shape.isDynamicDimension(d)) {
        if (dynamic) {
          throw new IllegalArgumentException("shape " + shape + " has more than one dynamic dimension");
        }
        dynamic = true;
      } else {
        bytes = Math.multiplyExact(bytes, shape.dimension(d));
      }
    }
    return dynamic ? new BufferSize(0, bytes) : new BufferSize(bytes, 0);
  }

  /** Whether the size depends on the row count. */
  public boolean isDynamic() {
    return bytesPerRow != 0;
  }

  /** The size in bytes for {@code rows} rows. */
  public long at(long rows) {
    return Math.addExact(fixedBytes, Math.multiplyExact(bytesPerRow, rows));
  }

  /** The bytes this size grows by: per row when dynamic, else fixed. */
  long magnitude() {
    return isDynamic() ? bytesPerRow : fixedBytes;
  }

  @Override
  public String toString() {
    if (!isDynamic()) {
      return fixedBytes + " bytes";
    }
    return fixedBytes == 0 ? bytesPerRow + " bytes/row" : fixedBytes + " bytes + " + bytesPerRow + " bytes/row";
  }
}
