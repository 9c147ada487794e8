package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The instructions of an entry computation that the GPU backend computes into buffers of their
 * own before the results: those whose every element is a loop ({@link #isLoop}: a dot, a reduce,
 * or a fusion or tuple element built on one) and that another instruction uses. Inlining them
 * into their users, as elementwise instructions are, would repeat that loop for every element a
 * user reads (for every k of the next layer's dot); a buffer computes each element once.
 * Results used by nothing else are written by their result kernel directly.
 */
final class Temporaries {
  private Temporaries() {}

  /** The temporaries of {@code entry}, each after those it depends on. */
  static List<Instruction> of(Computation entry) {
    Instruction root = entry.root();
    List<Instruction> order = new ArrayList<>();
    Set<Instruction> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    postOrder(root, seen, order);
    List<Instruction> temporaries = new ArrayList<>();
    Set<Instruction> used = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Instruction instr : order) {
      if (instr != root || root.opcode() != Opcode.TUPLE) {
        used.addAll(instr.operands());
      }
    }
    for (Instruction instr : order) {
      if (used.contains(instr) && instr.shape().isArray() && isLoop(instr)) {
        temporaries.add(instr);
      }
    }
    return temporaries;
  }

  /** Whether computing one element of {@code instr} takes a loop over other elements. */
  static boolean isLoop(Instruction instr) {
    return switch (instr.opcode()) {
      case DOT, REDUCE -> true;
      case GET_TUPLE_ELEMENT -> instr.operand(0).opcode() == Opcode.REDUCE;
      case FUSION -> instr.calledComputations().get(0).instructions().stream().anyMatch(Temporaries::isLoop);
      default -> false;
    };
  }

  private static void postOrder(Instruction instr, Set<Instruction> seen, List<Instruction> order) {
    if (!seen.add(instr)) {
      return;
    }
    for (Instruction operand : instr.operands()) {
      postOrder(operand, seen, order);
    }
    order.add(instr);
  }
}
