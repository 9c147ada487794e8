package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Module;

/**
 * One transformation of a module, as XLA's {@code HloPassInterface}: a name and a {@code run} that
 * rewrites the module in place. A pass keeps its configuration in final fields, so one instance can
 * run on many modules.
 */
public interface Pass {

  /** The name the pipeline dumps and reports use, and the one {@link PassRegistry} knows it by. */
  String name();

  /**
   * Rewrites {@code module} in place.
   *
   * @return whether anything changed; a pass that returns {@code false} left the module as it was
   * @throws PassException when the module holds something this pass cannot handle
   */
  boolean run(Module module);
}
