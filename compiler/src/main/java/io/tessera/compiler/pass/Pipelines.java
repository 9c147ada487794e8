package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Module;
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

  /**
   * The HLO passes a backend runs before code generation, by the backend's name (XLA's
   * {@code RunHloPasses}): {@link #cpuDefault} for {@code cpu}; the simplification group alone for
   * {@code gpu}, whose emitter fuses elementwise work itself and has no use for dot epilogues;
   * nothing for the interpreter, the reference the others are checked against.
   */
  public static Pipeline forBackend(String backend) {
    return forBackend(backend, null);
  }

  /** {@link #forBackend(String)}, dumping the module into {@code dumpDirectory} after each change when not null. */
  public static Pipeline forBackend(String backend, Path dumpDirectory) {
    return switch (backend) {
      case "cpu" -> cpuDefault(dumpDirectory);
      case "gpu" -> Pipeline.builder("gpu")
          .fixedPoint("simplification", SIMPLIFICATION_ROUNDS,
              new AlgebraicSimplifier(), new ConstantFolding(), new Cse(), new DeadCodeElimination())
          .verifyBetweenPasses(true)
          .dumpTo(dumpDirectory)
          .build();
      default -> Pipeline.builder(backend).dumpTo(dumpDirectory).build();
    };
  }

  /** A copy of {@code module} after {@link #forBackend}{@code (backend)}; {@code module} is left as it is. */
  public static Module optimizedFor(String backend, Module module) {
    Module copy = ModuleCopy.copy(module);
    forBackend(backend).run(copy);
    return copy;
  }
}
