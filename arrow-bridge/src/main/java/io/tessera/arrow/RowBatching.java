package io.tessera.arrow;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;

/**
 * The module a kernel over Arrow batches compiles: the user's module with a leading row
 * dimension of runtime size on every parameter and result.
 */
final class RowBatching {
  private RowBatching() {}

  /**
   * {@code module} itself when it is already batched (every parameter has a leading {@code ?}
   * dimension: a per-row module never has one), otherwise the batched form of the per-row module.
   */
  static Module batched(Module module) {
    if (isBatched(module)) {
      return module;
    }
    throw new ArrowKernelException("module " + module.name() + " describes one row and the batching pass is not"
        + " available yet; give a module whose parameters and results have a leading ? dimension");
  }

  static boolean isBatched(Module module) {
    if (module.entry().parameters().isEmpty()) {
      return false;
    }
    for (Instruction p : module.entry().parameters()) {
      Shape s = p.shape();
      if (!s.isArray() || s.rank() == 0 || s.dimension(0) != Shape.DYNAMIC) {
        return false;
      }
    }
    return true;
  }
}
