package io.tessera.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.arrow.vector.ValueVector;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Takes a columnar child's batches as they come (a vectorized Parquet or ORC scan, a cached
 * table, another Tessera operator): the pass-through columns are the child's own vectors, not
 * copied. An argument that is a column of Arrow vectors of a fitting type goes to a batched kernel
 * as it is (zero copy); other arguments are read from each row of the batch in place, through a
 * projection only when an argument is an expression rather than a column. Batches keep the
 * child's size.
 */
final class ColumnarInput implements BatchInput {
  private final Iterator<ColumnarBatch> batches;
  private final int[] passOrdinals;
  private final List<Expression> arguments;
  private final List<Attribute> childOutput;
  private final int partition;
  private UnsafeProjection projection;
  private int[] argumentOrdinals;
  private ColumnVector[] passColumns;
  private long rowsRead;

  ColumnarInput(Iterator<ColumnarBatch> batches, List<Attribute> passThrough, List<Expression> arguments,
                List<Attribute> childOutput, int partition) {
    this.batches = batches;
    this.arguments = arguments;
    this.childOutput = childOutput;
    this.partition = partition;
    this.passOrdinals = new int[passThrough.size()];
    for (int i = 0; i < passOrdinals.length; i++) {
      passOrdinals[i] = ordinalOf(passThrough.get(i), childOutput);
    }
    this.passColumns = new ColumnVector[passOrdinals.length];
  }

  /** The field of {@code childOutput} that {@code e} is, or -1 when {@code e} is not one of those columns. */
  static int ordinalOf(Expression e, List<Attribute> childOutput) {
    if (e instanceof Attribute a) {
      for (int i = 0; i < childOutput.size(); i++) {
        if (childOutput.get(i).exprId().equals(a.exprId())) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public boolean hasNext() {
    return batches.hasNext();
  }

  @Override
  public void open(BufferAllocator allocator, int capacity) {
    argumentOrdinals = new int[arguments.size()];
    boolean allColumns = true;
    for (int i = 0; i < argumentOrdinals.length; i++) {
      argumentOrdinals[i] = ordinalOf(arguments.get(i), childOutput);
      allColumns &= argumentOrdinals[i] >= 0;
    }
    if (!allColumns) {
      // Some argument is computed: evaluate all of them per row into a small row of their own.
      projection = UnsafeProjection.create(Scala.seq(new ArrayList<>(arguments)), Scala.seq(childOutput));
      projection.initialize(partition);
      for (int i = 0; i < argumentOrdinals.length; i++) {
        argumentOrdinals[i] = i;
      }
    }
  }

  @Override
  public int[] argumentOrdinals() {
    return argumentOrdinals;
  }

  @Override
  public int next(List<TensorWriter> writers, RowPosition position) {
    ColumnarBatch batch = batches.next();
    int n = batch.numRows();
    List<TensorWriter> toWrite = new ArrayList<>();
    for (int k = 0; k < writers.size(); k++) {
      TensorWriter w = writers.get(k);
      w.startBatch();
      // An argument that is a column of Arrow vectors goes to the kernel as it is, when it fits.
      ValueVector own = projection == null ? arrowVector(batch.column(argumentOrdinals[k])) : null;
      if (own == null || !w.borrow(own)) {
        w.ensureCapacity(n);
        // A scalar column of any other vector: its values in one copy, not row by row.
        if (projection != null || !w.writeColumn(batch.column(argumentOrdinals[k]), n)) {
          toWrite.add(w);
        }
      }
    }
    if (toWrite.isEmpty()) {
      rowsRead += n;
    }
    for (int i = 0; i < n && !toWrite.isEmpty(); i++) {
      InternalRow row = projection == null ? batch.getRow(i) : projection.apply(batch.getRow(i));
      position.set(rowsRead++);
      for (TensorWriter w : toWrite) {
        w.write(row, i, position);
      }
    }
    for (int c = 0; c < passOrdinals.length; c++) {
      passColumns[c] = batch.column(passOrdinals[c]);
    }
    return n;
  }

  /** The Arrow vector behind a column, or null when it is not Arrow-backed. */
  private static ValueVector arrowVector(ColumnVector column) {
    if (column instanceof ArrowColumnVector arrow) {
      return arrow.getValueVector();
    }
    if (column instanceof ScalarColumnVector scalar) {
      return scalar.vector();
    }
    return column instanceof TensorColumnVector.Tensor tensor ? tensor.vector() : null;
  }

  @Override
  public ColumnVector[] passThrough() {
    return passColumns;
  }

  @Override
  public void close() {
    // The child owns its batches.
  }
}
