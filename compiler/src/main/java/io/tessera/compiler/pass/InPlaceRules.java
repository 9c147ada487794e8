package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Which operands an instruction may overwrite with its result: those it reads only at the
 * (linear, row-major) index it is writing, so each element is read before it is overwritten.
 */
final class InPlaceRules {
  private InPlaceRules() {}

  /** Indices of the operands {@code i} could write its result into, given the operand dies at {@code i}. */
  static List<Integer> candidates(Instruction i) {
    List<Integer> result = new ArrayList<>();
    if (i.opcode() == Opcode.DYNAMIC_UPDATE_SLICE) {
      result.add(0); // only the update's window is written; the rest of the operand stays as it is
    } else if (i.opcode().isElementwise()) {
      for (int k = 0; k < i.operandCount(); k++) {
        if (sameIndexSpace(i.operand(k), i)) {
          result.add(k);
        }
      }
    } else if (i.opcode() == Opcode.FUSION && Fusion.LOOP.equals(i.attr(Attr.FUSION_KIND))) {
      Computation fused = i.requireAttr(Attr.CALLS);
      for (Instruction p : fused.parameters()) {
        if (sameIndexSpace(p, fused.root()) && readsOnlyAtOutputIndex(fused, p)) {
          result.add(p.parameterNumber());
        }
      }
    }
    return result;
  }

  /** Arrays with the same element count and element size: linear index i of one is index i of the other. */
  private static boolean sameIndexSpace(Instruction a, Instruction b) {
    return a.shape().isArray() && b.shape().isArray() && a.shape().sameDimensions(b.shape())
        && a.shape().elementType().byteSize() == b.shape().elementType().byteSize();
  }

  /**
   * Whether every path from {@code param} to the root of {@code fused} goes through elementwise
   * instructions over the root's dimensions or through reshapes and bitcasts (which keep the
   * row-major linear index), so the fused loop reads element i of the parameter only while
   * writing element i of the result.
   */
  private static boolean readsOnlyAtOutputIndex(Computation fused, Instruction param) {
    Set<Instruction> reached = Collections.newSetFromMap(new IdentityHashMap<>());
    reached.add(param);
    Count elements = countOf(fused.root());
    for (Instruction i : fused.instructions()) {
      List<Integer> fromParam = new ArrayList<>();
      for (int k = 0; k < i.operandCount(); k++) {
        if (reached.contains(i.operand(k))) {
          fromParam.add(k);
        }
      }
      if (fromParam.isEmpty()) {
        continue;
      }
      boolean keepsIndex = switch (i.opcode()) {
        case RESHAPE, BITCAST -> true;
        default -> i.opcode().isElementwise()
            && fromParam.stream().allMatch(k -> i.operand(k).shape().sameDimensions(i.shape()));
      };
      if (!keepsIndex || !countOf(i).equals(elements)) {
        return false;
      }
      reached.add(i);
    }
    return reached.contains(fused.root());
  }

  /** The element count, as a record so that counts with a dynamic dimension compare too. */
  private record Count(long staticElements, int dynamicDimensions) {}

  private static Count countOf(Instruction i) {
    long n = 1;
    int dynamic = 0;
    for (int d : i.shape().dimensions()) {
      if (d == Shape.DYNAMIC) {
        dynamic++;
      } else {
        n *= d;
      }
    }
    return new Count(n, dynamic);
  }
}
