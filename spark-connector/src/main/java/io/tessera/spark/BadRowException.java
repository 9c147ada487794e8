package io.tessera.spark;

/** A row whose value does not fit the module (an array of the wrong length); the message names the row. */
public final class BadRowException extends RuntimeException {
  BadRowException(String message) {
    super(message);
  }
}
