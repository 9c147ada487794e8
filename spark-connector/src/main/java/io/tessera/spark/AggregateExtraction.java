package io.tessera.spark;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateFunction;
import org.apache.spark.sql.catalyst.expressions.aggregate.Complete$;
import org.apache.spark.sql.catalyst.expressions.aggregate.Partial$;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.aggregate.BaseAggregateExec;

/**
 * Runs {@code tessera_apply} calls inside aggregate functions ({@code SELECT avg(model(x))}) in a
 * {@link TesseraEvalExec} below the aggregate that reads the rows, instead of one row at a time.
 *
 * <p>Spark plans an aggregate as a partial aggregate per partition and a final one after the
 * shuffle, sharing each aggregate function object: the final one finds its partial buffers by the
 * attributes that object made. So a function whose arguments hold a call is rewritten once
 * (calls replaced by result columns) and that one new object replaces the old in every node of the
 * plan; then the aggregates that read the new columns get the operator below them. The rewrite
 * happens on physical plans because the optimizer would fold a projection below an aggregate
 * straight back into it.
 */
final class AggregateExtraction {
  private AggregateExtraction() {}

  static SparkPlan apply(SparkPlan plan, TesseraConf conf) {
    Map<AggregateFunction, AggregateFunction> rewritten = new IdentityHashMap<>();
    Map<TesseraApply, Attribute> columns = new IdentityHashMap<>();
    collect(plan, rewritten, columns);
    if (rewritten.isEmpty()) {
      return plan;
    }
    SparkPlan shared = PlanTrees.transformAllExpressions(plan, e -> {
      if (e instanceof AggregateExpression ae && rewritten.containsKey(ae.aggregateFunction())) {
        return ae.copy(rewritten.get(ae.aggregateFunction()), ae.mode(), ae.isDistinct(), ae.filter(), ae.resultId());
      }
      return null;
    });
    return PlanTrees.transformUp(shared, node -> insertEval(node, columns, conf));
  }

  /** Finds the functions to rewrite: those of row-reading aggregates whose arguments hold calls. */
  private static void collect(SparkPlan node, Map<AggregateFunction, AggregateFunction> rewritten,
                              Map<TesseraApply, Attribute> columns) {
    for (SparkPlan child : Scala.list(node.children())) {
      collect(child, rewritten, columns);
    }
    if (!(node instanceof BaseAggregateExec agg)) {
      return;
    }
    Set<ExprId> input = exprIds(Scala.list(agg.child().output()));
    for (AggregateExpression ae : Scala.list(agg.aggregateExpressions())) {
      boolean readsRows = ae.mode() == Partial$.MODULE$ || ae.mode() == Complete$.MODULE$;
      AggregateFunction fn = ae.aggregateFunction();
      if (!readsRows || rewritten.containsKey(fn)) {
        continue;
      }
      List<TesseraApply> calls = new ArrayList<>();
      for (Expression argument : Scala.list(fn.children())) {
        TesseraColumnarRule.collectOutermost(argument, calls);
      }
      calls.removeIf(call -> !call.deterministic() || !input.containsAll(exprIds(Scala.list(call.references().toSeq()))));
      if (calls.isEmpty()) {
        continue;
      }
      for (TesseraApply call : calls) {
        columns.put(call, TesseraColumnarRule.resultColumn(call, columns));
      }
      rewritten.put(fn, (AggregateFunction) TesseraColumnarRule.replace(fn, columns));
    }
  }

  /** An aggregate that reads result columns its child lacks gets the operator that makes them. */
  private static SparkPlan insertEval(SparkPlan node, Map<TesseraApply, Attribute> columns, TesseraConf conf) {
    if (!(node instanceof BaseAggregateExec agg)) {
      return node;
    }
    SparkPlan child = agg.child();
    Set<ExprId> available = exprIds(Scala.list(child.output()));
    Set<ExprId> read = exprIds(Scala.list(node.references().toSeq()));
    List<Expression> calls = new ArrayList<>();
    List<Attribute> results = new ArrayList<>();
    for (Map.Entry<TesseraApply, Attribute> e : columns.entrySet()) {
      ExprId id = e.getValue().exprId();
      if (read.contains(id) && !available.contains(id) && !results.contains(e.getValue())) {
        calls.add(e.getKey());
        results.add(e.getValue());
      }
    }
    if (calls.isEmpty()) {
      return node;
    }
    SparkPlan eval = new TesseraEvalExec(Scala.seq(calls), Scala.seq(results), child.output(), conf, child);
    return node.withNewChildren(Scala.seq(List.of(eval)));
  }

  private static Set<ExprId> exprIds(List<Attribute> attributes) {
    Set<ExprId> ids = new HashSet<>();
    for (Attribute a : attributes) {
      ids.add(a.exprId());
    }
    return ids;
  }
}
