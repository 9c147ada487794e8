package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** Evaluates reduce, reduce-window and select-and-scatter, each in its own class. */
final class ReductionEvaluator {
  private ReductionEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    return switch (instr.opcode()) {
      case REDUCE -> ReduceEvaluator.evaluate(instr, operands, interpreter);
      case REDUCE_WINDOW -> ReduceWindowEvaluator.evaluate(instr, operands, interpreter);
      case SELECT_AND_SCATTER -> SelectAndScatterEvaluator.evaluate(instr, operands, interpreter);
      default -> throw new IllegalArgumentException(instr.opcode() + " is not a reduction");
    };
  }
}
