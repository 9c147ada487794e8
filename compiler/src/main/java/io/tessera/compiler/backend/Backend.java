package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Module;

/**
 * A code generator for one kind of device: compiles an HLO module into an {@link Executable}.
 * Backends are stateless apart from caches and may compile on several threads at once.
 */
public interface Backend {

  /** Short name, as the command line spells it: {@code cpu}, {@code gpu}. */
  String name();

  /** Whether this machine can compile and run for this backend (native libraries, devices). */
  default boolean isAvailable() {
    return unavailableReason() == null;
  }

  /** Why {@link #isAvailable()} is false, or {@code null} when it is true. */
  String unavailableReason();

  /**
   * Describes the code generation target for {@code options}: two compiles with equal
   * descriptions generate the same code. Part of every compile-cache key.
   */
  String targetDescription(BackendOptions options);

  /**
   * Compiles the entry computation of {@code module}.
   *
   * @throws CompilationException naming the instruction when the module uses something the
   *     backend does not support, or code generation fails
   */
  Executable compile(Module module, BackendOptions options);

  /** Compiles with {@link BackendOptions#defaults()}. */
  default Executable compile(Module module) {
    return compile(module, BackendOptions.defaults());
  }
}
