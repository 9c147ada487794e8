package io.tessera.examples;

import io.tessera.spark.TesseraConf;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Expression acceleration: one ordinary SQL query (arithmetic, comparisons, CASE WHEN, GREATEST,
 * COALESCE, sqrt, casts, in a projection and a filter) run with
 * {@code spark.tessera.compileExpressions} off and on. Prints both physical plans (on: a
 * {@code TesseraEval} node computes the expressions as one fused kernel), both timings, and
 * checks that both give the same rows (a count and a sum of row hashes).
 *
 * <pre>
 *   bin/tessera-example compiled-expressions [--rows 2000000]
 * </pre>
 */
public final class CompiledExpressions {
  /** The query, over the cached table {@code expr_input(id, i, x, y, z)}. */
  static final String QUERY = "SELECT id, "
      + "CASE WHEN x > 0 THEN sqrt(x) * 2 + y ELSE y - x END AS a, "
      + "GREATEST(x, y, 0.5D) * 0.25D + COALESCE(z, -1D) AS b, "
      + "x * x + y * y - CAST(i AS DOUBLE) AS c, "
      + "i * 3 + 7 AS d "
      + "FROM expr_input WHERE x * y < 1000 AND (i > 10 OR z IS NULL)";
  /** Every column of every row, folded into a count and a sum of hashes, so that the results compare cheaply. */
  static final String CHECKSUM = "SELECT count(*), sum(CAST(hash(id, a, b, c, d) AS BIGINT)) FROM (" + QUERY + ")";

  /**
   * One mode's run.
   *
   * @param plan the physical plan of the query
   * @param checksum {count, sum of hashes}
   */
  public record Mode(boolean compiled, String plan, double seconds, long[] checksum) {}

  public record Result(long rows, Mode off, Mode on) {
    public boolean sameResults() {
      return java.util.Arrays.equals(off.checksum(), on.checksum());
    }
  }

  private CompiledExpressions() {}

  public static void main(String[] args) {
    Arguments a = new Arguments(List.of(args), Set.of("rows"));
    SparkSession spark = ExampleSession.local("tessera-compiled-expressions");
    try {
      Result r = run(spark, a.number("rows", 2_000_000), System.out);
      if (!r.sameResults()) {
        System.exit(1);
      }
    } finally {
      spark.stop();
    }
  }

  public static Result run(SparkSession spark, long rows, PrintStream out) {
    // Inputs with nulls, negatives and zeros, computed once and cached: the timings cover the query.
    spark.range(rows).selectExpr("id",
            "CAST(IF(id % 11 = 0, NULL, id % 1000) AS INT) AS i",
            "CAST(sin(id * 0.01D) * 100 AS DOUBLE) AS x",
            "CAST(cos(id * 0.003D) * 50 AS DOUBLE) AS y",
            "IF(id % 7 = 0, NULL, CAST(id % 13 AS DOUBLE) / 4) AS z")
        .cache().createOrReplaceTempView("expr_input");
    out.printf(Locale.ROOT, "input   %,d rows cached%n", spark.table("expr_input").count());
    out.printf(Locale.ROOT, "query   %s%n%n", QUERY);
    String before = spark.conf().get(TesseraConf.COMPILE_EXPRESSIONS, "false");
    try {
      Mode off = mode(spark, false);
      Mode on = mode(spark, true);
      Result r = new Result(rows, off, on);
      for (Mode m : List.of(off, on)) {
        out.printf(Locale.ROOT, "%s = %s: physical plan%n%s%n", TesseraConf.COMPILE_EXPRESSIONS, m.compiled(), m.plan());
      }
      out.printf(Locale.ROOT, "compileExpressions=false  %.2f s%n", off.seconds());
      out.printf(Locale.ROOT, "compileExpressions=true   %.2f s   (%.2fx)%n", on.seconds(),
          off.seconds() / on.seconds());
      out.printf(Locale.ROOT, "same results: %s (%,d rows, hash sum %d)%n", r.sameResults(), on.checksum()[0],
          on.checksum()[1]);
      return r;
    } finally {
      spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, before);
      spark.catalog().uncacheTable("expr_input");
    }
  }

  private static Mode mode(SparkSession spark, boolean compiled) {
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, Boolean.toString(compiled));
    // The plan down to the cached input (what produced the input is the same in both modes).
    String full = spark.sql(QUERY).queryExecution().executedPlan().toString();
    int cut = full.indexOf("InMemoryRelation");
    String plan = cut < 0 ? full : full.substring(0, full.lastIndexOf('\n', cut) + 1);
    checksum(spark); // warm-up: code generation, and for Tessera compiling the module
    long t0 = System.nanoTime();
    long[] sum = checksum(spark);
    return new Mode(compiled, plan, (System.nanoTime() - t0) / 1e9, sum);
  }

  private static long[] checksum(SparkSession spark) {
    Row r = spark.sql(CHECKSUM).first();
    return new long[] {r.getLong(0), r.isNullAt(1) ? 0 : r.getLong(1)};
  }
}
