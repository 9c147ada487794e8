package io.tessera.compiler.hlo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.text.HloParser;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Shape inference per opcode: the inferred shape (hand-derived from XLA's rules) and each kind of
 * mismatch with its message.
 */
class ShapeInferenceTest {

  /** Scalar computations the tests call, written as HLO. */
  private static final Module HELPERS = HloParser.parse("""
      HloModule helpers
      add_f32 {
        add_f32.a = f32[] parameter(0)
        add_f32.b = f32[] parameter(1)
        ROOT add_f32.r = f32[] add(add_f32.a, add_f32.b)
      }
      add_s32 {
        add_s32.a = s32[] parameter(0)
        add_s32.b = s32[] parameter(1)
        ROOT add_s32.r = s32[] add(add_s32.a, add_s32.b)
      }
      ge_f32 {
        ge_f32.a = f32[] parameter(0)
        ge_f32.b = f32[] parameter(1)
        ROOT ge_f32.r = pred[] compare(ge_f32.a, ge_f32.b), direction=GE
      }
      lt_f32_s32 {
        lt_f32_s32.a = f32[] parameter(0)
        lt_f32_s32.b = f32[] parameter(1)
        lt_f32_s32.c = s32[] parameter(2)
        lt_f32_s32.d = s32[] parameter(3)
        ROOT lt_f32_s32.r = pred[] compare(lt_f32_s32.a, lt_f32_s32.b), direction=LT
      }
      argmax {
        argmax.av = f32[] parameter(0)
        argmax.ai = s32[] parameter(1)
        argmax.bv = f32[] parameter(2)
        argmax.bi = s32[] parameter(3)
        argmax.keep = pred[] compare(argmax.av, argmax.bv), direction=GE
        argmax.v = f32[] select(argmax.keep, argmax.av, argmax.bv)
        argmax.i = s32[] select(argmax.keep, argmax.ai, argmax.bi)
        ROOT argmax.r = (f32[], s32[]) tuple(argmax.v, argmax.i)
      }
      to_s32 {
        to_s32.a = f32[] parameter(0)
        ROOT to_s32.r = s32[] convert(to_s32.a)
      }
      state_cond {
        state_cond.s = (s32[], f32[3]) parameter(0)
        state_cond.i = s32[] get-tuple-element(state_cond.s), index=0
        state_cond.n = s32[] constant(10)
        ROOT state_cond.r = pred[] compare(state_cond.i, state_cond.n), direction=LT
      }
      state_body {
        state_body.s = (s32[], f32[3]) parameter(0)
        state_body.i = s32[] get-tuple-element(state_body.s), index=0
        state_body.v = f32[3] get-tuple-element(state_body.s), index=1
        state_body.one = s32[] constant(1)
        state_body.j = s32[] add(state_body.i, state_body.one)
        ROOT state_body.r = (s32[], f32[3]) tuple(state_body.j, state_body.v)
      }
      neg_f32_3 {
        neg_f32_3.x = f32[3] parameter(0)
        ROOT neg_f32_3.r = f32[3] negate(neg_f32_3.x)
      }
      exp_f32_3 {
        exp_f32_3.x = f32[3] parameter(0)
        ROOT exp_f32_3.r = f32[3] exponential(exp_f32_3.x)
      }
      sum_f32_2 {
        sum_f32_2.x = f32[2] parameter(0)
        ROOT sum_f32_2.r = f32[] reduce(sum_f32_2.x, sum_f32_2.x), dimensions={0}, to_apply=add_f32
      }
      ENTRY main {
        ROOT main.p = f32[] parameter(0)
      }
      """);

  private static Computation comp(String name) {
    return HELPERS.computation(name);
  }

  private static Shape shape(String text) {
    return HloParser.parseShape(text);
  }

  private static List<Shape> shapes(String... texts) {
    return Arrays.stream(texts).map(ShapeInferenceTest::shape).toList();
  }

  private static Shape infer(Opcode op, Attributes attrs, String... operands) {
    return ShapeInference.infer(op, shapes(operands), attrs);
  }

  /** Inference with a declared shape, checked against it. */
  private static Shape declared(Opcode op, Attributes attrs, String declared, String... operands) {
    return ShapeInference.checkDeclared(op, shapes(operands), attrs, shape(declared));
  }

  private static String error(Opcode op, Attributes attrs, String... operands) {
    return assertThrows(ShapeException.class, () -> infer(op, attrs, operands)).getMessage();
  }

  private static String declaredError(Opcode op, Attributes attrs, String declared, String... operands) {
    return assertThrows(ShapeException.class, () -> declared(op, attrs, declared, operands)).getMessage();
  }

  private static void assertShape(String expected, Shape actual) {
    assertEquals(expected, actual.toString());
  }

  private static void assertContains(String expectedPart, String message) {
    assertTrue(message.contains(expectedPart), () -> "expected \"" + expectedPart + "\" in: " + message);
  }

  private static Attributes.Builder a() {
    return Attributes.builder();
  }

  private static final Attributes NONE = Attributes.EMPTY;

  private static long[] l(long... values) {
    return values;
  }

  private static Attributes dims(long... values) {
    return a().put(Attr.DIMENSIONS, values).build();
  }

  @Nested
  class Unary {
    @Test
    void keepsTheOperandShape() {
      assertShape("f32[2,3]", infer(Opcode.NEGATE, NONE, "f32[2,3]{0,1}"));
      assertShape("s32[4]", infer(Opcode.NEGATE, NONE, "s32[4]"));
      assertShape("u8[4]", infer(Opcode.NEGATE, NONE, "u8[4]"));
      assertShape("bf16[]", infer(Opcode.EXPONENTIAL, NONE, "bf16[]"));
      assertShape("s64[2]", infer(Opcode.ABS, NONE, "s64[2]"));
      assertShape("f16[2]", infer(Opcode.SIGN, NONE, "f16[2]"));
      assertShape("pred[2]", infer(Opcode.NOT, NONE, "pred[2]"));
      assertShape("u32[2]", infer(Opcode.POPCNT, NONE, "u32[2]"));
      assertShape("s8[2]", infer(Opcode.COUNT_LEADING_ZEROS, NONE, "s8[2]"));
    }

    @Test
    void isFiniteGivesPred() {
      assertShape("pred[3,1]", infer(Opcode.IS_FINITE, NONE, "f64[3,1]"));
      assertEquals("is-finite: operand type s32 is not a float", error(Opcode.IS_FINITE, NONE, "s32[3]"));
    }

    @Test
    void rejectsElementTypesTheOpcodeHasNoMeaningFor() {
      assertEquals("negate: operand type pred is not an integer or float", error(Opcode.NEGATE, NONE, "pred[2]"));
      assertEquals("exponential: operand type s32 is not a float", error(Opcode.EXPONENTIAL, NONE, "s32[2]"));
      assertEquals("abs: operand type u32 is not a signed integer or float", error(Opcode.ABS, NONE, "u32[]"));
      assertEquals("sign: operand type pred is not a signed integer or float", error(Opcode.SIGN, NONE, "pred[]"));
      assertEquals("floor: operand type s32 is not a float", error(Opcode.FLOOR, NONE, "s32[]"));
      assertEquals("not: operand type f32 is not pred or an integer", error(Opcode.NOT, NONE, "f32[]"));
      assertEquals("popcnt: operand type f32 is not an integer", error(Opcode.POPCNT, NONE, "f32[]"));
      assertEquals("count-leading-zeros: operand type pred is not an integer",
          error(Opcode.COUNT_LEADING_ZEROS, NONE, "pred[]"));
    }

    @Test
    void rejectsTupleOperands() {
      assertEquals("negate: operand must be an array, got (f32[])", error(Opcode.NEGATE, NONE, "(f32[])"));
    }

    @Test
    void checksTheOperandCount() {
      assertEquals("negate: takes 1 operand, got 2", error(Opcode.NEGATE, NONE, "f32[]", "f32[]"));
    }

    @Test
    void reducePrecisionNeedsValidBitCounts() {
      Attributes ok = a().put(Attr.EXPONENT_BITS, 5L).put(Attr.MANTISSA_BITS, 0L).build();
      assertShape("f32[4]", infer(Opcode.REDUCE_PRECISION, ok, "f32[4]"));
      assertEquals("reduce-precision: needs attribute exponent_bits", error(Opcode.REDUCE_PRECISION, NONE, "f32[4]"));
      Attributes noExponent = a().put(Attr.EXPONENT_BITS, 0L).put(Attr.MANTISSA_BITS, 2L).build();
      assertEquals("reduce-precision: exponent_bits=0 must be at least 1",
          error(Opcode.REDUCE_PRECISION, noExponent, "f32[4]"));
      Attributes negative = a().put(Attr.EXPONENT_BITS, 8L).put(Attr.MANTISSA_BITS, -1L).build();
      assertEquals("reduce-precision: mantissa_bits=-1 must not be negative",
          error(Opcode.REDUCE_PRECISION, negative, "f32[4]"));
      assertEquals("reduce-precision: operand type s32 is not a float", error(Opcode.REDUCE_PRECISION, ok, "s32[4]"));
    }

    @Test
    void convertTakesItsTargetTypeFromTheDeclaredShape() {
      assertShape("s32[2,3]", declared(Opcode.CONVERT, NONE, "s32[2,3]", "f32[2,3]"));
      assertShape("pred[]", declared(Opcode.CONVERT, NONE, "pred[]", "bf16[]"));
      assertContains("convert: the result shape must be given", error(Opcode.CONVERT, NONE, "f32[2]"));
      assertEquals("convert: declared shape s32[3] does not have the dimensions of operand f32[2]",
          declaredError(Opcode.CONVERT, NONE, "s32[3]", "f32[2]"));
    }

    @Test
    void bitcastConvertFollowsXlaWidthRules() {
      assertShape("s32[4]", declared(Opcode.BITCAST_CONVERT, NONE, "s32[4]", "f32[4]"));
      assertShape("f32[2,2]", declared(Opcode.BITCAST_CONVERT, NONE, "f32[2,2]", "f64[2]"));
      assertShape("u64[3]", declared(Opcode.BITCAST_CONVERT, NONE, "u64[3]", "s16[3,4]"));
      assertEquals("bitcast-convert: converting f32 to f64 needs a minor dimension of size 2, operand is f32[3]",
          declaredError(Opcode.BITCAST_CONVERT, NONE, "f64[]", "f32[3]"));
      assertEquals("bitcast-convert: declared shape s32[5] differs from the inferred shape s32[4]",
          declaredError(Opcode.BITCAST_CONVERT, NONE, "s32[5]", "f32[4]"));
      assertEquals("bitcast-convert: cannot reinterpret the bits of pred (pred to s8)",
          declaredError(Opcode.BITCAST_CONVERT, NONE, "s8[2]", "pred[2]"));
    }
  }

  @Nested
  class Binary {
    @Test
    void equalShapesGiveTheSameShape() {
      assertShape("f32[3]", infer(Opcode.ADD, NONE, "f32[3]", "f32[3]"));
      assertShape("s32[2,2]", infer(Opcode.REMAINDER, NONE, "s32[2,2]", "s32[2,2]{0,1}"));
      assertShape("pred[2]", infer(Opcode.AND, NONE, "pred[2]", "pred[2]"));
      assertShape("u8[2]", infer(Opcode.SHIFT_RIGHT_LOGICAL, NONE, "u8[2]", "u8[2]"));
      assertShape("f64[]", infer(Opcode.ATAN2, NONE, "f64[]", "f64[]"));
      assertShape("pred[2]", infer(Opcode.MAXIMUM, NONE, "pred[2]", "pred[2]"));
    }

    @Test
    void hasNoImplicitBroadcasting() {
      assertEquals("add: operand shapes f32[3] and f32[4] differ", error(Opcode.ADD, NONE, "f32[3]", "f32[4]"));
      assertEquals("multiply: operand shapes f32[] and f32[3] differ",
          error(Opcode.MULTIPLY, NONE, "f32[]", "f32[3]"));
      assertEquals("subtract: operand shapes f32[1,3] and f32[2,3] differ",
          error(Opcode.SUBTRACT, NONE, "f32[1,3]", "f32[2,3]"));
    }

    @Test
    void hasNoMixedPrecision() {
      assertEquals("add: lhs f32[3] and rhs bf16[3] differ in element type",
          error(Opcode.ADD, NONE, "f32[3]", "bf16[3]"));
    }

    @Test
    void rejectsElementTypesTheOpcodeHasNoMeaningFor() {
      assertEquals("subtract: operand type pred is not an integer or float",
          error(Opcode.SUBTRACT, NONE, "pred[]", "pred[]"));
      assertEquals("atan2: operand type s32 is not a float", error(Opcode.ATAN2, NONE, "s32[]", "s32[]"));
      assertEquals("shift-left: operand type f32 is not an integer", error(Opcode.SHIFT_LEFT, NONE, "f32[]", "f32[]"));
      assertEquals("xor: operand type f32 is not pred or an integer", error(Opcode.XOR, NONE, "f32[]", "f32[]"));
    }

    @Test
    void compareGivesPredAndChecksItsType() {
      Attributes lt = a().put(Attr.DIRECTION, ComparisonDirection.LT).build();
      assertShape("pred[2,3]", infer(Opcode.COMPARE, lt, "f32[2,3]", "f32[2,3]"));
      assertEquals("compare: needs attribute direction", error(Opcode.COMPARE, NONE, "f32[]", "f32[]"));
      Attributes total = a().put(Attr.DIRECTION, ComparisonDirection.LT)
          .put(Attr.COMPARISON_TYPE, ComparisonType.TOTALORDER).build();
      assertShape("pred[]", infer(Opcode.COMPARE, total, "bf16[]", "bf16[]"));
      Attributes unsigned = a().put(Attr.DIRECTION, ComparisonDirection.EQ)
          .put(Attr.COMPARISON_TYPE, ComparisonType.UNSIGNED).build();
      assertShape("pred[]", infer(Opcode.COMPARE, unsigned, "pred[]", "pred[]"));
      assertEquals("compare: type=UNSIGNED does not suit operands of type s32 (expected SIGNED)",
          error(Opcode.COMPARE, unsigned, "s32[]", "s32[]"));
      Attributes signed = a().put(Attr.DIRECTION, ComparisonDirection.EQ)
          .put(Attr.COMPARISON_TYPE, ComparisonType.SIGNED).build();
      assertEquals("compare: type=SIGNED does not suit operands of type f32 (expected FLOAT or TOTALORDER)",
          error(Opcode.COMPARE, signed, "f32[]", "f32[]"));
    }
  }

  @Nested
  class Ternary {
    @Test
    void selectTakesAPredOfTheValueShapeOrAScalar() {
      assertShape("f32[3]", infer(Opcode.SELECT, NONE, "pred[3]", "f32[3]", "f32[3]"));
      assertShape("s32[2,2]", infer(Opcode.SELECT, NONE, "pred[]", "s32[2,2]", "s32[2,2]"));
      assertEquals("select: predicate must be of type pred, got s32[3]",
          error(Opcode.SELECT, NONE, "s32[3]", "f32[3]", "f32[3]"));
      assertEquals("select: predicate pred[2] must be a scalar or have the dimensions of f32[3]",
          error(Opcode.SELECT, NONE, "pred[2]", "f32[3]", "f32[3]"));
      assertEquals("select: on_true f32[3] and on_false s32[3] differ",
          error(Opcode.SELECT, NONE, "pred[3]", "f32[3]", "s32[3]"));
    }

    @Test
    void clampTakesBoundsOfTheOperandShapeOrScalars() {
      assertShape("f32[3]", infer(Opcode.CLAMP, NONE, "f32[]", "f32[3]", "f32[]"));
      assertShape("s32[3]", infer(Opcode.CLAMP, NONE, "s32[3]", "s32[3]", "s32[]"));
      assertEquals("clamp: min f32[2] must be a scalar or have the shape of operand f32[3]",
          error(Opcode.CLAMP, NONE, "f32[2]", "f32[3]", "f32[]"));
      assertEquals("clamp: max f32[4] must be a scalar or have the shape of operand f32[3]",
          error(Opcode.CLAMP, NONE, "f32[]", "f32[3]", "f32[4]"));
      assertEquals("clamp: min s32[] and operand f32[3] differ in element type",
          error(Opcode.CLAMP, NONE, "s32[]", "f32[3]", "f32[]"));
    }
  }

  @Nested
  class DataMovement {
    @Test
    void broadcastMapsOperandDimensionsToEqualResultDimensions() {
      assertShape("f32[2,3]", declared(Opcode.BROADCAST, dims(1), "f32[2,3]", "f32[3]"));
      assertShape("f32[4,2,3]", declared(Opcode.BROADCAST, dims(), "f32[4,2,3]", "f32[]"));
      assertShape("f32[3,2]", declared(Opcode.BROADCAST, dims(1, 0), "f32[3,2]", "f32[2,3]"));
      assertEquals("broadcast: operand dimension 0 (size 3) maps to result dimension 0 of size 2 in f32[2,3]",
          declaredError(Opcode.BROADCAST, dims(0), "f32[2,3]", "f32[3]"));
      assertEquals("broadcast: dimensions={0,1} must name one result dimension per operand dimension of f32[3]",
          declaredError(Opcode.BROADCAST, dims(0, 1), "f32[3,3]", "f32[3]"));
      assertEquals("broadcast: dimensions={2}: dimension 2 is out of range for rank 2",
          declaredError(Opcode.BROADCAST, dims(2), "f32[2,3]", "f32[3]"));
      assertEquals("broadcast: dimensions={1,1} repeats dimension 1",
          declaredError(Opcode.BROADCAST, dims(1, 1), "f32[3,3]", "f32[3,3]"));
      assertEquals("broadcast: operand f32[3] and result s32[2,3] differ in element type",
          declaredError(Opcode.BROADCAST, dims(1), "s32[2,3]", "f32[3]"));
      assertContains("broadcast: the result shape must be given", error(Opcode.BROADCAST, dims(1), "f32[3]"));
    }

    @Test
    void reshapeKeepsTheElementCount() {
      assertShape("f32[6]", declared(Opcode.RESHAPE, NONE, "f32[6]", "f32[2,3]"));
      assertShape("f32[1,1]", declared(Opcode.RESHAPE, NONE, "f32[1,1]", "f32[]"));
      assertShape("f32[?,2,3]", declared(Opcode.RESHAPE, NONE, "f32[?,2,3]", "f32[?,6]"));
      assertEquals("reshape: cannot reshape f32[2,3] (6 elements) to f32[5] (5 elements)",
          declaredError(Opcode.RESHAPE, NONE, "f32[5]", "f32[2,3]"));
      assertEquals("reshape: cannot reshape f32[?,6] (6 elements times 1 dynamic dimension(s)) to f32[?,4] "
          + "(4 elements times 1 dynamic dimension(s))", declaredError(Opcode.RESHAPE, NONE, "f32[?,4]", "f32[?,6]"));
      assertEquals("reshape: operand f32[6] and result s32[6] differ in element type",
          declaredError(Opcode.RESHAPE, NONE, "s32[6]", "f32[6]"));
    }

    @Test
    void transposePermutesDimensions() {
      assertShape("f32[4,2,3]", infer(Opcode.TRANSPOSE, dims(2, 0, 1), "f32[2,3,4]"));
      assertEquals("transpose: dimensions={0,0,1} repeats dimension 0",
          error(Opcode.TRANSPOSE, dims(0, 0, 1), "f32[2,3,4]"));
      assertEquals("transpose: dimensions={1,0} is not a permutation of the 3 dimensions of f32[2,3,4]",
          error(Opcode.TRANSPOSE, dims(1, 0), "f32[2,3,4]"));
    }

    @Test
    void sliceKeepsCeilOfRangeOverStride() {
      Attributes spec = a().put(Attr.SLICE, new SliceSpec(l(2, 0), l(8, 4), l(3, 1))).build();
      assertShape("f32[2,4]", infer(Opcode.SLICE, spec, "f32[10,4]"));
      Attributes empty = a().put(Attr.SLICE, new SliceSpec(l(3), l(3), l(1))).build();
      assertShape("s32[0]", infer(Opcode.SLICE, empty, "s32[5]"));
      Attributes beyond = a().put(Attr.SLICE, new SliceSpec(l(0), l(6), l(1))).build();
      assertEquals("slice: slice range [0:6] of dimension 0 is not within [0:5] of f32[5]",
          error(Opcode.SLICE, beyond, "f32[5]"));
      Attributes backwards = a().put(Attr.SLICE, new SliceSpec(l(4), l(2), l(1))).build();
      assertEquals("slice: slice range [4:2] of dimension 0 is not within [0:5] of f32[5]",
          error(Opcode.SLICE, backwards, "f32[5]"));
      Attributes zeroStride = a().put(Attr.SLICE, new SliceSpec(l(0), l(2), l(0))).build();
      assertEquals("slice: slice stride 0 of dimension 0 must be positive", error(Opcode.SLICE, zeroStride, "f32[5]"));
      assertEquals("slice: slice={[0:2:0]} has 1 ranges for f32[5,5]", error(Opcode.SLICE, zeroStride, "f32[5,5]"));
    }

    @Test
    void dynamicSliceTakesOneScalarIndexPerDimension() {
      Attributes sizes = a().put(Attr.DYNAMIC_SLICE_SIZES, l(2, 4)).build();
      assertShape("f32[2,4]", infer(Opcode.DYNAMIC_SLICE, sizes, "f32[8,4]", "s32[]", "s32[]"));
      assertEquals("dynamic-slice: needs 2 start indices (one per dimension of f32[8,4]), got 1",
          error(Opcode.DYNAMIC_SLICE, sizes, "f32[8,4]", "s32[]"));
      assertEquals("dynamic-slice: start index 1 must be an integer scalar, got f32[]",
          error(Opcode.DYNAMIC_SLICE, sizes, "f32[8,4]", "s32[]", "f32[]"));
      assertEquals("dynamic-slice: start indices must all have one type, got s32[] and s64[]",
          error(Opcode.DYNAMIC_SLICE, sizes, "f32[8,4]", "s32[]", "s64[]"));
      Attributes tooBig = a().put(Attr.DYNAMIC_SLICE_SIZES, l(2, 5)).build();
      assertEquals("dynamic-slice: slice size 5 of dimension 1 is not within [0, 4] of f32[8,4]",
          error(Opcode.DYNAMIC_SLICE, tooBig, "f32[8,4]", "s32[]", "s32[]"));
    }

    @Test
    void dynamicUpdateSliceKeepsTheOperandShape() {
      assertShape("f32[8,4]", infer(Opcode.DYNAMIC_UPDATE_SLICE, NONE, "f32[8,4]", "f32[2,4]", "u32[]", "u32[]"));
      assertEquals("dynamic-update-slice: update f32[2,5] is larger than operand f32[8,4] in dimension 1",
          error(Opcode.DYNAMIC_UPDATE_SLICE, NONE, "f32[8,4]", "f32[2,5]", "s32[]", "s32[]"));
      assertEquals("dynamic-update-slice: operand f32[8,4] and update s32[2,4] differ in element type",
          error(Opcode.DYNAMIC_UPDATE_SLICE, NONE, "f32[8,4]", "s32[2,4]", "s32[]", "s32[]"));
      assertEquals("dynamic-update-slice: update f32[2] and operand f32[8,4] differ in rank",
          error(Opcode.DYNAMIC_UPDATE_SLICE, NONE, "f32[8,4]", "f32[2]", "s32[]", "s32[]"));
    }

    @Test
    void concatenateAddsUpTheConcatenatedDimension() {
      assertShape("f32[6,3]", infer(Opcode.CONCATENATE, dims(0), "f32[2,3]", "f32[4,3]"));
      assertShape("f32[2,7]", infer(Opcode.CONCATENATE, dims(1), "f32[2,3]", "f32[2,0]", "f32[2,4]"));
      assertEquals("concatenate: operand 1 f32[4,2] and operand 0 f32[2,3] differ in dimension 1, which is not "
          + "the concatenated dimension 0", error(Opcode.CONCATENATE, dims(0), "f32[2,3]", "f32[4,2]"));
      assertEquals("concatenate: dimensions={0,1} must name exactly one dimension",
          error(Opcode.CONCATENATE, dims(0, 1), "f32[2,3]", "f32[2,3]"));
      assertEquals("concatenate: operand 1 f32[2] and operand 0 f32[2,3] differ in rank",
          error(Opcode.CONCATENATE, dims(0), "f32[2,3]", "f32[2]"));
      assertEquals("concatenate: needs at least one operand", error(Opcode.CONCATENATE, dims(0)));
    }

    @Test
    void padAddsEdgeAndInteriorPadding() {
      PaddingConfig p = new PaddingConfig(List.of(new PaddingConfig.Dim(1, 2, 0), new PaddingConfig.Dim(0, 0, 1)));
      assertShape("f32[6,7]", infer(Opcode.PAD, a().put(Attr.PADDING, p).build(), "f32[3,4]", "f32[]"));
      PaddingConfig cut = new PaddingConfig(List.of(new PaddingConfig.Dim(-1, -1, 2)));
      // 3 elements with 2 between each pair: 7; less one on each edge: 5.
      assertShape("f32[5]", infer(Opcode.PAD, a().put(Attr.PADDING, cut).build(), "f32[3]", "f32[]"));
      PaddingConfig interiorNegative = new PaddingConfig(List.of(new PaddingConfig.Dim(0, 0, -1)));
      assertEquals("pad: interior padding -1 of dimension 0 is negative",
          error(Opcode.PAD, a().put(Attr.PADDING, interiorNegative).build(), "f32[2]", "f32[]"));
      PaddingConfig tooMuchCut = new PaddingConfig(List.of(new PaddingConfig.Dim(-5, 0, 0)));
      assertEquals("pad: padding -5_0 makes dimension 0 of f32[3] negative (-2)",
          error(Opcode.PAD, a().put(Attr.PADDING, tooMuchCut).build(), "f32[3]", "f32[]"));
      assertEquals("pad: padding value must be a scalar, got f32[1]",
          error(Opcode.PAD, a().put(Attr.PADDING, cut).build(), "f32[2]", "f32[1]"));
      assertEquals("pad: padding=-1_-1_2 has 1 dimensions, operand f32[2,2] has 2",
          error(Opcode.PAD, a().put(Attr.PADDING, cut).build(), "f32[2,2]", "f32[]"));
    }

    @Test
    void reverseChecksItsDimensions() {
      assertShape("f32[2,3]", infer(Opcode.REVERSE, dims(0, 1), "f32[2,3]"));
      assertEquals("reverse: dimensions={2}: dimension 2 is out of range for rank 2",
          error(Opcode.REVERSE, dims(2), "f32[2,3]"));
    }

    @Test
    void copyKeepsAnyShape() {
      assertShape("(f32[2], s32[])", infer(Opcode.COPY, NONE, "(f32[2], s32[])"));
    }

    @Test
    void bitcastKeepsTheByteSize() {
      assertShape("s32[6]", declared(Opcode.BITCAST, NONE, "s32[6]", "f32[2,3]"));
      assertEquals("bitcast: operand f32[2] has 8 bytes, result f64[2] has 16",
          declaredError(Opcode.BITCAST, NONE, "f64[2]", "f32[2]"));
    }
  }

  @Nested
  class GatherScatter {
    private Attributes gather(long[] offset, long[] collapsed, long[] map, long ivd, long[] sizes) {
      return a().put(Attr.OFFSET_DIMS, offset).put(Attr.COLLAPSED_SLICE_DIMS, collapsed)
          .put(Attr.START_INDEX_MAP, map).put(Attr.INDEX_VECTOR_DIM, ivd).put(Attr.SLICE_SIZES, sizes).build();
    }

    @Test
    void gatherOfRowsWithImplicitIndexVector() {
      // Embedding lookup: 4 row indices into a [5,3] table.
      assertShape("f32[4,3]", infer(Opcode.GATHER, gather(l(1), l(0), l(0), 1, l(1, 3)), "f32[5,3]", "s32[4]"));
    }

    @Test
    void gatherWithTwoDimensionalStarts() {
      // Two [1,2] windows at (row, col) pairs; the row dimension is collapsed.
      assertShape("f32[2,2]", infer(Opcode.GATHER, gather(l(1), l(0), l(0, 1), 1, l(1, 2)), "f32[3,3]", "s64[2,2]"));
      // The offset dimension first, batch dimension second.
      assertShape("f32[2,2]", infer(Opcode.GATHER, gather(l(0), l(0), l(0, 1), 1, l(1, 2)), "f32[3,3]", "s64[2,2]"));
    }

    @Test
    void gatherWithBatchingDimensions() {
      Attributes attrs = a().put(Attr.OFFSET_DIMS, l(2)).put(Attr.COLLAPSED_SLICE_DIMS, l(1))
          .put(Attr.START_INDEX_MAP, l(1)).put(Attr.OPERAND_BATCHING_DIMS, l(0))
          .put(Attr.START_INDICES_BATCHING_DIMS, l(0)).put(Attr.INDEX_VECTOR_DIM, 2L)
          .put(Attr.SLICE_SIZES, l(1, 1, 3)).build();
      assertShape("f32[2,4,3]", infer(Opcode.GATHER, attrs, "f32[2,5,3]", "s32[2,4]"));
      assertEquals("gather: batching dimension 0 of operand f32[3,5,3] has size 3, indices dimension 0 of s32[2,4] "
          + "has size 2", error(Opcode.GATHER, attrs, "f32[3,5,3]", "s32[2,4]"));
    }

    @Test
    void gatherMismatches() {
      assertEquals("gather: indices must be integers, got f32[4]",
          error(Opcode.GATHER, gather(l(1), l(0), l(0), 1, l(1, 3)), "f32[5,3]", "f32[4]"));
      assertEquals("gather: slice size 4 of dimension 1 is not within [0, 3] of f32[5,3]",
          error(Opcode.GATHER, gather(l(1), l(0), l(0), 1, l(1, 4)), "f32[5,3]", "s32[4]"));
      assertEquals("gather: slice size of collapsed or batching dimension 0 must be at most 1, got 2",
          error(Opcode.GATHER, gather(l(1), l(0), l(0), 1, l(2, 3)), "f32[5,3]", "s32[4]"));
      assertEquals("gather: start_index_map={0,1} has 2 entries, but the index vectors have 1",
          error(Opcode.GATHER, gather(l(1), l(0), l(0, 1), 1, l(1, 3)), "f32[5,3]", "s32[4]"));
      assertEquals("gather: operand f32[5,3] has rank 2, but offset_dims, collapsed_slice_dims and "
          + "operand_batching_dims name 1 dimensions",
          error(Opcode.GATHER, gather(l(), l(0), l(0), 1, l(1, 3)), "f32[5,3]", "s32[4]"));
      assertEquals("gather: index_vector_dim=3 is out of range for start indices of rank 1",
          error(Opcode.GATHER, gather(l(1), l(0), l(0), 3, l(1, 3)), "f32[5,3]", "s32[4]"));
      assertEquals("gather: offset_dims={1,0} must be sorted",
          error(Opcode.GATHER, gather(l(1, 0), l(), l(0), 1, l(1, 3)), "f32[5,3]", "s32[4]"));
    }

    private Attributes scatter(Computation combiner) {
      return a().put(Attr.UPDATE_WINDOW_DIMS, l(1)).put(Attr.INSERTED_WINDOW_DIMS, l(0))
          .put(Attr.SCATTER_DIMS_TO_OPERAND_DIMS, l(0)).put(Attr.INDEX_VECTOR_DIM, 1L)
          .put(Attr.TO_APPLY, combiner).build();
    }

    @Test
    void scatterRowsGivesTheOperandShape() {
      assertShape("f32[5,3]", infer(Opcode.SCATTER, scatter(comp("add_f32")), "f32[5,3]", "s32[2]", "f32[2,3]"));
      // Windows may be smaller than the operand's dimensions.
      assertShape("f32[5,3]", infer(Opcode.SCATTER, scatter(comp("add_f32")), "f32[5,3]", "s32[2]", "f32[2,1]"));
    }

    @Test
    void variadicScatterGivesATuple() {
      Attributes attrs = a().put(Attr.UPDATE_WINDOW_DIMS, l()).put(Attr.INSERTED_WINDOW_DIMS, l(0))
          .put(Attr.SCATTER_DIMS_TO_OPERAND_DIMS, l(0)).put(Attr.INDEX_VECTOR_DIM, 1L)
          .put(Attr.TO_APPLY, comp("argmax")).build();
      assertShape("(f32[5], s32[5])",
          infer(Opcode.SCATTER, attrs, "f32[5]", "s32[5]", "s32[2]", "f32[2]", "s32[2]"));
    }

    @Test
    void scatterWithBatchingDimensions() {
      Attributes attrs = a().put(Attr.UPDATE_WINDOW_DIMS, l(2)).put(Attr.INSERTED_WINDOW_DIMS, l(1))
          .put(Attr.SCATTER_DIMS_TO_OPERAND_DIMS, l(1)).put(Attr.INPUT_BATCHING_DIMS, l(0))
          .put(Attr.SCATTER_INDICES_BATCHING_DIMS, l(0)).put(Attr.INDEX_VECTOR_DIM, 2L)
          .put(Attr.TO_APPLY, comp("add_f32")).build();
      assertShape("f32[2,5,3]", infer(Opcode.SCATTER, attrs, "f32[2,5,3]", "s32[2,4]", "f32[2,4,3]"));
    }

    @Test
    void scatterMismatches() {
      Attributes add = scatter(comp("add_f32"));
      assertEquals("scatter: updates 0 scatter dimension 0 has size 3, but scatter indices dimension 0 has size 2",
          error(Opcode.SCATTER, add, "f32[5,3]", "s32[2]", "f32[3,3]"));
      assertEquals("scatter: updates 0 window dimension 1 has size 4, more than operand dimension 1 of size 3",
          error(Opcode.SCATTER, add, "f32[5,3]", "s32[2]", "f32[2,4]"));
      assertEquals("scatter: updates 0 f32[2] must have rank 2 (scatter dimensions of the indices plus "
          + "update_window_dims)", error(Opcode.SCATTER, add, "f32[5,3]", "s32[2]", "f32[2]"));
      assertEquals("scatter: operand 0 f32[5,3] and updates 0 s32[2,3] differ in element type",
          error(Opcode.SCATTER, add, "f32[5,3]", "s32[2]", "s32[2,3]"));
      assertEquals("scatter: to_apply computation %add_s32 parameter 0 is s32[], expected f32[] in "
          + "(f32[], f32[]) -> f32[]", error(Opcode.SCATTER, scatter(comp("add_s32")), "f32[5,3]", "s32[2]", "f32[2,3]"));
      assertEquals("scatter: takes N operands, the scatter indices and N updates, got 2 operand(s)",
          error(Opcode.SCATTER, add, "f32[5,3]", "s32[2]"));
    }
  }

  @Nested
  class Reductions {
    private Attributes reduce(Computation reducer, long... dims) {
      return a().put(Attr.DIMENSIONS, dims).put(Attr.TO_APPLY, reducer).build();
    }

    @Test
    void reduceDropsTheReducedDimensions() {
      assertShape("f32[2]", infer(Opcode.REDUCE, reduce(comp("add_f32"), 1), "f32[2,3]", "f32[]"));
      assertShape("f32[]", infer(Opcode.REDUCE, reduce(comp("add_f32"), 1, 0), "f32[2,3]", "f32[]"));
      assertShape("f32[2,3]", infer(Opcode.REDUCE, reduce(comp("add_f32")), "f32[2,3]", "f32[]"));
    }

    @Test
    void variadicReduceGivesATuple() {
      assertShape("(f32[3], s32[3])",
          infer(Opcode.REDUCE, reduce(comp("argmax"), 0), "f32[4,3]", "s32[4,3]", "f32[]", "s32[]"));
      assertEquals("reduce: to_apply computation %add_f32 takes 2 parameter(s), expected 4 "
          + "(f32[], s32[], f32[], s32[]) -> (f32[], s32[])",
          error(Opcode.REDUCE, reduce(comp("add_f32"), 0), "f32[4,3]", "s32[4,3]", "f32[]", "s32[]"));
      assertEquals("reduce: input 1 s32[4] and input 0 f32[4,3] differ in dimensions",
          error(Opcode.REDUCE, reduce(comp("argmax"), 0), "f32[4,3]", "s32[4]", "f32[]", "s32[]"));
    }

    @Test
    void reduceMismatches() {
      Attributes add = reduce(comp("add_f32"), 1);
      assertEquals("reduce: dimensions={2}: dimension 2 is out of range for rank 2",
          error(Opcode.REDUCE, reduce(comp("add_f32"), 2), "f32[2,3]", "f32[]"));
      assertEquals("reduce: dimensions={1,1} repeats dimension 1",
          error(Opcode.REDUCE, reduce(comp("add_f32"), 1, 1), "f32[2,3]", "f32[]"));
      assertEquals("reduce: init value 0 must be a scalar, got f32[2]", error(Opcode.REDUCE, add, "f32[2,3]", "f32[2]"));
      assertEquals("reduce: input 0 f32[2,3] and init value 0 s32[] differ in element type",
          error(Opcode.REDUCE, add, "f32[2,3]", "s32[]"));
      assertEquals("reduce: to_apply computation %add_f32 parameter 0 is f32[], expected s32[] in "
          + "(s32[], s32[]) -> s32[]", error(Opcode.REDUCE, add, "s32[2,3]", "s32[]"));
      assertEquals("reduce: to_apply computation %ge_f32 returns pred[], expected f32[]",
          error(Opcode.REDUCE, reduce(comp("ge_f32"), 1), "f32[2,3]", "f32[]"));
      assertEquals("reduce: takes N inputs and N init values, got 3 operand(s)",
          error(Opcode.REDUCE, add, "f32[2,3]", "f32[]", "f32[]"));
      assertEquals("reduce: needs attribute to_apply",
          error(Opcode.REDUCE, dims(1), "f32[2,3]", "f32[]"));
    }

    private Attributes window(Window w, Computation reducer) {
      return a().put(Attr.WINDOW, w).put(Attr.TO_APPLY, reducer).build();
    }

    @Test
    void reduceWindowUsesXlasWindowFormula() {
      Window pool = new Window(List.of(new Window.Dim(2, 2, 0, 0, 1, 1, false), new Window.Dim(3, 3, 0, 0, 1, 1, false)));
      assertShape("f32[2,2]", infer(Opcode.REDUCE_WINDOW, window(pool, comp("add_f32")), "f32[4,6]", "f32[]"));
      // base 4 dilated by 2 -> 7, padded 1+1 -> 9; window 3 dilated by 2 -> 5; stride 2 -> (9-5)/2+1 = 3.
      Window dilated = new Window(List.of(new Window.Dim(3, 2, 1, 1, 2, 2, false)));
      assertShape("f32[3]", infer(Opcode.REDUCE_WINDOW, window(dilated, comp("add_f32")), "f32[4]", "f32[]"));
      // A window larger than the padded base fits zero times.
      Window big = new Window(List.of(Window.Dim.of(5)));
      assertShape("f32[0]", infer(Opcode.REDUCE_WINDOW, window(big, comp("add_f32")), "f32[4]", "f32[]"));
    }

    @Test
    void reduceWindowMismatches() {
      Window oneDim = new Window(List.of(Window.Dim.of(2)));
      assertEquals("reduce-window: window {size=2} has 1 dimension(s), the base has 2",
          error(Opcode.REDUCE_WINDOW, window(oneDim, comp("add_f32")), "f32[4,6]", "f32[]"));
      Window zeroStride = new Window(List.of(new Window.Dim(2, 0, 0, 0, 1, 1, false)));
      assertContains("dimension 0 needs a positive size and stride",
          error(Opcode.REDUCE_WINDOW, window(zeroStride, comp("add_f32")), "f32[4]", "f32[]"));
      // Without a window only scalars can be reduced.
      assertShape("f32[]", infer(Opcode.REDUCE_WINDOW, a().put(Attr.TO_APPLY, comp("add_f32")).build(), "f32[]",
          "f32[]"));
    }

    @Test
    void selectAndScatterGivesTheOperandShape() {
      Window w = new Window(List.of(new Window.Dim(2, 2, 0, 0, 1, 1, false), new Window.Dim(3, 3, 0, 0, 1, 1, false)));
      Attributes attrs = a().put(Attr.WINDOW, w).put(Attr.SELECT, comp("ge_f32")).put(Attr.SCATTER, comp("add_f32"))
          .build();
      assertShape("f32[4,6]", infer(Opcode.SELECT_AND_SCATTER, attrs, "f32[4,6]", "f32[2,2]", "f32[]"));
      assertEquals("select-and-scatter: source f32[2,3] must have the shape of the windowed operand, f32[2,2]",
          error(Opcode.SELECT_AND_SCATTER, attrs, "f32[4,6]", "f32[2,3]", "f32[]"));
      Attributes badSelect = a().put(Attr.WINDOW, w).put(Attr.SELECT, comp("add_f32"))
          .put(Attr.SCATTER, comp("add_f32")).build();
      assertEquals("select-and-scatter: select computation %add_f32 returns f32[], expected pred[]",
          error(Opcode.SELECT_AND_SCATTER, badSelect, "f32[4,6]", "f32[2,2]", "f32[]"));
    }

    @Test
    void sortGivesTheOperandShapes() {
      Attributes byValue = a().put(Attr.DIMENSIONS, l(1)).put(Attr.TO_APPLY, comp("ge_f32")).build();
      assertShape("f32[3,4]", infer(Opcode.SORT, byValue, "f32[3,4]"));
      Attributes withIndices = a().put(Attr.DIMENSIONS, l(0)).put(Attr.TO_APPLY, comp("lt_f32_s32")).build();
      assertShape("(f32[5], s32[5])", infer(Opcode.SORT, withIndices, "f32[5]", "s32[5]"));
      Attributes byValue0 = a().put(Attr.DIMENSIONS, l(0)).put(Attr.TO_APPLY, comp("ge_f32")).build();
      assertEquals("sort: to_apply computation %ge_f32 takes 2 parameter(s), expected 4 "
          + "(f32[], f32[], s32[], s32[]) -> pred[]", error(Opcode.SORT, byValue0, "f32[5]", "s32[5]"));
      assertEquals("sort: input 1 s32[4] and input 0 f32[5] differ in dimensions",
          error(Opcode.SORT, withIndices, "f32[5]", "s32[4]"));
      assertEquals("sort: dimensions={1}: dimension 1 is out of range for rank 1",
          error(Opcode.SORT, byValue, "f32[5]"));
    }
  }

  @Nested
  class Contractions {
    private Attributes dot(long[] lb, long[] rb, long[] lc, long[] rc) {
      return a().put(Attr.LHS_BATCH_DIMS, lb).put(Attr.RHS_BATCH_DIMS, rb)
          .put(Attr.LHS_CONTRACTING_DIMS, lc).put(Attr.RHS_CONTRACTING_DIMS, rc).build();
    }

    @Test
    void dotGivesBatchThenLhsFreeThenRhsFreeDimensions() {
      assertShape("f32[2,4]", infer(Opcode.DOT, dot(l(), l(), l(1), l(0)), "f32[2,3]", "f32[3,4]"));
      assertShape("f32[5,2,4]", infer(Opcode.DOT, dot(l(0), l(0), l(2), l(1)), "f32[5,2,3]", "f32[5,3,4]"));
      // Contracting lhs dimension 0 with rhs dimension 1: the free dimensions keep their order.
      assertShape("f32[2,4]", infer(Opcode.DOT, dot(l(), l(), l(0), l(1)), "f32[3,2]", "f32[4,3]"));
      // No contracting dimensions: an outer product.
      assertShape("s32[2,3]", infer(Opcode.DOT, NONE, "s32[2]", "s32[3]"));
      assertShape("f32[]", infer(Opcode.DOT, dot(l(), l(), l(0), l(0)), "f32[3]", "f32[3]"));
    }

    @Test
    void dotMismatches() {
      assertEquals("dot: lhs contracting dimension 1 has size 4, rhs contracting dimension 0 has size 5",
          error(Opcode.DOT, dot(l(), l(), l(1), l(0)), "f32[2,4]", "f32[5,3]"));
      assertEquals("dot: lhs batch dimension 0 has size 5, rhs batch dimension 0 has size 6",
          error(Opcode.DOT, dot(l(0), l(0), l(2), l(1)), "f32[5,2,3]", "f32[6,3,4]"));
      assertEquals("dot: lhs f32[2,3] and rhs bf16[3,4] differ in element type",
          error(Opcode.DOT, dot(l(), l(), l(1), l(0)), "f32[2,3]", "bf16[3,4]"));
      assertEquals("dot: lhs_contracting_dims={1} and rhs_contracting_dims={} differ in length",
          error(Opcode.DOT, dot(l(), l(), l(1), l()), "f32[2,3]", "f32[3,4]"));
      assertEquals("dot: lhs_contracting_dims={2}: dimension 2 is out of range for rank 2",
          error(Opcode.DOT, dot(l(), l(), l(2), l(0)), "f32[2,3]", "f32[3,4]"));
      assertEquals("dot: lhs dimension 1 is both a batch and a contracting dimension",
          error(Opcode.DOT, dot(l(1), l(0), l(1), l(0)), "f32[2,3]", "f32[3,4]"));
    }

    @Test
    void dotTakesAPreferredResultTypeFromTheDeclaredShape() {
      Attributes mm = dot(l(), l(), l(1), l(0));
      assertShape("f32[2,4]", declared(Opcode.DOT, mm, "f32[2,4]", "bf16[2,3]", "bf16[3,4]"));
      assertShape("s32[2,4]", declared(Opcode.DOT, mm, "s32[2,4]", "s8[2,3]", "s8[3,4]"));
      assertEquals("dot: result type s8 cannot be the result of s32 operands (expected an integer type of the "
          + "same signedness, at least 32 bits wide)", declaredError(Opcode.DOT, mm, "s8[2,4]", "s32[2,3]", "s32[3,4]"));
      assertEquals("dot: result type s32 cannot be the result of f32 operands (expected a float type)",
          declaredError(Opcode.DOT, mm, "s32[2,4]", "f32[2,3]", "f32[3,4]"));
      assertEquals("dot: declared shape f32[4,2] differs from the inferred shape f32[2,4]",
          declaredError(Opcode.DOT, mm, "f32[4,2]", "f32[2,3]", "f32[3,4]"));
    }

    private Attributes conv(String labels, Window window, long featureGroups, long batchGroups) {
      return a().put(Attr.DIM_LABELS, ConvDimensionNumbers.parse(labels)).put(Attr.WINDOW, window)
          .put(Attr.FEATURE_GROUP_COUNT, featureGroups).put(Attr.BATCH_GROUP_COUNT, batchGroups).build();
    }

    private Window window2d(long size, long stride, long pad, long lhsDilate, long rhsDilate) {
      Window.Dim d = new Window.Dim(size, stride, pad, pad, lhsDilate, rhsDilate, false);
      return new Window(List.of(d, d));
    }

    @Test
    void convolutionUsesXlasOutputSizeFormula() {
      String nhwc = "b01f_01io->b01f";
      assertShape("f32[1,3,3,4]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 1, 1),
          "f32[1,5,5,2]", "f32[3,3,2,4]"));
      // Padding 1 and stride 2: (5 + 2 - 3) / 2 + 1 = 3.
      assertShape("f32[1,3,3,4]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 2, 1, 1, 1), 1, 1),
          "f32[1,5,5,2]", "f32[3,3,2,4]"));
      // Input dilation 2: (5 - 1) * 2 + 1 = 9, 9 - 3 + 1 = 7.
      assertShape("f32[1,7,7,4]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 2, 1), 1, 1),
          "f32[1,5,5,2]", "f32[3,3,2,4]"));
      // Kernel dilation 2: the window spans 5, so it fits once.
      assertShape("f32[1,1,1,4]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 2), 1, 1),
          "f32[1,5,5,2]", "f32[3,3,2,4]"));
      // Other dimension orders: NCHW input, OIHW kernel, NCHW output.
      assertShape("f32[2,8,6,6]", infer(Opcode.CONVOLUTION, conv("bf01_oi01->bf01", window2d(3, 1, 0, 1, 1), 1, 1),
          "f32[2,3,8,8]", "f32[8,3,3,3]"));
    }

    @Test
    void convolutionGroups() {
      String nhwc = "b01f_01io->b01f";
      // Depthwise-style: 4 input features in 2 groups of 2.
      assertShape("f32[1,3,3,6]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 2, 1),
          "f32[1,5,5,4]", "f32[3,3,2,6]"));
      // Batch groups divide the batch.
      assertShape("f32[2,3,3,4]", infer(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 1, 2),
          "f32[4,5,5,2]", "f32[3,3,2,4]"));
      assertEquals("convolution: input feature size 4 divided by feature_group_count=1 must equal the kernel input "
          + "feature size 2", error(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 1, 1),
          "f32[1,5,5,4]", "f32[3,3,2,4]"));
      assertEquals("convolution: kernel output feature size 5 is not a multiple of feature_group_count=2",
          error(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 2, 1), "f32[1,5,5,4]", "f32[3,3,2,5]"));
      assertEquals("convolution: input batch size 3 is not a multiple of batch_group_count=2",
          error(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 1, 2), "f32[3,5,5,2]", "f32[3,3,2,4]"));
      assertEquals("convolution: feature_group_count=2 and batch_group_count=2 cannot both exceed 1",
          error(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 2, 2), "f32[4,5,5,4]", "f32[3,3,2,4]"));
    }

    @Test
    void convolutionMismatches() {
      String nhwc = "b01f_01io->b01f";
      assertEquals("convolution: window size 2 of spatial dimension 0 differs from the kernel's size 3 in "
          + "f32[3,3,2,4]", error(Opcode.CONVOLUTION, conv(nhwc, window2d(2, 1, 0, 1, 1), 1, 1),
          "f32[1,5,5,2]", "f32[3,3,2,4]"));
      assertEquals("convolution: dim_labels=b01f_01io->b01f needs operands of rank 4, got lhs f32[1,5,2] and rhs "
          + "f32[3,3,2,4]", error(Opcode.CONVOLUTION, conv(nhwc, window2d(3, 1, 0, 1, 1), 1, 1),
          "f32[1,5,2]", "f32[3,3,2,4]"));
      Attributes oneDimWindow = a().put(Attr.DIM_LABELS, ConvDimensionNumbers.parse(nhwc))
          .put(Attr.WINDOW, new Window(List.of(Window.Dim.of(3)))).build();
      assertEquals("convolution: window {size=3} has 1 dimension(s), dim_labels=b01f_01io->b01f has 2 spatial "
          + "dimension(s)", error(Opcode.CONVOLUTION, oneDimWindow, "f32[1,5,5,2]", "f32[3,3,2,4]"));
    }
  }

  @Nested
  class LeavesAndStructure {
    @Test
    void parameterTakesItsDeclaredShape() {
      Attributes p0 = a().put(Attr.PARAMETER_NUMBER, 0L).build();
      assertShape("(f32[2], token[])", declared(Opcode.PARAMETER, p0, "(f32[2], token[])"));
      assertContains("parameter: the result shape must be given", error(Opcode.PARAMETER, p0));
      Attributes negative = a().put(Attr.PARAMETER_NUMBER, -1L).build();
      assertEquals("parameter: parameter number -1 is negative", declaredError(Opcode.PARAMETER, negative, "f32[]"));
    }

    @Test
    void constantTakesItsLiteralShape() {
      Literal lit = Literal.ofDoubles(Shape.array(ElementType.F32, 2), 1, 2);
      assertShape("f32[2]", infer(Opcode.CONSTANT, a().put(Attr.LITERAL, lit).build()));
      assertShape("f32[2]{0}", declared(Opcode.CONSTANT, a().put(Attr.LITERAL, lit).build(), "f32[2]{0}"));
      assertEquals("constant: declared shape f32[3] differs from the inferred shape f32[2]",
          declaredError(Opcode.CONSTANT, a().put(Attr.LITERAL, lit).build(), "f32[3]"));
      // Elided ({...}): the declared shape stands.
      assertShape("f32[100]", declared(Opcode.CONSTANT, NONE, "f32[100]"));
      assertContains("constant: the result shape must be given", error(Opcode.CONSTANT, NONE));
    }

    @Test
    void iotaNeedsAnArrayResultAndADimensionInRange() {
      Attributes d1 = a().put(Attr.IOTA_DIMENSION, 1L).build();
      assertShape("s32[2,3]", declared(Opcode.IOTA, d1, "s32[2,3]"));
      assertEquals("iota: iota_dimension=1 is out of range for f32[3]", declaredError(Opcode.IOTA, d1, "f32[3]"));
      assertEquals("iota: the result must have at least one dimension, declared f32[]",
          declaredError(Opcode.IOTA, d1, "f32[]"));
      assertEquals("iota: the result must have an integer or float type, declared pred[2,3]",
          declaredError(Opcode.IOTA, d1, "pred[2,3]"));
    }

    @Test
    void tupleAndGetTupleElement() {
      assertShape("(f32[2], (s32[]))", infer(Opcode.TUPLE, NONE, "f32[2]{0}", "(s32[])"));
      assertShape("()", infer(Opcode.TUPLE, NONE));
      assertShape("s32[]", infer(Opcode.GET_TUPLE_ELEMENT, a().put(Attr.INDEX, 1L).build(), "(f32[2], s32[])"));
      assertEquals("get-tuple-element: index=2 is out of range for tuple (f32[2], s32[])",
          error(Opcode.GET_TUPLE_ELEMENT, a().put(Attr.INDEX, 2L).build(), "(f32[2], s32[])"));
      assertEquals("get-tuple-element: operand must be a tuple, got f32[2]",
          error(Opcode.GET_TUPLE_ELEMENT, a().put(Attr.INDEX, 0L).build(), "f32[2]"));
    }
  }

  @Nested
  class Control {
    @Test
    void callAndFusionGiveTheCalleeResult() {
      assertShape("f32[3]", infer(Opcode.CALL, a().put(Attr.TO_APPLY, comp("neg_f32_3")).build(), "f32[3]"));
      assertShape("f32[3]", infer(Opcode.FUSION, a().put(Attr.CALLS, comp("neg_f32_3"))
          .put(Attr.FUSION_KIND, "kLoop").build(), "f32[3]"));
      assertEquals("call: to_apply computation %neg_f32_3 parameter 0 is f32[3], expected f32[4] in "
          + "(f32[4]) -> f32[3]", error(Opcode.CALL, a().put(Attr.TO_APPLY, comp("neg_f32_3")).build(), "f32[4]"));
      assertEquals("call: to_apply computation %neg_f32_3 takes 1 parameter(s), expected 2 "
          + "(f32[3], f32[3]) -> f32[3]",
          error(Opcode.CALL, a().put(Attr.TO_APPLY, comp("neg_f32_3")).build(), "f32[3]", "f32[3]"));
    }

    @Test
    void mapAppliesAScalarComputation() {
      assertShape("f32[2,3]", infer(Opcode.MAP, a().put(Attr.TO_APPLY, comp("add_f32")).build(), "f32[2,3]",
          "f32[2,3]"));
      assertShape("s32[4]", infer(Opcode.MAP, a().put(Attr.TO_APPLY, comp("to_s32")).put(Attr.DIMENSIONS, l(0))
          .build(), "f32[4]"));
      assertEquals("map: operand 1 f32[3,2] and operand 0 f32[2,3] differ in dimensions",
          error(Opcode.MAP, a().put(Attr.TO_APPLY, comp("add_f32")).build(), "f32[2,3]", "f32[3,2]"));
      assertEquals("map: to_apply computation %neg_f32_3 must return a scalar, returns f32[3]",
          error(Opcode.MAP, a().put(Attr.TO_APPLY, comp("neg_f32_3")).build(), "f32[3]"));
      assertEquals("map: dimensions={1} must list every dimension of f32[4] in order",
          error(Opcode.MAP, a().put(Attr.TO_APPLY, comp("to_s32")).put(Attr.DIMENSIONS, l(1)).build(), "f32[4]"));
      assertEquals("map: to_apply computation %add_f32 parameter 0 is f32[], expected s32[] in "
          + "(s32[], s32[]) -> f32[]", error(Opcode.MAP, a().put(Attr.TO_APPLY, comp("add_f32")).build(), "s32[2]",
          "s32[2]"));
    }

    @Test
    void whileLoopKeepsItsState() {
      Attributes loop = a().put(Attr.CONDITION, comp("state_cond")).put(Attr.BODY, comp("state_body")).build();
      assertShape("(s32[], f32[3])", infer(Opcode.WHILE, loop, "(s32[], f32[3])"));
      assertEquals("while: condition computation %state_cond parameter 0 is (s32[], f32[3]), expected "
          + "(s32[], f32[4]) in ((s32[], f32[4])) -> pred[]", error(Opcode.WHILE, loop, "(s32[], f32[4])"));
      Attributes badBody = a().put(Attr.CONDITION, comp("state_cond")).put(Attr.BODY, comp("state_cond")).build();
      assertEquals("while: body computation %state_cond returns pred[], expected (s32[], f32[3])",
          error(Opcode.WHILE, badBody, "(s32[], f32[3])"));
      Attributes badCondition = a().put(Attr.CONDITION, comp("state_body")).put(Attr.BODY, comp("state_body")).build();
      assertEquals("while: condition computation %state_body returns (s32[], f32[3]), expected pred[]",
          error(Opcode.WHILE, badCondition, "(s32[], f32[3])"));
    }

    @Test
    void conditionalWithTrueAndFalseComputations() {
      Attributes attrs = a().put(Attr.TRUE_COMPUTATION, comp("neg_f32_3"))
          .put(Attr.FALSE_COMPUTATION, comp("exp_f32_3")).build();
      assertShape("f32[3]", infer(Opcode.CONDITIONAL, attrs, "pred[]", "f32[3]", "f32[3]"));
      assertEquals("conditional: with true_computation and false_computation the selector must be pred[], got s32[]",
          error(Opcode.CONDITIONAL, attrs, "s32[]", "f32[3]", "f32[3]"));
      assertEquals("conditional: takes 3 operands, got 2", error(Opcode.CONDITIONAL, attrs, "pred[]", "f32[3]"));
      Attributes mixed = a().put(Attr.TRUE_COMPUTATION, comp("neg_f32_3"))
          .put(Attr.FALSE_COMPUTATION, comp("sum_f32_2")).build();
      assertEquals("conditional: branch 1 computation %sum_f32_2 returns f32[], expected f32[3]",
          error(Opcode.CONDITIONAL, mixed, "pred[]", "f32[3]", "f32[2]"));
    }

    @Test
    void conditionalWithBranchComputations() {
      Attributes attrs = a().put(Attr.BRANCH_COMPUTATIONS, List.of(comp("neg_f32_3"), comp("exp_f32_3"),
          comp("neg_f32_3"))).build();
      assertShape("f32[3]", infer(Opcode.CONDITIONAL, attrs, "s32[]", "f32[3]", "f32[3]", "f32[3]"));
      assertEquals("conditional: with branch_computations the selector must be s32[], got pred[]",
          error(Opcode.CONDITIONAL, attrs, "pred[]", "f32[3]", "f32[3]", "f32[3]"));
      assertEquals("conditional: branch 2 computation %neg_f32_3 parameter 0 is f32[3], expected f32[2] in "
          + "(f32[2]) -> f32[3]", error(Opcode.CONDITIONAL, attrs, "s32[]", "f32[3]", "f32[3]", "f32[2]"));
      Attributes both = a().put(Attr.BRANCH_COMPUTATIONS, List.of(comp("neg_f32_3")))
          .put(Attr.TRUE_COMPUTATION, comp("neg_f32_3")).build();
      assertEquals("conditional: give either branch_computations or true_computation and false_computation, not both",
          error(Opcode.CONDITIONAL, both, "s32[]", "f32[3]"));
    }

    @Test
    void customCallTakesItsDeclaredShape() {
      Attributes target = a().put(Attr.CUSTOM_CALL_TARGET, "my_kernel").build();
      assertShape("(f32[2], s32[])", declared(Opcode.CUSTOM_CALL, target, "(f32[2], s32[])", "f32[7]"));
      assertEquals("custom-call: needs attribute custom_call_target",
          declaredError(Opcode.CUSTOM_CALL, NONE, "f32[2]", "f32[7]"));
      assertContains("custom-call: the result shape must be given", error(Opcode.CUSTOM_CALL, target, "f32[7]"));
    }
  }

  @Test
  void declaredShapesAreComparedWithoutLayouts() {
    assertShape("f32[2,3]{0,1}", declared(Opcode.ADD, NONE, "f32[2,3]{0,1}", "f32[2,3]", "f32[2,3]{1,0}"));
    assertEquals("add: declared shape f32[2,4] differs from the inferred shape f32[2,3]",
        declaredError(Opcode.ADD, NONE, "f32[2,4]", "f32[2,3]", "f32[2,3]"));
  }

  @Test
  void onlyOpcodesWhoseResultIsUnderivableNeedADeclaredShape() {
    assertTrue(ShapeInference.needsDeclaredShape(Opcode.BROADCAST));
    assertTrue(ShapeInference.needsDeclaredShape(Opcode.CUSTOM_CALL));
    assertFalse(ShapeInference.needsDeclaredShape(Opcode.ADD));
    assertFalse(ShapeInference.needsDeclaredShape(Opcode.CONSTANT)); // its literal has the shape
  }

  @Test
  void dynamicDimensionsPassThrough() {
    assertShape("f32[?,3]", infer(Opcode.ADD, NONE, "f32[?,3]", "f32[?,3]"));
    assertShape("f32[?]", infer(Opcode.REDUCE, a().put(Attr.DIMENSIONS, l(1)).put(Attr.TO_APPLY, comp("add_f32"))
        .build(), "f32[?,3]", "f32[]"));
    assertShape("f32[?,4]", infer(Opcode.DOT, a().put(Attr.LHS_CONTRACTING_DIMS, l(1))
        .put(Attr.RHS_CONTRACTING_DIMS, l(0)).build(), "f32[?,3]", "f32[3,4]"));
  }
}
