package io.tessera.compiler.backend;

/**
 * A module a backend cannot compile: an opcode or type it does not support yet, or a failure in
 * code generation. The message names the instruction ({@code %name}) whenever one is at fault.
 */
public class CompilationException extends RuntimeException {
  public CompilationException(String message) {
    super(message);
  }

  public CompilationException(String message, Throwable cause) {
    super(message, cause);
  }
}
