package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What the GPU backend compiles, checked before any code is emitted, so that a module it cannot
 * run fails at once with a message naming the instruction (the Spark side then falls back to the
 * CPU).
 *
 * <p>Supported: instructions with an elemental form (elementwise, data movement, constants, iota,
 * map, batch-norm inference) and fusions of them (Tessera's {@code kLoop} fusions), in an entry
 * computation whose parameters are arrays, with a dynamic leading dimension at most, and whose
 * root is an array or a tuple of arrays; and, as results, single-input reduces of the trailing
 * dimensions ({@link RowReduction}), alone or as the root of a {@code kInput} fusion. Other
 * reductions, dots, convolutions, sorts, scatters, windows, loops and branches are not compiled
 * yet.
 */
final class GpuSupport {
  private GpuSupport() {}

  /** Throws for the first instruction of {@code entry} (or of a fusion it uses) the backend cannot compile. */
  static void check(Computation entry) {
    for (Instruction p : entry.parameters()) {
      Shape s = p.shape();
      if (!s.isArray()) {
        throw notSupported(p, "a " + s + " parameter", "");
      }
      for (int d = 1; d < s.rank(); d++) {
        if (s.isDynamicDimension(d)) {
          throw notSupported(p, "a dynamic dimension other than the leading one", "");
        }
      }
    }
    Instruction root = entry.root();
    for (Instruction leaf : root.opcode() == Opcode.TUPLE ? root.operands() : java.util.List.of(root)) {
      if (!leaf.shape().isArray()) {
        throw notSupported(leaf, "a nested tuple result", "");
      }
      RowReduction reduction = RowReduction.at(leaf);
      if (reduction == null) {
        checkReachable(leaf, "");
      } else {
        checkRowReduction(reduction);
      }
    }
  }

  /** A result that is a reduce: the row form only, over inputs the emitter computes elementally. */
  private static void checkRowReduction(RowReduction r) {
    String context = r.fusion() == null ? "" : "in fusion %" + r.fusion().name() + ": ";
    String reason = r.unsupportedReason();
    if (reason != null) {
      throw notSupported(r.reduce(), reason, context);
    }
    checkReachable(r.reduce().operand(0), context);
    checkReachable(r.reduce().operand(1), context);
    if (r.fusion() != null) {
      for (Instruction operand : r.fusion().operands()) {
        checkReachable(operand, "");
      }
    }
  }

  private static void checkReachable(Instruction from, String context) {
    Set<Instruction> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Instruction> work = new ArrayDeque<>();
    work.push(from);
    while (!work.isEmpty()) {
      Instruction instr = work.pop();
      if (!seen.add(instr)) {
        continue;
      }
      checkInstruction(instr, context);
      if (instr.opcode() != Opcode.GET_TUPLE_ELEMENT) {
        instr.operands().forEach(work::push);
      } else {
        work.push(instr.operand(0).operand(Math.toIntExact(instr.requireAttr(io.tessera.compiler.hlo.Attr.INDEX))));
      }
    }
  }

  private static void checkInstruction(Instruction instr, String context) {
    Opcode op = instr.opcode();
    if (op == Opcode.GET_TUPLE_ELEMENT) {
      if (instr.operand(0).opcode() != Opcode.TUPLE) {
        throw notSupported(instr, "an element of a " + instr.operand(0).opcode().mnemonic() + " result", context);
      }
      return;
    }
    if (!instr.shape().isArray()) {
      throw notSupported(instr, instr.shape() + " values", context);
    }
    switch (op.family()) {
      case UNARY, BINARY, TERNARY, DATA_MOVEMENT -> { }
      case LEAF -> { } // parameter, constant, iota
      default -> {
        if (op == Opcode.FUSION) {
          Computation fused = instr.calledComputations().get(0);
          checkReachable(fused.root(), context + "in fusion %" + instr.name() + ": ");
        } else if (op != Opcode.MAP && op != Opcode.BATCH_NORM_INFERENCE) {
          throw notSupported(instr, op.mnemonic(), context);
        }
      }
    }
  }

  private static CompilationException notSupported(Instruction instr, String what, String context) {
    return new CompilationException(context + "%" + instr.name() + " (" + instr.opcode().mnemonic()
        + "): the GPU backend does not compile " + what + " yet (only elementwise and data-movement instructions, loop"
        + " fusions of them, and reduces of trailing dimensions as results); run this module on the CPU backend");
  }
}
