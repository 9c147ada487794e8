package io.tessera.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.catalyst.plans.physical.UnknownPartitioning;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.ExplainUtils;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.UnaryExecNode;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * The physical operator that runs {@code tessera_apply} calls: per partition, it batches rows into
 * Arrow (up to {@code spark.tessera.batchRows} rows or {@code spark.tessera.batchBytes}), runs
 * each call's compiled kernel on the batch, and hands on a {@link ColumnarBatch} of the columns
 * the parent needs (Arrow vectors) followed by one result column per call (the kernel's own
 * output vectors, not copied). It is in Spark's place of the pandas-UDF operator
 * {@code ArrowEvalPythonExec}, but in process.
 *
 * <p>It reads rows: {@link TesseraColumnarRule} removes the row-to-columnar conversion that Spark
 * puts below every columnar operator.
 *
 * <p>Written in Java against Scala traits: {@code children}, {@code withNewChildrenInternal} and
 * {@code verboseStringWithOperatorId} delegate to {@link UnaryExecNode} by hand, the product
 * members follow the constructor's argument order, and the per-partition work lives in the
 * serializable {@link EvalPartition} so that tasks do not capture the plan.
 */
public final class TesseraEvalExec extends SparkPlan implements UnaryExecNode {
  private static final long serialVersionUID = 1L;

  private final Seq<Expression> calls;
  private final Seq<Attribute> resultAttributes;
  private final Seq<Attribute> passThrough;
  private final TesseraConf conf;
  private final SparkPlan child;
  private transient scala.collection.immutable.Map<String, SQLMetric> metrics;

  /**
   * @param calls the {@link TesseraApply} calls, over {@code child}'s output
   * @param resultAttributes one output attribute per call, in order
   * @param passThrough the child's columns that the parent needs, output before the results
   * @param conf the Tessera settings of the session that planned the query
   * @param child the input
   */
  public TesseraEvalExec(Seq<Expression> calls, Seq<Attribute> resultAttributes, Seq<Attribute> passThrough,
                         TesseraConf conf, SparkPlan child) {
    this.calls = calls;
    this.resultAttributes = resultAttributes;
    this.passThrough = passThrough;
    this.conf = conf;
    this.child = child;
  }

  List<TesseraApply> callList() {
    List<TesseraApply> out = new ArrayList<>();
    for (Expression e : Scala.list(calls)) {
      out.add((TesseraApply) e);
    }
    return out;
  }

  public TesseraConf tesseraConf() {
    return conf;
  }

  @Override
  public SparkPlan child() {
    return child;
  }

  @Override
  public Seq<Attribute> output() {
    List<Attribute> out = new ArrayList<>(Scala.list(passThrough));
    out.addAll(Scala.list(resultAttributes));
    return Scala.seq(out);
  }

  /**
   * The child's partitioning: rows stay in their partitions. A partitioning over a column the
   * operator does not pass on is known only by its partition count.
   */
  @Override
  public Partitioning outputPartitioning() {
    Partitioning p = child.outputPartitioning();
    if (p instanceof Expression e && !e.references().subsetOf(outputSet())) {
      return new UnknownPartitioning(p.numPartitions());
    }
    return p;
  }

  /** The child's ordering, as far as it sorts by columns the operator passes on: rows keep their order. */
  @Override
  public Seq<SortOrder> outputOrdering() {
    List<SortOrder> kept = new ArrayList<>();
    for (SortOrder order : Scala.list(child.outputOrdering())) {
      if (!order.references().subsetOf(outputSet())) {
        break;
      }
      kept.add(order);
    }
    return Scala.seq(kept);
  }

  @Override
  public boolean supportsColumnar() {
    return true;
  }

  @Override
  public String nodeName() {
    return "TesseraEval";
  }

  @Override
  public scala.collection.immutable.Map<String, SQLMetric> metrics() {
    if (metrics == null) {
      SparkContext sc = sparkContext();
      Map<String, SQLMetric> m = new LinkedHashMap<>();
      m.put(EvalPartition.OUTPUT_ROWS, SQLMetrics.createMetric(sc, "number of output rows"));
      m.put(EvalPartition.BATCHES, SQLMetrics.createMetric(sc, "number of batches"));
      m.put(EvalPartition.KERNEL_TIME, SQLMetrics.createNanoTimingMetric(sc, "kernel time", -1L));
      m.put(EvalPartition.ARROW_TIME, SQLMetrics.createNanoTimingMetric(sc, "rows to Arrow time", -1L));
      m.put(EvalPartition.COMPILE_TIME, SQLMetrics.createNanoTimingMetric(sc, "compile time", -1L));
      m.put(EvalPartition.COMPILATIONS, SQLMetrics.createMetric(sc, "module compilations"));
      m.put(EvalPartition.CACHE_HITS, SQLMetrics.createMetric(sc, "compile cache hits"));
      m.put(EvalPartition.INTERPRETED, SQLMetrics.createMetric(sc, "calls run by the interpreter"));
      m.put(EvalPartition.ROW_BY_ROW, SQLMetrics.createMetric(sc, "calls run row by row"));
      m.put(EvalPartition.ZERO_COPY, SQLMetrics.createMetric(sc, "argument batches passed without copy"));
      metrics = scala.collection.immutable.Map.from(scala.jdk.javaapi.CollectionConverters.asScala(m));
    }
    return metrics;
  }

  @Override
  public RDD<ColumnarBatch> doExecuteColumnar() {
    Map<String, SQLMetric> m = scala.jdk.javaapi.CollectionConverters.asJava(metrics());
    EvalPartition work = new EvalPartition(callList(), Scala.list(passThrough),
        Scala.list(child.output()), conf, conf().sessionLocalTimeZone(), new LinkedHashMap<>(m));
    if (child.supportsColumnar()) {
      return child.executeColumnar().toJavaRDD().mapPartitionsWithIndex(work.columnar(), true).rdd();
    }
    return child.execute().toJavaRDD().mapPartitionsWithIndex(work, true).rdd();
  }

  /** Rows for a parent that asks for them directly (Spark normally inserts the transition itself). */
  @Override
  public RDD<InternalRow> doExecute() {
    return new ColumnarToRowExec(this).execute();
  }

  /** {@code TesseraEval [mlp(features#3) AS tessera_0#12], backend=auto, batchRows=65536}. */
  @Override
  public String simpleString(int maxFields) {
    return nodeName() + " " + describeCalls() + ", backend=" + conf.backend() + ", batchRows=" + conf.batchRows();
  }

  private String describeCalls() {
    List<String> items = new ArrayList<>();
    List<TesseraApply> cs = callList();
    List<Attribute> rs = Scala.list(resultAttributes);
    for (int i = 0; i < cs.size(); i++) {
      items.add(cs.get(i) + " AS " + rs.get(i));
    }
    return "[" + String.join(", ", items) + "]";
  }

  /**
   * What {@code EXPLAIN FORMATTED} shows: the columns in and out, each call with its module (name,
   * where it came from, fingerprint, parameters and result type), the backend and the batch size.
   */
  @Override
  public String verboseStringWithOperatorId() {
    StringBuilder sb = new StringBuilder(formattedNodeName()).append('\n')
        .append(ExplainUtils.generateFieldString("Input", child.output())).append('\n')
        .append(ExplainUtils.generateFieldString("Output", output())).append('\n')
        .append("Calls: ").append(describeCalls()).append('\n');
    for (TesseraApply call : callList()) {
      TesseraModule m = call.module();
      List<String> params = new ArrayList<>();
      for (TensorSpec p : call.signature().parameters()) {
        params.add(p.toString());
      }
      sb.append("Module ").append(m.name()).append(": ").append(m.source()).append(", sha256 ")
          .append(m.fingerprint(), 0, 12).append(", (").append(String.join(", ", params)).append(") -> ")
          .append(call.dataType().simpleString()).append('\n');
      if (!call.note().isEmpty()) {
        sb.append("Left to Spark: ").append(call.note()).append('\n');
      }
    }
    sb.append("Backend: ").append(conf.backend())
        .append(conf.fallback() ? ", interpreter when the backend cannot compile a module" : ", no fallback").append('\n')
        .append("Batch: up to ").append(conf.batchRows()).append(" rows or ").append(conf.batchBytes()).append(" bytes\n");
    return sb.toString();
  }

  @Override
  public Seq<SparkPlan> children() {
    return UnaryExecNode.super.children();
  }

  @Override
  public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
    return UnaryExecNode.super.withNewChildrenInternal(newChildren);
  }

  @Override
  public SparkPlan withNewChildInternal(SparkPlan newChild) {
    return new TesseraEvalExec(calls, resultAttributes, passThrough, conf, newChild);
  }

  @Override
  public int productArity() {
    return 5;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> calls;
      case 1 -> resultAttributes;
      case 2 -> passThrough;
      case 3 -> conf;
      case 4 -> child;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TesseraEvalExec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TesseraEvalExec other && calls.equals(other.calls)
        && resultAttributes.equals(other.resultAttributes) && passThrough.equals(other.passThrough)
        && conf.equals(other.conf) && child.equals(other.child);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(calls, resultAttributes, passThrough, conf, child);
  }
}
