package io.tessera.compiler.backend;

import java.util.Objects;

/**
 * How a backend compiles: optimization level, fast math, an optional CPU override, and for
 * backends with several devices, which one. Immutable;
 * {@code with...} methods return modified copies. Part of every compile-cache key.
 *
 * <p>Fast math is off by default, so results follow IEEE arithmetic exactly as the operations
 * specify. When on, float operations may be reassociated and contracted (FMA) and use
 * approximate functions, but NaN and infinity keep their meaning (no {@code nnan}/{@code ninf}):
 * {@code maximum} still propagates NaN.
 */
public final class BackendOptions {

  /** LLVM optimization level of both the IR pipeline and code generation. */
  public enum OptLevel { O2, O3 }

  /** {@link #device()} when no device is named: the backend's first. */
  public static final int DEFAULT_DEVICE = -1;

  private static final BackendOptions DEFAULTS = new BackendOptions(OptLevel.O3, false, null, null, DEFAULT_DEVICE);

  private final OptLevel optLevel;
  private final boolean fastMath;
  private final String cpuName;
  private final String cpuFeatures;
  private final int device;

  private BackendOptions(OptLevel optLevel, boolean fastMath, String cpuName, String cpuFeatures, int device) {
    this.optLevel = Objects.requireNonNull(optLevel);
    this.fastMath = fastMath;
    this.cpuName = cpuName;
    this.cpuFeatures = cpuFeatures;
    this.device = device;
  }

  /** O3, fast math off, the host CPU, the first device. */
  public static BackendOptions defaults() {
    return DEFAULTS;
  }

  public BackendOptions withOptLevel(OptLevel level) {
    return new BackendOptions(level, fastMath, cpuName, cpuFeatures, device);
  }

  public BackendOptions withFastMath(boolean enabled) {
    return new BackendOptions(optLevel, enabled, cpuName, cpuFeatures, device);
  }

  /**
   * Runs on device {@code ordinal} of a backend with several (the GPU backend: the CUDA device
   * ordinal, e.g. the GPU address Spark assigned to a task), or {@link #DEFAULT_DEVICE}. Backends
   * with one device ignore it.
   */
  public BackendOptions withDevice(int ordinal) {
    if (ordinal < DEFAULT_DEVICE) {
      throw new IllegalArgumentException("device ordinal " + ordinal + " is negative");
    }
    return new BackendOptions(optLevel, fastMath, cpuName, cpuFeatures, ordinal);
  }

  /**
   * Targets CPU {@code name} (e.g. {@code x86-64-v3}) with LLVM feature string {@code features}
   * (e.g. {@code +avx2,+fma}) instead of the host's; {@code null} keeps the host's value.
   */
  public BackendOptions withCpu(String name, String features) {
    return new BackendOptions(optLevel, fastMath, name, features, device);
  }

  public OptLevel optLevel() {
    return optLevel;
  }

  public boolean fastMath() {
    return fastMath;
  }

  /** The CPU name override, or {@code null} for the host CPU. */
  public String cpuName() {
    return cpuName;
  }

  /** The CPU feature override, or {@code null} for the host's features. */
  public String cpuFeatures() {
    return cpuFeatures;
  }

  /** The device ordinal, or {@link #DEFAULT_DEVICE}. */
  public int device() {
    return device;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendOptions other && optLevel == other.optLevel && fastMath == other.fastMath
        && Objects.equals(cpuName, other.cpuName) && Objects.equals(cpuFeatures, other.cpuFeatures)
        && device == other.device;
  }

  @Override
  public int hashCode() {
    return Objects.hash(optLevel, fastMath, cpuName, cpuFeatures, device);
  }

  @Override
  public String toString() {
    return optLevel + (fastMath ? " fast-math" : "") + (cpuName != null ? " cpu=" + cpuName : "")
        + (cpuFeatures != null ? " features=" + cpuFeatures : "") + (device != DEFAULT_DEVICE ? " device=" + device : "");
  }
}
