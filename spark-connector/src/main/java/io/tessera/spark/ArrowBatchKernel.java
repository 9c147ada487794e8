package io.tessera.spark;

import io.tessera.arrow.ArrowKernel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A {@link BatchKernel} over arrow-bridge's {@link ArrowKernel}: one call of the batched module
 * per batch, reading the argument vectors in place and writing result vectors allocated from the
 * task's allocator. Each batch's results are freed when the next batch runs.
 */
final class ArrowBatchKernel implements BatchKernel {
  private final ArrowKernel kernel;
  private final BufferAllocator allocator;
  private VectorSchemaRoot results;

  ArrowBatchKernel(ArrowKernel kernel, BufferAllocator allocator) {
    this.kernel = kernel;
    this.allocator = allocator;
  }

  @Override
  public List<FieldVector> apply(List<FieldVector> arguments, int rows) {
    close();
    List<Field> fields = new ArrayList<>();
    for (FieldVector v : arguments) {
      fields.add(v.getField());
    }
    // A view of the writers' vectors, not closed here: the writers own them.
    VectorSchemaRoot batch = new VectorSchemaRoot(fields, arguments, rows);
    results = kernel.apply(batch, allocator);
    return results.getFieldVectors();
  }

  @Override
  public void close() {
    if (results != null) {
      results.close();
      results = null;
    }
  }
}
