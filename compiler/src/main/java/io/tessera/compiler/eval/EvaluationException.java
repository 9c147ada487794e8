package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** A module that cannot be evaluated (bad arguments, an unimplemented custom-call target, ...). */
public class EvaluationException extends RuntimeException {
  public EvaluationException(String message) {
    super(message);
  }

  public EvaluationException(String message, Throwable cause) {
    super(message, cause);
  }

  /** An error evaluating {@code instr}, the message prefixed with {@code %name (opcode): }. */
  static EvaluationException error(Instruction instr, String message) {
    return error(instr, message, null);
  }

  static EvaluationException error(Instruction instr, String message, Throwable cause) {
    return new EvaluationException("%" + instr.name() + " (" + instr.opcode() + "): " + message, cause);
  }

  /** Checks that {@code instr} returns an array and that every operand value is one. */
  static void requireArrays(Instruction instr, List<Literal> operands) {
    if (!instr.shape().isArray()) {
      throw error(instr, "the result must be an array, got " + instr.shape());
    }
    for (Literal operand : operands) {
      if (!operand.shape().isArray()) {
        throw error(instr, "operands must be arrays, got " + operand.shape());
      }
    }
  }
}
