package io.tessera.spark;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Builder;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java API: modules built with the compiler's Builder, Column functions, registered SQL functions. */
class TesseraApiTest {
  private static final float[] WEIGHTS = {1, -1, 2, 0, 0, 3, -1, 1}; // 4x2, row-major
  private static final float[] BIAS = {0.5f, -4};

  private static SparkSession spark;
  private static Dataset<Row> data;

  /** relu(x · W + b) for one row x of 4 floats: a one-layer perceptron. */
  static Module perceptron() {
    Builder b = new Builder("perceptron");
    Instruction x = b.parameter("x", Shape.array(ElementType.F32, 4));
    Instruction w = b.constant(Literal.ofDoubles(Shape.array(ElementType.F32, 4, 2), toDoubles(WEIGHTS)));
    Instruction bias = b.constant(Literal.ofDoubles(Shape.array(ElementType.F32, 2), toDoubles(BIAS)));
    Instruction h = b.add(b.matmul(x, w), bias);
    return b.build(b.maximum(h, b.fill(h.shape(), 0)));
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The perceptron in plain Java: the expected values (small integers, so exact in any order). */
  private static List<Float> expected(float[] x) {
    List<Float> out = new ArrayList<>();
    for (int j = 0; j < 2; j++) {
      float s = BIAS[j];
      for (int i = 0; i < 4; i++) {
        s += x[i] * WEIGHTS[i * 2 + j];
      }
      out.add(Math.max(s, 0));
    }
    return out;
  }

  private static final float[][] INPUTS = {{1, 2, 3, 4}, {0, 0, 0, 0}, {-1, 5, 2, -3}, {10, -10, 1, 1}};

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < INPUTS.length; i++) {
      List<Float> v = new ArrayList<>();
      for (float f : INPUTS[i]) {
        v.add(f);
      }
      rows.add(RowFactory.create(i, v));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("v", DataTypes.createArrayType(DataTypes.FloatType, false));
    data = spark.createDataFrame(rows, schema).repartition(2);
  }

  private static void assertPerceptron(List<Row> rows) {
    assertEquals(INPUTS.length, rows.size());
    for (Row r : rows) {
      assertEquals(expected(INPUTS[r.getInt(0)]), r.getList(1), "row " + r.getInt(0));
    }
  }

  @Test
  void columnFunctionOverABuiltModule() {
    Dataset<Row> scored = data.select(col("id"), Tessera.apply(perceptron(), col("v")).as("score"));
    assertPerceptron(scored.collectAsList());
    assertEquals(1, SparkTests.evalNodes(scored).size());
  }

  @Test
  void registeredFunctionInSqlAndDataFrames() {
    Tessera.register(spark, "perceptron", perceptron());
    data.createOrReplaceTempView("inputs");
    assertPerceptron(spark.sql("SELECT id, perceptron(v) FROM inputs").collectAsList());
    assertPerceptron(data.select(col("id"), Tessera.call("perceptron", col("v"))).collectAsList());
    Dataset<Row> named = spark.sql("SELECT perceptron(v) FROM inputs");
    assertEquals("perceptron(v)", named.columns()[0]);
    String message = assertThrows(org.apache.spark.sql.AnalysisException.class,
        () -> spark.sql("SELECT perceptron(id) FROM inputs").queryExecution().assertAnalyzed()).getMessage();
    assertTrue(message.contains("column id (int) does not fit parameter 0 (%x f32[4])"), message);
  }

  @Test
  void registeredFromText() {
    String text = TesseraModule.fromModule(perceptron()).text();
    Tessera.register(spark, "perceptron_text", text);
    data.createOrReplaceTempView("inputs2");
    assertPerceptron(spark.sql("SELECT id, perceptron_text(v) FROM inputs2").collectAsList());
    assertPerceptron(data.select(col("id"), Tessera.apply(text, col("v"))).collectAsList());
  }

  @Test
  void invalidModuleIsRejectedWhenRegistering() {
    TesseraModule.InvalidModuleException e = assertThrows(TesseraModule.InvalidModuleException.class,
        () -> Tessera.register(spark, "broken", "HloModule broken\nENTRY e {\n  ROOT r = f32[] add(\n}\n"));
    assertTrue(e.getMessage().startsWith("4:1:"), e.getMessage());
    assertEquals(List.of(), Arrays.asList(spark.catalog().listFunctions().filter("name = 'broken'").collectAsList()
        .toArray()));
  }
}
