package io.tessera.spark;

import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Seq;

/**
 * The builders behind {@code tessera_apply} and functions registered with
 * {@link Tessera#register}. They run at analysis, on the driver: the module argument is read and
 * verified here, so a bad module fails the query before any task starts.
 */
final class TesseraFunctions {
  private TesseraFunctions() {}

  static final String USAGE = "_FUNC_(module, col1, col2, ...) - Applies a per-row XLA HLO module to the columns.";

  private static final String ARGUMENTS = """

          Arguments:
            * module - a string literal: HLO text, or the path or URI of an .hlo file, read when the query
                is analysed. The module describes one row.
            * col1, col2, ... - one column per module parameter: f32[] takes a float column, f32[d] an
                array<float> of length d (nested arrays for more dimensions), f64[d] also an ML vector.
      """;

  static Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>> tesseraApply() {
    return new Tuple3<>(FunctionIdentifier.apply(TesseraExtensions.FUNCTION_NAME),
        info(TesseraExtensions.FUNCTION_NAME, USAGE, ARGUMENTS), TesseraFunctions::buildTesseraApply);
  }

  /** What {@code DESCRIBE FUNCTION} shows. */
  static ExpressionInfo info(String name, String usage, String arguments) {
    return new ExpressionInfo(TesseraApply.class.getName(), null, name, usage, arguments, "", "", "misc_funcs", "", "",
        "java_udf");
  }

  private static Expression buildTesseraApply(Seq<Expression> args) {
    List<Expression> list = Scala.list(args);
    if (list.isEmpty()) {
      throw analysisError(TesseraExtensions.FUNCTION_NAME + " needs a module: tessera_apply(module, col1, col2, ...)",
          null);
    }
    Expression moduleArg = list.get(0);
    if (!moduleArg.foldable() || !moduleArg.dataType().equals(DataTypes.StringType)) {
      throw analysisError(TesseraExtensions.FUNCTION_NAME + ": the first argument must be a string literal holding "
          + "HLO text or the path of an .hlo file, got " + moduleArg.sql(), null);
    }
    Object value = moduleArg.eval(null);
    if (value == null) {
      throw analysisError(TesseraExtensions.FUNCTION_NAME + ": the module argument is NULL", null);
    }
    TesseraModule module = load(((UTF8String) value).toString());
    return new TesseraApply(module, Scala.seq(list.subList(1, list.size())), TesseraExtensions.FUNCTION_NAME);
  }

  /** Reads a module for analysis; a bad module becomes an analysis error with the module's message. */
  static TesseraModule load(String textOrPath) {
    try {
      return TesseraModule.fromTextOrPath(textOrPath, SparkSession.active().sessionState().newHadoopConf());
    } catch (TesseraModule.InvalidModuleException e) {
      throw analysisError(TesseraExtensions.FUNCTION_NAME + ": " + e.getMessage(), e);
    }
  }

  /** A builder for a function registered under its own name, over a module loaded already. */
  static Function1<Seq<Expression>, Expression> builder(String name, TesseraModule module) {
    return args -> new TesseraApply(module, args, name);
  }

  /**
   * Throws an {@link AnalysisException}, as Spark reports analysis errors. The exception is
   * checked in Java but not in the Scala code that calls function builders, so it is thrown
   * without a declaration; the return type lets callers write {@code throw analysisError(...)}.
   */
  static RuntimeException analysisError(String message, Throwable cause) {
    throw TesseraFunctions.<RuntimeException>undeclared(new AnalysisException(message, Option.empty(), Option.empty(),
        Option.apply(cause), Option.empty(), scala.collection.immutable.Map$.MODULE$.empty(),
        new org.apache.spark.QueryContext[0]));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E undeclared(Throwable t) throws E {
    throw (E) t;
  }
}
