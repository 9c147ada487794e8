package io.tessera.arrow;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.pass.BatchingPass;
import io.tessera.compiler.pass.ModuleCopy;
import io.tessera.compiler.pass.RebatchingPass;

/**
 * The module a kernel over Arrow batches compiles: the user's module with a leading row
 * dimension of runtime size on every parameter and result. The passes rewrite a copy; the user's
 * module is left as it was.
 */
final class RowBatching {
  private RowBatching() {}

  /**
   * {@code module} itself when it is already batched (every parameter has a leading {@code ?}
   * dimension), otherwise a batched copy made by the pass {@code form} calls for.
   *
   * @throws io.tessera.compiler.pass.PassException naming the operation that cannot be batched
   */
  static Module batched(Module module, ModuleForm form) {
    if (isBatched(module)) {
      return module;
    }
    Module copy = ModuleCopy.copy(module);
    if (form == ModuleForm.PER_ROW) {
      new BatchingPass().run(copy);
    } else {
      new RebatchingPass().run(copy);
    }
    return copy;
  }

  /** Whether every parameter of {@code module} has a leading dimension of runtime size. */
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
