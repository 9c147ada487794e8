package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates {@code reduce-window(inputs..., inits...), window={...}, to_apply=f}: like reduce, but
 * each output element folds the input elements one placement of the window covers (see
 * {@link WindowTaps} for stride, padding and dilations). Positions in the padding, and holes left
 * by base dilation, are skipped, which is what "padded with the init value" means for the
 * reducers XLA expects (the init value is the reducer's identity).
 *
 * <p>Accumulation order: each output starts from the init values and folds the covered elements
 * in row-major order over the window.
 */
final class ReduceWindowEvaluator {
  private ReduceWindowEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    if (operands.isEmpty() || operands.size() % 2 != 0) {
      throw new IllegalArgumentException("reduce-window takes N inputs and N init values, got "
          + operands.size() + " operands");
    }
    int n = operands.size() / 2;
    List<Literal> inputs = operands.subList(0, n);
    List<Literal> inits = operands.subList(n, 2 * n);
    int[] dims = ReduceEvaluator.sameDimensions(inputs);
    WindowTaps taps = WindowTaps.of(instr.requireAttr(Attr.WINDOW), dims);

    int[] outDims = taps.outputDimensions();
    List<Literal> outputs = new ArrayList<>(n);
    for (Shape shape : ResultShapes.declaredArrays(instr, n)) {
      outputs.add(ResultShapes.allocate(shape, outDims));
    }

    ScalarFunction reducer = ScalarFunction.of(instr.requireAttr(Attr.TO_APPLY), interpreter);
    Fold fold = Fold.of(reducer, inputs, inits, outputs);
    int[] covered = new int[taps.windowElementCount()];
    int[] outIndex = new int[outDims.length];
    int outCount = Indexing.count(outDims);
    for (int o = 0; o < outCount; o++) {
      int count = taps.inputsOf(outIndex, covered);
      fold.reset();
      for (int i = 0; i < count; i++) {
        fold.add(covered[i]);
      }
      fold.store(o);
      Indexing.next(outIndex, outDims);
    }
    return ResultShapes.pack(instr, outputs);
  }
}
