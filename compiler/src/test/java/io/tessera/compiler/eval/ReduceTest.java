package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReduceTest {

  private static final String ADD_F32 = """
      %add (x: f32[], y: f32[]) -> f32[] {
        %x = f32[] parameter(0)
        %y = f32[] parameter(1)
        ROOT %sum = f32[] add(f32[] %x, f32[] %y)
      }
      """;

  private static Literal run(String hlo, Literal... args) {
    return new Interpreter().run(HloParser.parse(hlo), List.of(args));
  }

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  private static final Literal MATRIX = lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}");

  private static String reduceF32(String resultShape, String dims) {
    return "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[2,3] parameter(0)
          zero = f32[] constant(0)
          ROOT r = %s reduce(p, zero), dimensions={%s}, to_apply=%%add
        }
        """.formatted(resultShape, dims);
  }

  @Test
  void sumsRowsColumnsAndEverything() {
    assertEquals(lit("f32[2] {6, 15}"), run(reduceF32("f32[2]", "1"), MATRIX));
    assertEquals(lit("f32[3] {5, 7, 9}"), run(reduceF32("f32[3]", "0"), MATRIX));
    assertEquals(lit("f32[] 21"), run(reduceF32("f32[]", "0,1"), MATRIX));
    assertEquals(lit("f32[] 21"), run(reduceF32("f32[]", "1,0"), MATRIX));
  }

  @Test
  void noReducedDimensionsAppliesTheReducerToInitAndEachElement() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[2,3] parameter(0)
          ten = f32[] constant(10)
          ROOT r = f32[2,3] reduce(p, ten), dimensions={}, to_apply=%add
        }
        """;
    assertEquals(lit("f32[2,3] {{11, 12, 13}, {14, 15, 16}}"), run(hlo, MATRIX));
  }

  @Test
  void emptyReducedExtentGivesTheInitValue() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[3,0] parameter(0)
          init = f32[] constant(-7)
          ROOT r = f32[3] reduce(p, init), dimensions={1}, to_apply=%add
        }
        """;
    assertEquals(lit("f32[3] {-7, -7, -7}"), run(hlo, Literal.zeros(Shape.array(ElementType.F32, 3, 0))));
  }

  @Test
  void emptyKeptExtentGivesAnEmptyResult() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[0,4] parameter(0)
          init = f32[] constant(0)
          ROOT r = f32[0] reduce(p, init), dimensions={1}, to_apply=%add
        }
        """;
    assertEquals(Literal.zeros(Shape.array(ElementType.F32, 0)), run(hlo, Literal.zeros(Shape.array(ElementType.F32, 0, 4))));
  }

  @Test
  void reducesTheMiddleDimensionOfARank3Array() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[2,2,2] parameter(0)
          zero = f32[] constant(0)
          ROOT r = f32[2,2] reduce(p, zero), dimensions={1}, to_apply=%add
        }
        """;
    Literal input = lit("f32[2,2,2] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}");
    assertEquals(lit("f32[2,2] {{4, 6}, {12, 14}}"), run(hlo, input));
  }

  /** The documented order: init first, then row-major over the reduced dimensions, rounding to f32 each step. */
  @Test
  void accumulatesFloatsInRowMajorOrderFromTheInitValue() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[2,2] parameter(0)
          zero = f32[] constant(0)
          ROOT r = f32[] reduce(p, zero), dimensions={0,1}, to_apply=%add
        }
        """;
    // ((0 + 1e8) + 1) rounds back to 1e8 in f32; - 1e8 gives 0; + 1 gives 1. Column-major order
    // or a double accumulator would give 0 or 2.
    assertEquals(lit("f32[] 1"), run(hlo, lit("f32[2,2] {{1e8, 1}, {-1e8, 1}}")));
  }

  @Test
  void integerSumWrapsAtTheElementWidth() {
    String hlo = """
        HloModule m
        %add (x: s8[], y: s8[]) -> s8[] {
          %x = s8[] parameter(0)
          %y = s8[] parameter(1)
          ROOT %sum = s8[] add(%y, %x)
        }
        ENTRY e {
          p = s8[4] parameter(0)
          zero = s8[] constant(0)
          ROOT r = s8[] reduce(p, zero), dimensions={0}, to_apply=%add
        }
        """;
    assertEquals(lit("s8[] -106"), run(hlo, lit("s8[4] {100, 50, 0, 0}"))); // 150 wraps to -106
  }

  @Test
  void maxOfU32UsesUnsignedOrder() {
    String hlo = """
        HloModule m
        %max (x: u32[], y: u32[]) -> u32[] {
          %x = u32[] parameter(0)
          %y = u32[] parameter(1)
          ROOT %m = u32[] maximum(%x, %y)
        }
        ENTRY e {
          p = u32[3] parameter(0)
          zero = u32[] constant(0)
          ROOT r = u32[] reduce(p, zero), dimensions={0}, to_apply=%max
        }
        """;
    assertEquals(lit("u32[] 4294967295"), run(hlo, lit("u32[3] {7, 4294967295, 12}")));
  }

  @Test
  void predAnyAndAll() {
    String hlo = """
        HloModule m
        %or (x: pred[], y: pred[]) -> pred[] {
          %x = pred[] parameter(0)
          %y = pred[] parameter(1)
          ROOT %o = pred[] or(%x, %y)
        }
        %and (a: pred[], b: pred[]) -> pred[] {
          %a = pred[] parameter(0)
          %b = pred[] parameter(1)
          ROOT %n = pred[] and(%a, %b)
        }
        ENTRY e {
          p = pred[2,2] parameter(0)
          f = pred[] constant(false)
          t = pred[] constant(true)
          any = pred[2] reduce(p, f), dimensions={1}, to_apply=%or
          all = pred[2] reduce(p, t), dimensions={1}, to_apply=%and
          ROOT r = (pred[2], pred[2]) tuple(any, all)
        }
        """;
    Literal result = run(hlo, lit("pred[2,2] {{false, true}, {true, true}}"));
    assertEquals(lit("pred[2] {true, true}"), result.tupleElement(0));
    assertEquals(lit("pred[2] {false, true}"), result.tupleElement(1));
  }

  @Test
  void maxPropagatesNaN() {
    String hlo = """
        HloModule m
        %max (x: f32[], y: f32[]) -> f32[] {
          %x = f32[] parameter(0)
          %y = f32[] parameter(1)
          ROOT %m = f32[] maximum(%x, %y)
        }
        ENTRY e {
          p = f32[2,3] parameter(0)
          init = f32[] constant(-inf)
          ROOT r = f32[2] reduce(p, init), dimensions={1}, to_apply=%max
        }
        """;
    assertEquals(lit("f32[2] {nan, 6}"), run(hlo, lit("f32[2,3] {{1, nan, 3}, {4, 6, 5}}")));
  }

  @Test
  void f16SumRoundsAfterEveryStep() {
    String hlo = """
        HloModule m
        %add (x: f16[], y: f16[]) -> f16[] {
          %x = f16[] parameter(0)
          %y = f16[] parameter(1)
          ROOT %s = f16[] add(%x, %y)
        }
        ENTRY e {
          p = f16[3] parameter(0)
          zero = f16[] constant(0)
          ROOT r = f16[] reduce(p, zero), dimensions={0}, to_apply=%add
        }
        """;
    // 2048 + 1 is a tie in f16 (spacing 2) and rounds to even 2048, twice; an exact sum would be 2050.
    assertEquals(lit("f16[] 2048"), run(hlo, lit("f16[3] {2048, 1, 1}")));
  }

  /**
   * The variadic reduce JAX emits for argmax: (value, index) pairs, NaN wins, ties go to the lowest
   * index. (JAX makes the indices with an iota; a parameter keeps this test to the reduce.)
   */
  @Test
  void variadicArgmaxAsJaxEmitsIt() {
    String hlo = """
        HloModule jit_argmax
        %region_0 (Arg_0: f32[], Arg_1: s32[], Arg_2: f32[], Arg_3: s32[]) -> (f32[], s32[]) {
          %Arg_0 = f32[] parameter(0)
          %Arg_2 = f32[] parameter(2)
          %compare.0 = pred[] compare(f32[] %Arg_0, f32[] %Arg_2), direction=GT
          %compare.1 = pred[] compare(f32[] %Arg_0, f32[] %Arg_0), direction=NE
          %or.0 = pred[] or(pred[] %compare.0, pred[] %compare.1)
          %select.0 = f32[] select(pred[] %or.0, f32[] %Arg_0, f32[] %Arg_2)
          %compare.2 = pred[] compare(f32[] %Arg_0, f32[] %Arg_2), direction=EQ
          %Arg_1 = s32[] parameter(1)
          %Arg_3 = s32[] parameter(3)
          %compare.3 = pred[] compare(s32[] %Arg_1, s32[] %Arg_3), direction=LT
          %and.0 = pred[] and(pred[] %compare.2, pred[] %compare.3)
          %or.1 = pred[] or(pred[] %or.0, pred[] %and.0)
          %select.1 = s32[] select(pred[] %or.1, s32[] %Arg_1, s32[] %Arg_3)
          ROOT %tuple.0 = (f32[], s32[]) tuple(f32[] %select.0, s32[] %select.1)
        }
        ENTRY %main (x: f32[3,4], iota: s32[3,4]) -> s32[3] {
          %x = f32[3,4] parameter(0)
          %iota = s32[3,4] parameter(1)
          %ninf = f32[] constant(-inf)
          %zero = s32[] constant(0)
          %reduce = (f32[3], s32[3]) reduce(f32[3,4] %x, s32[3,4] %iota, f32[] %ninf, s32[] %zero), dimensions={1}, to_apply=%region_0
          ROOT %gte = s32[3] get-tuple-element((f32[3], s32[3]) %reduce), index=1
        }
        """;
    Literal iota = lit("s32[3,4] {{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}}");
    assertEquals(lit("s32[3] {1, 2, 1}"), run(hlo, lit("f32[3,4] {{3, 9, 1, 9}, {-1, -5, 8, 2}, {0, nan, 7, nan}}"), iota));
  }

  /** A variadic reducer that keeps the last (value, index) pair it sees: tuples in, tuples out. */
  @Test
  void variadicReduceReturnsATupleOfResults() {
    String hlo = """
        HloModule m
        %last (a0: f32[], a1: s32[], e0: f32[], e1: s32[]) -> (f32[], s32[]) {
          %a0 = f32[] parameter(0)
          %a1 = s32[] parameter(1)
          %e0 = f32[] parameter(2)
          %e1 = s32[] parameter(3)
          ROOT %t = (f32[], s32[]) tuple(%e0, %e1)
        }
        ENTRY e {
          v = f32[2,3] parameter(0)
          i = s32[2,3] parameter(1)
          z = f32[] constant(0)
          m = s32[] constant(-1)
          ROOT r = (f32[2], s32[2]) reduce(v, i, z, m), dimensions={1}, to_apply=%last
        }
        """;
    Literal result = run(hlo, MATRIX, lit("s32[2,3] {{7, 8, 9}, {10, 11, 12}}"));
    assertEquals(Literal.tuple(lit("f32[2] {3, 6}"), lit("s32[2] {9, 12}")), result);
  }

  @Test
  void variadicReduceOverNothingGivesTheInitTuple() {
    String hlo = """
        HloModule m
        %last (a0: f32[], a1: s32[], e0: f32[], e1: s32[]) -> (f32[], s32[]) {
          %a0 = f32[] parameter(0)
          %a1 = s32[] parameter(1)
          %e0 = f32[] parameter(2)
          %e1 = s32[] parameter(3)
          ROOT %t = (f32[], s32[]) tuple(%e0, %e1)
        }
        ENTRY e {
          v = f32[2,0] parameter(0)
          i = s32[2,0] parameter(1)
          z = f32[] constant(0.5)
          m = s32[] constant(-1)
          ROOT r = (f32[2], s32[2]) reduce(v, i, z, m), dimensions={1}, to_apply=%last
        }
        """;
    Literal result = run(hlo, Literal.zeros(Shape.array(ElementType.F32, 2, 0)), Literal.zeros(Shape.array(ElementType.S32, 2, 0)));
    assertEquals(Literal.tuple(lit("f32[2] {0.5, 0.5}"), lit("s32[2] {-1, -1}")), result);
  }

  @Test
  void outOfRangeDimensionNamesTheInstruction() {
    EvaluationException e = assertThrows(EvaluationException.class, () -> run(reduceF32("f32[2]", "2"), MATRIX));
    assertTrue(e.getMessage().contains("%r"), e.getMessage());
    assertTrue(e.getMessage().contains("dimension 2"), e.getMessage());
  }

  @Test
  void declaredShapeThatDisagreesIsReported() {
    EvaluationException e = assertThrows(EvaluationException.class, () -> run(reduceF32("f32[3]", "1"), MATRIX));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("f32[3]"), e.getMessage());
  }

  @Test
  void initValueOfAnotherTypeIsReported() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[2,3] parameter(0)
          zero = s32[] constant(0)
          ROOT r = f32[2] reduce(p, zero), dimensions={1}, to_apply=%add
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class, () -> run(hlo, MATRIX));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("init value 0"), e.getMessage());
  }

  @Test
  void sumsOneMillionFloatsThroughTheFastReducer() {
    String hlo = "HloModule m\n" + ADD_F32 + """
        ENTRY e {
          p = f32[1000,1000] parameter(0)
          zero = f32[] constant(0)
          ROOT r = f32[] reduce(p, zero), dimensions={0,1}, to_apply=%add
        }
        """;
    double[] ones = new double[1_000_000];
    java.util.Arrays.fill(ones, 1.0);
    Literal input = Literal.ofDoubles(Shape.array(ElementType.F32, 1000, 1000), ones);
    var module = HloParser.parse(hlo);
    Interpreter interpreter = new Interpreter();
    // Exact: every partial sum of ones up to 2^24 is representable in f32. Speed is measured in
    // the benchmarks module, not asserted here.
    Literal result = interpreter.run(module, List.of(input));
    assertEquals(lit("f32[] 1000000"), result);
  }
}
