package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** Evaluates broadcast, reshape, transpose, slice, dynamic-slice, dynamic-update-slice, concatenate, pad, reverse, iota, copy and bitcast. */
final class ShapeOpEvaluator {
  private ShapeOpEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    throw new EvaluationException(instr.opcode() + " is not evaluated yet");
  }
}
