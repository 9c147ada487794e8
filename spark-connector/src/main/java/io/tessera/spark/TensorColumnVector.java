package io.tessera.spark;

import io.tessera.spark.KernelSignature.ResultNode;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Kernel results as Spark column vectors, without copying: a scalar result is a
 * {@link ScalarColumnVector} (Spark's {@link ArrowColumnVector} for any other Arrow type); a tensor result (an Arrow {@code FixedSizeList}, which
 * {@code ArrowColumnVector} does not read) is a {@link TensorColumnVector} whose row {@code i} is
 * the slice {@code [i*d, (i+1)*d)} of its child; a tuple result is a struct vector over its
 * leaves. Closing these vectors does not free the Arrow memory: the kernel owns it.
 */
abstract class TensorColumnVector extends ColumnVector {

  TensorColumnVector(DataType type) {
    super(type);
  }

  /** The Spark column for a result: {@code leaves} are the kernel's result vectors in leaf order. */
  static ColumnVector of(ResultNode result, List<FieldVector> leaves) {
    return build(result, leaves, new int[] {0});
  }

  private static ColumnVector build(ResultNode node, List<FieldVector> leaves, int[] next) {
    if (node.isLeaf()) {
      return wrap(leaves.get(next[0]++));
    }
    ColumnVector[] children = new ColumnVector[node.elements().size()];
    for (int i = 0; i < children.length; i++) {
      children[i] = build(node.elements().get(i), leaves, next);
    }
    return new Struct(node, children);
  }

  private static ColumnVector wrap(ValueVector v) {
    if (v instanceof FixedSizeListVector list) {
      return new Tensor(list);
    }
    return ScalarColumnVector.reads(v) ? ScalarColumnVector.of(v) : new Lent(v);
  }

  /**
   * Spark's reader of an Arrow vector that it does not own. Spark's columnar-to-row step closes
   * each batch's vectors once it has read them ({@code closeIfFreeable}); these vectors belong to
   * the operator, which reuses or frees them itself.
   */
  static final class Lent extends ArrowColumnVector {
    Lent(ValueVector vector) {
      super(vector);
    }

    @Override
    public void close() {
      // Owned by the writer or kernel that allocated the vector.
    }
  }

  /** A column of fixed-size arrays over one Arrow {@code FixedSizeList} vector. */
  static final class Tensor extends TensorColumnVector {
    private final FixedSizeListVector vector;
    private final ColumnVector child;
    private final int size;

    Tensor(FixedSizeListVector vector) {
      this(vector, wrap(vector.getDataVector()));
    }

    private Tensor(FixedSizeListVector vector, ColumnVector child) {
      super(new ArrayType(child.dataType(), false));
      this.vector = vector;
      this.child = child;
      this.size = vector.getListSize();
    }

    /** The Arrow vector this column reads. */
    FixedSizeListVector vector() {
      return vector;
    }

    @Override
    public boolean isNullAt(int rowId) {
      return vector.isNull(rowId);
    }

    @Override
    public ColumnarArray getArray(int rowId) {
      return new ColumnarArray(child, rowId * size, size);
    }

    @Override
    public boolean hasNull() {
      return vector.getNullCount() > 0;
    }

    @Override
    public int numNulls() {
      return vector.getNullCount();
    }

    @Override
    public ColumnVector getChild(int ordinal) {
      return child;
    }
  }

  /** A struct column (a tuple result) over the columns of its elements; null where its first leaf is. */
  static final class Struct extends TensorColumnVector {
    private final ColumnVector[] children;
    private final ColumnVector nulls;

    Struct(ResultNode node, ColumnVector[] children) {
      super(KernelSignature.sparkType(node));
      this.children = children;
      ColumnVector first = children[0];
      while (first instanceof Struct s) {
        first = s.children[0];
      }
      this.nulls = first;
    }

    @Override
    public boolean isNullAt(int rowId) {
      return nulls.isNullAt(rowId);
    }

    @Override
    public boolean hasNull() {
      return nulls.hasNull();
    }

    @Override
    public int numNulls() {
      return nulls.numNulls();
    }

    @Override
    public ColumnVector getChild(int ordinal) {
      return children[ordinal];
    }

    @Override
    public ColumnarArray getArray(int rowId) {
      throw unsupported();
    }
  }

  // Every result type is a number, a boolean, an array or a struct: the other getters are never called.

  @Override
  public void close() {
    // The Arrow vectors belong to the kernel that produced them.
  }

  @Override
  public boolean getBoolean(int rowId) {
    throw unsupported();
  }

  @Override
  public byte getByte(int rowId) {
    throw unsupported();
  }

  @Override
  public short getShort(int rowId) {
    throw unsupported();
  }

  @Override
  public int getInt(int rowId) {
    throw unsupported();
  }

  @Override
  public long getLong(int rowId) {
    throw unsupported();
  }

  @Override
  public float getFloat(int rowId) {
    throw unsupported();
  }

  @Override
  public double getDouble(int rowId) {
    throw unsupported();
  }

  @Override
  public ColumnarMap getMap(int ordinal) {
    throw unsupported();
  }

  @Override
  public Decimal getDecimal(int rowId, int precision, int scale) {
    throw unsupported();
  }

  @Override
  public UTF8String getUTF8String(int rowId) {
    throw unsupported();
  }

  @Override
  public byte[] getBinary(int rowId) {
    throw unsupported();
  }

  UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException(dataType().simpleString() + " column");
  }
}
