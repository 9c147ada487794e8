package io.tessera.compiler.pass;

import java.nio.file.Path;

/**
 * The pipelines backends run, each assembled in one readable place, in order, as XLA's
 * {@code cpu_compiler.cc} does.
 */
public final class Pipelines {
  /** Rounds of the simplification group: enough for the chains seen in practice, a bound otherwise. */
  static final int SIMPLIFICATION_ROUNDS = 8;

  private Pipelines() {}

  /** The CPU backend's pipeline, verifying between passes. */
  public static Pipeline cpuDefault() {
    return cpuDefault(null);
  }

  /**
   * The CPU backend's pipeline, dumping the module into {@code dumpDirectory} after each change
   * when it is not {@code null}: simplification, constant folding, CSE and DCE repeated to a fixed
   * point (each exposes work for the others), then fusion of the simplified module. Fusion runs
   * after the group, as in XLA: the rewrites see through unfused instructions, and a fused module
   * is final.
   */
  public static Pipeline cpuDefault(Path dumpDirectory) {
    return Pipeline.builder("cpu")
        .fixedPoint("simplification", SIMPLIFICATION_ROUNDS,
            new AlgebraicSimplifier(), new ConstantFolding(), new Cse(), new DeadCodeElimination())
        .add(new Fusion())
        .verifyBetweenPasses(true)
        .dumpTo(dumpDirectory)
        .build();
  }
}
