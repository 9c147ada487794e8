package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Producer–consumer fusion, as XLA's {@code InstructionFusion}: a consumer pulls in the producers
 * of its operands, and they become one {@code fusion} instruction whose fused computation a
 * backend emits as one loop, so intermediate values never go to memory.
 *
 * <ul>
 *   <li>{@code kLoop}: elementwise and data-movement instructions ({@link FusionRules#isLoopFusible});
 *   <li>{@code kInput}: a {@code reduce} with the loop-fusible producers of its inputs;
 *   <li>{@code kOutput}: a {@code dot} with its elementwise epilogue, e.g. a bias add and an
 *       activation: the fusion's root is elementwise, every instruction between the dot and the
 *       root is elementwise over the dot's dimensions, and the dot's operands stay outside. Off
 *       when the backend cannot emit it ({@link #Fusion(boolean)}).
 * </ul>
 *
 * <p>Consumers are visited from the last instruction to the first, so every user of a producer
 * has made its choice when the producer is considered. A producer whose users all end up in one
 * fusion moves into it; a producer that other instructions still need is duplicated into the
 * fusion only when it is cheap — never an expensive one ({@link FusionRules#isExpensive}:
 * {@code exp}, {@code log}, {@code tanh}, divisions, dots...) — and an expensive producer is not
 * fused into a consumer that would recompute it per read (a broadcast).
 *
 * <p>Fusion happens in the entry computation and in the bodies of calls, loops and conditionals;
 * the scalar computations of reductions and sorts, and computations already fused, are left
 * alone. Running the pass again changes nothing.
 */
public final class Fusion implements Pass {
  /** Whether a producer joins a fusion: moved into it, copied into it, or not at all. */
  private enum Admission { MOVED, DUPLICATED, STAYS_OUT }

  /** XLA's fusion kinds, as printed in {@code kind=}. */
  static final String LOOP = "kLoop";
  static final String INPUT = "kInput";
  static final String OUTPUT = "kOutput";

  private final boolean fuseDotEpilogues;

  /** Fusion of every kind. */
  public Fusion() {
    this(true);
  }

  /** Fusion; {@code kOutput} fusions (a dot with its epilogue) only when {@code fuseDotEpilogues}. */
  public Fusion(boolean fuseDotEpilogues) {
    this.fuseDotEpilogues = fuseDotEpilogues;
  }

  @Override
  public String name() {
    return "fuse";
  }

  @Override
  public boolean run(Module module) {
    NameUniquer names = new NameUniquer(module);
    boolean changed = false;
    for (Computation c : computationsToFuse(module)) {
      changed |= new ComputationFusion(module, c, names).run();
    }
    return changed;
  }

  /** The entry and, transitively, the computations it calls as calls, loop parts or branches. */
  private static List<Computation> computationsToFuse(Module module) {
    List<Computation> result = new ArrayList<>();
    Set<Computation> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Computation> work = new ArrayDeque<>(List.of(module.entry()));
    while (!work.isEmpty()) {
      Computation c = work.pop();
      if (!seen.add(c)) {
        continue;
      }
      result.add(c);
      for (Instruction i : c.instructions()) {
        if (i.opcode() == Opcode.CALL || i.opcode() == Opcode.WHILE || i.opcode() == Opcode.CONDITIONAL) {
          work.addAll(i.calledComputations());
        }
      }
    }
    return result;
  }

  /** Fusion within one computation. */
  private final class ComputationFusion {
    private final Module module;
    private final Computation computation;
    private final NameUniquer names;
    private final Map<Instruction, Integer> position = new IdentityHashMap<>();
    private Map<Instruction, List<Instruction>> users;

    ComputationFusion(Module module, Computation computation, NameUniquer names) {
      this.module = module;
      this.computation = computation;
      this.names = names;
    }

    boolean run() {
      List<Instruction> order = List.copyOf(computation.instructions());
      for (int k = 0; k < order.size(); k++) {
        position.put(order.get(k), k);
      }
      boolean changed = false;
      users = usersOf(computation);
      for (int k = order.size() - 1; k >= 0; k--) {
        Instruction consumer = order.get(k);
        if (consumer.parent() != computation || !canBeRoot(consumer)) {
          continue; // already moved into a fusion, or nothing to fuse into
        }
        FusionGroup group = grow(consumer);
        if (group.isWorthFusing()) {
          group.materialize(module, computation, names);
          users = usersOf(computation);
          changed = true;
        }
      }
      return changed;
    }

    private boolean canBeRoot(Instruction i) {
      if (i.opcode() == Opcode.REDUCE) {
        return i.shape().isArray();
      }
      return FusionRules.isLoopFusible(i) && i.opcode() != Opcode.CONSTANT && i.opcode() != Opcode.IOTA;
    }

    /** The group rooted at {@code root}: producers pulled in from the latest to the earliest. */
    private FusionGroup grow(Instruction root) {
      FusionGroup group = new FusionGroup(root, position);
      PriorityQueue<Instruction> candidates =
          new PriorityQueue<>(Comparator.comparing((Instruction i) -> position.get(i)).reversed());
      candidates.addAll(root.operands());
      while (!candidates.isEmpty()) {
        Instruction producer = candidates.poll();
        if (group.contains(producer)) {
          continue;
        }
        Admission admission = admission(group, producer);
        if (admission != Admission.STAYS_OUT) {
          group.add(producer, admission == Admission.DUPLICATED);
          if (producer.opcode() != Opcode.DOT) {
            candidates.addAll(producer.operands());
          }
        }
      }
      return group;
    }

    /** How {@code producer} joins {@code group}, if it does. */
    private Admission admission(FusionGroup group, Instruction producer) {
      List<Instruction> readers = group.membersAmong(users.get(producer));
      if (readers.stream().anyMatch(r -> r.opcode() == Opcode.DOT)) {
        return Admission.STAYS_OUT; // a dot reads its operands from buffers: they stay outside its fusion
      }
      boolean movable = producer != computation.root() && group.coversAll(users.get(producer));
      if (producer.opcode() == Opcode.DOT) {
        return movable && fuseDotEpilogues && group.acceptsDot(producer) ? Admission.MOVED : Admission.STAYS_OUT;
      }
      if (!FusionRules.isLoopFusible(producer)) {
        return Admission.STAYS_OUT;
      }
      if (FusionRules.isExpensive(producer)) {
        boolean recomputed = readers.stream().anyMatch(FusionRules::reusesOperandElements);
        return movable && !recomputed ? Admission.MOVED : Admission.STAYS_OUT;
      }
      return movable ? Admission.MOVED : Admission.DUPLICATED;
    }
  }

  /** Users of every instruction of {@code c} (each user once per instruction). */
  private static Map<Instruction, List<Instruction>> usersOf(Computation c) {
    Map<Instruction, List<Instruction>> users = new IdentityHashMap<>();
    for (Instruction i : c.instructions()) {
      users.computeIfAbsent(i, k -> new ArrayList<>());
      for (Instruction op : i.operands()) {
        List<Instruction> list = users.computeIfAbsent(op, k -> new ArrayList<>());
        if (!list.contains(i)) {
          list.add(i);
        }
      }
    }
    return users;
  }
}
