package io.tessera.oracle;

import java.util.Map;
import org.tensorflow.proto.ConfigProto;

/**
 * How a graph is run in a benchmark. Each mode runs in a JVM of its own because TensorFlow and XLA
 * read their flags from the environment once, when they load.
 */
enum BenchmarkMode {
  /** TensorFlow's own kernels, no XLA. */
  TF("TF (no XLA)", Map.of()),
  /** XLA with its default CPU runtime, which runs the compiled program as a sequence of thunks. */
  XLA_THUNKS("XLA, thunk runtime", Map.of(
      "TF_XLA_FLAGS", "--tf_xla_cpu_global_jit --tf_xla_min_cluster_size=1 --tf_xla_enable_lazy_compilation=false",
      "XLA_FLAGS", "")),
  /** XLA with its older CPU runtime: one compiled function for the whole program. */
  XLA_CLASSIC("XLA, classic runtime", Map.of(
      "TF_XLA_FLAGS", "--tf_xla_cpu_global_jit --tf_xla_min_cluster_size=1 --tf_xla_enable_lazy_compilation=false",
      "XLA_FLAGS", "--xla_cpu_use_thunk_runtime=false"));

  final String label;
  /** Environment variables the mode's JVM is started with (others of these are removed). */
  final Map<String, String> environment;

  BenchmarkMode(String label, Map<String, String> environment) {
    this.label = label;
    this.environment = environment;
  }

  boolean usesXla() {
    return this != TF;
  }

  /**
   * The session options of this mode, with {@code threads} intra-op and inter-op threads (0:
   * TensorFlow's default, one per core). The XLA CPU device runs its parallel loops and Eigen
   * matrix products on the intra-op pool, so 1 makes every mode single-threaded, as Tessera is.
   */
  ConfigProto sessionConfig(int threads) {
    ConfigProto base = usesXla() ? OracleRun.xlaConfig() : ConfigProto.getDefaultInstance();
    return base.toBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(threads).build();
  }
}
