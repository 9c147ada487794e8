package io.tessera.compiler.hlo;

import java.util.List;

/**
 * Infers the result shape of an operation from its operand shapes and attributes, following XLA's
 * operation semantics. Throws {@link ShapeException} saying what does not fit.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /**
   * The result shape of {@code opcode} applied to operands of {@code operandShapes} with
   * {@code attributes} (which include any called computations).
   */
  public static Shape infer(Opcode opcode, List<Shape> operandShapes, Attributes attributes) {
    throw new ShapeException("shape inference for " + opcode + " is not written yet");
  }
}
