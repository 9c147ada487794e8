package io.tessera.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Batches a row child into Arrow. Spark's {@link ArrowWriter} writes the pass-through columns
 * (any type Arrow holds) from each row projected to them; the tensor writers read the call
 * arguments from the child's row itself when every argument is a column of the child, or else
 * from a row of the arguments evaluated by a projection (a row copy that a plain column does not
 * need). A batch ends at {@code batchRows} rows, or when its bytes reach {@code batchBytes}
 * (checked every 64 rows: strings have no fixed size).
 */
final class RowInput implements BatchInput {
  private final Iterator<InternalRow> rows;
  private final List<Attribute> passThrough;
  private final List<Expression> arguments;
  private final List<Attribute> childOutput;
  private final String timeZone;
  private final long batchBytes;
  private final long tensorBytesPerRow;
  private final int partition;
  /** The pass-through columns of a row, or null when there are none. */
  private UnsafeProjection passProjection;
  /** The arguments of a row, or null when they are all the child's columns and are read in place. */
  private UnsafeProjection argumentProjection;
  private int[] argumentOrdinals;
  private VectorSchemaRoot passRoot;
  private ArrowWriter passWriter;
  private ColumnVector[] passColumns = new ColumnVector[0];
  private int capacity;
  private long rowsRead;

  RowInput(Iterator<InternalRow> rows, List<Attribute> passThrough, List<Expression> arguments,
           List<Attribute> childOutput, String timeZone, long batchBytes, long tensorBytesPerRow, int partition) {
    this.rows = rows;
    this.passThrough = passThrough;
    this.arguments = arguments;
    this.childOutput = childOutput;
    this.timeZone = timeZone;
    this.batchBytes = batchBytes;
    this.tensorBytesPerRow = tensorBytesPerRow;
    this.partition = partition;
  }

  @Override
  public boolean hasNext() {
    return rows.hasNext();
  }

  @Override
  public void open(BufferAllocator allocator, int capacity) {
    this.capacity = capacity;
    argumentOrdinals = new int[arguments.size()];
    boolean allColumns = true;
    for (int i = 0; i < argumentOrdinals.length; i++) {
      argumentOrdinals[i] = ColumnarInput.ordinalOf(arguments.get(i), childOutput);
      allColumns &= argumentOrdinals[i] >= 0;
    }
    if (!allColumns) {
      argumentProjection = projection(arguments);
      for (int i = 0; i < argumentOrdinals.length; i++) {
        argumentOrdinals[i] = i;
      }
    }
    if (!passThrough.isEmpty()) {
      passProjection = projection(passThrough);
      StructType schema = DataTypeUtils.fromAttributes(Scala.seq(passThrough));
      passRoot = VectorSchemaRoot.create(ArrowUtils.toArrowSchema(schema, timeZone, false, false), allocator);
      passWriter = ArrowWriter.create(passRoot);
      passColumns = new ColumnVector[passThrough.size()];
      for (int i = 0; i < passColumns.length; i++) {
        passColumns[i] = new TensorColumnVector.Lent(passRoot.getVector(i));
      }
    }
  }

  private UnsafeProjection projection(List<? extends Expression> expressions) {
    UnsafeProjection p = UnsafeProjection.create(Scala.seq(new ArrayList<Expression>(expressions)),
        Scala.seq(childOutput));
    p.initialize(partition);
    return p;
  }

  @Override
  public int[] argumentOrdinals() {
    return argumentOrdinals;
  }

  @Override
  public int next(List<TensorWriter> writers, RowPosition position) {
    if (passWriter != null) {
      passWriter.reset();
    }
    int n = 0;
    while (n < capacity && rows.hasNext()) {
      InternalRow childRow = rows.next();
      InternalRow row = argumentProjection == null ? childRow : argumentProjection.apply(childRow);
      position.set(rowsRead++);
      if (passWriter != null) {
        passWriter.write(passProjection.apply(childRow));
      }
      for (TensorWriter w : writers) {
        w.write(row, n, position);
      }
      n++;
      if (passWriter != null && (n & 63) == 0 && passWriter.sizeInBytes() + n * tensorBytesPerRow >= batchBytes) {
        break;
      }
    }
    if (passWriter != null) {
      passWriter.finish();
    }
    return n;
  }

  @Override
  public ColumnVector[] passThrough() {
    return passColumns;
  }

  @Override
  public void close() {
    if (passRoot != null) {
      passRoot.close();
      passRoot = null;
    }
  }
}
