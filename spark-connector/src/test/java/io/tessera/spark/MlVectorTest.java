package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spark ML vectors into {@code f64[d]} parameters. The connector recognizes ML's vector type by its
 * storage struct, so this test defines a type stored the same way instead of depending on
 * spark-mllib.
 */
class MlVectorTest {
  /** An ML-style vector: dense (values) or sparse (size, indices, values). */
  record TestVector(boolean dense, int size, int[] indices, double[] values) implements Serializable {
    static TestVector dense(double... values) {
      return new TestVector(true, values.length, null, values);
    }

    static TestVector sparse(int size, int[] indices, double[] values) {
      return new TestVector(false, size, indices, values);
    }
  }

  /** Stored as Spark ML's VectorUDT stores vectors: struct(type, size, indices, values). */
  static final class TestVectorUdt extends UserDefinedType<TestVector> {
    @Override
    public DataType sqlType() {
      return new StructType()
          .add("type", DataTypes.ByteType, false)
          .add("size", DataTypes.IntegerType, true)
          .add("indices", new ArrayType(DataTypes.IntegerType, false), true)
          .add("values", new ArrayType(DataTypes.DoubleType, false), true);
    }

    @Override
    public Object serialize(TestVector v) {
      return new GenericInternalRow(new Object[] {(byte) (v.dense() ? 1 : 0), v.dense() ? null : v.size(),
          v.dense() ? null : UnsafeArrayData.fromPrimitiveArray(v.indices()), UnsafeArrayData.fromPrimitiveArray(v.values())});
    }

    @Override
    public TestVector deserialize(Object datum) {
      InternalRow r = (InternalRow) datum;
      double[] values = r.getArray(3).toDoubleArray();
      return r.getByte(0) == 1 ? TestVector.dense(values)
          : TestVector.sparse(r.getInt(1), r.getArray(2).toIntArray(), values);
    }

    @Override
    public Class<TestVector> userClass() {
      return TestVector.class;
    }
  }

  /** Dot product with (1, 2, 3). */
  private static final String WEIGH = """
      HloModule weigh
      sum_f64 {
        a = f64[] parameter(0)
        b = f64[] parameter(1)
        ROOT s = f64[] add(a, b)
      }
      ENTRY e {
        x = f64[3] parameter(0)
        w = f64[3] constant({1, 2, 3})
        p = f64[3] multiply(x, w)
        zero = f64[] constant(0)
        ROOT r = f64[] reduce(p, zero), dimensions={0}, to_apply=sum_f64
      }
      """;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
  }

  private static Dataset<Row> vectors(TestVector... vs) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vs.length; i++) {
      rows.add(RowFactory.create(i, vs[i]));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("features", new TestVectorUdt());
    return spark.createDataFrame(rows, schema).repartition(2);
  }

  @Test
  void denseAndSparseVectorsFeedAnF64Parameter() {
    Dataset<Row> df = vectors(TestVector.dense(1, 1, 1), TestVector.sparse(3, new int[] {2}, new double[] {10}),
        TestVector.dense(0.5, -1, 4), null, TestVector.sparse(3, new int[0], new double[0]));
    List<Row> rows = df.selectExpr("id", "tessera_apply('" + WEIGH + "', features) AS r").orderBy("id")
        .collectAsList();
    assertEquals(List.of(RowFactory.create(0, 6.0), RowFactory.create(1, 30.0), RowFactory.create(2, 10.5),
        RowFactory.create(3, null), RowFactory.create(4, 0.0)), rows);
  }

  @Test
  void vectorOfTheWrongSizeNamesTheRow() {
    Dataset<Row> df = vectors(TestVector.dense(1, 2, 3), TestVector.sparse(4, new int[] {0}, new double[] {1}))
        .repartition(1);
    SparkException e = assertThrows(SparkException.class,
        () -> df.selectExpr("tessera_apply('" + WEIGH + "', features)").collectAsList());
    String message = TensorApplyTest.allMessages(e);
    assertTrue(message.contains("column features is a sparse vector of size 4, parameter %x f64[3] expects size 3"),
        message);
    assertTrue(message.contains("of partition 0"), message);
  }
}
