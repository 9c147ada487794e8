/**
 * The CPU backend: {@link io.tessera.compiler.cpu.CpuBackend} emits one kernel per module
 * ({@link io.tessera.compiler.cpu.CpuKernelEmitter}, with {@link
 * io.tessera.compiler.cpu.ReduceEmitter} and {@link io.tessera.compiler.cpu.DotEmitter}),
 * optimizes it with LLVM's O2/O3 pipeline for the host CPU and JIT-compiles it with MCJIT
 * ({@link io.tessera.compiler.cpu.LlvmJit}); calls go through an {@code i32 (i32, ptr)}
 * trampoline that {@code LLVMRunFunction} can call from Java without JNI.
 *
 * <p>{@link io.tessera.compiler.cpu.ComputationEmitter} emits the entry computation, and every
 * computation it calls, per call site: elementwise and data-movement instructions (gather and
 * the dynamic slices too) are computed inside their consumers' loops; reduce, dot ({@link
 * io.tessera.compiler.cpu.DotEmitter}), convolution ({@link
 * io.tessera.compiler.cpu.ConvolutionEmitter}), sort ({@link io.tessera.compiler.cpu.SortEmitter}),
 * scatter ({@link io.tessera.compiler.cpu.ScatterEmitter}), reduce-window and select-and-scatter
 * ({@link io.tessera.compiler.cpu.WindowEmitter}), batch-norm training ({@link
 * io.tessera.compiler.cpu.BatchNormEmitter}), while and conditional ({@link
 * io.tessera.compiler.cpu.ControlFlowEmitter}, native loops and branches) write buffers; call and
 * fusion inline the called computation.
 *
 * <p>Supported ({@link io.tessera.compiler.cpu.CpuSupport} is the table): every opcode the
 * interpreter runs, on every element type it allows, with the interpreter's results (bit for bit
 * for integers and data movement). Refused at compile time with a message naming the
 * instruction: {@code custom-call} (XLA runtime routines such as TopK), bitcast-convert between
 * types of different widths, and entry parameters that are tuples or have dynamic dimensions.
 */
package io.tessera.compiler.cpu;
