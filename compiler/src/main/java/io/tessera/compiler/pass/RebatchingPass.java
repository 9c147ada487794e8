package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the fixed batch of an exported module a runtime value: TF and JAX dumps say
 * {@code f32[8,32]}; afterwards the module says {@code f32[?,32]} and runs on any number of rows.
 * Every instruction is first checked to treat rows independently ({@link RowExtraction} names
 * the one that ties rows together: a reduction over the batch, a reshape that merges it, a dot
 * that contracts it...); the per-row computation this yields is then batched again
 * ({@link BatchingPass}) with the batch dimensions where they were, so the signature is the
 * original one with the batch size replaced by {@code ?}.
 *
 * <p>Which dimension is the batch: by default the leading dimension of every parameter whose
 * leading size is that of parameter 0 (the other parameters, e.g. weights, are the same for every
 * row); or one dimension for every parameter ({@code rebatch:1}); or one per parameter, {@code -}
 * for a parameter without a batch ({@code rebatch:0/-/1}).
 */
public final class RebatchingPass implements Pass {
  /** In a per-parameter list: the parameter has no batch dimension. */
  public static final int NO_BATCH = RowDim.NONE;

  private final List<Integer> parameterDims; // null: the default rule
  private final Integer everyParameter; // one dimension for all, or null

  /** The leading dimension of each parameter whose leading size is parameter 0's. */
  public RebatchingPass() {
    this(null, null);
  }

  private RebatchingPass(List<Integer> parameterDims, Integer everyParameter) {
    this.parameterDims = parameterDims == null ? null : List.copyOf(parameterDims);
    this.everyParameter = everyParameter;
  }

  /** Dimension {@code dim} of every parameter is the batch. */
  public static RebatchingPass everyParameterAt(int dim) {
    return new RebatchingPass(null, dim);
  }

  /** Parameter n's batch is dimension {@code dims.get(n)}, or none for {@link #NO_BATCH}. */
  public static RebatchingPass perParameter(List<Integer> dims) {
    return new RebatchingPass(dims, null);
  }

  /**
   * The pass an argument of {@code rebatch:ARG} names: {@code null} for the default, {@code D}
   * for every parameter, {@code D0/D1/-/...} per parameter.
   */
  static RebatchingPass parse(String argument) {
    if (argument == null) {
      return new RebatchingPass();
    }
    try {
      if (!argument.contains("/")) {
        return everyParameterAt(Integer.parseInt(argument.strip()));
      }
      List<Integer> dims = new ArrayList<>();
      for (String part : argument.split("/", -1)) {
        dims.add(part.strip().equals("-") ? NO_BATCH : Integer.parseInt(part.strip()));
      }
      return perParameter(dims);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rebatch takes a dimension (rebatch:0) or one per parameter"
          + " (rebatch:0/-/1, '-' for none), got '" + argument + "'");
    }
  }

  @Override
  public String name() {
    return "rebatch";
  }

  @Override
  public boolean run(Module module) {
    RowExtraction extraction = extractRows(module);
    new BatchingPass(extraction.parameterDims(), extraction.resultDims()).run(module);
    return true;
  }

  /**
   * Replaces the entry computation of {@code module} by its per-row computation (what
   * {@link UnbatchingPass} leaves) and returns the extraction, which knows where the batch
   * dimensions were.
   */
  RowExtraction extractRows(Module module) {
    new CallInliner().run(module);
    Computation entry = module.entry();
    for (Instruction p : entry.parameters()) {
      if (p.shape().isArray() && p.shape().hasDynamicDimension()) {
        throw new PassException("cannot rebatch module " + module.name() + ": parameter %" + p.name()
            + " already has a dynamic dimension (" + p.shape() + ")");
      }
    }
    List<Integer> dims = batchDims(entry);
    NameUniquer names = new NameUniquer(module);
    RowExtraction extraction = new RowExtraction(entry, names, dims);
    Computation perRow = extraction.run();
    if (extraction.batchSize() < 0) {
      throw new PassException("cannot rebatch module " + module.name() + ": no parameter has a batch dimension");
    }
    module.replaceComputation(entry, perRow);
    DeadCodeElimination.removeDeadInstructions(perRow);
    return extraction;
  }

  private List<Integer> batchDims(Computation entry) {
    List<Instruction> params = entry.parameters();
    if (parameterDims != null) {
      if (parameterDims.size() != params.size()) {
        throw new PassException("cannot rebatch: " + parameterDims.size() + " batch dimension(s) given for "
            + params.size() + " parameter(s)");
      }
      return parameterDims;
    }
    List<Integer> dims = new ArrayList<>();
    if (everyParameter != null) {
      params.forEach(p -> dims.add(everyParameter));
      return dims;
    }
    long batch = -1;
    for (Instruction p : params) {
      boolean leading = p.shape().isArray() && p.shape().rank() > 0;
      if (leading && batch < 0) {
        batch = p.shape().dimension(0);
      }
      dims.add(leading && p.shape().dimension(0) == batch ? 0 : NO_BATCH);
    }
    return dims;
  }
}
