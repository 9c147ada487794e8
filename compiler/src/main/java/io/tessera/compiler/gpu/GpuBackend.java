package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.Module;

/**
 * The GPU backend: HLO to LLVM IR for {@code nvptx64-nvidia-cuda} ({@link GpuKernelEmitter} over
 * the shared elemental emitter), PTX from LLVM's NVPTX target ({@link NvptxCompiler}), run
 * through the CUDA driver ({@link GpuExecutable}).
 *
 * <p>The architecture is {@link BackendOptions#cpuName()} when it names one ({@code sm_90}: LLVM
 * calls a GPU's architecture its CPU), else the device's, else {@value NvptxCompiler#DEFAULT_ARCH}.
 * Math functions come from libdevice when a CUDA toolkit is found, else from the project's own
 * approximations. It runs on CUDA device {@link BackendOptions#device()} (device 0 by default; Spark
 * passes the GPU it assigned to the task). What the backend compiles so far: {@link GpuSupport}.
 */
public final class GpuBackend implements Backend {
  public static final String NAME = "gpu";

  /** Whether {@code name} has the form of a GPU architecture, {@code sm_80} or {@code sm_90a}. */
  public static boolean isArchName(String name) {
    try {
      NvptxCompiler.checkArch(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String unavailableReason() {
    return CudaDriver.unavailableReason();
  }

  @Override
  public String targetDescription(BackendOptions options) {
    return NvptxCompiler.TRIPLE + " " + arch(options) + (Libdevice.find().isPresent() ? " libdevice" : " own-math");
  }

  @Override
  public Executable compile(Module module, BackendOptions options) {
    CudaDriver driver;
    try {
      driver = CudaDriver.get(device(options));
    } catch (IllegalStateException e) {
      throw new CompilationException("the GPU backend is not available here: " + e.getMessage(), e);
    }
    GpuKernelEmitter.Kernels kernels = emit(module, options);
    String ptx = NvptxCompiler.ptx(module.name(), kernels.ir(), arch(options), options, Libdevice.find());
    return GpuExecutable.load(driver, module.name(), ptx, kernels.kernels(), kernels.signature(),
        kernels.temporaries().stream().map(io.tessera.compiler.pass.BufferSize::of).toList());
  }

  /**
   * The PTX the backend generates for {@code module} (what {@code hlo-opt --emit ptx} prints); needs
   * no device.
   *
   * @throws CompilationException as {@link #compile} would
   */
  public String emitPtx(Module module, BackendOptions options) {
    return NvptxCompiler.ptx(module.name(), emit(module, options).ir(), arch(options), options, Libdevice.find());
  }

  private static GpuKernelEmitter.Kernels emit(Module module, BackendOptions options) {
    return GpuKernelEmitter.emit(module, ThreadGrid.NVPTX, Libdevice.find().isPresent() ? Libdevice.MATH
        : io.tessera.compiler.llvm.MathLibrary.OWN, options);
  }

  /** The option's architecture, else the device's when there is one, else the default. */
  private static String arch(BackendOptions options) {
    if (options.cpuName() != null) {
      try {
        return NvptxCompiler.checkArch(options.cpuName());
      } catch (IllegalArgumentException e) {
        throw new CompilationException(e.getMessage(), e);
      }
    }
    if (CudaDriver.unavailableReason() != null) {
      return NvptxCompiler.DEFAULT_ARCH;
    }
    try {
      return CudaDriver.get(device(options)).arch();
    } catch (IllegalStateException e) {
      throw new CompilationException(e.getMessage(), e);
    }
  }

  /** The CUDA ordinal {@code options} name, device 0 by default. */
  private static int device(BackendOptions options) {
    return options.device() == BackendOptions.DEFAULT_DEVICE ? 0 : options.device();
  }
}
