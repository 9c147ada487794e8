package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * What an executable takes and returns: the entry computation's parameters (names and shapes) and
 * its result shape, flattened into one buffer per array. Checks the buffers of every call before
 * native code sees them, so that a wrong count, a short buffer, a misaligned address or a result
 * overlapping another buffer is an exception naming the parameter, never a crash.
 *
 * <p>Shapes may have a {@link Shape#DYNAMIC} dimension (a runtime row count); the checks of a
 * call then bind it to the call's row count ({@link #hasDynamicRows()}).
 *
 * @param parameterNames names of the entry's parameters (without {@code %}), in number order
 * @param parameterShapes their shapes (arrays)
 * @param resultShape the entry's result shape (an array or a tuple)
 * @param resultBufferShapes one array shape per result buffer: the result, or its leaves in order
 */
public record ExecutableSignature(List<String> parameterNames, List<Shape> parameterShapes, Shape resultShape,
                                  List<Shape> resultBufferShapes) {

  public ExecutableSignature {
    parameterNames = List.copyOf(parameterNames);
    parameterShapes = List.copyOf(parameterShapes);
    resultBufferShapes = List.copyOf(resultBufferShapes);
  }

  /** True when a parameter or result has a dynamic dimension: calls must pass a row count. */
  public boolean hasDynamicRows() {
    return parameterShapes.stream().anyMatch(Shape::hasDynamicDimension) || resultShape.hasDynamicDimension();
  }

  /**
   * The signature of one call with {@code rowCount} rows: every dynamic dimension bound to it.
   *
   * @throws IllegalArgumentException when the row count does not suit the signature
   */
  public ExecutableSignature bind(long rowCount) {
    checkRowCount(rowCount);
    if (!hasDynamicRows()) {
      return this;
    }
    return new ExecutableSignature(parameterNames,
        parameterShapes.stream().map(s -> DynamicRows.bind(s, rowCount)).toList(), DynamicRows.bind(resultShape, rowCount),
        resultBufferShapes.stream().map(s -> DynamicRows.bind(s, rowCount)).toList());
  }

  /**
   * Checks a call's row count: {@link Executable#STATIC_SHAPES} for static signatures, a count
   * of at least zero for dynamic ones.
   *
   * @throws IllegalArgumentException otherwise
   */
  public void checkRowCount(long rowCount) {
    if (hasDynamicRows()) {
      if (rowCount < 0) {
        throw new IllegalArgumentException("the module has a dynamic leading dimension (?): pass a row count of at least "
            + "0, got " + rowCount + (rowCount == Executable.STATIC_SHAPES ? " (STATIC_SHAPES)" : ""));
      }
    } else if (rowCount != Executable.STATIC_SHAPES) {
      throw new IllegalArgumentException("the module has static shapes; pass STATIC_SHAPES, not a row count of "
          + rowCount);
    }
  }

  /** The leaves of {@code shape} in order: itself for an array, its elements' leaves for a tuple. */
  public static List<Shape> leaves(Shape shape) {
    List<Shape> out = new ArrayList<>();
    collectLeaves(shape, out);
    return out;
  }

  private static void collectLeaves(Shape shape, List<Shape> out) {
    if (shape.isTuple()) {
      for (Shape s : shape.tupleShapes()) {
        collectLeaves(s, out);
      }
    } else {
      out.add(shape);
    }
  }

  /**
   * Checks host buffers against the static signature.
   *
   * @throws IllegalArgumentException naming the parameter or result at fault
   */
  public void checkHostBuffers(Buffers parameters, Buffers results) {
    checkHostBuffers(Executable.STATIC_SHAPES, parameters, results);
  }

  /**
   * Checks the row count and host buffers of one call: each buffer must hold its shape with
   * dynamic dimensions of {@code rowCount}.
   *
   * @throws IllegalArgumentException naming the parameter or result at fault
   */
  public void checkHostBuffers(long rowCount, Buffers parameters, Buffers results) {
    if (parameters.space() != Buffers.MemorySpace.HOST || results.space() != Buffers.MemorySpace.HOST) {
      throw new IllegalArgumentException("this executable takes host buffers, got " + parameters.space() + " parameters and "
          + results.space() + " results");
    }
    checkBuffers(rowCount, parameters, results);
  }

  /**
   * Checks the row count and the buffers of one call in whatever memory space they are (the GPU
   * backend takes host and device buffers alike): counts, sizes, alignment and overlaps.
   *
   * @throws IllegalArgumentException naming the parameter or result at fault
   */
  public void checkBuffers(long rowCount, Buffers parameters, Buffers results) {
    checkRowCount(rowCount);
    if (parameters.count() != parameterShapes.size()) {
      throw new IllegalArgumentException("expected " + parameterShapes.size() + " parameter buffer(s), got " + parameters.count());
    }
    if (results.count() != resultBufferShapes.size()) {
      throw new IllegalArgumentException("expected " + resultBufferShapes.size() + " result buffer(s) for result shape "
          + resultShape + ", got " + results.count());
    }
    long[] paramBytes = new long[parameters.count()];
    long[] resultBytes = new long[results.count()];
    for (int i = 0; i < parameters.count(); i++) {
      paramBytes[i] = checkOne("parameter " + i + " (%" + parameterNames.get(i) + ")", parameterShapes.get(i), rowCount,
          parameters.address(i), parameters.byteSize(i));
    }
    for (int i = 0; i < results.count(); i++) {
      resultBytes[i] = checkOne("result " + i, resultBufferShapes.get(i), rowCount, results.address(i),
          results.byteSize(i));
    }
    // Kernels write results while reading everything else: a result must not overlap any buffer.
    for (int r = 0; r < results.count(); r++) {
      long start = results.address(r);
      long end = start + resultBytes[r];
      for (int p = 0; p < parameters.count(); p++) {
        if (overlaps(start, end, parameters.address(p), paramBytes[p])) {
          throw new IllegalArgumentException("result " + r + " overlaps parameter " + p + " (%" + parameterNames.get(p) + ")");
        }
      }
      for (int q = r + 1; q < results.count(); q++) {
        if (overlaps(start, end, results.address(q), resultBytes[q])) {
          throw new IllegalArgumentException("result " + r + " overlaps result " + q);
        }
      }
    }
  }

  private static boolean overlaps(long start, long end, long otherStart, long otherSize) {
    return start < end && otherSize > 0 && start < otherStart + otherSize && otherStart < end;
  }

  /** Checks one buffer; returns the bytes the call uses of it. */
  private static long checkOne(String what, Shape shape, long rowCount, long address, long byteSize) {
    long needed = DynamicRows.byteSize(shape, rowCount);
    if (byteSize < needed) {
      throw new IllegalArgumentException(what + " of shape " + shape.toStringWithoutLayout()
          + (shape.hasDynamicDimension() ? " with " + rowCount + " rows" : "") + " needs " + needed
          + " bytes, the buffer has " + byteSize);
    }
    if (needed > 0 && address == 0) {
      throw new IllegalArgumentException(what + " of shape " + shape.toStringWithoutLayout() + " has a null address");
    }
    int align = shape.elementType().byteSize();
    if (address % align != 0) {
      throw new IllegalArgumentException(what + " of shape " + shape.toStringWithoutLayout() + " is at address 0x"
          + Long.toHexString(address) + ", not aligned to its " + align + "-byte elements");
    }
    return needed;
  }
}
