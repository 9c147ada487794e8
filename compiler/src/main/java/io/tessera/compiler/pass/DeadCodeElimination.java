package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes instructions whose value nobody uses (neither an operand of another instruction nor the
 * root), and computations that the entry does not reach through calls, as XLA's {@code HloDCE}.
 *
 * <p>Parameters stay (they are the signature), and so does a {@code custom-call} marked
 * {@code custom_call_has_side_effect=true}: its effect is the reason it is there.
 */
public final class DeadCodeElimination implements Pass {
  private static final Attr<?> SIDE_EFFECT = Attr.forName("custom_call_has_side_effect");

  @Override
  public String name() {
    return "dce";
  }

  @Override
  public boolean run(Module module) {
    boolean changed = false;
    for (Computation c : module.computations()) {
      changed |= removeDeadInstructions(c);
    }
    return removeUnreachableComputations(module) | changed;
  }

  /** Removes dead instructions of {@code c}, users before operands so a dead chain goes in one sweep. */
  static boolean removeDeadInstructions(Computation c) {
    Map<Instruction, Integer> uses = new IdentityHashMap<>();
    for (Instruction i : c.instructions()) {
      for (Instruction op : i.operands()) {
        uses.merge(op, 1, Integer::sum);
      }
    }
    List<Instruction> order = new ArrayList<>(c.instructions());
    Collections.reverse(order);
    boolean changed = false;
    for (Instruction i : order) {
      if (uses.getOrDefault(i, 0) == 0 && i != c.root() && isRemovable(i)) {
        for (Instruction op : i.operands()) {
          uses.merge(op, -1, Integer::sum);
        }
        c.remove(i);
        changed = true;
      }
    }
    return changed;
  }

  private static boolean isRemovable(Instruction i) {
    if (i.opcode() == Opcode.PARAMETER) {
      return false;
    }
    return !(i.opcode() == Opcode.CUSTOM_CALL && "true".equals(String.valueOf(i.attributes().get(SIDE_EFFECT))));
  }

  private static boolean removeUnreachableComputations(Module module) {
    Set<Computation> reachable = reachableFromEntry(module);
    boolean changed = false;
    for (Computation c : List.copyOf(module.computations())) {
      if (!reachable.contains(c)) {
        module.remove(c);
        changed = true;
      }
    }
    return changed;
  }

  /** The entry and every computation it calls, directly or not. */
  static Set<Computation> reachableFromEntry(Module module) {
    Set<Computation> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Computation> work = new ArrayDeque<>();
    work.add(module.entry());
    while (!work.isEmpty()) {
      Computation c = work.pop();
      if (seen.add(c)) {
        for (Instruction i : c.instructions()) {
          work.addAll(i.calledComputations());
        }
      }
    }
    return seen;
  }
}
