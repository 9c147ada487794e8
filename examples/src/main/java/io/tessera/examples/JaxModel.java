package io.tessera.examples;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A model exported from JAX ({@code examples/jax/score.hlo}, the text
 * {@code jax.jit(score).lower(x).compiler_ir("hlo").as_hlo_text()} prints for
 * {@code examples/jax/export.py}) applied in SQL by file path, and the same math written in Spark
 * SQL beside it: standardize a row's 8 features, then a logistic regression.
 *
 * <pre>
 *   bin/tessera-example jax-model [--rows 100000] [--model examples/jax/score.hlo]
 * </pre>
 */
public final class JaxModel {
  /** The weights and bias in export.py, for the Spark SQL version. */
  static final double[] W = {0.5, -0.25, 0.75, 1.0, -0.5, 0.125, -1.0, 0.25};
  static final double B = 0.25;
  private static final int SHOWN = 5;

  /** @param first Tessera's scores of rows 0, 1, ... (a few) */
  public record Result(long rows, List<Float> first, double maxDifference) {}

  private JaxModel() {}

  public static void main(String[] args) throws IOException {
    Arguments a = new Arguments(List.of(args), Set.of("rows", "model"));
    Path model = Path.of(a.text("model", ExampleFiles.path("jax/score.hlo").toString()));
    SparkSession spark = ExampleSession.local("tessera-jax-model");
    try {
      run(spark, model, a.number("rows", 100_000), System.out);
    } finally {
      spark.stop();
    }
  }

  /** Feature {@code j} of row {@code id}. */
  public static float feature(long id, int j) {
    return (float) (Math.cos(id * 0.37 + j) * (j + 1));
  }

  public static Result run(SparkSession spark, Path modelFile, long rows, PrintStream out) throws IOException {
    Module module = HloParser.parse(Files.readString(modelFile));
    out.printf(Locale.ROOT, "module  %s: %s, entry %s%n", modelFile, module.name(), ExampleFiles.signature(module));
    List<String> features = new ArrayList<>();
    for (int j = 0; j < W.length; j++) {
      features.add("CAST(cos(id * 0.37D + " + j + ") * " + (j + 1) + " AS FLOAT)");
    }
    spark.range(rows).selectExpr("id", "array(" + String.join(", ", features) + ") AS x")
        .createOrReplaceTempView("jax_rows");

    // The module by path, as a SQL user writes it.
    String path = modelFile.toAbsolutePath().toString().replace("'", "\\'");
    Dataset<Row> tessera = spark.sql("SELECT id, tessera_apply('" + path + "', x) AS p FROM jax_rows");
    tessera.createOrReplaceTempView("jax_tessera");
    spark.sql(sparkSqlScore()).createOrReplaceTempView("jax_spark");

    Dataset<Row> both = spark.sql("SELECT t.id, t.p AS tessera, s.p AS spark FROM jax_tessera t JOIN jax_spark s "
        + "ON t.id = s.id");
    Row summary = both.selectExpr("count(*)", "max(abs(tessera - spark))").first();
    List<Float> first = new ArrayList<>();
    for (Row r : both.filter("id < " + SHOWN).orderBy("id").collectAsList()) {
      first.add(r.getFloat(1));
      out.printf(Locale.ROOT, "row %d   tessera_apply %.7f   Spark SQL %.7f%n", r.getLong(0), r.getFloat(1),
          r.getDouble(2));
    }
    double maxDiff = summary.isNullAt(1) ? 0 : summary.getDouble(1);
    out.printf(Locale.ROOT, "max |tessera_apply - Spark SQL| over %,d rows: %.3g%n", summary.getLong(0), maxDiff);
    return new Result(summary.getLong(0), first, maxDiff);
  }

  /**
   * The model in Spark SQL, in double precision: {@code z = (x - mean) / sqrt(var + 1e-5)},
   * {@code 1 / (1 + exp(-(z . W + B)))}.
   */
  static String sparkSqlScore() {
    StringBuilder w = new StringBuilder("array(");
    for (int k = 0; k < W.length; k++) {
      w.append(k > 0 ? ", " : "").append(W[k]).append("D");
    }
    w.append(")");
    return "WITH m AS (SELECT id, x, aggregate(x, 0D, (a, v) -> a + v) / size(x) AS mean FROM jax_rows), "
        + "v AS (SELECT id, x, mean, aggregate(x, 0D, (a, e) -> a + (e - mean) * (e - mean)) / size(x) AS var FROM m) "
        + "SELECT id, 1 / (1 + exp(-(aggregate(zip_with(x, " + w + ", (e, w) -> (e - mean) / sqrt(var + 1e-5D) * w), "
        + "0D, (a, t) -> a + t) + " + B + "D))) AS p FROM v";
  }
}
