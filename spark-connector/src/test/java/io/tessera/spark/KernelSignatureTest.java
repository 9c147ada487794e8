package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.spark.KernelSignature.InputKind;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The mapping between module shapes and Spark types, without a Spark session. */
class KernelSignatureTest {

  private static KernelSignature signature(String params, String root, String result) {
    return KernelSignature.of(TesseraModule.fromText("HloModule m\nENTRY e {\n" + params + "  ROOT r = " + result + " "
        + root + "\n}\n"));
  }

  private static ArrayType array(DataType element) {
    return new ArrayType(element, false);
  }

  @Test
  void resultTypes() {
    assertEquals(DataTypes.FloatType, signature("  x = f32[] parameter(0)\n", "negate(x)", "f32[]").resultType());
    assertEquals(array(DataTypes.LongType),
        signature("  x = s64[3] parameter(0)\n", "negate(x)", "s64[3]").resultType());
    assertEquals(array(array(DataTypes.DoubleType)),
        signature("  x = f64[2,5] parameter(0)\n", "negate(x)", "f64[2,5]").resultType());
    KernelSignature tuple = signature("  x = pred[] parameter(0)\n  y = s16[2] parameter(1)\n  t = (pred[], s16[2]) tuple(x, y)\n",
        "tuple(t, x)", "((pred[], s16[2]), pred[])");
    assertEquals("struct<_1:struct<_1:boolean,_2:array<smallint>>,_2:boolean>", tuple.resultType().simpleString());
    assertEquals(3, tuple.resultLeaves().size());
  }

  @Test
  void inputKinds() {
    KernelSignature s = signature("  a = f32[] parameter(0)\n  b = f32[2,2] parameter(1)\n  c = f64[3] parameter(2)\n",
        "tuple(a)", "(f32[])");
    List<InputKind> kinds = s.bind(List.of(DataTypes.FloatType,
        new ArrayType(new ArrayType(DataTypes.FloatType, true), true), new ArrayType(DataTypes.DoubleType, true)),
        List.of("a", "b", "c"));
    assertEquals(List.of(InputKind.SCALAR, InputKind.ARRAY, InputKind.ARRAY), kinds);
    assertEquals(InputKind.ML_VECTOR, KernelSignature.inputKind(s.parameters().get(2), new MlVectorTest.TestVectorUdt()));
    assertNull(KernelSignature.inputKind(s.parameters().get(1), new MlVectorTest.TestVectorUdt()),
        "only f64[d] takes vectors");
    assertNull(KernelSignature.inputKind(s.parameters().get(1), array(DataTypes.FloatType)), "rank 1 for rank 2");
    assertNull(KernelSignature.inputKind(s.parameters().get(0), DataTypes.DoubleType), "no implicit casts");
  }

  @Test
  void mismatchesNameColumnAndParameter() {
    KernelSignature s = signature("  a = s32[] parameter(0)\n", "negate(a)", "s32[]");
    KernelSignature.ArgumentMismatchException e = assertThrows(KernelSignature.ArgumentMismatchException.class,
        () -> s.bind(List.of(DataTypes.LongType), List.of("n")));
    assertEquals("column n (bigint) does not fit parameter 0 (%a s32[]): expected int; cast it: CAST(n AS INT)",
        e.getMessage());
  }

  @Test
  void shapesSparkCannotCarryAreRejected() {
    TesseraModule.InvalidModuleException e = assertThrows(TesseraModule.InvalidModuleException.class,
        () -> signature("  x = f16[] parameter(0)\n", "negate(x)", "f16[]"));
    assertTrue(e.getMessage().contains("parameter 0 (%x) has element type f16"), e.getMessage());
    e = assertThrows(TesseraModule.InvalidModuleException.class,
        () -> signature("  x = (f32[], f32[]) parameter(0)\n", "get-tuple-element(x), index=0", "f32[]"));
    assertTrue(e.getMessage().contains("tuple is allowed as the result"), e.getMessage());
  }
}
