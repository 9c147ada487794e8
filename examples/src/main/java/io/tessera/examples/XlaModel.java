package io.tessera.examples;

import static org.apache.spark.sql.functions.col;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.pass.UnbatchingPass;
import io.tessera.compiler.text.HloParser;
import io.tessera.spark.Tessera;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A model that real XLA compiled from a TensorFlow graph: {@code examples/xla/mlp_gelu_tanh.hlo},
 * the module TensorFlow 2.18 handed XLA for a 3-layer GELU MLP with constant weights (16 -> 32 ->
 * 16 -> 4), with XLA's inputs ({@code .args}) and XLA's own results ({@code .expected}), copied
 * unchanged from the corpus that the {@code xla-oracle} module generates.
 *
 * <p>TensorFlow traced the graph for a batch of 8 rows ({@code f32[8,16] -> f32[8,4]}), while
 * {@code tessera_apply} takes a module of one row. The {@code unbatch} pass
 * ({@code bin/tessera hlo-opt FILE --passes unbatch} prints the same) checks that no instruction
 * mixes rows and gives the per-row module {@code f32[16] -> f32[4]}; Tessera batches it again for
 * any number of rows. Each of XLA's 8 input rows becomes a DataFrame row, and the results must
 * equal XLA's within the corpus tolerance.
 *
 * <pre>
 *   bin/tessera-example xla-model [--model examples/xla/mlp_gelu_tanh.hlo]
 * </pre>
 */
public final class XlaModel {
  private static final Pattern TOLERANCE = Pattern.compile("# tolerance rel=(\\S+) abs=(\\S+)");

  /**
   * @param maxDifference the largest |Tessera - XLA| over every result element
   * @param withinTolerance whether every element is within XLA's recorded tolerance
   */
  public record Result(int rows, double maxDifference, boolean withinTolerance) {}

  private XlaModel() {}

  public static void main(String[] args) throws IOException {
    Arguments a = new Arguments(List.of(args), Set.of("model"));
    Path model = Path.of(a.text("model", ExampleFiles.path("xla/mlp_gelu_tanh.hlo").toString()));
    SparkSession spark = ExampleSession.local("tessera-xla-model");
    try {
      Result r = run(spark, model, System.out);
      if (!r.withinTolerance()) {
        System.exit(1);
      }
    } finally {
      spark.stop();
    }
  }

  /** Runs {@code NAME.hlo} on the rows of {@code NAME.args} and compares with {@code NAME.expected}. */
  public static Result run(SparkSession spark, Path hloFile, PrintStream out) throws IOException {
    String base = hloFile.toString().replaceFirst("\\.hlo$", "");
    Module module = HloParser.parse(Files.readString(hloFile));
    out.printf(Locale.ROOT, "XLA's module   %s: %s%n", hloFile, ExampleFiles.signature(module));
    new UnbatchingPass().run(module);
    Verifier.verify(module);
    out.printf(Locale.ROOT, "per-row module (unbatch pass): %s%n", ExampleFiles.signature(module));

    Literal x = ExampleFiles.literals(Path.of(base + ".args")).get(0);
    Literal expected = ExampleFiles.literals(Path.of(base + ".expected")).get(0);
    double[] tolerance = tolerance(Path.of(base + ".expected"));
    int rows = x.shape().dimension(0);
    int width = x.shape().dimension(1);
    List<Row> data = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Float[] features = new Float[width];
      for (int k = 0; k < width; k++) {
        features[k] = (float) x.getDouble(r * width + k);
      }
      data.add(RowFactory.create(r, features));
    }
    StructType schema = new StructType().add("row", DataTypes.IntegerType)
        .add("x", DataTypes.createArrayType(DataTypes.FloatType, false));
    Dataset<Row> df = spark.createDataFrame(data, schema);
    List<Row> scored = df.select(col("row"), Tessera.apply(module, col("x")).as("y")).orderBy("row").collectAsList();

    int outputs = expected.shape().dimension(1);
    double maxDiff = 0;
    boolean within = true;
    for (Row r : scored) {
      int row = r.getInt(0);
      List<Float> y = r.getList(1);
      StringBuilder line = new StringBuilder();
      for (int k = 0; k < outputs; k++) {
        double want = expected.getDouble(row * outputs + k);
        double got = y.get(k);
        double diff = Math.abs(got - want);
        maxDiff = Math.max(maxDiff, diff);
        within &= diff <= tolerance[1] + tolerance[0] * Math.abs(want);
        line.append(String.format(Locale.ROOT, " %11.7f", got));
      }
      out.printf(Locale.ROOT, "row %d  tessera_apply%s%n", row, line);
    }
    out.printf(Locale.ROOT, "max |tessera_apply - XLA| over %d x %d results: %.3g (XLA's tolerance rel=%s abs=%s): %s%n",
        rows, outputs, maxDiff, tolerance[0], tolerance[1], within ? "all within" : "NOT within");
    return new Result(scored.size(), maxDiff, within);
  }

  /** {rel, abs} from the {@code # tolerance rel=... abs=...} line of an {@code .expected} file. */
  private static double[] tolerance(Path expected) throws IOException {
    Matcher m = TOLERANCE.matcher(Files.readAllLines(expected).get(0));
    if (!m.find()) {
      throw new IllegalArgumentException(expected + " does not start with '# tolerance rel=... abs=...'");
    }
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }
}
