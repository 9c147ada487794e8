package io.tessera.spark;

import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * Runs a compiled module over a batch of rows held in Arrow tensor vectors
 * ({@link ArrowTensors}): one vector per parameter in, one vector per result leaf out. A row with
 * a null argument gets null results. Result vectors belong to the kernel and stay valid until the
 * next {@link #apply} or {@link #close}.
 */
interface BatchKernel extends AutoCloseable {

  /** Runs rows {@code 0..rows)} of {@code arguments}; returns the result leaves' vectors. */
  List<FieldVector> apply(List<FieldVector> arguments, int rows);

  /** Frees the result vectors and any scratch memory. */
  @Override
  void close();
}
