package io.tessera.arrow;

import io.tessera.compiler.hlo.Shape;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The columns of one batch layout bound to a kernel's parameters: which vector feeds each
 * parameter, with its checked {@link InputColumn}. Binding checks every column's type against its
 * parameter, which is per-schema work, so a kernel keeps its last binding and reuses it while the
 * batches carry the very same {@link Field} objects (identity, not equality: the batches of one
 * IPC reader, one Spark task or one {@code VectorSchemaRoot.create} schema do), and binds anew
 * when they do not.
 */
final class BoundColumns {
  /** The schema's field list and the fields of the vectors bound: what {@link #fits} compares. */
  private final List<Field> schemaFields;
  private final Field[] vectorFields;
  private final int[] indices;
  private final InputColumn[] inputs;

  private BoundColumns(List<Field> schemaFields, Field[] vectorFields, int[] indices, InputColumn[] inputs) {
    this.schemaFields = schemaFields;
    this.vectorFields = vectorFields;
    this.indices = indices;
    this.inputs = inputs;
  }

  /**
   * Binds the vectors of a batch with fields {@code schemaFields}: column {@code indices[p]}
   * feeds parameter {@code p}, described in messages by {@code parameters.get(p)}.
   *
   * @throws ArrowKernelException when a column's type does not fit its parameter
   */
  static BoundColumns bind(List<Field> schemaFields, List<FieldVector> vectors, int[] indices, List<String> parameters,
      List<Shape> rowShapes) {
    Field[] vectorFields = new Field[indices.length];
    InputColumn[] inputs = new InputColumn[indices.length];
    for (int p = 0; p < indices.length; p++) {
      vectorFields[p] = vectors.get(indices[p]).getField();
      inputs[p] = InputColumn.bind(vectorFields[p], parameters.get(p), rowShapes.get(p));
    }
    return new BoundColumns(schemaFields, vectorFields, indices, inputs);
  }

  /** Whether a batch with fields {@code fields} and vectors {@code vectors} has the layout bound here. */
  boolean fits(List<Field> fields, List<FieldVector> vectors) {
    if (fields != schemaFields || vectors.size() != fields.size()) {
      return false;
    }
    for (int p = 0; p < indices.length; p++) {
      if (vectors.get(indices[p]).getField() != vectorFields[p]) {
        return false;
      }
    }
    return true;
  }

  int parameterCount() {
    return inputs.length;
  }

  /** The vector among {@code vectors} that feeds parameter {@code p}. */
  FieldVector vector(List<FieldVector> vectors, int p) {
    return vectors.get(indices[p]);
  }

  InputColumn input(int p) {
    return inputs[p];
  }
}
