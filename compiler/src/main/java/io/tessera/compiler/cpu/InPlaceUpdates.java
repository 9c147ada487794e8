package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.DynamicIndexing;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds the loop state elements a while body updates with one {@code dynamic-update-slice} that
 * may write into the state buffer directly, so an iteration costs the slice, not the array: the
 * pattern of a scan or of a scatter lowered to a loop ({@code ys = ys.at[i].set(f(ys[i], x[i]))}).
 *
 * <p>Leaf k qualifies when the body's result leaf k is {@code dynamic-update-slice(s, update,
 * starts...)} of the state's leaf k (directly in the body, or as the root of a fusion the body
 * calls with that leaf), and the old value of leaf k is read nowhere else but by
 * {@code dynamic-slice}s of it at the very same start operands and of the update's size, through
 * elementwise instructions only. Then update element j reads at most the state element it
 * replaces, in the same iteration of the slice loop, before the store; the starts are computed once
 * before the loop. Anything else keeps the copying path.
 */
final class InPlaceUpdates {
  private InPlaceUpdates() {}

  /** An in-place update of one state leaf by {@code dus}, computed by the emitter that owns it. */
  record Update(Instruction dus) {
    /** Whether {@code value}, the body's result leaf as emitted, is this update computed elementally. */
    boolean matches(ArrayValue value) {
      return !value.inMemory() && value.instr() == dus;
    }

    /** Writes the update over its window of {@code state}. */
    void emit(IrBuilder b, ArrayValue value, IrArray state) {
      int[] dims = state.shape().dimensions();
      Instruction update = dus.operand(1);
      int[] updateDims = update.shape().dimensions();
      IrValue[] starts = DynamicIndexing.clampedStarts(value.emitter(), dus, 2, dims, updateDims);
      LoopEmitter.forEachIndex(b, "dus.inplace", updateDims, j -> {
        IrValue[] idx = new IrValue[dims.length];
        for (int d = 0; d < dims.length; d++) {
          idx[d] = b.assign("i64", "add nuw nsw i64 " + j.get(d).ref() + ", " + starts[d].ref());
        }
        state.store(b, new IrIndex(idx, dims, null), value.emitter().emit(update, j));
      });
    }
  }

  /** For each leaf of {@code body}'s state, the in-place update of it, or {@code null}. */
  static Update[] find(Computation body) {
    Instruction param = body.parameter(0);
    List<ComputationEmitter.LeafRef> next = ComputationEmitter.resolveLeaves(body.root());
    Update[] found = new Update[next.size()];
    for (int k = 0; k < next.size(); k++) {
      ComputationEmitter.LeafRef self = new ComputationEmitter.LeafRef(param, k);
      found[k] = find(body, next, k, self);
    }
    return found;
  }

  private static Update find(Computation body, List<ComputationEmitter.LeafRef> next, int k,
                             ComputationEmitter.LeafRef self) {
    Instruction param = self.instr();
    for (Instruction i : ComputationEmitter.reachableInOrder(body)) {
      if (i.opcode() != Opcode.GET_TUPLE_ELEMENT && i.operands().contains(param)) {
        return null; // the whole state goes somewhere (a call, the root): not tracked
      }
    }
    for (int m = 0; m < next.size(); m++) {
      if (m != k && next.get(m).equals(self)) {
        return null; // the old value is also a result
      }
    }
    Instruction result = next.get(k).instr();
    Predicate<Instruction> isStateInBody = i -> i.shape().isArray()
        && ComputationEmitter.resolveLeaves(i).equals(List.of(self));
    if (result.opcode() == Opcode.DYNAMIC_UPDATE_SLICE) {
      return qualifies(body, result, isStateInBody) ? new Update(result) : null;
    }
    if (result.opcode() != Opcode.FUSION && result.opcode() != Opcode.CALL) {
      return null;
    }
    // Every read of the state in the body must be an operand of this fusion.
    for (Instruction i : ComputationEmitter.reachableInOrder(body)) {
      if (i == result || isStructural(i)) {
        continue;
      }
      for (Instruction op : i.operands()) {
        if (isStateInBody.test(op)) {
          return null;
        }
      }
    }
    Computation fused = result.calledComputations().get(0);
    Instruction dus = fused.root();
    if (dus.opcode() != Opcode.DYNAMIC_UPDATE_SLICE) {
      return null;
    }
    Set<Instruction> stateParams = new HashSet<>();
    for (int i = 0; i < result.operandCount(); i++) {
      if (isStateInBody.test(result.operand(i))) {
        stateParams.add(fused.parameter(i));
      }
    }
    return qualifies(fused, dus, stateParams::contains) ? new Update(dus) : null;
  }

  /** Parameters and get-tuple-elements only name the state; any other instruction using it reads it. */
  private static boolean isStructural(Instruction i) {
    return i.opcode() == Opcode.PARAMETER || i.opcode() == Opcode.GET_TUPLE_ELEMENT;
  }

  /**
   * Whether, in {@code computation}, {@code dus}'s operand 0 is the state and every other read of
   * the state is a same-position dynamic-slice feeding the update elementwise.
   */
  private static boolean qualifies(Computation computation, Instruction dus, Predicate<Instruction> isState) {
    if (!isState.test(dus.operand(0))) {
      return false;
    }
    List<Instruction> starts = dus.operands().subList(2, dus.operandCount());
    int[] updateDims = dus.operand(1).shape().dimensions();
    Set<Instruction> sameSlices = new HashSet<>();
    for (Instruction i : ComputationEmitter.reachableInOrder(computation)) {
      if (i.opcode() == Opcode.PARAMETER || (i.opcode() == Opcode.GET_TUPLE_ELEMENT && isState.test(i))) {
        continue;
      }
      for (int j = 0; j < i.operandCount(); j++) {
        if (!isState.test(i.operand(j))) {
          continue;
        }
        boolean sameSlice = i.opcode() == Opcode.DYNAMIC_SLICE && j == 0
            && i.operands().subList(1, i.operandCount()).equals(starts)
            && Arrays.equals(i.shape().dimensions(), updateDims);
        boolean theUpdate = i == dus && j == 0;
        if (sameSlice) {
          sameSlices.add(i);
        } else if (!theUpdate) {
          return false;
        }
      }
    }
    Map<Instruction, Boolean> reads = new IdentityHashMap<>();
    return samePositions(dus.operand(1), updateDims, sameSlices, isState, reads);
  }

  /**
   * Whether {@code instr} reads the state only at the position it computes: it does not read it
   * at all, is one of the same-position slices, or is elementwise over such values.
   */
  private static boolean samePositions(Instruction instr, int[] dims, Set<Instruction> sameSlices,
                                       Predicate<Instruction> isState, Map<Instruction, Boolean> reads) {
    if (sameSlices.contains(instr) || !readsState(instr, isState, reads)) {
      return true;
    }
    Opcode op = instr.opcode();
    boolean elementwise = op.family() == Opcode.Family.UNARY || op.family() == Opcode.Family.BINARY
        || op.family() == Opcode.Family.TERNARY || op == Opcode.COPY;
    if (!elementwise || !Arrays.equals(instr.shape().dimensions(), dims)) {
      return false;
    }
    List<Instruction> operands = new ArrayList<>(instr.operands());
    for (Instruction operand : operands) {
      if (!samePositions(operand, dims, sameSlices, isState, reads)) {
        return false;
      }
    }
    return true;
  }

  private static boolean readsState(Instruction instr, Predicate<Instruction> isState, Map<Instruction, Boolean> memo) {
    Boolean known = memo.get(instr);
    if (known != null) {
      return known;
    }
    boolean reads = isState.test(instr);
    for (int i = 0; !reads && i < instr.operandCount(); i++) {
      reads = readsState(instr.operand(i), isState, memo);
    }
    memo.put(instr, reads);
    return reads;
  }
}
