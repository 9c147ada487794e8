package io.tessera.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark.tessera.compileExpressions}: the computed columns of a projection, or a filter's
 * condition, become one fused module ({@link ExpressionTranslator}) applied by a
 * {@code tessera_apply} call, whose outputs {@link CompiledOutput} reads. The call then runs in a
 * {@link TesseraEvalExec} like any other. What cannot be translated stays with Spark; the reasons
 * are logged and shown by {@code EXPLAIN FORMATTED} on the operator.
 */
final class ExpressionCompilation {
  private static final Logger LOG = LoggerFactory.getLogger(ExpressionCompilation.class);

  /** The name the compiled calls carry in plans. */
  static final String FUNCTION_NAME = "tessera_compiled";

  private ExpressionCompilation() {}

  /** {@code plan} with its expressions compiled, or {@code plan} itself when there is nothing to compile. */
  static SparkPlan compile(SparkPlan plan) {
    if (plan instanceof ProjectExec project) {
      List<Expression> list = TesseraColumnarRule.asExpressions(project.projectList());
      List<Expression> candidates = new ArrayList<>();
      for (Expression e : list) {
        if (e instanceof Alias a && worthCompiling(a.child())) {
          candidates.add(a.child());
        }
      }
      Map<Expression, Expression> outputs = translate(candidates);
      if (outputs.isEmpty()) {
        return plan;
      }
      List<NamedExpression> newList = new ArrayList<>();
      for (Expression e : list) {
        Expression replaced = e instanceof Alias a && outputs.containsKey(a.child())
            ? a.withNewChildren(Scala.seq(List.of(outputs.get(a.child())))) : e;
        newList.add((NamedExpression) replaced);
      }
      return new ProjectExec(Scala.seq(newList), project.child());
    }
    if (plan instanceof FilterExec filter && worthCompiling(filter.condition())) {
      Map<Expression, Expression> outputs = translate(List.of(filter.condition()));
      return outputs.isEmpty() ? plan : new FilterExec(outputs.get(filter.condition()), filter.child());
    }
    return plan;
  }

  /** Computed expressions only, and not ours already: a column or a constant gains nothing. */
  private static boolean worthCompiling(Expression e) {
    return !(e instanceof Attribute) && !(e instanceof Literal) && !e.foldable() && e.deterministic()
        && !TesseraColumnarRule.containsCall(List.of(e)) && !containsCompiledOutput(e);
  }

  private static boolean containsCompiledOutput(Expression e) {
    if (e instanceof CompiledOutput) {
      return true;
    }
    for (Expression c : Scala.list(e.children())) {
      if (containsCompiledOutput(c)) {
        return true;
      }
    }
    return false;
  }

  /** The replacement of each expression that could be translated, by identity. */
  private static Map<Expression, Expression> translate(List<Expression> exprs) {
    Map<Expression, Expression> out = new java.util.IdentityHashMap<>();
    if (exprs.isEmpty()) {
      return out;
    }
    ExpressionTranslator.Result r = ExpressionTranslator.translate(exprs);
    StringBuilder notes = new StringBuilder();
    for (Map.Entry<Expression, String> e : r.reasons().entrySet()) {
      notes.append(notes.length() > 0 ? "; " : "")
          .append(org.apache.spark.sql.catalyst.util.package$.MODULE$.toPrettySQL(e.getKey(), false)).append(": ")
          .append(e.getValue());
    }
    if (notes.length() > 0) {
      LOG.debug("Tessera leaves to Spark: {}", notes);
    }
    if (r.module() == null) {
      return out;
    }
    TesseraApply call = new TesseraApply(TesseraModule.fromModule(r.module()), Scala.seq(r.arguments()), FUNCTION_NAME,
        notes.toString());
    for (int i = 0; i < r.translated().size(); i++) {
      Expression e = r.translated().get(i);
      out.put(e, new CompiledOutput(call, 2 * i, e.dataType(), r.errors(),
          org.apache.spark.sql.catalyst.util.package$.MODULE$.toPrettySQL(e, false)));
    }
    return out;
  }
}
