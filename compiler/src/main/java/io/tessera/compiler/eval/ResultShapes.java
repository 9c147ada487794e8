package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Results of the evaluators that produce one array per operand (reduce, reduce-window, sort): the
 * dimensions are computed from the operand values, the element types come from the declared shape,
 * which is a tuple exactly when the instruction returns several arrays.
 */
final class ResultShapes {
  private ResultShapes() {}

  /**
   * The {@code n} array shapes the instruction declares: its shape, or the elements of its tuple.
   *
   * @throws IllegalArgumentException when the declared shape does not hold {@code n} arrays
   */
  static List<Shape> declaredArrays(Instruction instr, int n) {
    Shape shape = instr.shape();
    List<Shape> arrays = shape.isTuple() ? shape.tupleShapes() : List.of(shape);
    if (arrays.size() != n || arrays.stream().anyMatch(s -> !s.isArray())) {
      throw new IllegalArgumentException("declared shape " + shape + " does not hold " + n + " array"
          + (n == 1 ? "" : "s") + (n == 1 ? "" : " (a tuple)"));
    }
    return arrays;
  }

  /**
   * A zero literal of {@code declared}'s element type and the computed {@code dims}.
   *
   * @throws IllegalArgumentException when {@code declared} has other dimensions ({@code ?} matches any size)
   */
  static Literal allocate(Shape declared, int[] dims) {
    boolean matches = declared.rank() == dims.length;
    for (int d = 0; matches && d < dims.length; d++) {
      matches = declared.dimension(d) == dims[d] || declared.isDynamicDimension(d);
    }
    if (!matches) {
      throw new IllegalArgumentException("declared shape " + declared.toStringWithoutLayout()
          + " does not match the computed dimensions " + Arrays.toString(dims));
    }
    return Literal.zeros(Shape.array(declared.elementType(), dims));
  }

  /** The result value: the single array, or a tuple when the instruction declares a tuple. */
  static Literal pack(Instruction instr, List<Literal> arrays) {
    return instr.shape().isTuple() ? Literal.tuple(arrays) : arrays.get(0);
  }
}
