package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spark.tessera.compileExpressions: every supported expression gives exactly what Spark gives, on
 * nulls, NaN, signed zeros, infinities and integer extremes, with ANSI mode off and on.
 */
class CompileExpressionsTest {
  /** Each is translated whole (the test checks that nothing is left to Spark). */
  private static final String[] EXPRESSIONS = {
      "i + 1", "i - l", "i * i", "l * l", "l + l", "-i", "-l", "abs(i)", "abs(l)",
      "d / 2", "f / f", "d / d", "d / 0", "f * 2.5F", "d + f", "i + d", "sqrt(d)", "d - f * f",
      "i = 3", "f = f", "d = d", "d < 1.0D", "d >= f", "f > 0", "l <=> 5", "d <=> f", "f <= d",
      "b AND i > 0", "b OR d > 0", "NOT b", "b IS NULL", "d IS NOT NULL", "(i > 0) AND (d < 0 OR b)",
      "IF(b, i, -i)", "CASE WHEN i > 0 THEN d WHEN i < 0 THEN -d ELSE 0 END", "CASE WHEN i = 0 THEN 0 ELSE 100 / i END",
      "COALESCE(d, f, 0)", "COALESCE(i, l)", "GREATEST(d, f, i)", "LEAST(i, l)", "GREATEST(f, NULL)", "LEAST(d, -d)",
      "CAST(d AS INT)", "CAST(f AS BIGINT)", "CAST(l AS INT)", "CAST(i AS FLOAT)", "CAST(l AS DOUBLE)",
      "CAST(d AS FLOAT)", "CAST(f AS INT)", "CAST(d AS BIGINT)",
      "try_add(i, i)", "try_multiply(l, l)", "try_subtract(l, 1)", "try_divide(d, f)"};

  /** Under ANSI mode these may divide by zero on the test data, so the ANSI comparison leaves them out. */
  private static final List<String> DIVIDE_BY_ZERO = List.of("d / 0", "f / f", "d / d");

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    Object[][] values = {
        {0, 0L, 0f, 0d, true},
        {1, 5L, -0f, -0d, false},
        {-1, -5L, Float.NaN, Double.NaN, null},
        {Integer.MAX_VALUE, Long.MAX_VALUE, Float.POSITIVE_INFINITY, 1e30, true},
        {Integer.MIN_VALUE, Long.MIN_VALUE, Float.NEGATIVE_INFINITY, -3e19, false},
        {3, 3L, 1.5f, Double.POSITIVE_INFINITY, null},
        {null, 9L, null, 2.5, true},
        {7, null, 3e38f, null, false},
        {-12, -7L, -2.75f, Double.NEGATIVE_INFINITY, true},
        {5, 2L, 2147483520f, 2147483647.5, false},
        {10, 100L, 0.5f, -7.25, true},
        {-3, -30L, -1.5f, 0.125, null}};
    List<Row> rows = new ArrayList<>();
    for (int id = 0; id < values.length; id++) {
      Object[] v = values[id];
      rows.add(RowFactory.create(id, v[0], v[1], v[2], v[3], v[4]));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("i", DataTypes.IntegerType)
        .add("l", DataTypes.LongType).add("f", DataTypes.FloatType).add("d", DataTypes.DoubleType)
        .add("b", DataTypes.BooleanType);
    spark.createDataFrame(rows, schema).repartition(3).createOrReplaceTempView("numbers");
  }

  @AfterEach
  void reset() {
    SparkTests.resetTesseraConf();
    spark.conf().unset("spark.sql.ansi.enabled");
  }

  private static Dataset<Row> select(String where, String... exprs) {
    List<String> cols = new ArrayList<>(List.of("id"));
    for (int k = 0; k < exprs.length; k++) {
      cols.add(exprs[k] + " AS e" + k);
    }
    return spark.sql("SELECT " + String.join(", ", cols) + " FROM numbers " + where + " ORDER BY id");
  }

  private static List<Row> run(boolean compiled, String where, String... exprs) {
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, Boolean.toString(compiled));
    Dataset<Row> df = select(where, exprs);
    List<Row> rows = df.collectAsList();
    if (compiled) {
      List<TesseraEvalExec> evals = SparkTests.evalNodes(df);
      assertTrue(!evals.isEmpty(), "compiled: " + SparkTests.executedPlan(df));
      for (TesseraEvalExec eval : evals) {
        for (TesseraApply call : eval.callList()) {
          assertEquals("", call.note(), "every expression translates");
        }
      }
    }
    return rows;
  }

  @Test
  void sameResultsAsSparkWithoutAnsi() {
    spark.conf().set("spark.sql.ansi.enabled", "false");
    TesseraApplyTest.assertSameRows(run(false, "", EXPRESSIONS), run(true, "", EXPRESSIONS));
  }

  @Test
  void sameResultsAsSparkWithAnsiWhereNothingOverflows() {
    spark.conf().set("spark.sql.ansi.enabled", "true");
    // Rows without integer extremes, infinities or NaN (which casts to int reject under ANSI).
    String where = "WHERE id IN (0, 1, 6, 10, 11)";
    String[] safe = java.util.Arrays.stream(EXPRESSIONS).filter(e -> !DIVIDE_BY_ZERO.contains(e)).toArray(String[]::new);
    TesseraApplyTest.assertSameRows(run(false, where, safe), run(true, where, safe));
  }

  @Test
  void ansiErrorsAreSparksErrors() {
    spark.conf().set("spark.sql.ansi.enabled", "true");
    // Each on a row where it raises: rows 3 and 4 hold the integer extremes, row 0 zeros.
    String[][] failing = {{"i + 1", "3", "ARITHMETIC_OVERFLOW"}, {"l + l", "3", "ARITHMETIC_OVERFLOW"},
        {"l * l", "4", "ARITHMETIC_OVERFLOW"}, {"i * i", "3", "ARITHMETIC_OVERFLOW"}, {"-i", "4", "ARITHMETIC_OVERFLOW"},
        {"abs(l)", "4", "ARITHMETIC_OVERFLOW"}, {"l - 1", "4", "ARITHMETIC_OVERFLOW"}, {"d / 0", "0", "DIVIDE_BY_ZERO"},
        {"f / f", "0", "DIVIDE_BY_ZERO"}};
    for (String[] f : failing) {
      String where = "WHERE id = " + f[1];
      SparkThrowable expected = (SparkThrowable) assertThrows(Exception.class, () -> run(false, where, f[0]));
      SparkThrowable actual = (SparkThrowable) assertThrows(Exception.class, () -> run(true, where, f[0]));
      assertEquals(f[2], expected.getCondition(), f[0]);
      assertEquals(expected.getCondition(), actual.getCondition(), f[0]);
    }
    // Casts out of range fail in both (Spark's error names the value, Tessera's the types).
    for (String cast : new String[] {"CAST(d AS INT)", "CAST(f AS BIGINT)", "CAST(l AS INT)"}) {
      assertThrows(Exception.class, () -> run(false, "WHERE id = 3", cast));
      assertThrows(Exception.class, () -> run(true, "WHERE id = 3", cast));
    }
  }

  @Test
  void errorsInBranchesNotTakenDoNotCount() {
    spark.conf().set("spark.sql.ansi.enabled", "true");
    String[] guarded = {"CASE WHEN i = 2147483647 THEN 0 ELSE i + 1 END", "IF(d = 0, NULL, 1 / d)",
        "COALESCE(i, i + 1)", "(i < 0) AND (i + 1 > 0)", "(i > 0) OR (d / 0 > 1)"};
    String where = "WHERE id IN (0, 3, 5)";
    for (String e : List.of(guarded).subList(0, 4)) {
      TesseraApplyTest.assertSameRows(run(false, where, e), run(true, where, e));
    }
    // OR evaluates its right side where the left is not true: row 0 divides by zero in both.
    assertThrows(Exception.class, () -> run(false, where, guarded[4]));
    assertThrows(Exception.class, () -> run(true, where, guarded[4]));
    TesseraApplyTest.assertSameRows(run(false, "WHERE id IN (3, 5)", guarded[4]),
        run(true, "WHERE id IN (3, 5)", guarded[4]));
  }

  @Test
  void filtersCompileToo() {
    spark.conf().set("spark.sql.ansi.enabled", "false");
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "false");
    List<Row> expected = spark.sql("SELECT id FROM numbers WHERE d * 2 > f OR i IS NULL ORDER BY id").collectAsList();
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "true");
    Dataset<Row> df = spark.sql("SELECT id FROM numbers WHERE d * 2 > f OR i IS NULL ORDER BY id");
    assertEquals(expected, df.collectAsList());
    assertEquals(1, SparkTests.evalNodes(df).size());
  }

  @Test
  void whatCannotBeTranslatedStaysWithSparkAndExplainSaysWhy() {
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "true");
    Dataset<Row> df = spark.sql("SELECT id, d * 2 AS twice, exp(d) AS e, upper(CAST(i AS STRING)) AS s FROM numbers");
    String plan = df.queryExecution().explainString(org.apache.spark.sql.execution.FormattedMode$.MODULE$);
    assertTrue(plan.contains("Left to Spark: EXP(d): EXP is computed by Java's StrictMath"), plan);
    assertTrue(plan.contains("upper is not supported"), plan);
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "false");
    List<Row> expected = spark.sql("SELECT id, d * 2, exp(d), upper(CAST(i AS STRING)) FROM numbers ORDER BY id")
        .collectAsList();
    spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "true");
    TesseraApplyTest.assertSameRows(expected, df.orderBy("id").collectAsList());
  }
}
