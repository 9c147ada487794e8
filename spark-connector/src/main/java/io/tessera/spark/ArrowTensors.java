package io.tessera.spark;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The Arrow layout of a column of per-row tensors: a rank-0 tensor is a plain vector of its
 * element type ({@code pred} a bit vector), a tensor of shape {@code [d1, ..., dr]} is a
 * {@code FixedSizeList<d1>} of ... of {@code FixedSizeList<dr>} whose innermost vector holds all
 * rows' elements back to back, row-major. That innermost data buffer is exactly the dense buffer
 * a kernel reads or writes for a batch of rows, so kernels use it in place.
 *
 * <p>Only the outermost vector carries row nulls; inner levels are always valid.
 */
final class ArrowTensors {
  private ArrowTensors() {}

  /** The Arrow field for a column of {@code spec} tensors. */
  static Field field(String name, TensorSpec spec) {
    ArrowType element = elementType(spec.element());
    if (spec.rank() == 0) {
      return new Field(name, FieldType.nullable(element), null);
    }
    Field f = new Field("item", FieldType.notNullable(element), null);
    for (int i = spec.rank() - 1; i >= 1; i--) {
      f = new Field("item", FieldType.notNullable(new ArrowType.FixedSizeList(spec.dims()[i])), List.of(f));
    }
    return new Field(name, FieldType.nullable(new ArrowType.FixedSizeList(spec.dims()[0])), List.of(f));
  }

  static ArrowType elementType(TensorElement e) {
    return switch (e) {
      case PRED -> ArrowType.Bool.INSTANCE;
      case S8 -> new ArrowType.Int(8, true);
      case S16 -> new ArrowType.Int(16, true);
      case S32 -> new ArrowType.Int(32, true);
      case S64 -> new ArrowType.Int(64, true);
      case F32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case F64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    };
  }

  /** A vector for {@code rows} rows of {@code spec} tensors, zeroed, all from {@code allocator}. */
  static FieldVector allocate(String name, TensorSpec spec, BufferAllocator allocator, int rows) {
    FieldVector v = field(name, spec).createVector(allocator);
    try {
      v.setInitialCapacity(Math.max(rows, 1));
      v.allocateNew();
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  /**
   * Whether an Arrow column of {@code field} can feed a batched kernel's parameter {@code spec}
   * as it is: a primitive of the element type for a scalar; for a tensor, one list level per
   * dimension, fixed-size lists of the right sizes or variable lists (whose lengths the kernel
   * checks per row), over the element type.
   */
  static boolean fits(Field field, TensorSpec spec) {
    Field f = field;
    for (int d : spec.dims()) {
      ArrowType t = f.getType();
      boolean list = t instanceof ArrowType.List
          || t instanceof ArrowType.FixedSizeList fixed && fixed.getListSize() == d;
      if (!list || f.getChildren().size() != 1) {
        return false;
      }
      f = f.getChildren().get(0);
    }
    return f.getType().equals(elementType(spec.element()));
  }

  /** The innermost vector: the one whose data buffer holds every element of every row. */
  static BaseFixedWidthVector elements(ValueVector v) {
    ValueVector inner = v;
    while (inner instanceof FixedSizeListVector list) {
      inner = list.getDataVector();
    }
    return (BaseFixedWidthVector) inner;
  }

  /**
   * Sets the value counts of every level for {@code rows} rows and marks every inner level valid
   * (row nulls stay as the writer set them on the outermost vector).
   */
  static void finish(ValueVector v, int rows) {
    v.setValueCount(rows);
    ValueVector inner = v;
    long count = rows;
    while (inner instanceof FixedSizeListVector list) {
      count *= list.getListSize();
      inner = list.getDataVector();
      inner.setValueCount(Math.toIntExact(count));
      setAllValid(inner, count);
    }
  }

  private static void setAllValid(ValueVector v, long count) {
    ArrowBuf validity = v.getValidityBuffer();
    long fullBytes = count / 8;
    validity.setOne(0L, fullBytes);
    for (long i = fullBytes * 8; i < count; i++) {
      BitVectorHelper.setBit(validity, i);
    }
  }

}
