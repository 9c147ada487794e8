package io.tessera.spark;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Where a {@link EvalTask}'s batches come from: rows (batched into Arrow here) or the child's own
 * columnar batches (passed through as they are). Either way the input writes each row's call
 * arguments with the task's {@link TensorWriter}s and supplies the pass-through columns of the
 * batch.
 */
interface BatchInput extends AutoCloseable {

  /** Whether another batch follows. */
  boolean hasNext();

  /**
   * Prepares for batches of up to {@code capacity} rows (a columnar child may send larger ones;
   * writers then grow). Called once, before the first batch.
   */
  void open(BufferAllocator allocator, int capacity);

  /**
   * The field that holds each call argument (all calls' arguments, in order) in the rows this
   * input hands to the writers.
   */
  int[] argumentOrdinals();

  /** Reads the next batch into {@code writers}; returns its row count. */
  int next(List<TensorWriter> writers, RowPosition position);

  /** The pass-through columns of the batch just read, valid until the next batch. */
  ColumnVector[] passThrough();

  @Override
  void close();
}
