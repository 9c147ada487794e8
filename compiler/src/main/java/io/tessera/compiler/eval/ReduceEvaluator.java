package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates {@code reduce(inputs..., inits...), dimensions={...}, to_apply=f}: {@code N} arrays of
 * the same dimensions and {@code N} scalar init values; each output element folds every input
 * element along the reduced dimensions into {@code N} accumulators with {@code f}. The result
 * keeps the other dimensions in order, and is a tuple when {@code N > 1}.
 *
 * <p>Accumulation order (XLA leaves it unspecified, which matters for floats): each output element
 * starts from the init values and applies {@code f(accumulators, element)} to the elements in
 * row-major order over the reduced dimensions, the last reduced dimension varying fastest. With
 * no reduced dimensions every output is {@code f(init, element)}; with an empty reduced extent it
 * is the init value.
 */
final class ReduceEvaluator {
  private ReduceEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    if (operands.isEmpty() || operands.size() % 2 != 0) {
      throw new IllegalArgumentException("reduce takes N inputs and N init values, got " + operands.size() + " operands");
    }
    int n = operands.size() / 2;
    List<Literal> inputs = operands.subList(0, n);
    List<Literal> inits = operands.subList(n, 2 * n);
    int[] dims = sameDimensions(inputs);
    int[] reduced = Offsets.checkedDimensions(instr.requireAttr(Attr.DIMENSIONS), dims.length, "dimensions");
    int[] kept = Offsets.complement(dims.length, reduced);

    int[] outDims = new int[kept.length];
    for (int i = 0; i < kept.length; i++) {
      outDims[i] = dims[kept[i]];
    }
    List<Shape> declared = ResultShapes.declaredArrays(instr, n);
    List<Literal> outputs = new ArrayList<>(n);
    for (Shape shape : declared) {
      outputs.add(ResultShapes.allocate(shape, outDims));
    }

    ScalarFunction reducer = ScalarFunction.of(instr.requireAttr(Attr.TO_APPLY), interpreter);
    Fold fold = Fold.of(reducer, inputs, inits, outputs);
    // Kept dimensions ascending are exactly the output's row-major order.
    int[] bases = Offsets.over(dims, kept);
    int[] window = Offsets.over(dims, reduced);
    for (int o = 0; o < bases.length; o++) {
      fold.reset();
      int base = bases[o];
      for (int offset : window) {
        fold.add(base + offset);
      }
      fold.store(o);
    }
    return ResultShapes.pack(instr, outputs);
  }

  /** The common dimensions of {@code arrays}; throws when they differ. */
  static int[] sameDimensions(List<Literal> arrays) {
    Shape first = arrays.get(0).shape();
    if (first.isTuple()) {
      throw new IllegalArgumentException("operand 0 is a tuple " + first + ", not an array");
    }
    for (int k = 1; k < arrays.size(); k++) {
      if (!arrays.get(k).shape().sameDimensions(first)) {
        throw new IllegalArgumentException("operand " + k + " has shape " + arrays.get(k).shape().toStringWithoutLayout()
            + " but operand 0 has shape " + first.toStringWithoutLayout() + "; the arrays must have the same dimensions");
      }
    }
    return first.dimensions();
  }
}
