package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Window;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.ScalarOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code reduce-window} and {@code select-and-scatter}: a window slides over the input with
 * stride, padding and dilations, and each placement is visited as nested loops over the window.
 *
 * <p>Along one dimension, window position k of placement o lies at
 * {@code p = o * stride + k * window_dilation - pad_low} of the padded, base-dilated input; it
 * covers input element {@code p / base_dilation} when p is inside the dilated input and a
 * multiple of the base dilation, and padding or a hole otherwise. As in the interpreter, padding
 * and holes are skipped rather than folded as the init value (the same for the identity inits
 * frameworks emit), and positions are visited in row-major order over the window, so results
 * match it bit for bit.
 *
 * <p>Dynamic rows: along a dynamic dimension (the rows of a batched per-row window, which the
 * batching pass gives a window of size 1) the window must be the identity, size 1 and stride 1
 * with no padding or dilation, so placement o covers input row o and the output has the input's
 * rows; any other window there would need the row count to place it, and is refused.
 */
final class WindowEmitter {
  private WindowEmitter() {}

  /** The placements of a window over an array: output dimensions and, per placement and position, the input index. */
  private record Placement(Instruction instr, Window window, int[] inputDims, int[] outputDims, int[] windowSizes) {

    static Placement of(Instruction instr, int[] inputDims) {
      Window window = instr.requireAttr(Attr.WINDOW);
      int rank = inputDims.length;
      if (window.rank() != rank) {
        throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): window " + window + " has "
            + window.rank() + " dimension(s) for an operand of rank " + rank);
      }
      int[] out = new int[rank];
      int[] sizes = new int[rank];
      for (int d = 0; d < rank; d++) {
        Window.Dim w = window.dim(d);
        if (w.size() <= 0 || w.stride() <= 0 || w.baseDilation() <= 0 || w.windowDilation() <= 0 || w.reversal()) {
          throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): window " + window
              + " needs positive sizes, strides and dilations and no reversal");
        }
        if (inputDims[d] == Shape.DYNAMIC) {
          if (!isIdentity(w)) {
            throw new CompilationException("%" + instr.name() + " (" + instr.opcode().mnemonic() + "): a window of "
                + window + " along the dynamic dimension " + d + " is not supported: only size 1, stride 1, no"
                + " padding or dilation there");
          }
          out[d] = Shape.DYNAMIC;
          sizes[d] = 1;
          continue;
        }
        long dilatedBase = inputDims[d] == 0 ? 0 : (inputDims[d] - 1L) * w.baseDilation() + 1;
        long padded = dilatedBase + w.padLow() + w.padHigh();
        long dilatedWindow = (w.size() - 1) * w.windowDilation() + 1;
        out[d] = Math.toIntExact(padded < dilatedWindow ? 0 : (padded - dilatedWindow) / w.stride() + 1);
        sizes[d] = Math.toIntExact(w.size());
      }
      return new Placement(instr, window, inputDims, out, sizes);
    }

    private static boolean isIdentity(Window.Dim w) {
      return w.size() == 1 && w.stride() == 1 && w.padLow() == 0 && w.padHigh() == 0 && w.baseDilation() == 1
          && w.windowDilation() == 1;
    }

    /**
     * Emits {@code visit(inputIndex)} for every input element window position {@code k} covers at
     * placement {@code o}, inside a branch that skips padding and holes.
     */
    void forEachCovered(IrBuilder b, IrIndex o, Consumer<IrIndex> visit) {
      LoopEmitter.forEachIndex(b, "window", windowSizes, k -> {
        IrValue valid = IrValue.bool(true);
        IrValue[] idx = new IrValue[inputDims.length];
        for (int d = 0; d < inputDims.length; d++) {
          if (inputDims[d] == Shape.DYNAMIC) {
            idx[d] = o.get(d); // the identity window: placement o covers row o
            continue;
          }
          Window.Dim w = window.dim(d);
          long dilatedBase = inputDims[d] == 0 ? 0 : (inputDims[d] - 1L) * w.baseDilation() + 1;
          IrValue p = b.add(b.mul(o.get(d), IrValue.i64(w.stride())), b.mul(k.get(d), IrValue.i64(w.windowDilation())));
          p = b.sub(p, IrValue.i64(w.padLow()));
          IrValue inside = b.icmp("ult", p, IrValue.i64(dilatedBase)); // negative p is huge unsigned
          if (w.baseDilation() != 1) {
            IrValue step = IrValue.i64(w.baseDilation());
            inside = b.and(inside, b.icmp("eq", b.binop("urem", p, step), IrValue.i64(0)));
            p = b.binop("udiv", p, step);
          }
          valid = b.and(valid, inside);
          idx[d] = p;
        }
        String covered = b.newLabel("window.covered");
        String next = b.newLabel("window.next");
        b.condBr(valid, covered, next);
        b.startBlock(covered);
        b.enterScope();
        visit.accept(new IrIndex(idx, inputDims, null));
        b.exitScope();
        b.br(next);
        b.startBlock(next);
      });
    }
  }

  /** {@code reduce-window(inputs..., inits...), window=..., to_apply=f}. */
  static List<IrArray> reduceWindow(ComputationEmitter c, Instruction instr) {
    IrBuilder b = c.builder();
    int count = instr.operandCount();
    if (count == 0 || count % 2 != 0) {
      throw new CompilationException("%" + instr.name() + " (reduce-window): needs N inputs and N init values");
    }
    int n = count / 2;
    int[] dims = instr.operand(0).shape().dimensions();
    Computation reducer = instr.requireAttr(Attr.TO_APPLY);
    if (reducer.parameterCount() != 2 * n) {
      throw new CompilationException("%" + instr.name() + " (reduce-window): reducer " + reducer.name() + " takes "
          + reducer.parameterCount() + " parameters for " + n + " input(s)");
    }
    ElementType[] inputTypes = new ElementType[n];
    ElementType[] elementTypes = new ElementType[n];
    for (int k = 0; k < n; k++) {
      Instruction input = instr.operand(k);
      if (!Arrays.equals(input.shape().dimensions(), dims) || !instr.operand(n + k).shape().isScalar()) {
        throw new CompilationException("%" + instr.name() + " (reduce-window): inputs must share dimensions and"
            + " init values must be scalars");
      }
      inputTypes[k] = input.shape().elementType();
      elementTypes[k] = reducer.parameter(n + k).shape().elementType();
    }
    Placement placement = Placement.of(instr, dims);
    List<IrArray> outputs = c.outputs(instr);
    for (int k = 0; k < n; k++) {
      if (!Arrays.equals(outputs.get(k).shape().dimensions(), placement.outputDims())) {
        throw new CompilationException("%" + instr.name() + " (reduce-window): result " + outputs.get(k).shape()
            + " does not match the window's " + Arrays.toString(placement.outputDims()) + " placements");
      }
    }
    ElementalEmitter e = c.elemental();
    IrValue[] slots = new IrValue[n];
    for (int k = 0; k < n; k++) {
      slots[k] = b.alloca(IrTypes.valueType(outputs.get(k).elementType()));
    }
    LoopEmitter.forEachIndex(b, "reduce_window.out", placement.outputDims(), out -> {
      for (int k = 0; k < n; k++) {
        b.store(e.emit(instr.operand(n + k), IrIndex.scalar()), slots[k], 1);
      }
      placement.forEachCovered(b, out, in -> {
        List<IrValue> args = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          args.add(b.load(IrTypes.valueType(outputs.get(k).elementType()), slots[k], 1));
        }
        for (int k = 0; k < n; k++) {
          IrValue v = e.emit(instr.operand(k), in);
          // A reducer may take another float precision than the input (a bf16 input into an f32 sum).
          args.add(inputTypes[k] == elementTypes[k] ? v : ScalarOps.convert(b, inputTypes[k], elementTypes[k], v));
        }
        List<IrValue> result = ElementalEmitter.emitScalarComputation(b, reducer, args);
        if (result.size() != n) {
          throw new CompilationException("%" + instr.name() + " (reduce-window): reducer " + reducer.name()
              + " returns " + result.size() + " value(s) for " + n + " input(s)");
        }
        for (int k = 0; k < n; k++) {
          b.store(result.get(k), slots[k], 1);
        }
      });
      for (int k = 0; k < n; k++) {
        outputs.get(k).store(b, out, b.load(IrTypes.valueType(outputs.get(k).elementType()), slots[k], 1));
      }
    });
    return outputs;
  }

  /**
   * {@code select-and-scatter(operand, source, init), window=..., select=s, scatter=f}: the output
   * starts as init; for each source element, in row-major order, s picks one element of the
   * window's placement on the operand (the first covered one, replaced by each later element e for
   * which {@code s(selected, e)} is false) and the source value is combined into the output there,
   * {@code f(output, source)}. A placement covering only padding scatters nothing.
   */
  static IrArray selectAndScatter(ComputationEmitter c, Instruction instr) {
    IrBuilder b = c.builder();
    Instruction operandInstr = instr.operand(0);
    Instruction source = instr.operand(1);
    int[] dims = operandInstr.shape().dimensions();
    Placement placement = Placement.of(instr, dims);
    if (!Arrays.equals(placement.outputDims(), source.shape().dimensions()) || !instr.operand(2).shape().isScalar()) {
      throw new CompilationException("%" + instr.name() + " (select-and-scatter): source " + source.shape()
          + " does not match the window's " + Arrays.toString(placement.outputDims()) + " placements");
    }
    Computation select = instr.requireAttr(Attr.SELECT);
    Computation scatter = instr.requireAttr(Attr.SCATTER);
    IrArray operand = c.inMemory(c.arrayOf(operandInstr));
    IrArray output = c.output(instr, 0);
    ElementalEmitter e = c.elemental();
    ArrayValue initValue = c.arrayOf(instr.operand(2));
    if (initValue.shape().elementType() != output.elementType()) {
      throw new CompilationException("%" + instr.name() + " (select-and-scatter): init value of type "
          + initValue.shape().elementType() + " for a " + output.elementType() + " result");
    }
    IrValue init = initValue.at(b, IrIndex.scalar());
    LoopEmitter.forEachIndex(b, "select_scatter.init", dims, i -> output.store(b, i, init));

    String vt = IrTypes.valueType(operand.elementType());
    ElementType t = operand.elementType();
    IrValue zero = t.isFloat() ? IrValue.fpConst(vt, 0) : IrValue.intConst(vt, 0);
    IrValue haveSlot = b.alloca("i1");
    IrValue atSlot = b.alloca("i64");
    IrValue valueSlot = b.alloca(vt);
    LoopEmitter.forEachIndex(b, "select_scatter.src", placement.outputDims(), s -> {
      b.store(IrValue.bool(false), haveSlot, 1);
      b.store(IrValue.i64(0), atSlot, 8);
      b.store(zero, valueSlot, 1);
      placement.forEachCovered(b, s, in -> {
        IrValue linear = in.linear(b);
        IrValue candidate = operand.loadLinear(b, linear);
        IrValue have = b.load("i1", haveSlot, 1);
        IrValue selected = b.load(vt, valueSlot, 1);
        List<IrValue> keep = ElementalEmitter.emitScalarComputation(b, select, List.of(selected, candidate));
        if (keep.size() != 1 || !keep.get(0).type().equals("i1")) {
          throw new CompilationException("%" + instr.name() + " (select-and-scatter): select " + select.name()
              + " must return pred[]");
        }
        IrValue replace = b.or(b.xor(have, IrValue.bool(true)), b.xor(keep.get(0), IrValue.bool(true)));
        b.store(b.select(replace, linear, b.load("i64", atSlot, 8)), atSlot, 8);
        b.store(b.select(replace, candidate, selected), valueSlot, 1);
        b.store(IrValue.bool(true), haveSlot, 1);
      });
      String apply = b.newLabel("select_scatter.apply");
      String done = b.newLabel("select_scatter.done");
      b.condBr(b.load("i1", haveSlot, 1), apply, done);
      b.startBlock(apply);
      b.enterScope();
      IrValue at = b.load("i64", atSlot, 8);
      List<IrValue> combined = ElementalEmitter.emitScalarComputation(b, scatter,
          List.of(output.loadLinear(b, at), e.emit(source, s)));
      if (combined.size() != 1 || !combined.get(0).type().equals(vt)) {
        throw new CompilationException("%" + instr.name() + " (select-and-scatter): scatter " + scatter.name()
            + " must return a " + t + " scalar");
      }
      output.storeLinear(b, at, combined.get(0));
      b.exitScope();
      b.br(done);
      b.startBlock(done);
    });
    return output;
  }
}
