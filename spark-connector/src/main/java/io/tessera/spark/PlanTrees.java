package io.tessera.spark;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.SparkPlan;
import scala.runtime.AbstractPartialFunction;

/** Catalyst's tree rewrites with Java functions in place of Scala partial functions. */
final class PlanTrees {
  private PlanTrees() {}

  /** {@code plan} with {@code rewrite} applied to every node, children first. */
  static SparkPlan transformUp(SparkPlan plan, UnaryOperator<SparkPlan> rewrite) {
    return plan.transformUp(new AbstractPartialFunction<SparkPlan, SparkPlan>() {
      @Override
      public boolean isDefinedAt(SparkPlan p) {
        return true;
      }

      @Override
      @SuppressWarnings("unchecked")
      public <A1 extends SparkPlan, B1> B1 applyOrElse(A1 p, scala.Function1<A1, B1> fallback) {
        return (B1) rewrite.apply(p);
      }
    });
  }

  /**
   * {@code plan} with every expression of every node rewritten top-down: where {@code rewrite}
   * returns an expression it replaces the one given, where it returns null the walk goes on into
   * the children.
   */
  static SparkPlan transformAllExpressions(SparkPlan plan, Function<Expression, Expression> rewrite) {
    return plan.transformAllExpressions(new AbstractPartialFunction<Expression, Expression>() {
      @Override
      public boolean isDefinedAt(Expression e) {
        return rewrite.apply(e) != null;
      }

      @Override
      @SuppressWarnings("unchecked")
      public <A1 extends Expression, B1> B1 applyOrElse(A1 e, scala.Function1<A1, B1> fallback) {
        Expression r = rewrite.apply(e);
        return r != null ? (B1) r : fallback.apply(e);
      }
    });
  }
}
