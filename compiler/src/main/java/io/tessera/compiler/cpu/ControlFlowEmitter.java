package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code while} and {@code conditional} as native loops and branches: the called computations
 * are emitted inline, as blocks of the kernel function, by nested {@link ComputationEmitter}s.
 *
 * <p>A loop keeps its state in buffers, one per leaf of the state tuple. Each iteration runs the
 * condition on the state, then the body, whose new values are all computed before any state buffer
 * is overwritten (a body may read any old value while computing any new one): scalars into
 * registers, arrays into temporaries (or the buffer a body instruction already wrote), then
 * copied. Two kinds of leaves avoid the copy: those the body passes through unchanged (the
 * weights of a recurrent loop), which are never copied and may stay in the caller's buffer, and
 * those the body updates with one {@code dynamic-update-slice} that can write in place
 * ({@link InPlaceUpdates}), which cost one slice per iteration instead of the whole array.
 */
final class ControlFlowEmitter {
  private ControlFlowEmitter() {}

  static List<ArrayValue> emitWhile(ComputationEmitter c, Instruction loop) {
    IrBuilder b = c.builder();
    Computation condition = loop.requireAttr(Attr.CONDITION);
    Computation body = loop.requireAttr(Attr.BODY);
    if (condition.parameterCount() != 1 || body.parameterCount() != 1) {
      throw new CompilationException("%" + loop.name() + " (while): condition and body must take one parameter");
    }
    List<ArrayValue> init = c.valueOf(loop.operand(0));
    int n = init.size();
    List<ComputationEmitter.LeafRef> next = ComputationEmitter.resolveLeaves(body.root());
    if (next.size() != n) {
      throw new CompilationException("%" + loop.name() + " (while): body " + body.name() + " returns "
          + body.root().shape() + " for a state of shape " + loop.operand(0).shape());
    }
    Instruction param = body.parameter(0);
    boolean[] invariant = new boolean[n];
    List<ArrayValue> state = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      invariant[k] = next.get(k).equals(new ComputationEmitter.LeafRef(param, k));
      if (invariant[k] && init.get(k).inMemory()) {
        state.add(init.get(k)); // never written: the loop reads the caller's buffer
      } else {
        IrArray buffer = c.output(loop, k);
        c.store(init.get(k), buffer);
        state.add(ArrayValue.inMemory(buffer));
      }
    }
    InPlaceUpdates.Update[] inPlace = InPlaceUpdates.find(body);

    String header = b.newLabel("while.header");
    String bodyLabel = b.newLabel("while.body");
    String exit = b.newLabel("while.exit");
    b.br(header);
    b.startBlock(header);
    b.enterScope();
    List<ArrayValue> go = c.emitCalled(condition, List.of(state));
    if (go.size() != 1 || go.get(0).shape().elementType() != ElementType.PRED || go.get(0).shape().rank() != 0) {
      throw new CompilationException("%" + loop.name() + " (while): condition " + condition.name()
          + " must return pred[]");
    }
    IrValue more = go.get(0).at(b, IrIndex.scalar());
    b.exitScope();
    b.condBr(more, bodyLabel, exit);

    b.startBlock(bodyLabel);
    b.enterScope();
    List<ArrayValue> updated = c.emitCalled(body, List.of(state));
    updateState(c, loop, state, updated, invariant, inPlace);
    b.exitScope();
    b.br(header);
    b.startBlock(exit);
    return state;
  }

  /** Moves the body's results into the state: every new value is computed before any old one is overwritten. */
  private static void updateState(ComputationEmitter c, Instruction loop, List<ArrayValue> state,
                                  List<ArrayValue> updated, boolean[] invariant, InPlaceUpdates.Update[] inPlace) {
    IrBuilder b = c.builder();
    List<Runnable> writes = new ArrayList<>();
    for (int k = 0; k < state.size(); k++) {
      ArrayValue value = updated.get(k);
      IrArray target = state.get(k).buffer();
      if (invariant[k] || value.equals(state.get(k))) {
        continue;
      }
      if (inPlace[k] != null && inPlace[k].matches(value)) {
        // Reads of the old state at the written positions happen in the same iteration of the slice loop.
        inPlace[k].emit(b, value, target);
        continue;
      }
      if (value.inMemory() && !isStateBuffer(value.buffer(), state)) {
        writes.add(() -> ComputationEmitter.copy(b, value.buffer(), target));
      } else if (value.shape().rank() == 0) {
        IrValue scalar = value.at(b, IrIndex.scalar());
        writes.add(() -> target.store(b, IrIndex.scalar(), scalar));
      } else {
        IrArray fresh = c.temp(loop.name() + ".next", value.shape());
        c.store(value, fresh);
        writes.add(() -> ComputationEmitter.copy(b, fresh, target));
      }
    }
    writes.forEach(Runnable::run);
  }

  private static boolean isStateBuffer(IrArray buffer, List<ArrayValue> state) {
    for (ArrayValue s : state) {
      if (s.buffer() == buffer) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code conditional(pred, t_arg, f_arg)} or {@code conditional(index, args...)}: a branch or a
   * switch whose arms run the chosen computation and write its result into the conditional's
   * buffers; an index out of range takes the last branch, as XLA specifies.
   */
  static List<ArrayValue> emitConditional(ComputationEmitter c, Instruction instr) {
    IrBuilder b = c.builder();
    List<Computation> branches = instr.attr(Attr.BRANCH_COMPUTATIONS);
    boolean predicated = branches == null;
    if (predicated) {
      branches = List.of(instr.requireAttr(Attr.TRUE_COMPUTATION), instr.requireAttr(Attr.FALSE_COMPUTATION));
    }
    ArrayValue selectorValue = c.arrayOf(instr.operand(0));
    ElementType selectorType = selectorValue.shape().elementType();
    if (selectorValue.shape().rank() != 0 || (predicated ? selectorType != ElementType.PRED : !selectorType.isInteger())
        || instr.operandCount() != branches.size() + 1 || branches.isEmpty()) {
      throw new CompilationException("%" + instr.name() + " (conditional): needs a " + (predicated ? "pred" : "s32")
          + " scalar selector and one operand per branch (" + branches.size() + ")");
    }
    List<IrArray> outputs = c.outputs(instr);
    IrValue selector = selectorValue.at(b, IrIndex.scalar());
    String merge = b.newLabel("cond.merge");
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < branches.size(); i++) {
      labels.add(b.newLabel("cond.branch" + i));
    }
    if (predicated) {
      b.condBr(selector, labels.get(0), labels.get(1));
    } else {
      StringBuilder sw = new StringBuilder("switch " + selector.typed() + ", label %" + labels.get(labels.size() - 1)
          + " [");
      String type = IrTypes.valueType(selectorType);
      for (int i = 0; i + 1 < labels.size(); i++) {
        sw.append(' ').append(IrValue.intConst(type, i).typed()).append(", label %").append(labels.get(i));
      }
      b.raw(sw.append(" ]").toString());
    }
    for (int i = 0; i < branches.size(); i++) {
      b.startBlock(labels.get(i));
      b.enterScope();
      List<ArrayValue> result = c.emitCalled(branches.get(i), List.of(c.valueOf(instr.operand(i + 1))));
      if (result.size() != outputs.size()) {
        throw new CompilationException("%" + instr.name() + " (conditional): branch " + branches.get(i).name()
            + " returns " + branches.get(i).root().shape() + ", the conditional " + instr.shape());
      }
      for (int k = 0; k < outputs.size(); k++) {
        c.store(result.get(k), outputs.get(k));
      }
      b.exitScope();
      b.br(merge);
    }
    b.startBlock(merge);
    return outputs.stream().map(ArrayValue::inMemory).toList();
  }
}
