package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Which {@code kOutput} fusions (a dot and its elementwise epilogue, from the fuse pass) the CPU
 * backend computes in one buffer: the dot writes the fusion's output buffer, then the epilogue
 * runs over that buffer in place. This is how such a fusion needs no memory beyond its output, as
 * buffer assignment counts it; the epilogue's pass over the output replaces the copy a consumer
 * would otherwise make (a dot needs its operands in memory).
 *
 * <p>In place is legal when the epilogue reads the dot's value only at the index it writes: every
 * instruction between the root and the dot is elementwise over the root's dimensions, and the dot
 * has the root's dimensions and element type.
 */
final class OutputFusions {
  private OutputFusions() {}

  /** The dot of {@code fusion} whose buffer its epilogue can overwrite in place, or {@code null}. */
  static Instruction inPlaceDot(Instruction fusion) {
    if (fusion.opcode() != Opcode.FUSION || !"kOutput".equals(fusion.attr(Attr.FUSION_KIND))
        || !fusion.shape().isArray()) {
      return null;
    }
    Computation fused = fusion.requireAttr(Attr.CALLS);
    List<Instruction> dots = new ArrayList<>();
    for (Instruction i : fused.instructions()) {
      if (i.opcode() == Opcode.DOT) {
        dots.add(i);
      }
    }
    if (dots.size() != 1) {
      return null;
    }
    Instruction dot = dots.get(0);
    Instruction root = fused.root();
    if (!dot.shape().sameDimensions(root.shape()) || dot.shape().elementType() != root.shape().elementType()) {
      return null;
    }
    // Everything computed from the dot (in definition order, operands come first) must read it
    // elementwise, at the index it writes.
    Set<Instruction> fromDot = Collections.newSetFromMap(new IdentityHashMap<>());
    fromDot.add(dot);
    for (Instruction i : fused.instructions()) {
      if (i != dot && i.operands().stream().anyMatch(fromDot::contains)) {
        if (!i.opcode().isElementwise() || !i.shape().sameDimensions(dot.shape())) {
          return null;
        }
        fromDot.add(i);
      }
    }
    return fromDot.contains(root) ? dot : null;
  }

  /**
   * Whether everything in {@code fused} but {@code dot} is elemental, computed inside the loop that
   * reads it with nothing written to memory first, so that the epilogue can be emitted for any
   * block of the output, inside the GEMM.
   */
  static boolean epilogueIsElemental(Computation fused, Instruction dot) {
    MaterializationPolicy.Plan policy = MaterializationPolicy.plan(fused);
    for (Instruction i : fused.instructions()) {
      if (i != dot && (ComputationEmitter.writesMemory(i.opcode()) || i.opcode().callsComputations()
          || !i.shape().isArray() || policy.materializes(i))) {
        return false;
      }
    }
    return true;
  }
}
