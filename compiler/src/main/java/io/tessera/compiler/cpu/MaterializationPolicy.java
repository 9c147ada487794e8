package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which elemental instructions of a computation the CPU emitter computes once into a buffer
 * instead of inside every loop that reads them.
 *
 * <p>An elemental value ({@link ComputationEmitter}) is recomputed by each loop that needs it: the
 * loop of every instruction that writes memory (a reduce, a dot, a materialized value) and the
 * caller's loop over the computation's root. That is free for cheap arithmetic, which costs less
 * than a store and a load, but not for an expensive one ({@link Opcode#isExpensiveElementwise}:
 * {@code exp}, {@code log}, {@code tanh}, division, roots...): softmax's {@code exp(x - max)} feeds
 * both the row sum and the division, and would be computed twice. So an instruction is
 * materialized when
 * <ul>
 *   <li>it is expensive: an expensive elementwise opcode, or a fusion or call whose root computes
 *       one elementally (the fusion pass already refuses to copy such a producer into a second
 *       consumer; this keeps the emitter from recomputing it anyway), and
 *   <li>more than one loop evaluates it, or one loop reads each of its elements several times (a
 *       broadcast that adds dimensions, a gather, a reduce-window, a dot's operand...).
 * </ul>
 * An instruction read by one loop, once per element, stays elemental, whatever its cost.
 *
 * <p>Loops are found from the root upwards, so a user's choice is known when its operands are
 * considered: a materialized instruction is a loop of its own for its operands; an elemental one
 * passes its loops on to them. A fusion or call passes on its loops through its called
 * computation's parameters, plus the loops that computation runs itself. Only arrays whose
 * dynamic dimension, if any, is the leading one get temporaries ({@link ScratchLayout}).
 */
final class MaterializationPolicy {
  private MaterializationPolicy() {}

  /**
   * A loop that evaluates elemental values: the one writing materialized instruction {@code owner}
   * ({@code inner} null), one that a computation called by {@code owner} runs ({@code inner} is that
   * computation's loop), or the caller's loop over the root ({@link #ROOT}).
   */
  private record Loop(Instruction owner, Loop inner) {}

  private static final Loop ROOT = new Loop(null, null);

  /** The loops that evaluate one instruction, and whether some loop reads one of its elements more than once. */
  static final class Reads {
    final Set<Loop> loops = new HashSet<>();
    boolean repeated;
  }

  /** The policy's outcome for one computation. */
  record Plan(Set<Instruction> materialized, Map<Instruction, Reads> reads, boolean rootExpensive) {
    /** Whether the emitter writes {@code instr} to memory once rather than computing it in each reader's loop. */
    boolean materializes(Instruction instr) {
      return materialized.contains(instr);
    }

    private Reads parameterReads(Computation c, int number) {
      for (Instruction p : c.parameters()) {
        if (p.parameterNumber() == number) {
          return reads.get(p);
        }
      }
      return null;
    }
  }

  /** The instructions of {@code computation} to materialize. */
  static Plan plan(Computation computation) {
    return plan(computation, new IdentityHashMap<>());
  }

  private static Plan plan(Computation computation, Map<Computation, Plan> plans) {
    Plan known = plans.get(computation);
    if (known != null) {
      return known;
    }
    List<Instruction> order = ComputationEmitter.reachableInOrder(computation);
    Map<Instruction, Reads> reads = new IdentityHashMap<>();
    Set<Instruction> materialized = Collections.newSetFromMap(new IdentityHashMap<>());
    reads.computeIfAbsent(computation.root(), k -> new Reads()).loops.add(ROOT);
    for (int k = order.size() - 1; k >= 0; k--) {
      Instruction instr = order.get(k);
      Reads r = reads.computeIfAbsent(instr, i -> new Reads());
      boolean writesMemory = ComputationEmitter.writesMemory(instr.opcode());
      if (!writesMemory && (r.loops.size() > 1 || r.repeated) && canMaterialize(instr)
          && isExpensive(instr, plans)) {
        materialized.add(instr);
        writesMemory = true;
      }
      List<Instruction> operands = instr.operands();
      Computation called = calledInPlace(instr);
      for (int j = 0; j < operands.size(); j++) {
        Reads o = reads.computeIfAbsent(operands.get(j), i -> new Reads());
        if (writesMemory) {
          o.loops.add(new Loop(instr, null));
          o.repeated |= readsOperandsMoreThanOnce(instr);
        } else if (called != null) {
          Reads p = plan(called, plans).parameterReads(called, j);
          if (p == null) {
            continue;
          }
          for (Loop loop : p.loops) {
            if (loop.equals(ROOT)) {
              o.loops.addAll(r.loops);
            } else {
              o.loops.add(new Loop(instr, loop));
            }
          }
          o.repeated |= p.repeated || (p.loops.contains(ROOT) && r.repeated);
        } else {
          o.loops.addAll(r.loops);
          o.repeated |= r.repeated || rereads(instr, j);
        }
      }
    }
    Plan plan = new Plan(materialized, reads,
        computesExpensively(computation.root(), plans, materialized, new IdentityHashMap<>()));
    plans.put(computation, plan);
    return plan;
  }

  /** The computation a call or fusion emits in place, or null. */
  private static Computation calledInPlace(Instruction instr) {
    if ((instr.opcode() == Opcode.CALL || instr.opcode() == Opcode.FUSION) && instr.calledComputations().size() == 1) {
      return instr.calledComputations().get(0);
    }
    return null;
  }

  /** An array with a temporary possible: no dynamic dimension but the leading one. */
  private static boolean canMaterialize(Instruction instr) {
    Shape shape = instr.shape();
    if (!shape.isArray() || instr.opcode() == Opcode.PARAMETER || instr.opcode() == Opcode.CONSTANT) {
      return false;
    }
    for (int d = 1; d < shape.rank(); d++) {
      if (shape.isDynamicDimension(d)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isExpensive(Instruction instr, Map<Computation, Plan> plans) {
    if (instr.opcode().isExpensiveElementwise()) {
      return true;
    }
    Computation called = calledInPlace(instr);
    return called != null && plan(called, plans).rootExpensive();
  }

  /**
   * Whether computing {@code instr} at an index evaluates an expensive elementwise instruction of
   * its computation that is not in memory. A dynamic-update-slice counts as the copy it mostly is:
   * its window, when expensive, is materialized on its own terms.
   */
  private static boolean computesExpensively(Instruction instr, Map<Computation, Plan> plans,
                                             Set<Instruction> materialized, Map<Instruction, Boolean> memo) {
    Boolean known = memo.get(instr);
    if (known != null) {
      return known;
    }
    boolean result;
    Opcode op = instr.opcode();
    if (materialized.contains(instr) || ComputationEmitter.writesMemory(op) || op == Opcode.PARAMETER
        || op == Opcode.CONSTANT || op == Opcode.DYNAMIC_UPDATE_SLICE) {
      result = false;
    } else if (op.isExpensiveElementwise()) {
      result = true;
    } else if (calledInPlace(instr) != null) {
      result = plan(calledInPlace(instr), plans).rootExpensive();
    } else {
      result = false;
      for (Instruction operand : instr.operands()) {
        if (computesExpensively(operand, plans, materialized, memo)) {
          result = true;
          break;
        }
      }
    }
    memo.put(instr, result);
    return result;
  }

  /**
   * Whether instruction {@code writer}, which writes memory, may read an element of an elemental
   * operand more than once: all but reduce, sort, scatter and while, which read each element once
   * (a dot or convolution first copies an elemental operand to memory; that copy is the
   * materialization).
   */
  private static boolean readsOperandsMoreThanOnce(Instruction writer) {
    return switch (writer.opcode()) {
      case REDUCE, SORT, SCATTER, WHILE -> false;
      default -> true;
    };
  }

  /** Whether elemental {@code user} reads an element of operand {@code j} for more than one of its own elements. */
  private static boolean rereads(Instruction user, int j) {
    Instruction operand = user.operand(j);
    return switch (user.opcode()) {
      case BROADCAST -> user.shape().isArray() && operand.shape().isArray()
          && user.shape().rank() > operand.shape().rank();
      case GATHER -> true;
      case BATCH_NORM_INFERENCE -> j > 0;
      case TUPLE, GET_TUPLE_ELEMENT -> false;
      default -> user.opcode().isElementwise() && user.shape().isArray() && operand.shape().isArray()
          && operand.shape().rank() < user.shape().rank(); // a scalar operand of clamp or select
    };
  }
}
