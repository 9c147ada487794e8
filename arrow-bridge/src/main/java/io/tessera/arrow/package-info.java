/**
 * Arrow vectors to kernel buffers and back, zero-copy; the batch runner and the {@code arrow-apply}
 * tool. Depends on the compiler and Arrow Java only, never on Spark.
 */
package io.tessera.arrow;
