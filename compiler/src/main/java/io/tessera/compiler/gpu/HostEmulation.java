package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.MathLibrary;
import io.tessera.compiler.pass.BufferSize;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the GPU backend's kernels on the host, to check their logic where there is no device: the
 * same kernels, emitted with {@link ThreadGrid#EMULATED} (the thread and block indices become
 * arguments), called by a driver {@code @tessera_kernel} that loops over every block and every
 * thread of a launch grid, and compiled by the CPU backend's JIT.
 *
 * <p>Faithful for elementwise kernels because their threads share nothing: each writes only its
 * own elements and has no barrier or shuffle, so running the threads one after another is one of
 * the orders a device may run them in, and every order gives the same result. That includes the
 * kernels that compute a dot or a reduce of any dimensions one output element per thread
 * ({@link DotLoop}, {@link ReduceLoop}): each thread loops over the contracting or reduced
 * elements alone, with no barrier, so those kernels are checked as the device runs them. Kernels
 * run in launch order, each over the whole grid before the next, as the device's default stream
 * runs them, so temporaries written by one kernel are complete when the next reads them.
 *
 * <p>Row reduction kernels run with one thread per block, where a barrier waits for no one and a
 * warp shuffle finds no other lane ({@link ThreadGrid#EMULATED}): that checks their row and
 * column indexing, the fold, the fused input and the path through shared memory, but not how
 * threads combine their values. That part (shuffles, barriers) is checked only by {@code ptxas}
 * and on a device ({@code GpuDeviceTest}).
 *
 * <p>Tiled dot kernels ({@link TiledDotEmitter}) are written as phases between barriers
 * ({@link ThreadGrid#forEachThread}): emulated, each block is one call that runs the phase for
 * all {@value TiledDotEmitter#THREADS} of its threads before it goes on to the next, with
 * per-thread values in per-thread slots. That is the order the barriers impose on the device, so
 * the emulation checks the tiling, the edges and the shared-memory traffic faithfully; it cannot
 * show a missing barrier (phases run in order regardless), which {@code ptxas} does not show
 * either: the barriers are checked by reading the emitter and on a device.
 *
 * <p>What it does not check: math functions come from {@link MathLibrary#OWN}, since libdevice is
 * device bitcode (its use is checked by {@code ptxas} and on a device); and code generation by
 * NVPTX itself. The grid is deliberately small ({@value #BLOCKS} blocks of {@value #THREADS}
 * threads), so that loops stride more than once and threads past the end do nothing.
 */
final class HostEmulation {
  static final int BLOCKS = 3;
  static final int THREADS = 5;

  private HostEmulation() {}

  /** The module's GPU kernels compiled for the host, behind the usual executable interface. */
  static Executable compile(Module module, BackendOptions options) {
    GpuKernelEmitter.Kernels kernels = GpuKernelEmitter.emit(module, ThreadGrid.EMULATED, MathLibrary.OWN, options);
    IrModule ir = kernels.ir();
    List<IrValue> pointers = new ArrayList<>();
    List<String> declared = new ArrayList<>();
    int[] counts = {kernels.signature().parameterShapes().size(), kernels.signature().resultBufferShapes().size(),
        kernels.temporaries().size()};
    String[] prefixes = {"%p", "%r", "%t"};
    for (int kind = 0; kind < counts.length; kind++) {
      for (int k = 0; k < counts[kind]; k++) {
        pointers.add(new IrValue("ptr", prefixes[kind] + k));
        declared.add("ptr " + prefixes[kind] + k);
      }
    }
    IrBuilder b = new IrBuilder(ir);
    for (GpuKernelEmitter.Kernel kernel : kernels.kernels()) {
      // Calls per block, and the block size the kernel sees: a tiled dot runs its block's threads itself.
      int calls = kernel.form() == GpuKernelEmitter.Form.ELEMENTWISE ? THREADS : 1;
      int blockSize = switch (kernel.form()) {
        case ELEMENTWISE -> THREADS;
        case ROW_REDUCTION -> 1;
        case TILED_DOT -> TiledDotEmitter.THREADS;
      };
      LoopEmitter.forRange(b, "block", IrValue.i64(BLOCKS), block ->
          LoopEmitter.forRange(b, "thread", IrValue.i64(calls), thread -> {
            List<IrValue> args = new ArrayList<>();
            args.add(new IrValue("i64", "%rows"));
            args.addAll(pointers);
            // In ThreadGrid.Register order: tid, ntid, ctaid, nctaid.
            args.add(b.cast("trunc", thread, "i32"));
            args.add(IrValue.i32(blockSize));
            args.add(b.cast("trunc", block, "i32"));
            args.add(IrValue.i32(BLOCKS));
            b.call("void", "@" + kernel.name(), args.toArray(IrValue[]::new));
          }));
    }
    b.retVoid();
    ir.addFunction(b.functionText("define internal void @tessera_kernel(i64 %rows, " + String.join(", ", declared)
        + ") " + IrModule.KERNEL_ATTRIBUTES));
    return CpuBackend.compileKernelModule(module.name(), ir, kernels.signature(),
        kernels.temporaries().stream().map(BufferSize::of).toList(), options);
  }
}
