package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.Module;

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
  public boolean isAvailable() {
    return unavailableReason() == null;
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
}
