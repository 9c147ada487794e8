package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds consumers that can compute into the buffer of the value they read, overwriting it: the
 * consumer that an emitter writing an array tile by tile can apply to each tile while it is in
 * cache (a convolution's bias and activation, {@code fusion(bias, conv)}: XLA's output fusion),
 * which then costs no second pass over memory; and the last reader of a materialized value, which
 * then needs no buffer of its own.
 *
 * <p>The consumer must be the producer's only user, of the producer's dimensions and element
 * type (its value overwrites the producer's in the same buffer), and read the producer only at
 * the index it computes: an elementwise instruction, or a loop fusion in which the producer's
 * parameter reaches the root through elementwise instructions of those dimensions alone, and that
 * computes everything elementally (nothing in it writes memory or is materialized: it is
 * evaluated inside the producer's loops). Its other operands must be available before the
 * producer is written.
 */
final class ElementwiseEpilogue {
  private ElementwiseEpilogue() {}

  /**
   * The consumer of {@code producer} to apply in place, or {@code null}.
   *
   * @param available whether an operand's value can be had at the producer's point, emitting no loop
   */
  static Instruction find(Computation computation, Instruction producer, Predicate<Instruction> available) {
    if (producer == computation.root() || !producer.shape().isArray()) {
      return null;
    }
    List<Instruction> users = computation.users(producer);
    if (users.size() != 1) {
      return null;
    }
    Instruction user = users.get(0);
    if (!readsInPlace(user, producer)) {
      return null;
    }
    for (Instruction operand : user.operands()) {
      if (operand != producer && !available.test(operand)) {
        return null;
      }
    }
    return user;
  }

  /**
   * The last reader of {@code value} (an elemental instruction about to be materialized, not a
   * result of the computation) when it can compute into {@code value}'s buffer, overwriting it: it
   * reads {@code value} only at the index it computes, as {@link #find} requires, and every other
   * reader writes memory and comes before it, so none reads {@code value} after that (softmax's
   * division of {@code exp(x - max)}, after the row sum); or null.
   */
  static Instruction inPlaceLastReader(Computation computation, Instruction value) {
    if (!value.shape().isArray() || ComputationEmitter.resolveLeaves(computation.root()).stream()
        .anyMatch(leaf -> leaf.instr() == value)) {
      return null;
    }
    List<Instruction> users = computation.users(value);
    if (users.isEmpty()) {
      return null;
    }
    List<Instruction> order = computation.instructions();
    Instruction last = users.get(0);
    for (Instruction u : users) {
      if (order.indexOf(u) > order.indexOf(last)) {
        last = u;
      }
    }
    for (Instruction u : users) {
      if (u != last && !ComputationEmitter.writesMemory(u.opcode())) {
        return null; // an elemental reader may be evaluated by a loop that runs after the last one
      }
    }
    return readsInPlace(last, value) ? last : null;
  }

  /** Whether {@code user} has {@code value}'s dimensions and type and reads it only at the index it computes. */
  private static boolean readsInPlace(Instruction user, Instruction value) {
    Shape shape = user.shape();
    if (!shape.isArray() || !shape.sameDimensions(value.shape()) || shape.elementType() != value.shape().elementType()) {
      return false;
    }
    return user.opcode().isElementwise() && user.opcode() != Opcode.MAP
        || user.opcode() == Opcode.FUSION && fusionReadsInPlace(user, value);
  }

  /** Whether {@code fusion} reads {@code producer} only elementwise on the way to its root, all elementally. */
  private static boolean fusionReadsInPlace(Instruction fusion, Instruction producer) {
    Computation fused = fusion.attr(Attr.CALLS);
    if (fused == null) {
      return false;
    }
    for (Instruction i : fused.instructions()) {
      if (ComputationEmitter.writesMemory(i.opcode()) || i.opcode().callsComputations()) {
        return false;
      }
    }
    if (!MaterializationPolicy.plan(fused).materialized().isEmpty()) {
      return false;
    }
    Set<Instruction> reached = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Instruction p : fused.parameters()) {
      int number = p.parameterNumber();
      if (number >= 0 && number < fusion.operands().size() && fusion.operand(number) == producer) {
        reached.add(p);
      }
    }
    for (Instruction i : fused.instructions()) {
      if (i.opcode() == Opcode.PARAMETER || i.operands().stream().noneMatch(reached::contains)) {
        continue;
      }
      if (!i.opcode().isElementwise() || !i.shape().isArray() || !i.shape().sameDimensions(fusion.shape())) {
        return false;
      }
      reached.add(i);
    }
    return reached.contains(fused.root());
  }
}
