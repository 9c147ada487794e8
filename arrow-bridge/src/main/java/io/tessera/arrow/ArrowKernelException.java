package io.tessera.arrow;

/**
 * Input an {@link ArrowKernel} cannot run on, or a module it cannot run: a missing column, a
 * column whose type or tensor length does not fit its parameter, a list row of the wrong length,
 * a parameter count that does not match the columns. The message names the column, the row and
 * the parameter involved. Thrown before the kernel runs on the batch at fault.
 */
public class ArrowKernelException extends IllegalArgumentException {
  public ArrowKernelException(String message) {
    super(message);
  }
}
