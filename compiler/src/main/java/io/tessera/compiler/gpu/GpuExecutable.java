package io.tessera.compiler.gpu;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_JIT_ERROR_LOG_BUFFER;
import static org.bytedeco.cuda.global.cudart.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
import static org.bytedeco.cuda.global.cudart.cuCtxSynchronize;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuMemAlloc;
import static org.bytedeco.cuda.global.cudart.cuMemFree;
import static org.bytedeco.cuda.global.cudart.cuMemcpyDtoH;
import static org.bytedeco.cuda.global.cudart.cuMemcpyHtoD;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadDataEx;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.pass.BufferSize;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * A module's kernels loaded into the device: the PTX is JIT-compiled by the driver
 * ({@code cuModuleLoadDataEx}, whose error log goes into the exception when it refuses), and each
 * call launches the kernels one after another on the default stream and waits for them.
 *
 * <p>Buffers: device buffers ({@link Buffers.MemorySpace#DEVICE}) are used in place; host buffers
 * are copied into device memory allocated for the call and the results copied back (for tools and
 * tests). Temporaries (dots and reduces that later kernels read) get device memory for the call.
 * A device memory pool and streams are still to come. Calls are serialized.
 */
final class GpuExecutable implements Executable {
  /**
   * Threads per block: a multiple of the warp size that every architecture runs at full occupancy,
   * and the one block size a tiled dot takes (a thread per element of its 16x16 tile).
   */
  static final int THREADS_PER_BLOCK = TiledDotEmitter.THREADS;
  /** Blocks per multiprocessor at most; grid-stride loops cover the rest. */
  static final int BLOCKS_PER_MULTIPROCESSOR = 32;
  private static final int LOG_BYTES = 16 * 1024;

  private record Launch(GpuKernelEmitter.Kernel kernel, CUfunc_st function) {}

  private final String name;
  private final CudaDriver driver;
  private final CUmod_st module;
  private final List<Launch> launches = new ArrayList<>();
  private final ExecutableSignature signature;
  private final List<BufferSize> temporaries;
  private boolean closed;

  private GpuExecutable(String name, CudaDriver driver, CUmod_st module, ExecutableSignature signature,
                        List<BufferSize> temporaries) {
    this.name = name;
    this.driver = driver;
    this.module = module;
    this.signature = signature;
    this.temporaries = List.copyOf(temporaries);
  }

  /**
   * Loads {@code ptx} into the device and finds its kernels.
   *
   * @throws CompilationException with the driver's JIT log when it refuses the PTX
   */
  @SuppressWarnings("try") // the scope frees the option arrays and the log on exit
  static GpuExecutable load(CudaDriver driver, String name, String ptx, List<GpuKernelEmitter.Kernel> kernels,
                            ExecutableSignature signature, List<BufferSize> temporaries) {
    driver.makeCurrent();
    CUmod_st module = new CUmod_st();
    try (PointerScope scope = new PointerScope()) {
      BytePointer log = new BytePointer(LOG_BYTES);
      log.fill(0);
      IntPointer options = new IntPointer(CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
      // The driver reads option values as pointer-sized words: the log's address, then its size.
      Pointer size = new Pointer() {
        {
          address = LOG_BYTES;
        }
      };
      PointerPointer<Pointer> values = new PointerPointer<>(2).put(0, log).put(1, size);
      int status = cuModuleLoadDataEx(module, new BytePointer(ptx), 2, options, values);
      if (status != CUDA_SUCCESS) {
        throw new CompilationException("the CUDA driver refused the PTX of module " + name + ": "
            + CudaDriver.errorName(status) + "\n" + log.getString().strip());
      }
    }
    GpuExecutable executable = new GpuExecutable(name, driver, module, signature, temporaries);
    for (GpuKernelEmitter.Kernel kernel : kernels) {
      CUfunc_st function = new CUfunc_st();
      CudaDriver.check(cuModuleGetFunction(function, module, kernel.name()), "cuModuleGetFunction " + kernel.name());
      executable.launches.add(new Launch(kernel, function));
    }
    return executable;
  }

  @Override
  public String backendName() {
    return GpuBackend.NAME;
  }

  @Override
  public ExecutableSignature signature() {
    return signature;
  }

  @Override
  public synchronized void execute(long rowCount, Buffers parameters, Buffers results) {
    if (closed) {
      throw new IllegalStateException("executable " + name + " is closed");
    }
    signature.checkBuffers(rowCount, parameters, results);
    if (parameters.space() != results.space()) {
      throw new IllegalArgumentException("parameters in " + parameters.space() + " memory but results in "
          + results.space() + " memory");
    }
    driver.makeCurrent();
    long rows = Math.max(rowCount, 0);
    if (parameters.space() == Buffers.MemorySpace.DEVICE) {
      launchAll(rows, addresses(parameters, results));
    } else {
      throughDeviceCopies(rows, parameters, results);
    }
  }

  /** Host buffers: copies parameters in, runs, copies results out; the device memory lives for this call only. */
  private void throughDeviceCopies(long rows, Buffers parameters, Buffers results) {
    ExecutableSignature bound = signature.bind(signature.hasDynamicRows() ? rows : STATIC_SHAPES);
    int n = parameters.count() + results.count();
    long[] device = new long[n];
    try {
      for (int k = 0; k < n; k++) {
        boolean isParameter = k < parameters.count();
        long bytes = isParameter ? bound.parameterShapes().get(k).byteSize()
            : bound.resultBufferShapes().get(k - parameters.count()).byteSize();
        long[] address = new long[1];
        CudaDriver.check(cuMemAlloc(address, Math.max(bytes, 1)), "cuMemAlloc of " + bytes + " bytes");
        device[k] = address[0];
        if (isParameter && bytes > 0) {
          CudaDriver.check(cuMemcpyHtoD(device[k], hostPointer(parameters.address(k)), bytes), "cuMemcpyHtoD");
        }
      }
      launchAll(rows, device);
      for (int j = 0; j < results.count(); j++) {
        long bytes = bound.resultBufferShapes().get(j).byteSize();
        if (bytes > 0) {
          CudaDriver.check(cuMemcpyDtoH(hostPointer(results.address(j)), device[parameters.count() + j], bytes),
              "cuMemcpyDtoH");
        }
      }
    } finally {
      for (long address : device) {
        if (address != 0) {
          cuMemFree(address);
        }
      }
    }
  }

  /**
   * Launches every kernel over buffer addresses (parameters then results, then the temporaries,
   * allocated here for the call) and waits for them.
   */
  private void launchAll(long rows, long[] parametersAndResults) {
    long[] buffers = java.util.Arrays.copyOf(parametersAndResults, parametersAndResults.length + temporaries.size());
    try {
      for (int t = 0; t < temporaries.size(); t++) {
        long bytes = temporaries.get(t).at(rows);
        long[] address = new long[1];
        CudaDriver.check(cuMemAlloc(address, Math.max(bytes, 1)), "cuMemAlloc of " + bytes + " bytes for a temporary");
        buffers[parametersAndResults.length + t] = address[0];
      }
      launchKernels(rows, buffers);
    } finally {
      for (int t = parametersAndResults.length; t < buffers.length; t++) {
        if (buffers[t] != 0) {
          cuMemFree(buffers[t]);
        }
      }
    }
  }

  @SuppressWarnings("try") // the scope frees the argument words on exit
  private void launchKernels(long rows, long[] buffers) {
    for (Launch launch : launches) {
      long elements = launch.kernel().elementCount(rows);
      if (elements == 0) {
        continue;
      }
      long wanted = launch.kernel().form() == GpuKernelEmitter.Form.ROW_REDUCTION ? elements // a block per row
          : (elements + THREADS_PER_BLOCK - 1) / THREADS_PER_BLOCK;
      long blocks = Math.min(wanted, (long) driver.multiprocessors() * BLOCKS_PER_MULTIPROCESSOR);
      try (PointerScope scope = new PointerScope()) {
        // cuLaunchKernel takes one pointer per kernel parameter, to that parameter's value.
        PointerPointer<LongPointer> arguments = new PointerPointer<>(1 + buffers.length);
        arguments.put(0, new LongPointer(1).put(rows));
        for (int k = 0; k < buffers.length; k++) {
          arguments.put(1 + k, new LongPointer(1).put(buffers[k]));
        }
        CudaDriver.check(cuLaunchKernel(launch.function(), (int) blocks, 1, 1, THREADS_PER_BLOCK, 1, 1, 0,
            (CUstream_st) null, arguments, (PointerPointer<?>) null), "cuLaunchKernel " + launch.kernel().name());
      }
    }
    CudaDriver.check(cuCtxSynchronize(), "running the kernels of " + name);
  }

  private static long[] addresses(Buffers parameters, Buffers results) {
    long[] all = new long[parameters.count() + results.count()];
    for (int i = 0; i < parameters.count(); i++) {
      all[i] = parameters.address(i);
    }
    for (int j = 0; j < results.count(); j++) {
      all[parameters.count() + j] = results.address(j);
    }
    return all;
  }

  private static Pointer hostPointer(long address) {
    return new Pointer() {
      {
        this.address = address;
      }
    };
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      driver.makeCurrent();
      cuModuleUnload(module);
    }
  }

  @Override
  public String toString() {
    return "GpuExecutable(" + name + ", " + launches.size() + " kernel(s))";
  }
}
