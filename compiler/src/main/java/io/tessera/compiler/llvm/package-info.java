/**
 * Target-independent LLVM IR emission, shared by the CPU and GPU backends.
 *
 * <p>IR is written as text ({@link io.tessera.compiler.llvm.IrModule}, {@link
 * io.tessera.compiler.llvm.IrBuilder}) and parsed by LLVM. {@link
 * io.tessera.compiler.llvm.ElementalEmitter} computes an instruction at an output index, so
 * chains of elementwise and data-movement instructions fuse into one loop; {@link
 * io.tessera.compiler.llvm.ScalarOps} holds the scalar semantics of every elementwise opcode;
 * {@link io.tessera.compiler.llvm.FloatFormats} the f16/bf16 conversions and reduce-precision;
 * {@link io.tessera.compiler.llvm.LoopEmitter} the loop nests; {@link
 * io.tessera.compiler.llvm.VectorMath} the transcendental functions as straight-line IR (no libm
 * calls), so that loops using them vectorize.
 *
 * <p>{@link io.tessera.compiler.llvm.DynamicIndexing} adds the elemental forms of dynamic-slice,
 * dynamic-update-slice and gather, {@link io.tessera.compiler.llvm.ElementalOps} those of map and
 * batch-norm inference.
 */
package io.tessera.compiler.llvm;
