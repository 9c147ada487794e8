package io.tessera.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What a {@link TesseraEvalExec} sends to each task: the calls, the columns to pass through, the
 * settings and the metrics. Serializable and free of the plan; {@link #call} starts an
 * {@link EvalTask} over the partition's rows and makes sure the task's Arrow memory is released
 * when the task ends, however it ends.
 */
final class EvalPartition implements Function2<Integer, Iterator<InternalRow>, Iterator<ColumnarBatch>>, Serializable {
  private static final long serialVersionUID = 1L;

  static final String OUTPUT_ROWS = "numOutputRows";
  static final String BATCHES = "numBatches";
  static final String KERNEL_TIME = "kernelTime";
  static final String ARROW_TIME = "arrowTime";
  static final String COMPILE_TIME = "compileTime";
  static final String COMPILATIONS = "compilations";
  static final String CACHE_HITS = "cacheHits";
  static final String INTERPRETED = "interpretedCalls";
  static final String ROW_BY_ROW = "rowByRowCalls";
  static final String ZERO_COPY = "zeroCopyArguments";

  final List<TesseraApply> calls;
  final List<Attribute> passThrough;
  final List<Attribute> childOutput;
  final TesseraConf conf;
  final String timeZone;
  final Map<String, SQLMetric> metrics;

  EvalPartition(List<TesseraApply> calls, List<Attribute> passThrough, List<Attribute> childOutput,
                TesseraConf conf, String timeZone, Map<String, SQLMetric> metrics) {
    this.calls = List.copyOf(calls);
    this.passThrough = List.copyOf(passThrough);
    this.childOutput = List.copyOf(childOutput);
    this.conf = conf;
    this.timeZone = timeZone;
    this.metrics = metrics;
  }

  SQLMetric metric(String name) {
    return metrics.get(name);
  }

  /** Starts the work on input partition {@code partition} (its index in the child's RDD) of a row child. */
  @Override
  public Iterator<ColumnarBatch> call(Integer partition, Iterator<InternalRow> rows) {
    return start(partition, tensorBytes -> new RowInput(rows, passThrough, EvalTask.arguments(calls), childOutput,
        timeZone, conf.batchBytes(), tensorBytes, partition));
  }

  /** The same over a columnar child's batches. */
  Function2<Integer, Iterator<ColumnarBatch>, Iterator<ColumnarBatch>> columnar() {
    return (partition, batches) -> start(partition,
        tensorBytes -> new ColumnarInput(batches, passThrough, EvalTask.arguments(calls), childOutput, partition));
  }

  private Iterator<ColumnarBatch> start(int partition, java.util.function.Function<Long, BatchInput> input) {
    TaskContext context = TaskContext.get();
    EvalTask task = new EvalTask(this, partition, context.stageId(), input);
    context.addTaskCompletionListener((TaskCompletionListener) ctx -> task.close());
    return task;
  }
}
