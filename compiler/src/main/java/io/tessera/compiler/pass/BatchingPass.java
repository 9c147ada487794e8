package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.Collections;
import java.util.List;

/**
 * Row vectorization, as {@code jax.vmap}: turns a module that describes ONE row (parameters such
 * as {@code f32[784]} and {@code f32[]}) into one that takes a batch of rows, every parameter and
 * every result gaining a leading row dimension whose size is known only at run time
 * ({@link Shape#DYNAMIC}, printed {@code f32[?,784]}), so one compiled kernel serves every batch
 * size.
 *
 * <p>Per opcode, as {@link Batcher} and {@link BatchedContractions} say: elementwise operations
 * map; broadcast, reshape, transpose, slice, concatenate, pad, reverse, reduce, sort and windows
 * shift their dimension numbers; constants and every value that does not depend on a row
 * parameter stay as they are (weights are not copied per row) and are broadcast where an
 * elementwise operation meets them with a batched value; a dot of a batched vector with an
 * unbatched matrix becomes ONE [rows, k] x [k, m] product. Rows lead in every batched value, so
 * a backend loops over rows outermost. Calls in the entry are inlined first;
 * an operation with no rule (a row-dependent loop, custom-call, scatter...) fails with a
 * {@link PassException} naming it.
 *
 * <p>Running the pass on a module that has dynamic dimensions already is refused: it would add a
 * second row dimension.
 */
public final class BatchingPass implements Pass {
  private final List<Integer> parameterDims;
  private final List<Integer> resultDims;

  /** Rows go first in every parameter and result. */
  public BatchingPass() {
    this(null, null);
  }

  /**
   * Rows go at {@code parameterDims.get(n)} of parameter n ({@link #UNBATCHED}: the parameter is
   * the same for every row, e.g. weights) and at {@code resultDims.get(k)} of result leaf k;
   * {@code null} for the leading dimension everywhere.
   */
  BatchingPass(List<Integer> parameterDims, List<Integer> resultDims) {
    this.parameterDims = parameterDims == null ? null : List.copyOf(parameterDims);
    this.resultDims = resultDims == null ? null : List.copyOf(resultDims);
  }

  /** In {@link #BatchingPass(List, List)}: a parameter that does not gain a row dimension. */
  static final int UNBATCHED = RowDim.NONE;

  @Override
  public String name() {
    return "batch";
  }

  @Override
  public boolean run(Module module) {
    Computation entry = module.entry();
    for (Instruction p : entry.parameters()) {
      if (p.shape().hasDynamicDimension()) {
        throw new PassException("cannot batch module " + module.name() + ": parameter %" + p.name() + " has shape "
            + p.shape() + ", which already has a dynamic dimension (rebatch a fixed-batch module instead)");
      }
    }
    new CallInliner().run(module);
    entry = module.entry();
    List<Integer> params = parameterDims != null ? parameterDims
        : Collections.nCopies(entry.parameterCount(), 0);
    List<Integer> results = resultDims != null ? resultDims : Collections.nCopies(resultLeaves(entry), 0);
    Computation batched = new Batcher(entry, new NameUniquer(module), params, results).run();
    module.replaceComputation(entry, batched);
    // The layout of the old signature no longer describes the entry.
    module.headerAttributes().remove("entry_computation_layout");
    DeadCodeElimination.removeDeadInstructions(batched);
    return true;
  }

  private static int resultLeaves(Computation entry) {
    Shape result = entry.resultShape();
    return result.isTuple() ? result.tupleShapes().size() : 1;
  }
}
