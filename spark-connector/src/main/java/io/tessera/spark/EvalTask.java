package io.tessera.spark;

import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.spark.KernelSignature.InputKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * One task's run of a {@link TesseraEvalExec}: per batch from its {@link BatchInput}, the call
 * arguments are written into Arrow tensors ({@link TensorWriter}), each call's kernel runs on
 * them, and the batch of pass-through and result columns goes on.
 *
 * <p>A batch stays valid until the next {@link #next()} (Spark's contract for columnar batches);
 * its vectors are then overwritten. Nothing is allocated or compiled for an empty partition;
 * everything is freed when the input runs out or the task ends ({@link #close}, idempotent).
 */
final class EvalTask implements Iterator<ColumnarBatch>, AutoCloseable {

  /** One call's state in this task. */
  private record CallState(CompiledKernel kernel, List<TensorWriter> writers, BatchKernel batchKernel) {}

  private final EvalPartition plan;
  private final int partition;
  private final int stage;
  private final BatchInput input;
  private final RowPosition position;
  private final List<CallState> calls = new ArrayList<>();
  private final List<TensorWriter> writers = new ArrayList<>();
  private BufferAllocator allocator;
  private boolean started;
  private boolean closed;

  /** @param inputFor the batch input, given the size in bytes of one row's tensors */
  EvalTask(EvalPartition plan, int partition, int stage, Function<Long, BatchInput> inputFor) {
    this.plan = plan;
    this.partition = partition;
    this.stage = stage;
    this.input = inputFor.apply(tensorBytesPerRow(plan.calls));
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
    long readStart = System.nanoTime();
    int rows = input.next(writers, position);
    for (TensorWriter w : writers) {
      w.finish(rows);
      if (w.borrowing()) {
        plan.metric(EvalPartition.ZERO_COPY).add(1);
      }
    }
    plan.metric(EvalPartition.ARROW_TIME).add(System.nanoTime() - readStart);

    long kernelStart = System.nanoTime();
    List<ColumnVector> columns = new ArrayList<>(List.of(input.passThrough()));
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

  /** Compiles (or finds) the kernels and allocates the batch vectors, on the first batch. */
  private void start() {
    started = true;
    allocator = TesseraMemory.forTask("tessera stage " + stage + " partition " + partition);
    int capacity = capacity();
    input.open(allocator, capacity);
    int[] ordinals = input.argumentOrdinals();
    int next = 0;
    for (TesseraApply call : plan.calls) {
      CompiledKernel kernel = lookUp(call);
      List<InputKind> kinds = call.inputKinds();
      List<String> names = call.argumentNames();
      List<Expression> arguments = call.argumentList();
      List<TensorSpec> params = kernel.signature().parameters();
      List<TensorWriter> callWriters = new ArrayList<>();
      BatchKernel batchKernel = kernel.batched() != null ? new ArrowBatchKernel(kernel.batched(), allocator)
          : new RowLoopKernel(kernel, allocator, capacity);
      calls.add(new CallState(kernel, callWriters, batchKernel));
      for (int i = 0; i < params.size(); i++) {
        TensorWriter w = new TensorWriter(ordinals[next++], params.get(i), kinds.get(i), arguments.get(i).dataType(),
            call.toString(), names.get(i));
        callWriters.add(w);
        writers.add(w);
        w.allocate(allocator, capacity);
        if (kernel.batched() != null) {
          w.allowBorrowing();
        }
      }
    }
  }

  private CompiledKernel lookUp(TesseraApply call) {
    KernelCache.Lookup lookup = KernelCache.get(call.module(), plan.conf, KernelCache.Form.BATCHES);
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
    if (kernel.batched() == null) {
      plan.metric(EvalPartition.ROW_BY_ROW).add(1);
    }
    return kernel;
  }

  /** Bytes of one row's argument and result tensors, over all calls. */
  private static long tensorBytesPerRow(List<TesseraApply> calls) {
    long bytes = 0;
    for (TesseraApply call : calls) {
      KernelSignature s = call.signature();
      for (TensorSpec t : s.parameters()) {
        bytes += t.bytesPerRow();
      }
      for (TensorSpec t : s.resultLeaves()) {
        bytes += t.bytesPerRow();
      }
    }
    return bytes;
  }

  /**
   * Rows per batch: {@code batchRows}, fewer when the tensors and the pass-through columns' fixed
   * part would pass {@code batchBytes}. At least one row.
   */
  private int capacity() {
    long bytesPerRow = tensorBytesPerRow(plan.calls);
    for (Attribute a : plan.passThrough) {
      bytesPerRow += a.dataType().defaultSize();
    }
    long byBytes = plan.conf.batchBytes() / Math.max(1, bytesPerRow);
    return (int) Math.max(1, Math.min(plan.conf.batchRows(), byBytes));
  }

  /** Every call's arguments, in order: the expressions the inputs evaluate per row. */
  static List<Expression> arguments(List<TesseraApply> calls) {
    List<Expression> out = new ArrayList<>();
    for (TesseraApply call : calls) {
      out.addAll(call.argumentList());
    }
    return out;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CallState c : calls) {
      c.batchKernel().close();
    }
    calls.clear();
    for (TensorWriter w : writers) {
      w.close();
    }
    writers.clear();
    input.close();
    if (allocator != null) {
      allocator.close();
    }
  }
}
