package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The value of a {@code reduce} at one output element, as a loop over the reduced dimensions in
 * row-major order that folds the inputs (computed elementally) into accumulators with the
 * reducer: the "one thread per output element" reduction, for any reduced dimensions and any
 * number of inputs (a variadic reduce yields one value per input).
 *
 * <p>On the GPU, threads of a warp compute adjacent output elements; when the kept dimensions are
 * the input's innermost (a column reduction, {@code f32[rows, cols] -> f32[cols]}), their loads in
 * each iteration are adjacent input elements and coalesce. Reductions of the trailing dimensions
 * go to {@link RowReductionEmitter} instead, which spreads a row over a block.
 */
final class ReduceLoop {
  private ReduceLoop() {}

  /**
   * Emits the fold of {@code reduce} for output index {@code out}, reading its inputs and initial
   * values through {@code inputs}; returns one value per input.
   */
  static List<IrValue> emit(IrBuilder b, ElementalEmitter inputs, Instruction reduce, IrIndex out) {
    int n = reduce.operandCount() / 2;
    int[] inDims = reduce.operand(0).shape().dimensions();
    boolean[] reduced = new boolean[inDims.length];
    for (long d : reduce.requireAttr(Attr.DIMENSIONS)) {
      if (d < 0 || d >= inDims.length || reduced[(int) d]) {
        throw new CompilationException("%" + reduce.name() + " (reduce): bad dimensions="
            + Arrays.toString(reduce.requireAttr(Attr.DIMENSIONS)));
      }
      reduced[(int) d] = true;
    }
    int[] reducedSizes = java.util.stream.IntStream.range(0, inDims.length).filter(d -> reduced[d])
        .map(d -> inDims[d]).toArray();
    List<IrValue> slots = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      String type = IrTypes.valueType(reduce.operand(k).shape().elementType());
      IrValue slot = b.alloca(type);
      b.store(inputs.emit(reduce.operand(n + k), IrIndex.scalar()), slot, 1);
      slots.add(slot);
      types.add(type);
    }
    LoopEmitter.forEachIndex(b, "reduce", reducedSizes, r -> {
      IrValue[] idx = new IrValue[inDims.length];
      for (int d = 0, kept = 0, gone = 0; d < inDims.length; d++) {
        idx[d] = reduced[d] ? r.get(gone++) : out.get(kept++);
      }
      IrIndex in = new IrIndex(idx, inDims, null);
      List<IrValue> args = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        args.add(b.load(types.get(k), slots.get(k), 1));
      }
      for (int k = 0; k < n; k++) {
        args.add(inputs.emit(reduce.operand(k), in));
      }
      List<IrValue> next = ElementalEmitter.emitScalarComputation(b, reduce.calledComputations().get(0), args);
      for (int k = 0; k < n; k++) {
        b.store(next.get(k), slots.get(k), 1);
      }
    });
    List<IrValue> values = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      values.add(b.load(types.get(k), slots.get(k), 1));
    }
    return values;
  }
}
