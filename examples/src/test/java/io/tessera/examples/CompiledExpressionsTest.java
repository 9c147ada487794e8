package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.spark.TesseraConf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The same query with compileExpressions off and on: a TesseraEval node only when on, the same rows. */
class CompiledExpressionsTest {
  @Test
  void bothModesGiveTheSameRows() {
    SparkSession spark = ExampleSession.local("examples-test");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CompiledExpressions.Result r = CompiledExpressions.run(spark, 5000,
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(r.on().plan().contains("TesseraEval"), r.on().plan());
    assertFalse(r.off().plan().contains("TesseraEval"), r.off().plan());
    assertTrue(r.sameResults(), printed);
    assertTrue(r.on().checksum()[0] > 1000, "rows that pass the filter: " + r.on().checksum()[0]);
    assertEquals("false", spark.conf().get(TesseraConf.COMPILE_EXPRESSIONS, "false"), "the setting is restored");

    // Row for row, not only the checksum.
    spark.range(5000).selectExpr("id", "CAST(IF(id % 11 = 0, NULL, id % 1000) AS INT) AS i",
        "CAST(sin(id * 0.01D) * 100 AS DOUBLE) AS x", "CAST(cos(id * 0.003D) * 50 AS DOUBLE) AS y",
        "IF(id % 7 = 0, NULL, CAST(id % 13 AS DOUBLE) / 4) AS z").createOrReplaceTempView("expr_input");
    try {
      spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "false");
      List<Row> off = spark.sql(CompiledExpressions.QUERY + " ORDER BY id").collectAsList();
      spark.conf().set(TesseraConf.COMPILE_EXPRESSIONS, "true");
      List<Row> on = spark.sql(CompiledExpressions.QUERY + " ORDER BY id").collectAsList();
      assertEquals(off, on);
    } finally {
      spark.conf().unset(TesseraConf.COMPILE_EXPRESSIONS);
    }
  }
}
