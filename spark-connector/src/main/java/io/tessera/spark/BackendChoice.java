package io.tessera.spark;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.eval.InterpreterBackend;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which backend, and which device of it, a task compiles for, from {@code spark.tessera.backend}
 * and the resources Spark's scheduler gave the task ({@code spark.task.resource.gpu.amount}): with
 * {@code auto}, the GPU the task was assigned when the GPU backend can run here, else the CPU when
 * its natives load, else the interpreter; with {@code gpu}, the task's GPU (device 0 when it has
 * none). A GPU the task was assigned but cannot use is said in {@link #note}.
 *
 * @param backend the backend's name
 * @param device the device ordinal ({@link BackendOptions#DEFAULT_DEVICE} for the backend's default)
 * @param note why the choice is not the task's GPU although it has one, or {@code null}
 */
record BackendChoice(String backend, int device, String note) {
  /** Spark's name of the GPU resource. */
  static final String GPU_RESOURCE = "gpu";
  private static final String GPU_BACKEND = "gpu";

  /** The choice for the running task (none of Spark's resources outside a task). */
  static BackendChoice forCurrentTask(String requested) {
    return choose(requested, taskGpu(TaskContext.get()), name ->
        Backends.names().contains(name) ? Backends.byName(name).unavailableReason() : "no " + name + " backend");
  }

  /**
   * The choice for a task assigned GPU {@code taskGpu} ({@code null}: none).
   *
   * @param unavailableReason why a backend cannot run here, {@code null} when it can
   */
  static BackendChoice choose(String requested, String taskGpu, Function<String, String> unavailableReason) {
    if (!requested.equals(TesseraConf.AUTO) && !requested.equals(GPU_BACKEND)) {
      return new BackendChoice(requested, BackendOptions.DEFAULT_DEVICE, null);
    }
    Integer ordinal = taskGpu == null ? null : ordinal(taskGpu);
    if (requested.equals(GPU_BACKEND)) {
      return new BackendChoice(GPU_BACKEND, ordinal == null ? BackendOptions.DEFAULT_DEVICE : ordinal,
          taskGpu != null && ordinal == null ? notAnOrdinal(taskGpu) : null);
    }
    String note = null;
    if (taskGpu != null) {
      String why = ordinal == null ? notAnOrdinal(taskGpu) : unavailableReason.apply(GPU_BACKEND);
      if (why == null) {
        return new BackendChoice(GPU_BACKEND, ordinal, null);
      }
      note = "the task was assigned GPU " + taskGpu + " but runs elsewhere: " + why;
    }
    String fallback = unavailableReason.apply("cpu") == null ? "cpu" : InterpreterBackend.NAME;
    return new BackendChoice(fallback, BackendOptions.DEFAULT_DEVICE, note);
  }

  /** The first GPU address Spark assigned to {@code task}, or {@code null}. */
  static String taskGpu(TaskContext task) {
    if (task == null) {
      return null;
    }
    Map<String, ResourceInformation> resources = task.resourcesJMap();
    ResourceInformation gpu = resources == null ? null : resources.get(GPU_RESOURCE);
    return gpu == null || gpu.addresses().length == 0 ? null : gpu.addresses()[0];
  }

  private static Integer ordinal(String address) {
    try {
      int n = Integer.parseInt(address.strip());
      return n >= 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String notAnOrdinal(String address) {
    return "its address '" + address + "' is not a CUDA device ordinal (the discovery script should list"
        + " ordinals: 0, 1, ...)";
  }
}
