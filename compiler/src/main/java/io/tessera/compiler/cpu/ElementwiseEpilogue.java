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
 * Finds the consumer that an emitter writing an array tile by tile can apply to each tile while it
 * is in cache, in place: a convolution's bias and activation ({@code fusion(bias, conv)}, XLA's
 * output fusion) then cost no second pass over memory.
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
    Shape shape = user.shape();
    if (!shape.isArray() || !shape.sameDimensions(producer.shape())
        || shape.elementType() != producer.shape().elementType()) {
      return null;
    }
    boolean inPlace = user.opcode().isElementwise() && user.opcode() != Opcode.MAP
        || user.opcode() == Opcode.FUSION && fusionReadsInPlace(user, producer);
    if (!inPlace) {
      return null;
    }
    for (Instruction operand : user.operands()) {
      if (operand != producer && !available.test(operand)) {
        return null;
      }
    }
    return user;
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
