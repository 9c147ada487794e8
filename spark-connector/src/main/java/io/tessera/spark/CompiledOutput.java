package io.tessera.spark;

import io.tessera.spark.ExpressionTranslator.ErrorKind;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeBlock;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.errors.QueryExecutionErrors;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * One expression's value out of a module made by {@link ExpressionTranslator}: the module's
 * result struct holds, per expression, the value and its validity, and last the row's error code.
 * This raises the row's error (Spark's own ANSI exceptions), or gives null where the value is not
 * valid, or the value; in generated code too.
 */
public final class CompiledOutput extends Expression implements Serializable {
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
    if (r == null) {
      return null;
    }
    int code = r.getInt(r.numFields() - 1);
    if (code != 0) {
      throw error(code);
    }
    return r.getBoolean(index + 1) ? r.get(index, type) : null;
  }

  /** The exception for error code {@code code} (not 0); public for generated code. */
  public ArithmeticException error(int code) {
    ErrorKind kind = errors.get(code - 1);
    return switch (kind.what()) {
      case "divide by zero" -> QueryExecutionErrors.divideByZeroError(null);
      case "cast" -> QueryExecutionErrors.arithmeticOverflowError("casting " + kind.from().sql() + " to "
          + kind.to().sql() + " overflowed", kind.hint(), null);
      default -> QueryExecutionErrors.arithmeticOverflowError(kind.what(), kind.hint(), null);
    };
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

  /** The same as {@link #eval} in generated Java, so that the operators reading it keep whole-stage code generation. */
  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    ExprCode row = result.genCode(ctx);
    String self = ctx.addReferenceObj("compiledOutput", this, CompiledOutput.class.getName());
    String code = ctx.freshName("errorCode");
    String r = row.value().toString();
    String src = row.code() + "\n"
        + "boolean " + ev.isNull() + " = true;\n"
        + CodeGenerator.javaType(type) + " " + ev.value() + " = " + CodeGenerator.defaultValue(type, true) + ";\n"
        + "if (!" + row.isNull() + ") {\n"
        + "  int " + code + " = " + r + ".getInt(" + r + ".numFields() - 1);\n"
        + "  if (" + code + " != 0) {\n"
        + "    throw " + self + ".error(" + code + ");\n"
        + "  }\n"
        + "  " + ev.isNull() + " = !" + r + ".getBoolean(" + (index + 1) + ");\n"
        + "  if (!" + ev.isNull() + ") {\n"
        + "    " + ev.value() + " = " + CodeGenerator.getValue(r, type, Integer.toString(index)) + ";\n"
        + "  }\n"
        + "}\n";
    return ev.copy(new CodeBlock(Scala.seq(List.of(src)), Scala.seq(List.of())), ev.isNull(), ev.value());
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
