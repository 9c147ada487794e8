package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape rules of {@code reduce}, {@code reduce-window}, {@code select-and-scatter} and
 * {@code sort}, and the checks of the scalar computations they (and {@code scatter}) call.
 *
 * <p>Variadic forms follow XLA: {@code N} inputs then {@code N} init values; the reducer takes
 * {@code 2N} scalars (the accumulators, then the input elements) and returns a scalar when
 * {@code N = 1}, else an {@code N}-tuple of scalars; the result is then a tuple too.
 */
final class ReductionShapes {
  private ReductionShapes() {}

  static Shape reduce(Operation op) {
    int n = inputCount(op);
    List<Shape> inputs = sameDimensionInputs(op, n);
    List<ElementType> types = initTypes(op, inputs, n);
    Computation reducer = op.computation(Attr.TO_APPLY);
    checkReducer(op, "to_apply", reducer, types);
    Shape first = inputs.get(0);
    int[] reduced = op.dimensionList("dimensions", op.require(Attr.DIMENSIONS), first.rank());
    boolean[] isReduced = new boolean[first.rank()];
    for (int d : reduced) {
      isReduced[d] = true;
    }
    int[] kept = new int[first.rank() - reduced.length];
    for (int d = 0, k = 0; d < first.rank(); d++) {
      if (!isReduced[d]) {
        kept[k++] = first.dimension(d);
      }
    }
    List<Shape> results = new ArrayList<>();
    for (ElementType t : types) {
      results.add(Shape.array(t, kept));
    }
    return n == 1 ? results.get(0) : Shape.tuple(results);
  }

  static Shape reduceWindow(Operation op) {
    int n = inputCount(op);
    List<Shape> inputs = sameDimensionInputs(op, n);
    List<ElementType> types = initTypes(op, inputs, n);
    checkReducer(op, "to_apply", op.computation(Attr.TO_APPLY), types);
    Window window = op.optional(Attr.WINDOW, new Window(List.of()));
    int[] out = windowOutput(op, inputs.get(0).dimensions(), window);
    List<Shape> results = new ArrayList<>();
    for (ElementType t : types) {
      results.add(Shape.array(t, out));
    }
    return n == 1 ? results.get(0) : Shape.tuple(results);
  }

  /**
   * {@code select-and-scatter(operand, source, init)}: {@code select} picks one element of each
   * window of the operand ({@code (T, T) -> pred[]}), {@code scatter} combines the source values
   * that land on one operand element; the source has the shape of the windowed operand.
   */
  static Shape selectAndScatter(Operation op) {
    Shape x = op.array(0, "operand");
    Shape source = op.array(1, "source");
    Shape init = op.array(2, "init value");
    if (!init.isScalar()) {
      throw op.fail("init value must be a scalar, got " + Operation.str(init));
    }
    Computation select = op.computation(Attr.SELECT);
    Shape element = Shape.scalar(x.elementType());
    op.checkSignature("select", select, List.of(element, element), Shape.scalar(ElementType.PRED));
    op.requireSameElementType(source, "source", init, "init value");
    checkReducer(op, "scatter", op.computation(Attr.SCATTER), List.of(init.elementType()));
    Window window = op.optional(Attr.WINDOW, new Window(List.of()));
    Shape windowed = Shape.array(x.elementType(), windowOutput(op, x.dimensions(), window));
    if (!source.equalsIgnoringLayout(windowed)) {
      throw op.fail("source " + Operation.str(source) + " must have the shape of the windowed operand, "
          + Operation.str(windowed));
    }
    return x.withoutLayout();
  }

  /**
   * {@code sort(x0, ..., x(n-1)), dimensions={d}, to_apply=cmp}: operands agree in dimensions,
   * {@code cmp} compares two elements of each operand ({@code 2N} scalars) and returns pred[].
   */
  static Shape sort(Operation op) {
    if (op.operandCount() == 0) {
      throw op.fail("needs at least one operand");
    }
    List<Shape> inputs = sameDimensionInputs(op, op.operandCount());
    long[] dims = op.require(Attr.DIMENSIONS);
    if (dims.length != 1) {
      throw op.fail("dimensions=" + Operation.list(dims) + " must name exactly one dimension");
    }
    op.dimensionList("dimensions", dims, inputs.get(0).rank());
    List<Shape> params = new ArrayList<>();
    for (Shape s : inputs) {
      Shape element = Shape.scalar(s.elementType());
      params.add(element);
      params.add(element);
    }
    op.checkSignature("to_apply", op.computation(Attr.TO_APPLY), params, Shape.scalar(ElementType.PRED));
    if (inputs.size() == 1) {
      return inputs.get(0).withoutLayout();
    }
    return Shape.tuple(inputs.stream().map(Shape::withoutLayout).toList());
  }

  /** The number of reduced inputs: half the operands, which must be an even, non-zero count. */
  private static int inputCount(Operation op) {
    int count = op.operandCount();
    if (count == 0 || count % 2 != 0) {
      throw op.fail("takes N inputs and N init values, got " + count + " operand(s)");
    }
    return count / 2;
  }

  /** The first {@code n} operands: arrays of equal dimensions (element types may differ). */
  private static List<Shape> sameDimensionInputs(Operation op, int n) {
    List<Shape> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Shape s = op.array(i, "input " + i);
      if (i > 0 && !s.sameDimensions(inputs.get(0))) {
        throw op.fail("input " + i + " " + Operation.str(s) + " and input 0 " + Operation.str(inputs.get(0))
            + " differ in dimensions");
      }
      inputs.add(s);
    }
    return inputs;
  }

  /** Init value {@code i} (operand {@code n + i}) is a scalar of input {@code i}'s type. */
  private static List<ElementType> initTypes(Operation op, List<Shape> inputs, int n) {
    List<ElementType> types = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Shape init = op.array(n + i, "init value " + i);
      if (!init.isScalar()) {
        throw op.fail("init value " + i + " must be a scalar, got " + Operation.str(init));
      }
      op.requireSameElementType(inputs.get(i), "input " + i, init, "init value " + i);
      types.add(init.elementType());
    }
    return types;
  }

  /**
   * Checks a reducer over {@code types.size()} values: parameters {@code (T0..Tn-1, T0..Tn-1)} and
   * result {@code T0} (one value) or {@code (T0, ..., Tn-1)}, all scalars.
   */
  static void checkReducer(Operation op, String role, Computation reducer, List<ElementType> types) {
    List<Shape> params = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (ElementType t : types) {
        params.add(Shape.scalar(t));
      }
    }
    Shape result = types.size() == 1
        ? Shape.scalar(types.get(0))
        : Shape.tuple(types.stream().map(Shape::scalar).toList());
    op.checkSignature(role, reducer, params, result);
  }

  /**
   * The dimensions of a window applied to {@code base} (XLA's formula): the base is dilated
   * ({@code (b - 1) * baseDilation + 1}), padded on both edges, and the dilated window
   * ({@code (w - 1) * windowDilation + 1}) fits {@code (padded - window) / stride + 1} times.
   */
  static int[] windowOutput(Operation op, int[] base, Window window) {
    if (window.rank() != base.length) {
      throw op.fail("window " + window + " has " + window.rank() + " dimension(s), the base has " + base.length);
    }
    int[] out = new int[base.length];
    for (int i = 0; i < base.length; i++) {
      Window.Dim d = window.dim(i);
      if (d.size() <= 0 || d.stride() <= 0 || d.baseDilation() < 1 || d.windowDilation() < 1) {
        throw op.fail("window " + window + " dimension " + i + " needs a positive size and stride and dilations"
            + " of at least 1");
      }
      if (Operation.isDynamic(base[i])) {
        out[i] = Shape.DYNAMIC;
        continue;
      }
      long dilatedBase = base[i] == 0 ? 0 : (base[i] - 1L) * d.baseDilation() + 1;
      long padded = d.padLow() + dilatedBase + d.padHigh();
      long dilatedWindow = (d.size() - 1) * d.windowDilation() + 1;
      out[i] = padded < dilatedWindow ? 0 : Math.toIntExact((padded - dilatedWindow) / d.stride() + 1);
    }
    return out;
  }
}
