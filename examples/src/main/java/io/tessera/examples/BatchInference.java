package io.tessera.examples;

import static org.apache.spark.sql.functions.col;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import io.tessera.spark.Tessera;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * The README's main example: a 3-layer MLP ({@code examples/hlo/mlp32.hlo}, weights as constants
 * in the module) scores a generated DataFrame of feature rows with {@code tessera_apply}, then the
 * same model written as a plain Java UDF scores the same rows. Prints a few predictions, both
 * throughputs and the largest difference between the two.
 *
 * <pre>
 *   bin/tessera-example batch-inference [--rows 1000000] [--model examples/hlo/mlp32.hlo]
 * </pre>
 *
 * <p>The features are a deterministic function of the row id ({@link #feature}), cached before
 * either model runs, so both timings cover scoring only; each model first runs once on a few
 * rows, so that neither timing includes compiling (Tessera) or class loading (the UDF), then once
 * untimed over all rows, so that neither includes the JVM compiling the query's generated code.
 */
public final class BatchInference {
  /** The README's default. */
  public static final long DEFAULT_ROWS = 1_000_000;
  private static final int SHOWN = 5;
  private static final int WARM_UP_ROWS = 10_000;

  /**
   * What a run measured.
   *
   * @param first the Tessera probabilities of rows 0, 1, ... (a few)
   */
  public record Result(long rows, List<float[]> first, double tesseraRowsPerSecond, double javaUdfRowsPerSecond,
                       double maxDifference) {}

  private BatchInference() {}

  public static void main(String[] args) throws IOException {
    Arguments a = new Arguments(List.of(args), Set.of("rows", "model"));
    Path model = Path.of(a.text("model", ExampleFiles.path("hlo/mlp32.hlo").toString()));
    SparkSession spark = ExampleSession.local("tessera-batch-inference");
    try {
      run(spark, model, a.number("rows", DEFAULT_ROWS), System.out);
    } finally {
      spark.stop();
    }
  }

  /** Feature {@code j} of row {@code id}: what the generated DataFrame holds. */
  public static float feature(long id, int j) {
    return (float) Math.sin(id * 0.001 * (j + 1) + j);
  }

  /** {@code rows} rows {@code (id bigint, features array<float>)}, {@code width} features each, by {@link #feature}. */
  public static Dataset<Row> features(SparkSession spark, long rows, int width) {
    // One expression per feature rather than transform(sequence(...)): whole-stage code generation
    // compiles these, so generating the data costs little next to scoring it.
    List<String> elements = new ArrayList<>();
    for (int j = 0; j < width; j++) {
      elements.add("CAST(sin(id * 0.001D * " + (j + 1) + " + " + j + ") AS FLOAT)");
    }
    return spark.range(rows).selectExpr("id", "array(" + String.join(", ", elements) + ") AS features");
  }

  public static Result run(SparkSession spark, Path modelFile, long rows, PrintStream out) throws IOException {
    String text = Files.readString(modelFile);
    Module module = HloParser.parse(text);
    JavaMlp javaMlp = JavaMlp.fromModule(module);
    spark.udf().register("mlp_java", (UDF1<scala.collection.Seq<Float>, float[]>) features -> {
      float[] x = new float[features.length()];
      for (int k = 0; k < x.length; k++) {
        x[k] = features.apply(k);
      }
      return javaMlp.predict(x);
    }, DataTypes.createArrayType(DataTypes.FloatType, false));

    out.printf(Locale.ROOT, "model   %s: %d features -> 3 dense layers -> %d probabilities%n", modelFile,
        javaMlp.inputs(), javaMlp.outputs());
    long t0 = System.nanoTime();
    Dataset<Row> data = features(spark, rows, javaMlp.inputs()).cache();
    data.count();
    out.printf(Locale.ROOT, "data    %,d rows generated and cached in %.1f s (%d partitions)%n", rows,
        seconds(t0), data.rdd().getNumPartitions());

    Dataset<Row> warmUp = features(spark, Math.min(rows, WARM_UP_ROWS), javaMlp.inputs());
    t0 = System.nanoTime();
    score(warmUp, text);
    out.printf(Locale.ROOT, "compile first Tessera call (parse, batch, LLVM JIT) and %,d rows: %.2f s%n",
        warmUp.count(), seconds(t0));
    scoreWithUdf(warmUp);

    // One untimed pass of each over the cached data first: the JVM compiles Spark's generated code
    // for these plans and the UDF's lambda during the first pass, which would otherwise be timed.
    score(data, text);
    scoreWithUdf(data);
    t0 = System.nanoTime();
    score(data, text);
    double tessera = rows / seconds(t0);
    t0 = System.nanoTime();
    scoreWithUdf(data);
    double udf = rows / seconds(t0);

    Dataset<Row> both = data.select(col("id"), Tessera.apply(text, col("features")).as("tessera"),
        org.apache.spark.sql.functions.call_function("mlp_java", col("features")).as("java"));
    double maxDiff = both.selectExpr("max(aggregate(zip_with(tessera, java, (t, j) -> abs(t - j)), 0D, "
        + "(m, d) -> greatest(m, d))) AS d").first().getDouble(0);
    List<float[]> first = new ArrayList<>();
    for (Row r : both.filter(col("id").lt(SHOWN)).orderBy("id").collectAsList()) {
      List<Float> p = r.getList(1);
      float[] v = new float[p.size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = p.get(k);
      }
      first.add(v);
      out.printf(Locale.ROOT, "row %d   %s%n", r.getLong(0), Arrays.toString(v));
    }
    out.printf(Locale.ROOT, "tessera_apply   %,12.0f rows/s%n", tessera);
    out.printf(Locale.ROOT, "Java UDF        %,12.0f rows/s   (Tessera: %.2fx)%n", udf, tessera / udf);
    out.printf(Locale.ROOT, "max |tessera - java| over %,d rows x %d probabilities: %.3g%n", rows,
        javaMlp.outputs(), maxDiff);
    data.unpersist();
    return new Result(rows, first, tessera, udf, maxDiff);
  }

  /** Scores every row with tessera_apply; the noop sink makes Spark compute every column and keep none. */
  private static void score(Dataset<Row> data, String module) {
    data.select(col("id"), Tessera.apply(module, col("features")).as("p")).write().format("noop").mode("overwrite")
        .save();
  }

  private static void scoreWithUdf(Dataset<Row> data) {
    data.selectExpr("id", "mlp_java(features) AS p").write().format("noop").mode("overwrite").save();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
