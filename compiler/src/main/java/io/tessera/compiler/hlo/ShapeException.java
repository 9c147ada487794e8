package io.tessera.compiler.hlo;

/**
 * An operation whose operands, attributes or declared shape do not fit XLA's semantics. The
 * message names the instruction (or, from {@link ShapeInference} alone, the opcode).
 */
public class ShapeException extends RuntimeException {
  public ShapeException(String message) {
    super(message);
  }

  public ShapeException(String message, Throwable cause) {
    super(message, cause);
  }
}
