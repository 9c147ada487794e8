/**
 * The CPU backend: {@link io.tessera.compiler.cpu.CpuBackend} emits one kernel per module
 * ({@link io.tessera.compiler.cpu.CpuKernelEmitter}, with {@link
 * io.tessera.compiler.cpu.ReduceEmitter} and {@link io.tessera.compiler.cpu.DotEmitter}),
 * optimizes it with LLVM's O2/O3 pipeline for the host CPU and JIT-compiles it with MCJIT
 * ({@link io.tessera.compiler.cpu.LlvmJit}); calls go through an {@code i32 (i32, ptr)}
 * trampoline that {@code LLVMRunFunction} can call from Java without JNI ({@link
 * io.tessera.compiler.cpu.KernelEntry}).
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
 * <p>Supported today ({@link io.tessera.compiler.cpu.CpuSupport} is the table): array
 * parameters (static, or with a dynamic leading dimension), constants, iota, every elementwise
 * opcode on every element type the interpreter allows, broadcast, reshape, bitcast, transpose,
 * slice, reverse, concatenate, pad, copy, reduce (variadic, any scalar reducer), dot (general
 * dimension numbers, mixed operand types), tuple results. Not yet: while, conditional, call, map,
 * fusion, custom-call, gather, scatter, dynamic-slice, dynamic-update-slice, reduce-window,
 * select-and-scatter, sort, convolution, tuple-shaped parameters, a tiled GEMM, vectorized math.
 * Those fail at compile time with "not supported by the cpu backend yet: OPCODE at %name".
 */
package io.tessera.compiler.cpu;
