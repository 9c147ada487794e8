package io.tessera.arrow;

/**
 * What the module given to {@link ArrowKernel#compile} describes. Either way the kernel runs on
 * batches of any size: a module whose parameters already have a leading runtime row dimension
 * ({@code f32[?,784]}) is taken as it is.
 */
public enum ModuleForm {
  /**
   * One row: parameter {@code f32[784]} takes 784 floats per row. The batching pass adds the row
   * dimension, as {@code jax.vmap} does.
   */
  PER_ROW,

  /**
   * A fixed batch in the leading dimension of its parameters, as TF and JAX export models
   * ({@code f32[8,784]}: 8 rows of 784 floats; parameters of another leading size, such as
   * weights, are the same for every row). The rebatching pass checks that rows are independent
   * and makes the batch size a runtime value.
   */
  FIXED_BATCH
}
