package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The instructions one {@code fusion} will hold: a root (the consumer the fusion replaces) and the
 * producers pulled into it. A member is either moved (nothing outside uses it any more, so it
 * leaves the computation) or duplicated (a copy goes into the fusion, the original stays for its
 * other users).
 */
final class FusionGroup {
  private final Instruction root;
  private final Map<Instruction, Integer> position;
  private final Set<Instruction> members = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Instruction> duplicated = Collections.newSetFromMap(new IdentityHashMap<>());
  private Instruction dot;

  FusionGroup(Instruction root, Map<Instruction, Integer> position) {
    this.root = root;
    this.position = position;
    members.add(root);
  }

  boolean contains(Instruction i) {
    return members.contains(i);
  }

  void add(Instruction producer, boolean duplicate) {
    members.add(producer);
    if (duplicate) {
      duplicated.add(producer);
    }
    if (producer.opcode() == Opcode.DOT) {
      dot = producer;
    }
  }

  /** The members among {@code instructions}. */
  List<Instruction> membersAmong(List<Instruction> instructions) {
    return instructions.stream().filter(members::contains).toList();
  }

  /** Whether every one of {@code users} is a member that leaves the computation with the fusion. */
  boolean coversAll(List<Instruction> users) {
    for (Instruction u : users) {
      if (!members.contains(u) || duplicated.contains(u)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code candidate} can be this group's dot: the first one, under an elementwise root,
   * with only elementwise members over its dimensions between it and the root (its epilogue).
   */
  boolean acceptsDot(Instruction candidate) {
    if (dot != null || !root.opcode().isElementwise()) {
      return false;
    }
    Set<Instruction> dependsOnDot = Collections.newSetFromMap(new IdentityHashMap<>());
    dependsOnDot.add(candidate);
    for (Instruction m : inOrder()) {
      if (m.operands().stream().anyMatch(dependsOnDot::contains)) {
        if (!m.opcode().isElementwise() || !m.shape().sameDimensions(candidate.shape())) {
          return false;
        }
        dependsOnDot.add(m);
      }
    }
    return true;
  }

  /** At least two members that compute something (a scalar constant alone is no work to save). */
  boolean isWorthFusing() {
    long working = members.stream().filter(m -> m.opcode() != Opcode.CONSTANT).count();
    return working >= 2;
  }

  String kind() {
    if (dot != null) {
      return Fusion.OUTPUT;
    }
    return root.opcode() == Opcode.REDUCE ? Fusion.INPUT : Fusion.LOOP;
  }

  private List<Instruction> inOrder() {
    List<Instruction> ordered = new ArrayList<>(members);
    ordered.sort(Comparator.comparing(position::get));
    return ordered;
  }

  /**
   * Replaces the root by a {@code fusion} instruction calling a new fused computation that holds
   * copies of the members, and removes the moved members. Operands from outside become the
   * fused computation's parameters, in order of first use.
   */
  Instruction materialize(Module module, Computation computation, NameUniquer names) {
    List<Instruction> ordered = inOrder();
    Computation fused = new Computation(names.computation("fused_computation"));
    Map<Instruction, Instruction> inside = new IdentityHashMap<>();
    List<Instruction> outerOperands = new ArrayList<>();
    for (Instruction m : ordered) {
      for (Instruction op : m.operands()) {
        if (!members.contains(op) && !inside.containsKey(op)) {
          String name = names.instruction("param_" + outerOperands.size());
          inside.put(op, fused.add(Instruction.parameter(name, outerOperands.size(), op.shape())));
          outerOperands.add(op);
        }
      }
    }
    for (Instruction m : ordered) {
      List<Instruction> operands = m.operands().stream().map(inside::get).toList();
      // A moved member leaves the computation below, so its copy can keep its name.
      String name = duplicated.contains(m) ? names.instruction(m.name()) : m.name();
      inside.put(m, fused.add(Instruction.createWithShape(name, m.opcode(), m.shape(), operands, m.attributes())));
    }
    fused.setRoot(inside.get(root));
    module.add(fused);

    Attributes attributes = Attributes.builder().put(Attr.FUSION_KIND, kind()).put(Attr.CALLS, fused).build();
    Instruction fusion = Instruction.create(names.instruction("fusion"), Opcode.FUSION, root.shape(), outerOperands,
        attributes);
    computation.replaceInstruction(root, fusion);
    for (int k = ordered.size() - 1; k >= 0; k--) {
      Instruction m = ordered.get(k);
      if (m != root && !duplicated.contains(m)) {
        computation.remove(m);
      }
    }
    return fusion;
  }
}
