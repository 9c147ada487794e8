package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;

/** Which instructions fusion may pull into a fused computation, and which it must not copy. */
final class FusionRules {
  private FusionRules() {}

  /**
   * Instructions that a loop over the output's elements can compute in place of reading a
   * buffer: elementwise math and data movement whose output element is one operand element (or
   * a padding value), plus scalar constants and iotas. {@code map} (calls a computation per
   * element), gathers, scatters and dynamic updates are left to their own kernels.
   */
  static boolean isLoopFusible(Instruction i) {
    if (!i.shape().isArray()) {
      return false;
    }
    Opcode op = i.opcode();
    if (op == Opcode.CONSTANT) {
      return i.shape().rank() == 0;
    }
    if (op.isElementwise()) {
      return op != Opcode.MAP;
    }
    return switch (op) {
      case BROADCAST, RESHAPE, TRANSPOSE, SLICE, CONCATENATE, PAD, REVERSE, COPY, BITCAST, IOTA, DYNAMIC_SLICE -> true;
      default -> false;
    };
  }

  /**
   * Expensive to compute, so never duplicated into a second fusion nor recomputed for every
   * output element that reads it (XLA's {@code IsExpensive}): transcendental functions, division,
   * powers ({@link Opcode#isExpensiveElementwise}), and everything that is not elementwise or plain
   * data movement.
   */
  static boolean isExpensive(Instruction i) {
    return i.opcode().isExpensiveElementwise() || !isLoopFusible(i);
  }

  /**
   * Whether {@code consumer} reads some element of its operand more than once per pass over its
   * output: a broadcast that adds elements, or an operation that is not a plain elementwise or
   * data-movement loop. An expensive producer fused into such a consumer would be recomputed for
   * each read.
   */
  static boolean reusesOperandElements(Instruction consumer) {
    if (consumer.opcode() == Opcode.BROADCAST) {
      return consumer.shape().rank() > consumer.operand(0).shape().rank();
    }
    return !isLoopFusible(consumer) && consumer.opcode() != Opcode.REDUCE;
  }
}
