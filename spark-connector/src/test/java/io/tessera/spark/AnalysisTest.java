package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What tessera_apply checks when a query is analysed, before any task runs. */
class AnalysisTest {
  private static final String VEC4 = """
      HloModule vec4
      ENTRY e {
        x = f32[4] parameter(0)
        s = f32[] parameter(1)
        b = f32[4] broadcast(s), dimensions={}
        ROOT r = f32[4] multiply(x, b)
      }
      """;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    spark.sql("SELECT array(1f, 2f, 3f, 4f) AS v, array(1d, 2d, 3d, 4d) AS dv, 2f AS f, 2d AS d, 1 AS i")
        .createOrReplaceTempView("args");
  }

  private static String analysisError(String sql) {
    AnalysisException e = assertThrows(AnalysisException.class, () -> spark.sql(sql).queryExecution().assertAnalyzed());
    return e.getMessage();
  }

  @Test
  void columnOfTheWrongTypeNamesColumnAndParameter() {
    String message = analysisError("SELECT tessera_apply('" + VEC4 + "', v, d) FROM args");
    assertTrue(message.contains("column d (double) does not fit parameter 1 (%s f32[]): expected float"), message);
    assertTrue(message.contains("CAST(d AS FLOAT)"), message);

    message = analysisError("SELECT tessera_apply('" + VEC4 + "', dv, f) FROM args");
    assertTrue(message.contains("column dv (array<double>) does not fit parameter 0 (%x f32[4]): expected array<float>"),
        message);

    message = analysisError("SELECT tessera_apply('" + VEC4 + "', f, f) FROM args");
    assertTrue(message.contains("column f (float) does not fit parameter 0 (%x f32[4])"), message);
  }

  @Test
  void wrongNumberOfColumns() {
    String message = analysisError("SELECT tessera_apply('" + VEC4 + "', v) FROM args");
    assertTrue(message.contains("the module takes 2 parameter(s) (%x f32[4], %s f32[]) but 1 column(s) were given"),
        message);
  }

  @Test
  void parseErrorsGiveLineAndColumn() {
    String broken = "HloModule bad\nENTRY e {\n  x = f32[] parameter(0)\n  ROOT r = f32[] add(x x)\n}\n";
    String message = analysisError("SELECT tessera_apply('" + broken + "', f) FROM args");
    assertTrue(message.startsWith("tessera_apply: 4:"), message);
    assertTrue(message.contains("expected"), message);
  }

  @Test
  void verifierProblemsGiveTheInstructionsLineAndColumn() {
    String wrongShape = "HloModule wrong\nENTRY e {\n  x = f32[] parameter(0)\n  ROOT r = f32[2] negate(x)\n}\n";
    String message = analysisError("SELECT tessera_apply('" + wrongShape + "', f) FROM args");
    assertTrue(message.contains("4:8: %r in computation %e"), message);
  }

  @Test
  void unsupportedElementTypeIsRejected() {
    String unsigned = "HloModule u\nENTRY e {\n  x = u32[] parameter(0)\n  ROOT r = u32[] negate(x)\n}\n";
    String message = analysisError("SELECT tessera_apply('" + unsigned + "', i) FROM args");
    assertTrue(message.contains("parameter 0 (%x) has element type u32, which no Spark type matches"), message);
  }

  @Test
  void moduleMustBeAStringLiteral() {
    String message = analysisError("SELECT tessera_apply(CAST(i AS STRING), f) FROM args");
    assertTrue(message.contains("the first argument must be a string literal"), message);
    message = analysisError("SELECT tessera_apply(CAST(NULL AS STRING), f) FROM args");
    assertTrue(message.contains("the module argument is NULL"), message);
  }

  @Test
  void moduleFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vec4.hlo");
    Files.writeString(file, VEC4);
    Row row = spark.sql("SELECT tessera_apply('" + file + "', v, f) FROM args").first();
    assertEquals(java.util.List.of(2f, 4f, 6f, 8f), row.getList(0));
    Row viaUri = spark.sql("SELECT tessera_apply('" + file.toUri() + "', v, f) FROM args").first();
    assertEquals(row, viaUri);

    String message = analysisError("SELECT tessera_apply('" + dir.resolve("missing.hlo") + "', v, f) FROM args");
    assertTrue(message.contains("cannot read HLO module file " + dir.resolve("missing.hlo")), message);

    Path bad = dir.resolve("bad.hlo");
    Files.writeString(bad, "HloModule bad\nENTRY e {\n  ROOT r = f32[] nonsense()\n}\n");
    message = analysisError("SELECT tessera_apply('" + bad + "') FROM args");
    assertTrue(message.contains(bad + ":3:"), message);
  }

  @Test
  void describeFunctionShowsTheUsage() {
    String usage = spark.sql("DESCRIBE FUNCTION tessera_apply").collectAsList().toString();
    assertTrue(usage.contains("Applies a per-row XLA HLO module"), usage);
  }
}
