package io.tessera.compiler.pass;

/**
 * A pass met something it cannot transform, or a pipeline found a pass broke the module. The
 * message names the pass and, where there is one, the instruction ({@code %name}).
 */
public final class PassException extends RuntimeException {
  public PassException(String message) {
    super(message);
  }

  public PassException(String message, Throwable cause) {
    super(message, cause);
  }
}
