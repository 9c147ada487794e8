package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the temporaries of one call live in its scratch buffer. Temporaries of static shape come
 * first, each at a fixed offset aligned to {@value #ALIGN} bytes; temporaries with a dynamic
 * leading dimension follow, each taking its bytes per row times the call's row count, rounded up
 * to {@value #ALIGN}:
 *
 * <pre>
 *   bytes(rows) = staticBytes + sum over dynamic temporaries of align(rows * rowBytes)
 * </pre>
 *
 * The Java executable ({@link #bytes}), the kernel's entry code ({@link KernelEntry}) and the C
 * header of an ahead-of-time object ({@link CHeaderWriter}) all evaluate this one formula.
 */
final class ScratchLayout {
  static final int ALIGN = 64;

  /** One temporary: a fixed offset and size, or a per-row size placed after the static ones. */
  record Temp(boolean dynamic, long offset, long bytes) {}

  private final List<Temp> temps = new ArrayList<>();
  private final List<Long> rowBytes = new ArrayList<>();
  private long staticBytes;

  /** Adds a temporary of array shape {@code shape}; returns its number (its kernel argument is {@code %tN}). */
  int add(Shape shape) {
    if (shape.hasDynamicDimension()) {
      long perRow = shape.elementType().byteSize();
      for (int d = 1; d < shape.rank(); d++) {
        perRow = Math.multiplyExact(perRow, shape.dimension(d));
      }
      temps.add(new Temp(true, -1, perRow));
      rowBytes.add(perRow);
    } else {
      temps.add(new Temp(false, staticBytes, shape.byteSize()));
      staticBytes += align(shape.byteSize());
    }
    return temps.size() - 1;
  }

  List<Temp> temps() {
    return List.copyOf(temps);
  }

  int count() {
    return temps.size();
  }

  /** Bytes of the static temporaries, a multiple of {@value #ALIGN}; dynamic ones start here. */
  long staticBytes() {
    return staticBytes;
  }

  /** Bytes per row of each dynamic temporary, in order. */
  List<Long> rowBytes() {
    return List.copyOf(rowBytes);
  }

  boolean isDynamic() {
    return !rowBytes.isEmpty();
  }

  /**
   * Scratch bytes of a call with {@code rows} rows (ignored when no temporary is dynamic).
   *
   * @throws IllegalArgumentException when the size does not fit in 63 bits
   */
  long bytes(long rows) {
    long total = staticBytes;
    try {
      for (long perRow : rowBytes) {
        total = Math.addExact(total, align(Math.multiplyExact(Math.max(rows, 0), perRow)));
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(rows + " rows need more scratch memory than 2^63 bytes", e);
    }
    return total;
  }

  static long align(long bytes) {
    return Math.addExact(bytes, ALIGN - 1) / ALIGN * ALIGN;
  }
}
