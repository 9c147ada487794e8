package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.pass.BufferSize;
import java.util.List;

/**
 * The CPU backend: HLO to LLVM IR ({@link CpuKernelEmitter} over the shared elemental emitter),
 * optimized and compiled for the host CPU by LLVM's JIT through bytedeco's LLVM bindings.
 *
 * <p>Code is generated for the host's CPU name and features (AVX2 here, AVX-512 where the
 * machine has it) unless {@link BackendOptions#withCpu} overrides them. Math functions are the
 * backend's own vectorizable approximations ({@link io.tessera.compiler.llvm.VectorMath}).
 */
public final class CpuBackend implements Backend {
  public static final String NAME = "cpu";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String unavailableReason() {
    return LlvmJit.unavailableReason();
  }

  @Override
  public String targetDescription(BackendOptions options) {
    HostTarget t = HostTarget.resolve(options);
    return t.triple() + " " + t.cpu() + " " + t.features();
  }

  @Override
  public Executable compile(Module module, BackendOptions options) {
    HostTarget target = HostTarget.resolve(options);
    CpuKernelEmitter.KernelIr kernel = CpuKernelEmitter.emit(module, target, options);
    JitModule jit = LlvmJit.compile(module.name(), kernel.text(), target, options);
    return new CpuExecutable(module.name(), jit, kernel.signature(), kernel.abi());
  }

  /**
   * The LLVM IR the backend emits for {@code module}: as emitted when {@code optimized} is false,
   * after LLVM's optimization pipeline when true (what {@code hlo-opt --emit llvm} prints).
   *
   * @throws CompilationException as {@link #compile} would
   */
  public String emitLlvmIr(Module module, BackendOptions options, boolean optimized) {
    HostTarget target = HostTarget.resolve(options);
    String text = CpuKernelEmitter.emit(module, target, options).text();
    return optimized ? LlvmJit.optimizedIr(module.name(), text, target, options) : text;
  }

  /**
   * JIT-compiles for this host a kernel module that another emitter wrote: {@code ir} defines
   * {@code void @tessera_kernel(i64 %rows, ptr %p0.., ptr %r0.., ptr %t0..)} over the buffers of
   * {@code signature} and one scratch buffer per entry of {@code temporaries} (placed in the
   * call's scratch memory as the CPU's own temporaries are). The GPU backend's host emulation runs
   * its kernels this way (thread-index reads turned into loops over the launch grid) to test them
   * without a device.
   *
   * @throws CompilationException when LLVM rejects the module
   */
  public static Executable compileKernelModule(String name, IrModule ir, ExecutableSignature signature,
                                               List<BufferSize> temporaries, BackendOptions options) {
    HostTarget target = HostTarget.resolve(options);
    ir.setTarget(target.triple(), target.dataLayout());
    ir.setTargetAttributes(target.functionAttributes());
    ScratchLayout scratch = new ScratchLayout();
    temporaries.forEach(scratch::add);
    KernelEntry.Abi abi = new KernelEntry.Abi(signature.parameterShapes().size(), signature.resultBufferShapes().size(),
        scratch, signature.hasDynamicRows());
    ir.addFunction(KernelEntry.jitTrampoline(abi));
    JitModule jit = LlvmJit.compile(name, ir.text(), target, options);
    return new CpuExecutable(name, jit, signature, abi);
  }
}
