package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalarFunctionTest {

  private static final Interpreter INTERPRETER = new Interpreter();

  /** The reducer {@code ROOT r = op(lhs, rhs)} over {@code type}; lhs and rhs name parameters x (0) and y (1). */
  private static ScalarFunction binary(String type, String op, String lhs, String rhs) {
    String hlo = """
        HloModule m
        %f (x: T[], y: T[]) -> T[] {
          %x = T[] parameter(0)
          %y = T[] parameter(1)
          ROOT %r = T[] OP(T[] %LHS, T[] %RHS)
        }
        ENTRY e {
          ROOT c = T[] constant(0)
        }
        """.replace("T[", type + "[").replace("OP", op).replace("LHS", lhs).replace("RHS", rhs);
    return function(hlo, "f");
  }

  private static ScalarFunction function(String hlo, String name) {
    Module module = HloParser.parse(hlo);
    return ScalarFunction.of(module.computation(name), INTERPRETER);
  }

  @ParameterizedTest
  @CsvSource({"f32,add", "f32,multiply", "f32,maximum", "f32,minimum", "s32,and", "s32,or", "s32,xor", "pred,or",
      "f32,subtract", "f64,power", "s32,divide", "u8,shift-left"})
  void recognizesPlainBinaryReducersInEitherOperandOrder(String type, String op) {
    assertTrue(binary(type, op, "x", "y").isDirect());
    assertTrue(binary(type, op, "y", "x").isDirect());
  }

  @Test
  void swappedOperandsOfANonCommutativeOpAreSwappedBack() {
    assertEquals(7.0 - 2.0, binary("f32", "subtract", "x", "y").applyDouble(7, 2));
    assertEquals(2.0 - 7.0, binary("f32", "subtract", "y", "x").applyDouble(7, 2));
    assertEquals(0, binary("s32", "divide", "y", "x").applyLong(7, 2)); // 2 / 7
    assertEquals(-1, binary("s32", "divide", "x", "y").applyLong(7, 0)); // XLA's x / 0
    assertEquals(0xF0, binary("u8", "shift-left", "x", "y").applyLong(0xFF, 4)); // wrapped to u8
  }

  @Test
  void anythingElseIsInterpreted() {
    assertFalse(binary("f32", "add", "x", "x").isDirect()); // ignores the element
    assertFalse(binary("f32", "and", "x", "y").isDirect()); // not defined on floats
  }

  @Test
  void f32ArithmeticRoundsToF32AndF64DoesNot() {
    ScalarFunction f32 = binary("f32", "add", "x", "y");
    assertEquals(1.0, f32.applyDouble(1.0, 0x1p-24)); // a tie: rounds to the even 1.0
    assertEquals(1.0 + 0x1p-23, f32.applyDouble(1.0, 0x1.8p-24));
    assertEquals(1.0 + 0x1p-24, binary("f64", "add", "x", "y").applyDouble(1.0, 0x1p-24));
    assertEquals((double) (float) (0.1f * 0.3f), binary("f32", "multiply", "y", "x").applyDouble(0.1f, 0.3f));
  }

  @Test
  void halfPrecisionArithmeticRoundsToItsType() {
    assertEquals(2048.0, binary("f16", "add", "x", "y").applyDouble(2048, 1)); // f16 spacing is 2 here
    assertEquals(256.0, binary("bf16", "add", "x", "y").applyDouble(256, 1)); // bf16 spacing is 2 here
    assertEquals(Double.POSITIVE_INFINITY, binary("f16", "multiply", "x", "y").applyDouble(256, 256)); // > 65504
  }

  @Test
  void maximumAndMinimumPropagateNaN() {
    assertTrue(Double.isNaN(binary("f32", "maximum", "x", "y").applyDouble(Double.NaN, 1)));
    assertTrue(Double.isNaN(binary("f32", "maximum", "x", "y").applyDouble(1, Double.NaN)));
    assertTrue(Double.isNaN(binary("f32", "minimum", "x", "y").applyDouble(1, Double.NaN)));
    assertEquals(-3.0, binary("f32", "minimum", "x", "y").applyDouble(-3, 2));
  }

  @Test
  void integersWrapAtTheirWidth() {
    assertEquals(-128, binary("s8", "add", "x", "y").applyLong(127, 1));
    assertEquals(0, binary("u8", "multiply", "x", "y").applyLong(16, 16));
    assertEquals(Long.MIN_VALUE, binary("s64", "add", "x", "y").applyLong(Long.MAX_VALUE, 1));
    assertEquals(6, binary("s32", "xor", "x", "y").applyLong(5, 3));
    assertEquals(-1, binary("s16", "or", "x", "y").applyLong(-2, 1));
  }

  @Test
  void unsignedMaximumAndMinimumUseUnsignedOrder() {
    assertEquals(0xFFFFFFFFL, binary("u32", "maximum", "x", "y").applyLong(0xFFFFFFFFL, 1));
    assertEquals(-1L, binary("u64", "maximum", "x", "y").applyLong(-1L, 1)); // 2^64 - 1
    assertEquals(1L, binary("u64", "minimum", "x", "y").applyLong(-1L, 1));
    assertEquals(-5L, binary("s32", "minimum", "x", "y").applyLong(-5, 1));
  }

  @Test
  void predAddIsOrAndMultiplyIsAnd() {
    assertEquals(1, binary("pred", "add", "x", "y").applyLong(1, 1));
    assertEquals(1, binary("pred", "add", "x", "y").applyLong(0, 1));
    assertEquals(0, binary("pred", "multiply", "x", "y").applyLong(1, 0));
    assertEquals(1, binary("pred", "maximum", "x", "y").applyLong(0, 1));
  }

  @Test
  void directFunctionsAlsoApplyToLiterals() {
    Literal[] result = binary("s32", "add", "x", "y").apply(
        new Literal[] {Literal.scalar(ElementType.S32, 40L)}, new Literal[] {Literal.scalar(ElementType.S32, 2L)});
    assertArrayEquals(new Literal[] {Literal.scalar(ElementType.S32, 42L)}, result);
  }

  private static final String KEEP_ELEMENT = """
      HloModule m
      %keep (acc: f32[], element: f32[]) -> f32[] {
        %acc = f32[] parameter(0)
        ROOT %element = f32[] parameter(1)
      }
      %swap (a0: f32[], a1: s32[], e0: f32[], e1: s32[]) -> (f32[], s32[]) {
        %a0 = f32[] parameter(0)
        %a1 = s32[] parameter(1)
        %e0 = f32[] parameter(2)
        %e1 = s32[] parameter(3)
        ROOT %t = (f32[], s32[]) tuple(%e0, %a1)
      }
      %wrong (p: f32[], q: f32[]) -> s32[] {
        %p = f32[] parameter(0)
        %q = f32[] parameter(1)
        ROOT %z = s32[] constant(0)
      }
      %odd (u: f32[], v: f32[], w: f32[]) -> f32[] {
        %u = f32[] parameter(0)
        %v = f32[] parameter(1)
        ROOT %w = f32[] parameter(2)
      }
      ENTRY e {
        ROOT c = f32[] constant(0)
      }
      """;

  @Test
  void otherComputationsAreInterpretedOnEachApplication() {
    ScalarFunction keep = function(KEEP_ELEMENT, "keep");
    assertFalse(keep.isDirect());
    assertEquals(1, keep.arity());
    assertEquals(2.5, keep.applyDouble(7, 2.5));
  }

  @Test
  void variadicReducersTakeAndReturnOneScalarPerAccumulator() {
    ScalarFunction swap = function(KEEP_ELEMENT, "swap");
    assertEquals(2, swap.arity());
    assertEquals(ElementType.S32, swap.accumulatorType(1));
    assertEquals(ElementType.F32, swap.elementType(0));
    Literal[] result = swap.apply(
        new Literal[] {Literal.scalar(ElementType.F32, 1.0), Literal.scalar(ElementType.S32, 2L)},
        new Literal[] {Literal.scalar(ElementType.F32, 3.0), Literal.scalar(ElementType.S32, 4L)});
    assertArrayEquals(new Literal[] {Literal.scalar(ElementType.F32, 3.0), Literal.scalar(ElementType.S32, 2L)}, result);
    assertThrows(IllegalStateException.class, () -> swap.applyDouble(1, 2));
  }

  @Test
  void reducersOfTheWrongFormAreRejected() {
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> function(KEEP_ELEMENT, "odd"));
    assertTrue(odd.getMessage().contains("odd") && odd.getMessage().contains("3 parameter"), odd.getMessage());
    ScalarFunction wrong = function(KEEP_ELEMENT, "wrong");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.applyDouble(1, 2));
    assertTrue(e.getMessage().contains("wrong") && e.getMessage().contains("f32"), e.getMessage());
  }
}
