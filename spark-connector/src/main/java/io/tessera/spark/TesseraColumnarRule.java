package io.tessera.spark;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.RowToColumnarExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.util.ArrowUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.Seq;

/**
 * Puts {@link TesseraEvalExec} where {@code tessera_apply} calls are.
 *
 * <p>{@link #insertEval()}, run right after planning (adaptive execution's post-planner hook, so
 * that {@code EXPLAIN} shows the operator before the query runs) and again before Spark inserts
 * row/column transitions (for plans without adaptive execution): a {@code ProjectExec} whose expressions contain
 * calls becomes a {@code ProjectExec} over a {@code TesseraEvalExec} that computes the calls (the
 * projection then reads their results as columns); a {@code FilterExec} likewise, with a
 * projection on top that drops the result columns again. Calls nested in another call's arguments
 * get an operator of their own below. Calls anywhere else stay where they are and run row by row
 * ({@link TesseraApply#eval}).
 *
 * <p>After the transitions: the operator batches rows itself, so the {@code RowToColumnarExec} that
 * Spark puts below every columnar operator is removed; a columnar child stays as it is and its
 * batches go through unconverted.
 */
public final class TesseraColumnarRule extends ColumnarRule {
  private static final Logger LOG = LoggerFactory.getLogger(TesseraColumnarRule.class);

  @Override
  public Rule<SparkPlan> preColumnarTransitions() {
    return insertEval();
  }

  /** The rule that replaces calls in projections and filters by {@link TesseraEvalExec}s; idempotent. */
  public static Rule<SparkPlan> insertEval() {
    return new PlanRule("TesseraInsertEval", TesseraColumnarRule::insertEval, true);
  }

  @Override
  public Rule<SparkPlan> postColumnarTransitions() {
    return new PlanRule("TesseraRowInput", TesseraColumnarRule::rowInput, false);
  }

  private static SparkPlan insertEval(SparkPlan plan) {
    if (TesseraConf.current().compileExpressions()) {
      plan = ExpressionCompilation.compile(plan);
    }
    if (plan instanceof ProjectExec project && containsCall(asExpressions(project.projectList()))) {
      List<Expression> exprs = asExpressions(project.projectList());
      SparkPlan input = extractCalls(exprs, List.of(), project.child());
      if (input == null) {
        return plan;
      }
      List<NamedExpression> named = new ArrayList<>();
      for (Expression e : exprs) {
        named.add((NamedExpression) e);
      }
      return new ProjectExec(Scala.seq(named), input);
    }
    if (plan instanceof FilterExec filter && containsCall(List.of(filter.condition()))) {
      List<Expression> exprs = new ArrayList<>(List.of(filter.condition()));
      List<Attribute> columns = Scala.list(filter.child().output());
      SparkPlan input = extractCalls(exprs, columns, filter.child());
      if (input == null) {
        return plan;
      }
      // The filter's output is its input's: the projection drops the result columns again.
      return new ProjectExec(Scala.widen(filter.child().output()), new FilterExec(exprs.get(0), input));
    }
    return plan;
  }

  private static SparkPlan rowInput(SparkPlan plan) {
    if (plan instanceof TesseraEvalExec eval && eval.child() instanceof RowToColumnarExec toColumns) {
      return eval.withNewChildInternal(toColumns.child());
    }
    return plan;
  }

  /**
   * Replaces, in {@code exprs}, every call by the result column of a {@link TesseraEvalExec}
   * stacked over {@code child} (innermost calls first); returns the new input plan, or null when
   * the calls must stay where they are (a pass-through column Arrow cannot hold). The new input
   * passes through the columns {@code exprs} read and those in {@code alsoNeeded}.
   */
  static SparkPlan extractCalls(List<Expression> exprs, List<Attribute> alsoNeeded, SparkPlan child) {
    TesseraConf conf = TesseraConf.current();
    SparkPlan input = child;
    List<Expression> current = new ArrayList<>(exprs);
    while (true) {
      List<TesseraApply> calls = new ArrayList<>();
      for (Expression e : current) {
        collectInnermost(e, calls);
      }
      if (calls.isEmpty()) {
        break;
      }
      Map<TesseraApply, Attribute> results = new IdentityHashMap<>();
      List<Expression> uniqueCalls = new ArrayList<>();
      List<Attribute> resultAttributes = new ArrayList<>();
      for (TesseraApply call : calls) {
        Attribute column = resultColumn(call, results);
        if (!resultAttributes.contains(column)) {
          uniqueCalls.add(call);
          resultAttributes.add(column);
        }
        results.put(call, column);
      }
      for (int i = 0; i < current.size(); i++) {
        current.set(i, replace(current.get(i), results));
      }
      List<Attribute> passThrough = new ArrayList<>();
      Set<ExprId> needed = references(current);
      for (Attribute a : alsoNeeded) {
        needed.add(a.exprId());
      }
      for (Attribute a : Scala.list(input.output())) {
        if (needed.contains(a.exprId())) {
          passThrough.add(a);
        }
      }
      String unsupported = arrowProblem(passThrough);
      if (unsupported != null) {
        LOG.warn("tessera_apply runs row by row here: {}", unsupported);
        return null;
      }
      input = new TesseraEvalExec(Scala.seq(uniqueCalls), Scala.seq(resultAttributes), Scala.seq(passThrough), conf,
          input);
    }
    exprs.clear();
    exprs.addAll(current);
    return input;
  }

  /** Why Arrow cannot hold the pass-through columns, or null when it can. */
  private static String arrowProblem(List<Attribute> passThrough) {
    try {
      ArrowUtils.toArrowSchema(DataTypeUtils.fromAttributes(Scala.seq(passThrough)), "UTC", false, false);
      return null;
    } catch (RuntimeException e) {
      return "a column the query passes through has a type Arrow cannot hold: " + e.getMessage();
    }
  }

  private static Set<ExprId> references(List<Expression> exprs) {
    Set<ExprId> ids = new HashSet<>();
    for (Expression e : exprs) {
      for (Attribute a : Scala.list(e.references().toSeq())) {
        ids.add(a.exprId());
      }
    }
    return ids;
  }

  /**
   * A projection list as expressions. In Scala a {@code NamedExpression} is an {@code Expression};
   * in Java the trait is an interface unrelated to the class, hence the cast through Object.
   */
  static List<Expression> asExpressions(Seq<NamedExpression> named) {
    List<Expression> out = new ArrayList<>();
    for (NamedExpression n : Scala.list(named)) {
      out.add((Expression) (Object) n);
    }
    return out;
  }

  static boolean containsCall(List<Expression> exprs) {
    for (Expression e : exprs) {
      if (e instanceof TesseraApply || containsCall(Scala.list(e.children()))) {
        return true;
      }
    }
    return false;
  }

  /** Calls in {@code e} not inside another call. */
  static void collectOutermost(Expression e, List<TesseraApply> out) {
    if (e instanceof TesseraApply call) {
      out.add(call);
      return;
    }
    for (Expression c : Scala.list(e.children())) {
      collectOutermost(c, out);
    }
  }

  /**
   * The column for {@code call}'s result: the one of a call already in {@code columns} that computes
   * the same (semantically equal), or a new one named after the module.
   */
  static Attribute resultColumn(TesseraApply call, Map<TesseraApply, Attribute> columns) {
    for (Map.Entry<TesseraApply, Attribute> e : columns.entrySet()) {
      if (e.getKey().semanticEquals(call)) {
        return e.getValue();
      }
    }
    return new AttributeReference(call.module().name(), call.dataType(), call.nullable(), Metadata.empty(),
        NamedExpression$.MODULE$.newExprId(), Scala.<String>seq(List.of()));
  }

  /** Calls in {@code e} whose arguments hold no call. */
  private static void collectInnermost(Expression e, List<TesseraApply> out) {
    if (e instanceof TesseraApply call && !containsCall(Scala.list(call.children()))) {
      out.add(call);
      return;
    }
    for (Expression c : Scala.list(e.children())) {
      collectInnermost(c, out);
    }
  }

  /** {@code e} with every call that {@code results} holds (by identity) replaced by its column. */
  static Expression replace(Expression e, Map<TesseraApply, Attribute> results) {
    if (e instanceof TesseraApply call && results.containsKey(call)) {
      return results.get(call);
    }
    List<Expression> children = Scala.list(e.children());
    if (children.isEmpty()) {
      return e;
    }
    List<Expression> replaced = new ArrayList<>();
    boolean changed = false;
    for (Expression c : children) {
      Expression r = replace(c, results);
      changed |= r != c;
      replaced.add(r);
    }
    return changed ? e.withNewChildren(Scala.seq(replaced)) : e;
  }

  /** A rule over physical plans: the aggregate pass over the whole plan, then {@code rewrite} bottom-up. */
  private static final class PlanRule extends Rule<SparkPlan> {
    private final String name;
    private final UnaryOperator<SparkPlan> rewrite;
    private final boolean aggregates;

    PlanRule(String name, UnaryOperator<SparkPlan> rewrite, boolean aggregates) {
      this.name = name;
      this.rewrite = rewrite;
      this.aggregates = aggregates;
    }

    @Override
    public String ruleName() {
      return name;
    }

    @Override
    public SparkPlan apply(SparkPlan plan) {
      if (!aggregates) {
        return PlanTrees.transformUp(plan, rewrite);
      }
      return PlanTrees.transformUp(AggregateExtraction.apply(plan, TesseraConf.current()), rewrite);
    }
  }
}
