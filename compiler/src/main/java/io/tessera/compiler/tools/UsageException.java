package io.tessera.compiler.tools;

/** A command line that cannot be run as given; the launcher prints the message and the usage. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
