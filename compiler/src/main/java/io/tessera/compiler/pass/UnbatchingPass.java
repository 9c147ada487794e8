package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Module;

/**
 * Turns a module written for a fixed batch (TF and JAX dumps say {@code f32[8,16] -> f32[8,4]})
 * into the per-row module that {@code tessera_apply} and the batching pass take
 * ({@code f32[16] -> f32[4]}). The same check as {@link RebatchingPass} runs first: every
 * instruction must treat rows independently, or the pass fails naming the one that ties rows
 * together. Parameters without the batch (weights passed as arguments) stay as they are.
 *
 * <p>{@code unbatch} takes the batch dimensions as {@code rebatch} does: by default the leading
 * dimension of every parameter whose leading size is parameter 0's, {@code unbatch:1} for one
 * dimension of every parameter, {@code unbatch:0/-/0} one per parameter.
 */
public final class UnbatchingPass implements Pass {
  private final RebatchingPass dimensions;

  /** The leading dimension of each parameter whose leading size is parameter 0's. */
  public UnbatchingPass() {
    this(new RebatchingPass());
  }

  private UnbatchingPass(RebatchingPass dimensions) {
    this.dimensions = dimensions;
  }

  /** The pass an argument of {@code unbatch:ARG} names, as {@code rebatch:ARG}. */
  static UnbatchingPass parse(String argument) {
    return new UnbatchingPass(RebatchingPass.parse(argument));
  }

  @Override
  public String name() {
    return "unbatch";
  }

  @Override
  public boolean run(Module module) {
    try {
      dimensions.extractRows(module);
    } catch (PassException e) {
      // The check is rebatch's; the message should name the pass the user ran.
      throw new PassException(e.getMessage().replaceFirst("^cannot rebatch", "cannot unbatch"));
    }
    // The header's layout still names the batched shapes.
    module.headerAttributes().remove("entry_computation_layout");
    return true;
  }
}
