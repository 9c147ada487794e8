/**
 * The GPU backend: {@link io.tessera.compiler.gpu.GpuBackend} compiles a module into kernels for
 * {@code nvptx64-nvidia-cuda} with the shared elemental emitter of {@code io.tessera.compiler.llvm}
 * and a thin target part ({@link io.tessera.compiler.gpu.ThreadGrid}: thread and block indices,
 * shared memory, barriers, shuffles, the kernel calling convention), emits PTX in memory with
 * LLVM's NVPTX target (libdevice linked for math when a CUDA toolkit is found), and runs it
 * through the CUDA driver API ({@link io.tessera.compiler.gpu.CudaDriver}).
 *
 * <p>Without a device the kernels are still checked: {@link io.tessera.compiler.gpu.HostEmulation}
 * runs the same kernel IR on the host with the thread-index reads turned into loops, and the
 * tests assemble the PTX with {@code ptxas}.
 */
package io.tessera.compiler.gpu;
