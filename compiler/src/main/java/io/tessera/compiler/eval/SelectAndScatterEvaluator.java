package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates {@code select-and-scatter(operand, source, init), window={...}, select=s, scatter=f},
 * the gradient of a pooling reduce-window. The output has the operand's shape and starts as
 * {@code init} everywhere. For each source element, in row-major order, the window is placed on
 * the operand as reduce-window would place it for that output position; {@code s} picks one
 * covered element, and the source value is combined into the output there with {@code f}.
 *
 * <p>Selection, as XLA iterates: the first covered element (row-major over the window) is
 * selected; each later element {@code e} replaces the selected one {@code x} when
 * {@code s(x, e)} is false. With {@code s = GE} the first maximum wins. Padding is never
 * selected; a window that covers only padding scatters nothing.
 *
 * <p>Scatter order: the output value is {@code f(output, source)}, accumulator first, as XLA's
 * CPU and GPU emitters call it (XLA's own HloEvaluator passes {@code (source, output)}; the two
 * agree for the commutative {@code add} every framework emits).
 */
final class SelectAndScatterEvaluator {
  private SelectAndScatterEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    Literal operand = operands.get(0);
    Literal source = operands.get(1);
    Literal init = operands.get(2);
    int[] dims = operand.shape().dimensions();
    WindowTaps taps = WindowTaps.of(instr.requireAttr(Attr.WINDOW), dims);
    int[] sourceDims = source.shape().dimensions();
    if (!Arrays.equals(taps.outputDimensions(), sourceDims)) {
      throw new IllegalArgumentException("source has shape " + source.shape().toStringWithoutLayout()
          + " but the window places " + Arrays.toString(taps.outputDimensions()) + " windows on the operand");
    }
    Literal output = ResultShapes.allocate(ResultShapes.declaredArrays(instr, 1).get(0), dims);
    ScalarFunction scatter = ScalarFunction.of(instr.requireAttr(Attr.SCATTER), interpreter);
    checkScatterTypes(scatter, output, source, init);
    ElementComparator select = ElementComparator.of(instr.requireAttr(Attr.SELECT), interpreter, List.of(operand));

    for (int i = 0; i < output.elementCount(); i++) {
      output.copyElement(init, 0, i);
    }
    int[] covered = new int[taps.windowElementCount()];
    int[] sourceIndex = new int[sourceDims.length];
    int sourceCount = source.elementCount();
    for (int s = 0; s < sourceCount; s++) {
      int count = taps.inputsOf(sourceIndex, covered);
      if (count > 0) {
        int selected = covered[0];
        for (int i = 1; i < count; i++) {
          if (!select.test(selected, covered[i])) {
            selected = covered[i];
          }
        }
        scatter.accumulate(output, selected, source, s);
      }
      Indexing.next(sourceIndex, sourceDims);
    }
    return output;
  }

  private static void checkScatterTypes(ScalarFunction scatter, Literal output, Literal source, Literal init) {
    if (scatter.arity() != 1) {
      throw new IllegalArgumentException("scatter computation takes " + 2 * scatter.arity() + " parameters; it must take 2");
    }
    if (!init.shape().isScalar() || init.elementType() != output.elementType()) {
      throw new IllegalArgumentException("init value has shape " + init.shape() + "; it must be a "
          + output.elementType() + " scalar");
    }
    if (scatter.accumulatorType(0) != output.elementType() || scatter.elementType(0) != source.elementType()) {
      throw new IllegalArgumentException("scatter computation takes (" + scatter.accumulatorType(0) + ", "
          + scatter.elementType(0) + ") but the output is " + output.elementType() + " and the source " + source.elementType());
    }
  }
}
