package io.tessera.spark;

import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.spark.KernelSignature.InputKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * One task's run of a {@link TesseraEvalExec}: reads the partition's rows, projects each into the
 * pass-through columns followed by every call's arguments, writes them into Arrow (pass-through
 * columns with Spark's {@link ArrowWriter}, arguments with {@link TensorWriter}s in the kernels'
 * layout), runs each call's kernel on the batch and returns the batch of pass-through and result
 * columns.
 *
 * <p>A batch stays valid until the next {@link #next()} (Spark's contract for columnar batches);
 * its vectors are then overwritten. Nothing is allocated for an empty partition; everything is
 * freed when the rows run out or the task ends ({@link #close}, idempotent).
 */
final class EvalTask implements Iterator<ColumnarBatch>, AutoCloseable {

  /** One call's state in this task. */
  private record CallState(TesseraApply call, CompiledKernel kernel, List<TensorWriter> writers, BatchKernel batchKernel) {}

  private final EvalPartition plan;
  private final int partition;
  private final int stage;
  private final Iterator<InternalRow> input;
  private final RowPosition position;
  private final List<CallState> calls = new ArrayList<>();
  private BufferAllocator allocator;
  private UnsafeProjection projection;
  private VectorSchemaRoot passRoot;
  private ArrowWriter passWriter;
  private ColumnVector[] passColumns;
  private int capacity;
  private long tensorBytesPerRow;
  private long rowsRead;
  private boolean started;
  private boolean closed;

  EvalTask(EvalPartition plan, int partition, int stage, Iterator<InternalRow> input) {
    this.plan = plan;
    this.partition = partition;
    this.stage = stage;
    this.input = input;
    this.position = new RowPosition(partition);
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    if (input.hasNext()) {
      return true;
    }
    close();
    return false;
  }

  @Override
  public ColumnarBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (!started) {
      start();
    }
    // A cancelled task stops between batches; its completion listener then frees the memory.
    TaskContext context = TaskContext.get();
    if (context != null) {
      context.killTaskIfInterrupted();
    }
    int rows = fill();
    long kernelStart = System.nanoTime();
    List<ColumnVector> columns = new ArrayList<>(List.of(passColumns));
    for (CallState c : calls) {
      List<FieldVector> arguments = new ArrayList<>();
      for (TensorWriter w : c.writers()) {
        arguments.add(w.vector());
      }
      List<FieldVector> results = c.batchKernel().apply(arguments, rows);
      columns.add(TensorColumnVector.of(c.kernel().signature().result(), results));
    }
    plan.metric(EvalPartition.KERNEL_TIME).add(System.nanoTime() - kernelStart);
    plan.metric(EvalPartition.OUTPUT_ROWS).add(rows);
    plan.metric(EvalPartition.BATCHES).add(1);
    return new ColumnarBatch(columns.toArray(new ColumnVector[0]), rows);
  }

  /** Reads rows into the Arrow vectors until the batch is full by rows or bytes; returns how many. */
  private int fill() {
    long start = System.nanoTime();
    if (passWriter != null) {
      passWriter.reset();
    }
    int n = 0;
    while (n < capacity && input.hasNext()) {
      InternalRow row = projection.apply(input.next());
      position.set(rowsRead++);
      if (passWriter != null) {
        passWriter.write(row);
      }
      for (CallState c : calls) {
        for (TensorWriter w : c.writers()) {
          w.write(row, n, position);
        }
      }
      n++;
      // Pass-through strings and arrays have no fixed size: check the bytes every few rows.
      if (passWriter != null && (n & 63) == 0 && passWriter.sizeInBytes() + n * tensorBytesPerRow >= plan.conf.batchBytes()) {
        break;
      }
    }
    if (passWriter != null) {
      passWriter.finish();
    }
    for (CallState c : calls) {
      for (TensorWriter w : c.writers()) {
        w.finish(n);
      }
    }
    plan.metric(EvalPartition.ARROW_TIME).add(System.nanoTime() - start);
    return n;
  }

  /** Compiles (or finds) the kernels and allocates the batch vectors, on the first batch. */
  private void start() {
    started = true;
    allocator = TesseraMemory.forTask("tessera stage " + stage + " partition " + partition);
    List<Expression> projected = new ArrayList<>(plan.passThrough);
    for (TesseraApply call : plan.calls) {
      projected.addAll(call.argumentList());
    }
    projection = UnsafeProjection.create(Scala.seq(projected), Scala.seq(plan.childOutput));
    projection.initialize(partition);
    capacity = capacity();

    int ordinal = plan.passThrough.size();
    for (TesseraApply call : plan.calls) {
      CompiledKernel kernel = lookUp(call);
      List<InputKind> kinds = call.inputKinds();
      List<String> names = call.argumentNames();
      List<TensorSpec> params = kernel.signature().parameters();
      List<TensorWriter> writers = new ArrayList<>();
      CallState state = new CallState(call, kernel, writers, new RowLoopKernel(kernel, allocator, capacity));
      calls.add(state);
      for (int i = 0; i < params.size(); i++) {
        TensorWriter w = new TensorWriter(ordinal++, params.get(i), kinds.get(i), call.toString(), names.get(i));
        writers.add(w);
        w.allocate(allocator, capacity);
      }
    }

    if (!plan.passThrough.isEmpty()) {
      StructType schema = DataTypeUtils.fromAttributes(Scala.seq(plan.passThrough));
      passRoot = VectorSchemaRoot.create(ArrowUtils.toArrowSchema(schema, plan.timeZone, false, false), allocator);
      passWriter = ArrowWriter.create(passRoot);
    }
    passColumns = new ColumnVector[plan.passThrough.size()];
    for (int i = 0; i < passColumns.length; i++) {
      passColumns[i] = new TensorColumnVector.Borrowed(passRoot.getVector(i));
    }
  }

  private CompiledKernel lookUp(TesseraApply call) {
    KernelCache.Lookup lookup = KernelCache.get(call.module(), plan.conf);
    CompiledKernel kernel = lookup.kernel();
    if (lookup.compiledNow()) {
      plan.metric(EvalPartition.COMPILATIONS).add(1);
      plan.metric(EvalPartition.COMPILE_TIME).add(kernel.compileNanos());
    } else {
      plan.metric(EvalPartition.CACHE_HITS).add(1);
    }
    if (kernel.backend().equals(InterpreterBackend.NAME)) {
      plan.metric(EvalPartition.INTERPRETED).add(1);
    }
    return kernel;
  }

  /**
   * Rows per batch: {@code batchRows}, fewer when the kernels' tensors (arguments and results) and
   * the pass-through columns' fixed part would pass {@code batchBytes}. At least one row.
   */
  private int capacity() {
    tensorBytesPerRow = 0;
    for (TesseraApply call : plan.calls) {
      KernelSignature s = call.signature();
      for (TensorSpec t : s.parameters()) {
        tensorBytesPerRow += t.bytesPerRow();
      }
      for (TensorSpec t : s.resultLeaves()) {
        tensorBytesPerRow += t.bytesPerRow();
      }
    }
    long bytesPerRow = tensorBytesPerRow;
    for (Attribute a : plan.passThrough) {
      bytesPerRow += a.dataType().defaultSize();
    }
    long byBytes = plan.conf.batchBytes() / Math.max(1, bytesPerRow);
    return (int) Math.max(1, Math.min(plan.conf.batchRows(), byBytes));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CallState c : calls) {
      c.batchKernel().close();
      for (TensorWriter w : c.writers()) {
        w.close();
      }
    }
    calls.clear();
    if (passRoot != null) {
      passRoot.close();
    }
    if (allocator != null) {
      allocator.close();
    }
  }
}
