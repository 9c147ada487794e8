package io.tessera.compiler.gpu;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetCount;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuInit;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The CUDA driver API through bytedeco's bindings, opened once per JVM: {@code cuInit}, then each
 * device a compilation asks for ({@link #get(int)}; device 0 by default) with its primary context
 * (the one context per device that the CUDA runtime and other libraries in the process share).
 *
 * <p>Opening never takes the JVM down where there is no GPU: bytedeco's JNI wrapper needs the
 * driver's {@code libcuda.so.1} and a CUDA 12 {@code libcudart.so.12}; when either is missing its
 * class fails to load with an {@link UnsatisfiedLinkError} (a {@link LinkageError}, caught here),
 * and a machine with the libraries but no device answers {@code CUDA_ERROR_NO_DEVICE}. Either way
 * {@link #unavailableReason()} says why, and nothing native has run.
 */
final class CudaDriver {
  private static final Object LOCK = new Object();
  /** The devices opened so far, by ordinal. */
  private static final Map<Integer, CudaDriver> OPENED = new HashMap<>();
  /** Devices the driver sees, once initialized; -1 before. */
  private static int deviceCount = -1;
  private static String failure;

  private final CUctx_st context;
  private final int major;
  private final int minor;
  private final int multiprocessors;

  private CudaDriver(CUctx_st context, int major, int minor, int multiprocessors) {
    this.context = context;
    this.major = major;
    this.minor = minor;
    this.multiprocessors = multiprocessors;
  }

  /**
   * Device 0, opened on first use.
   *
   * @throws IllegalStateException with the reason when there is no usable device
   */
  static CudaDriver get() {
    return get(0);
  }

  /**
   * Device {@code ordinal} (CUDA's numbering, as Spark's GPU addresses use it) and its primary
   * context, opened on first use and kept for the JVM's lifetime.
   *
   * @throws IllegalStateException with the reason when the driver or that device is not usable
   */
  static CudaDriver get(int ordinal) {
    synchronized (LOCK) {
      if (deviceCount < 0 && failure == null) {
        try {
          deviceCount = initialize();
        } catch (IllegalStateException e) {
          failure = e.getMessage();
        } catch (LinkageError e) {
          failure = "the CUDA libraries do not load (bytedeco cuda needs the driver's libcuda.so.1 and CUDA 12's"
              + " libcudart.so.12): " + e;
        }
      }
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
      if (ordinal < 0 || ordinal >= deviceCount) {
        throw new IllegalStateException("there is no GPU " + ordinal + ": the CUDA driver sees " + deviceCount
            + " device(s)");
      }
      return OPENED.computeIfAbsent(ordinal, CudaDriver::open);
    }
  }

  /** Why there is no usable device, or {@code null} when there is one. */
  static String unavailableReason() {
    try {
      get();
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /** {@code cuInit}; returns the number of devices, at least one. */
  private static int initialize() {
    check(cuInit(0), "cuInit");
    int[] count = new int[1];
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    if (count[0] == 0) {
      throw new IllegalStateException("the CUDA driver sees no device");
    }
    return count[0];
  }

  private static CudaDriver open(int ordinal) {
    int[] device = new int[1];
    check(cuDeviceGet(device, ordinal), "cuDeviceGet");
    CUctx_st context = new CUctx_st();
    check(cuDevicePrimaryCtxRetain(context, device[0]), "cuDevicePrimaryCtxRetain");
    return new CudaDriver(context, attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device[0]),
        attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device[0]),
        attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device[0]));
  }

  private static int attribute(int attribute, int device) {
    int[] value = new int[1];
    check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
    return value[0];
  }

  /** Makes the device's context current on the calling thread (driver calls act on the thread's context). */
  void makeCurrent() {
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  /** The device's architecture as LLVM names it, e.g. {@code sm_90} for compute capability 9.0. */
  String arch() {
    return "sm_" + major + minor;
  }

  /** Streaming multiprocessors: launch grids are sized from it. */
  int multiprocessors() {
    return multiprocessors;
  }

  /**
   * Throws unless {@code status} is {@code CUDA_SUCCESS}.
   *
   * @throws IllegalStateException naming the call and the error, e.g. {@code CUDA_ERROR_NO_DEVICE}
   */
  static void check(int status, String call) {
    if (status != CUDA_SUCCESS) {
      throw new IllegalStateException(call + " failed: " + errorName(status));
    }
  }

  static String errorName(int status) {
    PointerPointer<BytePointer> name = new PointerPointer<>(1);
    try {
      Pointer text = cuGetErrorName(status, name) == CUDA_SUCCESS ? name.get(0) : null;
      return (text == null || text.isNull() ? "CUDA error" : new BytePointer(text).getString()) + " (" + status + ")";
    } finally {
      name.close();
    }
  }
}
