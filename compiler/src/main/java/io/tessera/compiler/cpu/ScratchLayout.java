package io.tessera.compiler.cpu;

import io.tessera.compiler.pass.BufferSize;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the temporaries of one call live in its scratch buffer. Temporaries whose live ranges do
 * not overlap share a slot ({@link TemporaryLiveRanges}, {@link io.tessera.compiler.pass.SlotPacker}),
 * and this lays out the slots: static ones first, each at a fixed offset aligned to {@value #ALIGN}
 * bytes; slots that grow with the row count follow, each taking its bytes per row times the
 * call's row count, rounded up to {@value #ALIGN}:
 *
 * <pre>
 *   bytes(rows) = staticBytes + sum over dynamic slots of align(rows * rowBytes)
 * </pre>
 *
 * The Java executable ({@link #bytes}), the kernel's entry code ({@link KernelEntry}) and the C
 * header of an ahead-of-time object ({@link CHeaderWriter}) all evaluate this one formula.
 */
final class ScratchLayout {
  static final int ALIGN = 64;

  /** One slot: a fixed offset and size, or a per-row size placed after the static ones. */
  record Slot(boolean dynamic, long offset, long bytes) {}

  private final List<Slot> slots = new ArrayList<>();
  private final List<Long> rowBytes = new ArrayList<>();
  private long staticBytes;

  /** Adds a slot of {@code size}: fixed, or so many bytes per row; returns its number. */
  int add(BufferSize size) {
    if (size.isDynamic()) {
      if (size.fixedBytes() != 0) {
        throw new IllegalArgumentException("a slot grows with the rows or is fixed, not both: " + size);
      }
      slots.add(new Slot(true, -1, size.bytesPerRow()));
      rowBytes.add(size.bytesPerRow());
    } else {
      slots.add(new Slot(false, staticBytes, size.fixedBytes()));
      staticBytes += align(size.fixedBytes());
    }
    return slots.size() - 1;
  }

  List<Slot> slots() {
    return List.copyOf(slots);
  }

  int count() {
    return slots.size();
  }

  /** Bytes of the static slots, a multiple of {@value #ALIGN}; dynamic ones start here. */
  long staticBytes() {
    return staticBytes;
  }

  /** Bytes per row of each dynamic slot, in order. */
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
