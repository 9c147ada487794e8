package io.tessera.compiler.eval;

/** A module that cannot be evaluated (bad arguments, an unimplemented custom-call target, ...). */
public class EvaluationException extends RuntimeException {
  public EvaluationException(String message) {
    super(message);
  }

  public EvaluationException(String message, Throwable cause) {
    super(message, cause);
  }
}
