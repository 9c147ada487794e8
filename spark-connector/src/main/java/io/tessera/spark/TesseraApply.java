package io.tessera.spark;

import io.tessera.spark.KernelSignature.InputKind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code tessera_apply(module, col1, col2, ...)}, or a function registered under its own name
 * ({@code mlp(features)}): a per-row HLO module applied to argument columns. The module is not a
 * child expression: it is loaded when the call is analysed and travels in the plan as text.
 *
 * <p>Analysis checks the argument columns against the module's parameters
 * ({@link KernelSignature}). In a projection, {@link TesseraColumnarRule} moves the call into a
 * {@link TesseraEvalExec} that runs the compiled kernel on Arrow batches; anywhere else (an
 * aggregate, a join condition) {@link #eval} runs the same kernel one row at a time.
 *
 * <p>Written in Java against Catalyst's Scala API: hence the hand-written product members
 * (constructor arguments in {@code productElement} order, which {@code makeCopy} relies on), the
 * public {@code withNewChildrenInternal}, and {@link #doGenCode} delegating to
 * {@link CodegenFallback}.
 */
public final class TesseraApply extends Expression implements CodegenFallback, Serializable {
  private static final long serialVersionUID = 1L;

  private final TesseraModule module;
  private final Seq<Expression> arguments;
  private final String functionName;
  private final String note;
  private transient KernelSignature signature;
  private transient RowEvaluator evaluator;

  /**
   * @param module the per-row module
   * @param arguments one expression per parameter, in parameter order
   * @param functionName the name it was called by: {@code tessera_apply} or a registered name
   */
  public TesseraApply(TesseraModule module, Seq<Expression> arguments, String functionName) {
    this(module, arguments, functionName, "");
  }

  /**
   * @param note what {@code EXPLAIN FORMATTED} shows with the call (for compiled expressions: what
   *     was left to Spark and why), or empty
   */
  public TesseraApply(TesseraModule module, Seq<Expression> arguments, String functionName, String note) {
    this.module = Objects.requireNonNull(module);
    this.arguments = Objects.requireNonNull(arguments);
    this.functionName = Objects.requireNonNull(functionName);
    this.note = Objects.requireNonNull(note);
  }

  /** What the plan shows with the call, or empty. */
  public String note() {
    return note;
  }

  public TesseraModule module() {
    return module;
  }

  public String functionName() {
    return functionName;
  }

  KernelSignature signature() {
    if (signature == null) {
      signature = KernelSignature.of(module);
    }
    return signature;
  }

  /** How each argument feeds its parameter; call only after analysis has succeeded. */
  List<InputKind> inputKinds() {
    return signature().bind(argumentTypes(), argumentNames());
  }

  List<Expression> argumentList() {
    return CollectionConverters.asJava(arguments);
  }

  private List<DataType> argumentTypes() {
    List<DataType> types = new ArrayList<>();
    for (Expression e : argumentList()) {
      types.add(e.dataType());
    }
    return types;
  }

  /** The arguments as SQL text without qualifiers ({@code features}, {@code v * 2}), for messages. */
  List<String> argumentNames() {
    List<String> names = new ArrayList<>();
    for (Expression e : argumentList()) {
      names.add(org.apache.spark.sql.catalyst.util.package$.MODULE$.toPrettySQL(e, false));
    }
    return names;
  }

  @Override
  public TypeCheckResult checkInputDataTypes() {
    try {
      signature().bind(argumentTypes(), argumentNames());
      return TypeCheckResult.TypeCheckSuccess$.MODULE$;
    } catch (IllegalArgumentException e) {
      return new TypeCheckResult.TypeCheckFailure(functionName + " with module " + module.name() + ": " + e.getMessage());
    }
  }

  @Override
  public DataType dataType() {
    return signature().resultType();
  }

  /** Null exactly when an argument is null or holds a null element somewhere. */
  @Override
  public boolean nullable() {
    for (Expression e : argumentList()) {
      if (e.nullable() || mayHoldNull(e.dataType())) {
        return true;
      }
    }
    return false;
  }

  private static boolean mayHoldNull(DataType t) {
    if (t instanceof ArrayType a) {
      return a.containsNull() || mayHoldNull(a.elementType());
    }
    // An ML vector's struct fields are nullable by declaration but always set.
    return t instanceof StructType && !(t instanceof UserDefinedType<?>);
  }

  @Override
  public Seq<Expression> children() {
    return arguments;
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new TesseraApply(module, newChildren, functionName, note);
  }

  @Override
  public Object eval(InternalRow input) {
    List<Expression> args = argumentList();
    Object[] values = new Object[args.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = args.get(i).eval(input);
      if (values[i] == null) {
        return null;
      }
    }
    return rowEvaluator().evaluate(values);
  }

  private synchronized RowEvaluator rowEvaluator() {
    if (evaluator == null) {
      CompiledKernel kernel = KernelCache.get(module, TesseraConf.current(), KernelCache.Form.ROWS).kernel();
      evaluator = new RowEvaluator(kernel, inputKinds(), toString(), argumentNames());
    }
    return evaluator;
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public String prettyName() {
    return functionName;
  }

  /** {@code tessera_apply(mlp, features#3)} or, for a registered function, {@code mlp(features#3)}. */
  @Override
  public String toString() {
    return render(argumentList().stream().map(Object::toString).toList());
  }

  @Override
  public String sql() {
    return render(argumentNames());
  }

  private String render(List<String> args) {
    List<String> all = new ArrayList<>();
    if (functionName.equals(TesseraExtensions.FUNCTION_NAME)) {
      all.add(module.name());
    }
    all.addAll(args);
    return functionName + "(" + String.join(", ", all) + ")";
  }

  @Override
  public int productArity() {
    return 4;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> module;
      case 1 -> arguments;
      case 2 -> functionName;
      case 3 -> note;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TesseraApply;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TesseraApply other && module.equals(other.module) && arguments.equals(other.arguments)
        && functionName.equals(other.functionName) && note.equals(other.note);
  }

  @Override
  public int hashCode() {
    return Objects.hash(module, arguments, functionName, note);
  }
}
