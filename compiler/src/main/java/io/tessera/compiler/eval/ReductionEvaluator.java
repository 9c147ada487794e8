package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** Evaluates reduce, reduce-window, select-and-scatter and batch norm, each in its own class. */
final class ReductionEvaluator {
  private ReductionEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    return switch (instr.opcode()) {
      case REDUCE -> ReduceEvaluator.evaluate(instr, operands, interpreter);
      case REDUCE_WINDOW -> ReduceWindowEvaluator.evaluate(instr, operands, interpreter);
      case SELECT_AND_SCATTER -> SelectAndScatterEvaluator.evaluate(instr, operands, interpreter);
      case BATCH_NORM_TRAINING, BATCH_NORM_INFERENCE -> BatchNormEvaluator.evaluate(instr, operands);
      default -> throw new IllegalArgumentException(instr.opcode() + " is not a reduction");
    };
  }
}
