package io.tessera.spark;

import io.tessera.compiler.backend.Executable;

/**
 * A module compiled for the backend that runs it on this executor, shared by every task and query
 * that uses the same module and settings ({@link KernelCache}).
 *
 * @param module the module
 * @param signature its Spark view
 * @param executable the compiled per-row entry (owned by the JVM-wide compile cache)
 * @param backend the backend that compiled it: the requested one, or {@code interpreter} after a
 *     fallback
 * @param fallbackReason why the requested backend was not used, or {@code null}
 * @param compileNanos how long compiling took
 */
record CompiledKernel(TesseraModule module, KernelSignature signature, Executable executable, String backend,
                      String fallbackReason, long compileNanos) {
}
