package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * XLA's scatter: {@code scatter(operand_0..N-1, scatter_indices, updates_0..N-1)} with a combiner
 * {@code to_apply} of 2N scalars (the N current values, then the N update values) returning a
 * scalar (N = 1) or an N-tuple. The result is a copy of the operands with every update element
 * combined into the element it addresses; a tuple when N > 1.
 *
 * <p>The update dimensions not in {@code update_window_dims} (the scatter dimensions) walk the
 * index vectors; for scatter position G the window start S is 0 except
 * {@code S[scatter_dims_to_operand_dims[k]] = scatter_indices[G, k]} and
 * {@code S[input_batching_dims[i]] = G[scatter_indices_batching_dims[i]]}. The window position W
 * fills the operand dimensions that are neither inserted nor batching, in order, and the update
 * element goes to {@code operand[S + W]}.
 *
 * <p>Unlike gather, nothing is clamped: when any part of a window would fall outside the operand
 * (some {@code S[d] < 0} or {@code S[d] + window_size[d] > operand_dim[d]}) the whole window is
 * skipped, as XLA's backends do. Updates are applied in row-major order of the scatter positions,
 * each window in row-major order, so with duplicate indices later updates see earlier ones.
 */
final class ScatterEvaluator {
  private ScatterEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    if (operands.size() < 3 || operands.size() % 2 == 0) {
      throw error(instr, "takes N operands, the indices and N updates; got " + operands.size() + " operands");
    }
    int n = operands.size() / 2;
    List<Literal> inputs = operands.subList(0, n);
    Literal scatterIndices = operands.get(n);
    List<Literal> updates = operands.subList(n + 1, 2 * n + 1);

    long[] updateWindowDims = GatherScatterEvaluator.listOrEmpty(instr, Attr.UPDATE_WINDOW_DIMS);
    long[] insertedWindowDims = GatherScatterEvaluator.listOrEmpty(instr, Attr.INSERTED_WINDOW_DIMS);
    long[] toOperandDims = GatherScatterEvaluator.listOrEmpty(instr, Attr.SCATTER_DIMS_TO_OPERAND_DIMS);
    long[] inputBatching = GatherScatterEvaluator.listOrEmpty(instr, Attr.INPUT_BATCHING_DIMS);
    long[] indicesBatching = GatherScatterEvaluator.listOrEmpty(instr, Attr.SCATTER_INDICES_BATCHING_DIMS);
    long indexVectorDim = GatherScatterEvaluator.indexVectorDim(instr);
    Computation combiner = instr.attr(Attr.TO_APPLY);
    if (combiner == null) {
      throw error(instr, "needs attribute " + Attr.TO_APPLY.name());
    }

    int[] operandDims = inputs.get(0).shape().dimensions();
    int[] updateDims = updates.get(0).shape().dimensions();
    checkOperandsAndUpdates(instr, inputs, updates);
    checkCombiner(instr, combiner, inputs);
    GatherScatterIndices indices = GatherScatterIndices.of(instr, scatterIndices, indexVectorDim);
    int[] batchSizes = indices.batchSizes();

    Offsets.checkedDimensions(toOperandDims, operandDims.length, "scatter_dims_to_operand_dims");
    if (toOperandDims.length != indices.vectorSize()) {
      throw error(instr, "scatter_dims_to_operand_dims has " + toOperandDims.length
          + " entries but the index vectors have " + indices.vectorSize() + " components");
    }
    GatherScatterEvaluator.checkBatching(instr, "input_batching_dims", inputBatching,
        "scatter_indices_batching_dims", indicesBatching, operandDims, scatterIndices.shape().dimensions(),
        indexVectorDim);
    int[] windowOperandDims = GatherScatterEvaluator.dimsNotIn(operandDims.length,
        insertedWindowDims, "inserted_window_dims", inputBatching, "input_batching_dims");
    int[] updateScatterDims = GatherScatterEvaluator.dimsNotIn(updateDims.length,
        updateWindowDims, "update_window_dims", new long[0], "");
    int[] windowUpdateDims = GatherScatterEvaluator.toInts(updateWindowDims);
    checkUpdateShape(instr, updateDims, updateScatterDims, batchSizes, windowUpdateDims, windowOperandDims,
        operandDims);

    // The extent of the update window along every operand dimension (1 where a dimension is
    // inserted or batching): what the bounds check uses.
    long[] windowSize = new long[operandDims.length];
    Arrays.fill(windowSize, 1);
    int[] windowShape = new int[windowOperandDims.length];
    for (int k = 0; k < windowOperandDims.length; k++) {
      windowShape[k] = updateDims[windowUpdateDims[k]];
      windowSize[windowOperandDims[k]] = windowShape[k];
    }
    int[] operandStrides = Indexing.strides(operandDims);
    int[] updateStrides = Indexing.strides(updateDims);
    int[][] offsets = GatherScatterEvaluator.windowOffsets(windowShape, windowOperandDims, operandStrides,
        windowUpdateDims, updateStrides);
    int[] inOperand = offsets[0];
    int[] inUpdate = offsets[1];

    List<Literal> results = new ArrayList<>(n);
    for (Literal input : inputs) {
      results.add(input.copy());
    }
    Combiner combine = new Combiner(instr, ScalarFunction.of(combiner, interpreter), updates, results);
    if (Indexing.count(batchSizes) > 0 && inOperand.length > 0) {
      long[] start = new long[operandDims.length];
      int[] batchIndex = new int[batchSizes.length];
      do {
        indices.operandStart(batchIndex, toOperandDims, inputBatching, indicesBatching, start);
        if (!windowInBounds(start, windowSize, operandDims)) {
          continue;
        }
        int operandBase = 0;
        for (int d = 0; d < operandDims.length; d++) {
          operandBase += (int) start[d] * operandStrides[d];
        }
        int updateBase = 0;
        for (int b = 0; b < batchIndex.length; b++) {
          updateBase += batchIndex[b] * updateStrides[updateScatterDims[b]];
        }
        for (int j = 0; j < inOperand.length; j++) {
          combine.apply(operandBase + inOperand[j], updateBase + inUpdate[j]);
        }
      } while (Indexing.next(batchIndex, batchSizes));
    }
    return n == 1 ? results.get(0) : Literal.tuple(results);
  }

  private static boolean windowInBounds(long[] start, long[] windowSize, int[] operandDims) {
    for (int d = 0; d < operandDims.length; d++) {
      if (start[d] < 0 || start[d] > operandDims[d] - windowSize[d]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the combiner on one (result element, update element) pair and stores its value. The
   * combiner is a {@link ScalarFunction}, so the common {@code add} runs directly on the storage
   * arrays; a variadic one is applied to scalar literals.
   */
  private static final class Combiner {
    private final Instruction scatter;
    private final ScalarFunction function;
    private final List<Literal> updates;
    private final List<Literal> results;

    Combiner(Instruction scatter, ScalarFunction function, List<Literal> updates, List<Literal> results) {
      this.scatter = scatter;
      this.function = function;
      this.updates = updates;
      this.results = results;
    }

    void apply(int resultIndex, int updateIndex) {
      try {
        if (results.size() == 1) {
          function.accumulate(results.get(0), resultIndex, updates.get(0), updateIndex);
        } else {
          applyVariadic(resultIndex, updateIndex);
        }
      } catch (EvaluationException e) {
        throw error(scatter, "to_apply=" + scatter.attr(Attr.TO_APPLY).name() + ": " + e.getMessage(), e);
      }
    }

    private void applyVariadic(int resultIndex, int updateIndex) {
      int n = results.size();
      Literal[] accumulators = new Literal[n];
      Literal[] elements = new Literal[n];
      for (int i = 0; i < n; i++) {
        accumulators[i] = results.get(i).scalarAt(resultIndex);
        elements[i] = updates.get(i).scalarAt(updateIndex);
      }
      Literal[] values = function.apply(accumulators, elements);
      for (int i = 0; i < n; i++) {
        results.get(i).copyElement(values[i], 0, resultIndex);
      }
    }
  }

  private static void checkOperandsAndUpdates(Instruction instr, List<Literal> inputs, List<Literal> updates) {
    Shape operandShape = inputs.get(0).shape();
    Shape updateShape = updates.get(0).shape();
    for (int i = 0; i < inputs.size(); i++) {
      Shape op = inputs.get(i).shape();
      Shape up = updates.get(i).shape();
      if (!op.sameDimensions(operandShape) || !up.sameDimensions(updateShape)) {
        throw error(instr, "all operands must have the dimensions of the first, and all updates likewise; operand "
            + i + " is " + op.toStringWithoutLayout() + ", update " + i + " is " + up.toStringWithoutLayout());
      }
      if (op.elementType() != up.elementType()) {
        throw error(instr, "update " + i + " has element type " + up.elementType() + " but operand " + i + " has "
            + op.elementType());
      }
    }
  }

  /** The combiner takes 2N scalars of the operand types and returns a scalar (N = 1) or an N-tuple. */
  private static void checkCombiner(Instruction instr, Computation combiner, List<Literal> inputs) {
    int n = inputs.size();
    List<Shape> params = combiner.parameterShapes();
    if (params.size() != 2 * n) {
      throw error(instr, "to_apply=" + combiner.name() + " takes " + params.size() + " parameters; a scatter of "
          + n + " operand(s) passes " + 2 * n + " scalars");
    }
    for (int p = 0; p < 2 * n; p++) {
      Shape expected = Shape.scalar(inputs.get(p % n).elementType());
      if (!params.get(p).equalsIgnoringLayout(expected)) {
        throw error(instr, "to_apply=" + combiner.name() + " parameter " + p + " is "
            + params.get(p).toStringWithoutLayout() + ", expected " + expected);
      }
    }
    Shape root = combiner.resultShape();
    boolean ok;
    if (root.isTuple()) {
      ok = root.tupleShapes().size() == n;
      for (int i = 0; ok && i < n; i++) {
        ok = root.tupleShape(i).equalsIgnoringLayout(Shape.scalar(inputs.get(i).elementType()));
      }
    } else {
      ok = n == 1 && root.equalsIgnoringLayout(Shape.scalar(inputs.get(0).elementType()));
    }
    if (!ok) {
      throw error(instr, "to_apply=" + combiner.name() + " returns " + root.toStringWithoutLayout()
          + ", expected " + (n == 1 ? "a scalar" : "a tuple of " + n + " scalars") + " of the operand type(s)");
    }
  }

  private static void checkUpdateShape(Instruction instr, int[] updateDims, int[] updateScatterDims,
                                       int[] batchSizes, int[] windowUpdateDims, int[] windowOperandDims,
                                       int[] operandDims) {
    if (updateScatterDims.length != batchSizes.length || windowUpdateDims.length != windowOperandDims.length) {
      throw error(instr, "updates have " + updateScatterDims.length + " scatter and " + windowUpdateDims.length
          + " window dimensions; the indices give " + batchSizes.length
          + " scatter dimensions and the operand window spans " + windowOperandDims.length);
    }
    for (int b = 0; b < batchSizes.length; b++) {
      if (updateDims[updateScatterDims[b]] != batchSizes[b]) {
        throw error(instr, "update scatter dimension " + updateScatterDims[b] + " has size "
            + updateDims[updateScatterDims[b]] + " but the indices give " + batchSizes[b]);
      }
    }
    for (int k = 0; k < windowUpdateDims.length; k++) {
      if (updateDims[windowUpdateDims[k]] > operandDims[windowOperandDims[k]]) {
        throw error(instr, "update window dimension " + windowUpdateDims[k] + " of size "
            + updateDims[windowUpdateDims[k]] + " is larger than operand dimension " + windowOperandDims[k]
            + " of size " + operandDims[windowOperandDims[k]]);
      }
    }
  }
}
