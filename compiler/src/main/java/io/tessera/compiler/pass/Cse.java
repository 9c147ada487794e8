package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Common-subexpression elimination, as XLA's {@code HloCSE}: two instructions of one computation
 * with the same opcode, shape, operands and attributes compute the same value, so the later one's
 * users switch to the earlier one. Constants are equal when their literals are bitwise equal (so
 * {@code -0} and {@code 0} stay apart). Operands of commutative opcodes are put in a canonical
 * order first, so {@code add(a, b)} matches {@code add(b, a)}; a {@code compare} with swapped
 * operands matches with the swapped direction ({@code a < b} is {@code b > a}).
 *
 * <p>{@code metadata} is ignored (it says where an instruction came from, not what it computes).
 * Never merged: parameters, elided constants (their values are unknown), and custom-calls (they
 * may have effects).
 */
public final class Cse implements Pass {
  private static final Attr<?> METADATA = Attr.forName("metadata");

  @Override
  public String name() {
    return "cse";
  }

  @Override
  public boolean run(Module module) {
    boolean changed = false;
    for (Computation c : module.computations()) {
      changed |= run(c);
    }
    return changed;
  }

  private static boolean run(Computation c) {
    Map<Instruction, Integer> position = new IdentityHashMap<>();
    Map<Key, Instruction> seen = new HashMap<>();
    boolean changed = false;
    for (Instruction i : List.copyOf(c.instructions())) {
      position.put(i, position.size());
      if (!isCandidate(i)) {
        continue;
      }
      Instruction earlier = seen.putIfAbsent(Key.of(i, position), i);
      if (earlier != null) {
        c.replaceAllUses(i, earlier);
        c.remove(i);
        changed = true;
      }
    }
    return changed;
  }

  private static boolean isCandidate(Instruction i) {
    return switch (i.opcode()) {
      case PARAMETER, CUSTOM_CALL -> false;
      case CONSTANT -> i.attr(Attr.LITERAL) != null;
      default -> true;
    };
  }

  /**
   * What makes two instructions compute the same value. Operands compare by identity: users of a
   * merged instruction already point at the survivor when later instructions are keyed.
   */
  private record Key(Opcode opcode, Shape shape, List<Identity> operands, Attributes attributes) {

    static Key of(Instruction i, Map<Instruction, Integer> position) {
      List<Instruction> operands = new ArrayList<>(i.operands());
      Attributes attributes = i.attributes().without(METADATA);
      if (operands.size() == 2 && position.get(operands.get(0)) > position.get(operands.get(1))) {
        if (i.opcode().isCommutative()) {
          swap(operands);
        } else if (i.opcode() == Opcode.COMPARE) {
          swap(operands);
          ComparisonDirection d = i.requireAttr(Attr.DIRECTION);
          attributes = attributes.with(Attr.DIRECTION, d.swapped());
        }
      }
      return new Key(i.opcode(), i.shape(), operands.stream().map(Identity::new).toList(), attributes);
    }

    private static void swap(List<Instruction> operands) {
      Instruction first = operands.get(0);
      operands.set(0, operands.get(1));
      operands.set(1, first);
    }
  }

  /** An instruction compared by identity in a record. */
  private record Identity(Instruction instruction) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && other.instruction == instruction;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(instruction);
    }
  }
}
