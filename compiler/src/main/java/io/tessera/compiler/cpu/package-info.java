/**
 * The CPU backend: {@link io.tessera.compiler.cpu.CpuBackend} emits one kernel per module
 * ({@link io.tessera.compiler.cpu.CpuKernelEmitter}), optimizes it with LLVM's O2/O3 pipeline for
 * the host CPU and JIT-compiles it with MCJIT ({@link io.tessera.compiler.cpu.LlvmJit}); calls go
 * through an {@code i32 (i32, ptr)} trampoline that {@code LLVMRunFunction} can call from Java
 * without JNI ({@link io.tessera.compiler.cpu.KernelEntry}).
 *
 * <p>{@link io.tessera.compiler.cpu.ComputationEmitter} emits the entry computation, and every
 * computation it calls, per call site: elementwise and data-movement instructions (gather and
 * the dynamic slices too) are computed inside their consumers' loops; reduce ({@link
 * io.tessera.compiler.cpu.ReduceEmitter}), dot ({@link io.tessera.compiler.cpu.DotEmitter}),
 * convolution ({@link io.tessera.compiler.cpu.ConvolutionEmitter}), sort ({@link
 * io.tessera.compiler.cpu.SortEmitter}), scatter ({@link io.tessera.compiler.cpu.ScatterEmitter}),
 * reduce-window and select-and-scatter ({@link io.tessera.compiler.cpu.WindowEmitter}), batch-norm
 * training ({@link io.tessera.compiler.cpu.BatchNormEmitter}), while and conditional ({@link
 * io.tessera.compiler.cpu.ControlFlowEmitter}, native loops and branches) write buffers; call and
 * fusion inline the called computation.
 *
 * <p>Ahead of time, {@link io.tessera.compiler.cpu.AotCompiler} compiles the same kernel into a
 * relocatable ELF object for x86-64 or AArch64 with a C entry function, and {@link
 * io.tessera.compiler.cpu.CHeaderWriter} writes its header ({@code tessera compile}).
 *
 * <p>Dynamic rows: parameters and results may have a dynamic leading dimension
 * ({@code f32[?,784]}); the module is compiled once and every call passes its row count, which
 * bounds the loops over that dimension and sizes the buffers and the scratch memory ({@link
 * io.tessera.compiler.cpu.ScratchLayout}). {@link io.tessera.compiler.cpu.DynamicRowSupport}
 * lists the instructions that may carry rows.
 *
 * <p>Supported ({@link io.tessera.compiler.cpu.CpuSupport} is the table): every opcode the
 * interpreter runs, on every element type it allows, with the interpreter's results (bit for bit
 * for integers and data movement). Refused at compile time with a message naming the
 * instruction: {@code custom-call} (XLA runtime routines such as TopK), bitcast-convert between
 * types of different widths, and entry parameters that are tuples.
 *
 * <p>f32/f64 dots run a tiled, register-blocked GEMM or a GEMV ({@link
 * io.tessera.compiler.cpu.GemmEmitter}); f32/f64 convolutions an implicit GEMM with the same
 * micro-kernel shape ({@link io.tessera.compiler.cpu.ConvolutionGemm}), whose elementwise consumer
 * (bias, activation) is applied to each output tile in place ({@link
 * io.tessera.compiler.cpu.ElementwiseEpilogue}); math functions are vectorizable straight-line code
 * ({@link io.tessera.compiler.llvm.VectorMath}).
 */
package io.tessera.compiler.cpu;
