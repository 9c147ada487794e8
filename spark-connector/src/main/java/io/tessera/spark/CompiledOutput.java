package io.tessera.spark;

import io.tessera.spark.ExpressionTranslator.ErrorKind;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.errors.QueryExecutionErrors;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * One expression's value out of a module made by {@link ExpressionTranslator}: the module's
 * result struct holds, per expression, the value and its validity, and last the row's error code.
 * This raises the row's error (Spark's own ANSI exceptions), or gives null where the value is not
 * valid, or the value.
 */
public final class CompiledOutput extends Expression implements CodegenFallback, Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression result;
  private final int index;
  private final DataType type;
  private final List<ErrorKind> errors;
  private final String original;

  /**
   * @param result the module's call, a struct
   * @param index the field of the value (its validity follows)
   * @param type the value's type
   * @param errors what each error code means (code {@code k+1} is {@code errors.get(k)})
   * @param original the expression this stands for, as SQL, for plans
   */
  public CompiledOutput(Expression result, int index, DataType type, List<ErrorKind> errors, String original) {
    this.result = result;
    this.index = index;
    this.type = type;
    this.errors = List.copyOf(errors);
    this.original = original;
  }

  @Override
  public Object eval(InternalRow input) {
    InternalRow r = (InternalRow) result.eval(input);
    int code = r.getInt(r.numFields() - 1);
    if (code != 0) {
      throw error(errors.get(code - 1));
    }
    return r.getBoolean(index + 1) ? r.get(index, type) : null;
  }

  private static ArithmeticException error(ErrorKind kind) {
    if (kind.what().equals("divide by zero")) {
      return QueryExecutionErrors.divideByZeroError(null);
    }
    if (kind.what().equals("cast")) {
      return QueryExecutionErrors.arithmeticOverflowError("casting " + kind.from().sql() + " to " + kind.to().sql()
          + " overflowed", "try_cast", null);
    }
    return QueryExecutionErrors.arithmeticOverflowError(kind.what(), "", null);
  }

  @Override
  public DataType dataType() {
    return type;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public Seq<Expression> children() {
    return Scala.seq(List.of(result));
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new CompiledOutput(newChildren.apply(0), index, type, errors, original);
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  /** {@code compiled(a + b * 2)}: what the plan computes here. */
  @Override
  public String toString() {
    return "compiled(" + original + ")";
  }

  @Override
  public String sql() {
    return original;
  }

  @Override
  public int productArity() {
    return 5;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> result;
      case 1 -> index;
      case 2 -> type;
      case 3 -> errors;
      case 4 -> original;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof CompiledOutput;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompiledOutput other && result.equals(other.result) && index == other.index
        && type.equals(other.type) && errors.equals(other.errors) && original.equals(other.original);
  }

  @Override
  public int hashCode() {
    return Objects.hash(result, index, type, errors, original);
  }
}
