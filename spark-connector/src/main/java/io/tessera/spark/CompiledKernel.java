package io.tessera.spark;

import io.tessera.arrow.ArrowKernel;
import io.tessera.compiler.backend.Executable;

/**
 * A module compiled for the backend that runs it on this executor, shared by every task and query
 * that uses the same module and settings ({@link KernelCache}). Exactly one of {@code batched} and
 * {@code perRow} is set.
 *
 * @param module the module
 * @param signature its Spark view
 * @param batched the kernel over Arrow batches (the module through the batching pass, one call
 *     per batch), or null
 * @param perRow the per-row module compiled as it is (one call per row), or null
 * @param backend the backend that compiled it: the requested one, or {@code interpreter} after a
 *     fallback
 * @param note why the kernel is not the batched one on the requested backend, or null
 * @param compileNanos how long compiling took
 */
record CompiledKernel(TesseraModule module, KernelSignature signature, ArrowKernel batched, Executable perRow,
                      String backend, String note, long compileNanos) {
}
