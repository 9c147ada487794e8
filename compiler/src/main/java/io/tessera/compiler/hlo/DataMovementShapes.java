package io.tessera.compiler.hlo;

/**
 * Shape rules of the data-movement opcodes: each result element is one operand element (or a
 * padding value). {@code broadcast}, {@code reshape} and {@code bitcast} cannot derive their
 * result from the operand and attributes alone, so they check the declared shape instead.
 */
final class DataMovementShapes {
  private DataMovementShapes() {}

  /**
   * HLO's broadcast: operand dimension {@code i} becomes result dimension {@code dimensions[i]}
   * with the same size (no size-1 stretching: that is the client API's broadcast-in-dim).
   */
  static Shape broadcast(Operation op) {
    Shape x = op.array(0, "operand");
    Shape result = op.declaredArray("broadcast adds dimensions whose sizes only the result shape says");
    op.requireSameElementType(x, "operand", result, "result");
    long[] dims = op.require(Attr.DIMENSIONS);
    if (dims.length != x.rank()) {
      throw op.fail("dimensions=" + Operation.list(dims) + " must name one result dimension per operand dimension "
          + "of " + Operation.str(x));
    }
    int[] map = op.dimensionList("dimensions", dims, result.rank());
    for (int i = 0; i < map.length; i++) {
      if (x.dimension(i) != result.dimension(map[i])) {
        throw op.fail("operand dimension " + i + " (size " + x.dimension(i) + ") maps to result dimension "
            + map[i] + " of size " + result.dimension(map[i]) + " in " + Operation.str(result));
      }
    }
    return result;
  }

  /**
   * Same element type and element count. With dynamic dimensions the counts are compared on the
   * static dimensions, and both sides must have as many dynamic dimensions.
   */
  static Shape reshape(Operation op) {
    Shape x = op.array(0, "operand");
    Shape result = op.declaredArray("the new dimensions are the result shape's");
    op.requireSameElementType(x, "operand", result, "result");
    if (dynamicCount(x) != dynamicCount(result) || staticProduct(x) != staticProduct(result)) {
      throw op.fail("cannot reshape " + Operation.str(x) + " (" + countText(x) + ") to " + Operation.str(result)
          + " (" + countText(result) + ")");
    }
    return result;
  }

  private static int dynamicCount(Shape s) {
    int n = 0;
    for (int d : s.dimensions()) {
      n += Operation.isDynamic(d) ? 1 : 0;
    }
    return n;
  }

  private static long staticProduct(Shape s) {
    long n = 1;
    for (int d : s.dimensions()) {
      n = Operation.isDynamic(d) ? n : Math.multiplyExact(n, d);
    }
    return n;
  }

  private static String countText(Shape s) {
    int dynamic = dynamicCount(s);
    return staticProduct(s) + " elements" + (dynamic == 0 ? "" : " times " + dynamic + " dynamic dimension(s)");
  }

  /** Reinterprets the operand's bytes: Tessera's buffers are row-major, so sizes in bytes must agree. */
  static Shape bitcast(Operation op) {
    Shape x = op.array(0, "operand");
    Shape result = op.declaredArray("a bitcast may change both dimensions and element type");
    if (x.hasDynamicDimension() || result.hasDynamicDimension()) {
      if (x.elementType() != result.elementType() || dynamicCount(x) != dynamicCount(result)
          || staticProduct(x) != staticProduct(result)) {
        throw op.fail("cannot bitcast " + Operation.str(x) + " to " + Operation.str(result));
      }
      return result;
    }
    if (x.byteSize() != result.byteSize()) {
      throw op.fail("operand " + Operation.str(x) + " has " + x.byteSize() + " bytes, result "
          + Operation.str(result) + " has " + result.byteSize());
    }
    return result;
  }

  /** {@code result.dimension(i) = operand.dimension(dimensions[i])}. */
  static Shape transpose(Operation op) {
    Shape x = op.array(0, "operand");
    long[] dims = op.require(Attr.DIMENSIONS);
    if (dims.length != x.rank()) {
      throw op.fail("dimensions=" + Operation.list(dims) + " is not a permutation of the " + x.rank()
          + " dimensions of " + Operation.str(x));
    }
    int[] perm = op.dimensionList("dimensions", dims, x.rank());
    int[] out = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      out[i] = x.dimension(perm[i]);
    }
    return Shape.array(x.elementType(), out);
  }

  /** Each dimension keeps {@code ceil((limit - start) / stride)} elements, start and limit in bounds. */
  static Shape slice(Operation op) {
    Shape x = op.array(0, "operand");
    SliceSpec spec = op.require(Attr.SLICE);
    if (spec.rank() != x.rank()) {
      throw op.fail("slice=" + spec + " has " + spec.rank() + " ranges for " + Operation.str(x));
    }
    int[] out = new int[x.rank()];
    for (int d = 0; d < x.rank(); d++) {
      long start = spec.start(d);
      long limit = spec.limit(d);
      long stride = spec.stride(d);
      int size = x.dimension(d);
      if (start < 0 || start > limit || !Operation.fits(limit, size)) {
        throw op.fail("slice range [" + start + ":" + limit + "] of dimension " + d + " is not within [0:"
            + size + "] of " + Operation.str(x));
      }
      if (stride <= 0) {
        throw op.fail("slice stride " + stride + " of dimension " + d + " must be positive");
      }
      out[d] = (int) ((limit - start + stride - 1) / stride);
    }
    return Shape.array(x.elementType(), out);
  }

  /**
   * {@code dynamic-slice(operand, i0, ..., i(n-1))}: one scalar integer start index per operand
   * dimension, all of one type; the result has {@code dynamic_slice_sizes}.
   */
  static Shape dynamicSlice(Operation op) {
    if (op.operandCount() == 0) {
      throw op.fail("takes an operand and start indices, got no operands");
    }
    Shape x = op.array(0, "operand");
    checkStartIndices(op, x, 1);
    long[] sizes = op.require(Attr.DYNAMIC_SLICE_SIZES);
    if (sizes.length != x.rank()) {
      throw op.fail("dynamic_slice_sizes=" + Operation.list(sizes) + " must have one size per dimension of "
          + Operation.str(x));
    }
    int[] out = new int[sizes.length];
    for (int d = 0; d < sizes.length; d++) {
      if (sizes[d] < 0 || !Operation.fits(sizes[d], x.dimension(d))) {
        throw op.fail("slice size " + sizes[d] + " of dimension " + d + " is not within [0, "
            + x.dimension(d) + "] of " + Operation.str(x));
      }
      out[d] = (int) sizes[d];
    }
    return Shape.array(x.elementType(), out);
  }

  /** {@code dynamic-update-slice(operand, update, i0, ..., i(n-1))}: the update fits in the operand. */
  static Shape dynamicUpdateSlice(Operation op) {
    if (op.operandCount() < 2) {
      throw op.fail("takes an operand, an update and start indices, got " + op.operandCount() + " operand(s)");
    }
    Shape x = op.array(0, "operand");
    Shape update = op.array(1, "update");
    op.requireSameElementType(x, "operand", update, "update");
    if (update.rank() != x.rank()) {
      throw op.fail("update " + Operation.str(update) + " and operand " + Operation.str(x) + " differ in rank");
    }
    for (int d = 0; d < x.rank(); d++) {
      if (!Operation.fits(update.dimension(d), x.dimension(d))) {
        throw op.fail("update " + Operation.str(update) + " is larger than operand " + Operation.str(x)
            + " in dimension " + d);
      }
    }
    checkStartIndices(op, x, 2);
    return x.withoutLayout();
  }

  /** Operands from {@code first} on are the start indices: one scalar integer per dimension of {@code x}. */
  private static void checkStartIndices(Operation op, Shape x, int first) {
    int count = op.operandCount() - first;
    if (count != x.rank()) {
      throw op.fail("needs " + x.rank() + " start indices (one per dimension of " + Operation.str(x) + "), got "
          + Math.max(count, 0));
    }
    Shape firstIndex = null;
    for (int i = first; i < op.operandCount(); i++) {
      Shape index = op.operand(i);
      if (!index.isScalar() || !index.elementType().isInteger()) {
        throw op.fail("start index " + (i - first) + " must be an integer scalar, got " + Operation.str(index));
      }
      if (firstIndex != null && index.elementType() != firstIndex.elementType()) {
        throw op.fail("start indices must all have one type, got " + Operation.str(firstIndex) + " and "
            + Operation.str(index));
      }
      firstIndex = index;
    }
  }

  /** {@code dimensions={d}}: operands agree on every dimension but {@code d}, whose sizes add up. */
  static Shape concatenate(Operation op) {
    if (op.operandCount() == 0) {
      throw op.fail("needs at least one operand");
    }
    long[] dims = op.require(Attr.DIMENSIONS);
    if (dims.length != 1) {
      throw op.fail("dimensions=" + Operation.list(dims) + " must name exactly one dimension");
    }
    Shape first = op.array(0, "operand 0");
    int d = op.dimensionList("dimensions", dims, first.rank())[0];
    int[] out = first.dimensions();
    for (int i = 1; i < op.operandCount(); i++) {
      Shape s = op.array(i, "operand " + i);
      op.requireSameElementType(first, "operand 0", s, "operand " + i);
      if (s.rank() != first.rank()) {
        throw op.fail("operand " + i + " " + Operation.str(s) + " and operand 0 " + Operation.str(first)
            + " differ in rank");
      }
      for (int k = 0; k < s.rank(); k++) {
        if (k != d && s.dimension(k) != first.dimension(k)) {
          throw op.fail("operand " + i + " " + Operation.str(s) + " and operand 0 " + Operation.str(first)
              + " differ in dimension " + k + ", which is not the concatenated dimension " + d);
        }
      }
      out[d] = Operation.isDynamic(out[d]) || s.isDynamicDimension(d) ? Shape.DYNAMIC : out[d] + s.dimension(d);
    }
    return Shape.array(first.elementType(), out);
  }

  /**
   * Each dimension becomes {@code low + high + size + max(size - 1, 0) * interior}; edge padding may
   * be negative (it cuts), interior padding may not, and no dimension may end up negative.
   */
  static Shape pad(Operation op) {
    Shape x = op.array(0, "operand");
    Shape value = op.array(1, "padding value");
    if (!value.isScalar()) {
      throw op.fail("padding value must be a scalar, got " + Operation.str(value));
    }
    op.requireSameElementType(x, "operand", value, "padding value");
    PaddingConfig config = op.require(Attr.PADDING);
    if (config.rank() != x.rank()) {
      throw op.fail("padding=" + config + " has " + config.rank() + " dimensions, operand " + Operation.str(x)
          + " has " + x.rank());
    }
    int[] out = new int[x.rank()];
    for (int d = 0; d < x.rank(); d++) {
      PaddingConfig.Dim p = config.dim(d);
      if (p.interior() < 0) {
        throw op.fail("interior padding " + p.interior() + " of dimension " + d + " is negative");
      }
      int size = x.dimension(d);
      if (Operation.isDynamic(size)) {
        out[d] = Shape.DYNAMIC;
        continue;
      }
      long padded = p.low() + p.high() + size + Math.max(size - 1L, 0L) * p.interior();
      if (padded < 0) {
        throw op.fail("padding " + p + " makes dimension " + d + " of " + Operation.str(x) + " negative ("
            + padded + ")");
      }
      out[d] = Math.toIntExact(padded);
    }
    return Shape.array(x.elementType(), out);
  }

  /**
   * {@code set-dimension-size(operand, size), dimensions={d}}: the operand's shape; the runtime
   * size of dimension d (an integer scalar) is metadata for XLA's dynamic padder.
   */
  static Shape setDimensionSize(Operation op) {
    Shape x = op.array(0, "operand");
    Shape size = op.array(1, "size");
    if (!size.isScalar() || !size.elementType().isInteger()) {
      throw op.fail("size must be an integer scalar, got " + Operation.str(size));
    }
    long[] dims = op.require(Attr.DIMENSIONS);
    if (dims.length != 1) {
      throw op.fail("dimensions must name exactly one dimension, got " + Operation.list(dims));
    }
    op.dimensionList("dimensions", dims, x.rank());
    return x.withoutLayout();
  }

  static Shape reverse(Operation op) {
    Shape x = op.array(0, "operand");
    op.dimensionList("dimensions", op.require(Attr.DIMENSIONS), x.rank());
    return x.withoutLayout();
  }
}
