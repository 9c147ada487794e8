package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** Evaluates reduce, reduce-window and select-and-scatter. */
final class ReductionEvaluator {
  private ReductionEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    throw new EvaluationException(instr.opcode() + " is not evaluated yet");
  }
}
