package io.tessera.spark;

import io.tessera.compiler.hlo.Module;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.functions;

/**
 * Tessera for DataFrame code. The session must have been built with
 * {@code spark.sql.extensions=io.tessera.spark.TesseraExtensions}, which provides
 * {@code tessera_apply} and the operator that runs it in batches.
 *
 * <pre>{@code
 * Dataset<Row> scored = df.withColumn("score", Tessera.apply(mlpText, col("features")));
 *
 * Tessera.register(spark, "mlp", Path.of("mlp.hlo").toString());
 * spark.sql("SELECT id, mlp(features) AS score FROM t");
 * }</pre>
 *
 * <p>A module describes one row (see {@link KernelSignature} for how columns map to parameters).
 * Modules are read and verified on the driver; errors carry {@code line:col}.
 */
public final class Tessera {
  private Tessera() {}

  /** {@code tessera_apply(module, columns...)}: {@code module} is HLO text or the path or URI of an .hlo file. */
  public static Column apply(String moduleTextOrPath, Column... columns) {
    List<Column> args = new ArrayList<>();
    args.add(functions.lit(moduleTextOrPath));
    args.addAll(List.of(columns));
    return functions.call_function(TesseraExtensions.FUNCTION_NAME, args.toArray(new Column[0]));
  }

  /**
   * {@code tessera_apply} over a module built in Java, e.g. with
   * {@link io.tessera.compiler.hlo.Builder}; the module is verified and carried as its text.
   */
  public static Column apply(Module module, Column... columns) {
    return apply(TesseraModule.fromModule(module).text(), columns);
  }

  /**
   * Registers {@code name} as a SQL function of {@code session} that applies the module in
   * {@code moduleTextOrPath} (HLO text, or a path or URI read now, on the driver).
   *
   * @throws TesseraModule.InvalidModuleException when the module cannot be read or is invalid
   */
  public static void register(SparkSession session, String name, String moduleTextOrPath) {
    register(session, name, TesseraModule.fromTextOrPath(moduleTextOrPath, session.sessionState().newHadoopConf()));
  }

  /** Registers {@code name} as a SQL function of {@code session} that applies {@code module}. */
  public static void register(SparkSession session, String name, Module module) {
    register(session, name, TesseraModule.fromModule(module));
  }

  /** Registers {@code name} as a SQL function of {@code session} that applies {@code module}. */
  public static void register(SparkSession session, String name, TesseraModule module) {
    String usage = "_FUNC_(col1, col2, ...) - Applies the Tessera module " + module.name() + " (" + module.source()
        + ") to the columns.";
    session.sessionState().functionRegistry().registerFunction(FunctionIdentifier.apply(name),
        TesseraFunctions.info(name, usage, ""), TesseraFunctions.builder(name, module));
  }

  /** A call of a function registered with {@link #register}: {@code name(columns...)}. */
  public static Column call(String name, Column... columns) {
    return functions.call_function(name, columns);
  }
}
