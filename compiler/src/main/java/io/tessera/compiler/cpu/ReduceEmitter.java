package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Emits {@code reduce} (one or several inputs, any reducer) into output buffers, reading its
 * inputs elementally, so an elementwise chain feeding a reduction needs no buffer of its own.
 *
 * <p>Two loop orders, chosen so the innermost loop runs over contiguous memory:
 * <ul>
 *   <li>the last input dimension is reduced ("row" reduction): for each output element, an
 *       accumulator (a register after mem2reg) runs over the reduced dimensions;
 *   <li>the last input dimension is kept ("column" reduction): outputs are set to the init
 *       values, then the input is walked in row-major order, each element combined into its
 *       output element; the inner loop updates consecutive outputs independently.
 * </ul>
 * XLA leaves the order in which a reduction combines elements unspecified, so a reducer that is
 * a single float add, multiply, maximum or minimum is emitted with the {@code reassoc} flag,
 * which lets LLVM's loop vectorizer keep several partial results (results then differ from a
 * sequential sum by rounding only).
 */
final class ReduceEmitter {
  private ReduceEmitter() {}

  static void emit(IrBuilder b, ElementalEmitter e, Instruction reduce, List<IrArray> outputs) {
    emit(b, e, reduce, outputs, null);
  }

  /**
   * Emits {@code reduce}; a non-null {@code firstInput} gets each element of the first input, with
   * its index, once, as the loops compute it (to write that input to memory on the way).
   */
  static void emit(IrBuilder b, ElementalEmitter e, Instruction reduce, List<IrArray> outputs,
                   BiConsumer<IrIndex, IrValue> firstInput) {
    int n = reduce.operandCount() / 2;
    if (n == 0 || reduce.operandCount() % 2 != 0 || outputs.size() != n) {
      throw new CompilationException("%" + reduce.name() + " (reduce) needs inputs and as many init values, got "
          + reduce.operandCount() + " operands");
    }
    int[] inDims = reduce.operand(0).shape().dimensions();
    ElementType[] types = new ElementType[n];
    for (int k = 0; k < n; k++) {
      Instruction input = reduce.operand(k);
      Instruction init = reduce.operand(n + k);
      if (!input.shape().isArray() || !Arrays.equals(input.shape().dimensions(), inDims)) {
        throw new CompilationException("%" + reduce.name() + " (reduce): inputs have different shapes");
      }
      if (!init.shape().isScalar() || init.shape().elementType() != input.shape().elementType()) {
        throw new CompilationException("%" + reduce.name() + " (reduce): init value %" + init.name() + " must be a "
            + input.shape().elementType() + " scalar");
      }
      types[k] = input.shape().elementType();
    }
    boolean[] reduced = new boolean[inDims.length];
    for (long d : reduce.requireAttr(Attr.DIMENSIONS)) {
      if (d < 0 || d >= inDims.length || reduced[(int) d]) {
        throw new CompilationException("%" + reduce.name() + " (reduce): bad dimensions="
            + Arrays.toString(reduce.requireAttr(Attr.DIMENSIONS)));
      }
      reduced[(int) d] = true;
    }
    List<Integer> kept = new ArrayList<>();
    List<Integer> gone = new ArrayList<>();
    for (int d = 0; d < inDims.length; d++) {
      (reduced[d] ? gone : kept).add(d);
    }
    int[] outDims = kept.stream().mapToInt(d -> inDims[d]).toArray();
    int[] reducedDims = gone.stream().mapToInt(d -> inDims[d]).toArray();
    for (int k = 0; k < n; k++) {
      if (!Arrays.equals(outputs.get(k).shape().dimensions(), outDims) || outputs.get(k).elementType() != types[k]) {
        throw new CompilationException("%" + reduce.name() + " (reduce): output " + k + " has shape "
            + outputs.get(k).shape() + ", expected " + types[k] + Arrays.toString(outDims));
      }
    }
    Computation reducer = reduce.requireAttr(Attr.TO_APPLY);
    Reduction r = new Reduction(b, e, reduce, reducer, n, types, isReassociable(reducer, types), firstInput);
    if (inDims.length == 0 || reduced[inDims.length - 1]) {
      rowReduce(b, r, outputs, inDims, kept, gone, outDims, reducedDims);
    } else {
      columnReduce(b, r, outputs, inDims, kept, outDims);
    }
  }

  /** One reduce instruction's inputs, inits and reducer. */
  private record Reduction(IrBuilder b, ElementalEmitter e, Instruction reduce, Computation reducer, int n,
                           ElementType[] types, boolean reassociable, BiConsumer<IrIndex, IrValue> firstInput) {

    IrValue init(int k) {
      return e.emit(reduce.operand(n + k), IrIndex.scalar());
    }

    IrValue input(int k, IrIndex index) {
      IrValue v = e.emit(reduce.operand(k), index);
      if (k == 0 && firstInput != null) {
        firstInput.accept(index, v);
      }
      return v;
    }

    List<IrValue> combine(List<IrValue> accumulators, List<IrValue> values) {
      List<IrValue> args = new ArrayList<>(accumulators);
      args.addAll(values);
      String old = b.fpFlags();
      if (reassociable && !old.contains("reassoc")) {
        b.setFpFlags((old + " reassoc").trim());
      }
      List<IrValue> results;
      try {
        results = ElementalEmitter.emitScalarComputation(b, reducer, args);
      } finally {
        b.setFpFlags(old);
      }
      if (results.size() != n) {
        throw new CompilationException("%" + reduce.name() + " (reduce): reducer " + reducer.name() + " returns "
            + results.size() + " value(s) for " + n + " input(s)");
      }
      for (int k = 0; k < n; k++) {
        if (!results.get(k).type().equals(IrTypes.valueType(types[k]))) {
          throw new CompilationException("%" + reduce.name() + " (reduce): reducer " + reducer.name()
              + " returns the wrong type for input " + k);
        }
      }
      return results;
    }
  }

  private static void rowReduce(IrBuilder b, Reduction r, List<IrArray> outputs, int[] inDims, List<Integer> kept,
                                List<Integer> gone, int[] outDims, int[] reducedDims) {
    IrValue[] slots = new IrValue[r.n()];
    for (int k = 0; k < r.n(); k++) {
      slots[k] = b.alloca(IrTypes.valueType(r.types()[k]));
    }
    LoopEmitter.forEachIndex(b, "reduce.out", outDims, out -> {
      for (int k = 0; k < r.n(); k++) {
        b.store(r.init(k), slots[k], 1);
      }
      LoopEmitter.forEachIndex(b, "reduce.in", reducedDims, inner -> {
        IrValue[] idx = new IrValue[inDims.length];
        for (int j = 0; j < kept.size(); j++) {
          idx[kept.get(j)] = out.get(j);
        }
        for (int j = 0; j < gone.size(); j++) {
          idx[gone.get(j)] = inner.get(j);
        }
        IrIndex in = new IrIndex(idx, inDims, null);
        List<IrValue> accs = new ArrayList<>();
        List<IrValue> values = new ArrayList<>();
        for (int k = 0; k < r.n(); k++) {
          accs.add(b.load(IrTypes.valueType(r.types()[k]), slots[k], 1));
          values.add(r.input(k, in));
        }
        List<IrValue> results = r.combine(accs, values);
        for (int k = 0; k < r.n(); k++) {
          b.store(results.get(k), slots[k], 1);
        }
      });
      for (int k = 0; k < r.n(); k++) {
        outputs.get(k).store(b, out, b.load(IrTypes.valueType(r.types()[k]), slots[k], 1));
      }
    });
  }

  private static void columnReduce(IrBuilder b, Reduction r, List<IrArray> outputs, int[] inDims, List<Integer> kept,
                                   int[] outDims) {
    LoopEmitter.forEachIndex(b, "reduce.init", outDims, out -> {
      for (int k = 0; k < r.n(); k++) {
        outputs.get(k).store(b, out, r.init(k));
      }
    });
    LoopEmitter.forEachIndex(b, "reduce.in", inDims, in -> {
      IrValue[] idx = new IrValue[kept.size()];
      for (int j = 0; j < kept.size(); j++) {
        idx[j] = in.get(kept.get(j));
      }
      IrIndex out = new IrIndex(idx, outDims, null);
      List<IrValue> accs = new ArrayList<>();
      List<IrValue> values = new ArrayList<>();
      for (int k = 0; k < r.n(); k++) {
        accs.add(outputs.get(k).load(b, out));
        values.add(r.input(k, in));
      }
      List<IrValue> results = r.combine(accs, values);
      for (int k = 0; k < r.n(); k++) {
        outputs.get(k).store(b, out, results.get(k));
      }
    });
  }

  /**
   * A reducer that is one float add, multiply, maximum or minimum of its two parameters, on f32
   * or f64: the combination order may then change freely.
   */
  private static boolean isReassociable(Computation reducer, ElementType[] types) {
    if (types.length != 1 || (types[0] != ElementType.F32 && types[0] != ElementType.F64)) {
      return false;
    }
    Instruction root = reducer.root();
    boolean simpleOp = switch (root.opcode()) {
      case ADD, MULTIPLY, MAXIMUM, MINIMUM -> true;
      default -> false;
    };
    return simpleOp && reducer.parameterCount() == 2
        && root.operand(0).opcode() == Opcode.PARAMETER && root.operand(1).opcode() == Opcode.PARAMETER
        && root.operand(0) != root.operand(1);
  }
}
