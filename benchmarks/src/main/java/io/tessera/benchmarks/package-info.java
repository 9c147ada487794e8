/** Side-by-side measurements (Tessera vs XLA, plain Java, Spark codegen); never timed unit tests. */
package io.tessera.benchmarks;
