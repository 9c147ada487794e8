package io.tessera.arrow;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Builds the small Arrow vectors the tests feed to kernels; {@code null} values make null rows. */
final class TestVectors {
  static final FieldType FLOAT = FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));

  private TestVectors() {}

  static Float4Vector floats(BufferAllocator allocator, String name, Float... values) {
    Float4Vector v = new Float4Vector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.set(i, values[i]);
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  static BitVector bools(BufferAllocator allocator, String name, Boolean... values) {
    BitVector v = new BitVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.set(i, values[i] ? 1 : 0);
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  /** A FixedSizeList column of {@code size} floats per row; a {@code null} row is a null entry. */
  static FixedSizeListVector fixedFloatLists(BufferAllocator allocator, String name, int size, float[]... rows) {
    FixedSizeListVector v = FixedSizeListVector.empty(name, size, allocator);
    Float4Vector child = (Float4Vector) v.addOrGetVector(FLOAT).getVector();
    v.setInitialCapacity(rows.length);
    v.allocateNew();
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null) {
        v.setNull(r);
        for (int j = 0; j < size; j++) {
          child.setSafe(r * size + j, -1f); // what a writer may leave under a null row
        }
      } else {
        v.setNotNull(r);
        for (int j = 0; j < size; j++) {
          child.setSafe(r * size + j, rows[r][j]);
        }
      }
    }
    v.setValueCount(rows.length);
    return v;
  }

  /** A List column of floats; a {@code null} row is a null list with no elements (as Spark writes them). */
  static ListVector floatLists(BufferAllocator allocator, String name, float[]... rows) {
    ListVector v = ListVector.empty(name, allocator);
    Float4Vector child = (Float4Vector) v.addOrGetVector(FLOAT).getVector();
    v.allocateNew();
    int next = 0;
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null) {
        v.setNull(r);
        continue;
      }
      v.startNewValue(r);
      for (float x : rows[r]) {
        child.setSafe(next++, x);
      }
      v.endValue(r, rows[r].length);
    }
    child.setValueCount(next);
    v.setValueCount(rows.length);
    return v;
  }

  static VectorSchemaRoot root(FieldVector... vectors) {
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(vectors));
    root.setRowCount(vectors.length == 0 ? 0 : vectors[0].getValueCount());
    return root;
  }
}
