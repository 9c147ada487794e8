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
 * <p>Supported, in an entry computation whose parameters are arrays, with a dynamic leading
 * dimension at most, and whose root is an array or a tuple of arrays:
 * <ul>
 *   <li>instructions with an elemental form (elementwise, data movement, constants, iota, map,
 *       batch-norm inference) and fusions of them (Tessera's {@code kLoop} fusions);
 *   <li>reduces over any dimensions, with any reducer, one input or several (a variadic reduce,
 *       argmax-style, read through its tuple elements), alone or as the root of a {@code kInput}
 *       fusion: the trailing-dimension ("row") form as a block per row ({@link RowReduction}),
 *       others one output element per thread ({@link ReduceLoop});
 *   <li>dots with any dimension numbers, of any element type the CPU's dot takes: f32 and f64
 *       matrix products as a tiled shared-memory GEMM ({@link TiledDotEmitter}), others (and
 *       dots inside fusions) one output element per thread ({@link DotLoop}).
 * </ul>
 * Dots, reduces and fusions of them that other instructions use are computed into temporaries
 * first ({@link Temporaries}), so chains of them (an MLP's layers) compile. Convolutions, sorts,
 * scatters, windows, loops and branches are not compiled yet.
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
        throw notSupported(leaf, "a " + leaf.shape() + " result (results are arrays or a tuple of arrays)", "");
      }
      checkReachable(leaf, "");
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
      if (instr.opcode() != Opcode.GET_TUPLE_ELEMENT || instr.operand(0).opcode() != Opcode.TUPLE) {
        instr.operands().forEach(work::push);
      } else {
        work.push(instr.operand(0).operand(Math.toIntExact(instr.requireAttr(io.tessera.compiler.hlo.Attr.INDEX))));
      }
    }
  }

  private static void checkInstruction(Instruction instr, String context) {
    Opcode op = instr.opcode();
    if (op == Opcode.GET_TUPLE_ELEMENT) {
      Opcode of = instr.operand(0).opcode();
      if (of != Opcode.TUPLE && of != Opcode.REDUCE) {
        throw notSupported(instr, "an element of a " + of.mnemonic() + " result", context);
      }
      return;
    }
    if (op == Opcode.REDUCE) {
      checkReduce(instr, context);
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
        } else if (op != Opcode.MAP && op != Opcode.BATCH_NORM_INFERENCE && op != Opcode.DOT) {
          throw notSupported(instr, op.mnemonic(), context);
        }
      }
    }
  }

  /** Inputs of one shape and as many scalar initial values of their types: what {@link ReduceLoop} folds. */
  private static void checkReduce(Instruction reduce, String context) {
    int n = reduce.operandCount() / 2;
    if (n == 0 || reduce.operandCount() % 2 != 0) {
      throw notSupported(reduce, "a reduce of " + reduce.operandCount() + " operands", context);
    }
    Shape input = reduce.operand(0).shape();
    for (int k = 0; k < n; k++) {
      Shape in = reduce.operand(k).shape();
      Shape init = reduce.operand(n + k).shape();
      if (!in.isArray() || !java.util.Arrays.equals(in.dimensions(), input.dimensions())) {
        throw notSupported(reduce, "a reduce of inputs of different shapes", context);
      }
      if (!init.isScalar() || init.elementType() != in.elementType()) {
        throw notSupported(reduce, "a reduce whose initial value is not a scalar of its input's type", context);
      }
    }
  }

  private static CompilationException notSupported(Instruction instr, String what, String context) {
    return new CompilationException(context + "%" + instr.name() + " (" + instr.opcode().mnemonic()
        + "): the GPU backend does not compile " + what + " yet (only elementwise and data-movement instructions,"
        + " reduces, dots, and fusions of them); run this module on the CPU backend");
  }
}
