package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortTest {

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  /** A comparator over one operand of {@code type}: {@code compare(p0, p1)} with the given direction and extras. */
  private static String comparator(String type, String direction) {
    return """
        %%less (a: %1$s[], b: %1$s[]) -> pred[] {
          %%a = %1$s[] parameter(0)
          %%b = %1$s[] parameter(1)
          ROOT %%c = pred[] compare(%1$s[] %%a, %1$s[] %%b), direction=%2$s
        }
        """.formatted(type, direction);
  }

  /** Sorts one operand along {@code dimension} with computation {@code %less} from {@code computations}. */
  private static Literal sort(String computations, Literal operand, int dimension) {
    String shape = operand.shape().toStringWithoutLayout();
    String hlo = "HloModule m\n" + computations + """
        ENTRY e {
          p = %1$s parameter(0)
          ROOT r = %1$s sort(p), dimensions={%2$d}, to_apply=%%less
        }
        """.formatted(shape, dimension);
    return new Interpreter().run(HloParser.parse(hlo), List.of(operand));
  }

  @Test
  void sortsAscendingAndDescending() {
    Literal x = lit("f32[6] {3, -1, 2.5, 0, 7, -4}");
    assertEquals(lit("f32[6] {-4, -1, 0, 2.5, 3, 7}"), sort(comparator("f32", "LT"), x, 0));
    assertEquals(lit("f32[6] {7, 3, 2.5, 0, -1, -4}"), sort(comparator("f32", "GT"), x, 0));
  }

  @Test
  void sortsEveryRowOrEveryColumn() {
    Literal x = lit("s32[2,3] {{3, 1, 2}, {-5, 9, 0}}");
    assertEquals(lit("s32[2,3] {{1, 2, 3}, {-5, 0, 9}}"), sort(comparator("s32", "LT"), x, 1));
    assertEquals(lit("s32[2,3] {{-5, 1, 0}, {3, 9, 2}}"), sort(comparator("s32", "LT"), x, 0));
  }

  @Test
  void sortsTheMiddleDimensionOfARank3Array() {
    Literal x = lit("s32[2,3,2] {{{5, 0}, {1, 9}, {3, 4}}, {{2, 2}, {8, 1}, {0, 3}}}");
    Literal expected = lit("s32[2,3,2] {{{1, 0}, {3, 4}, {5, 9}}, {{0, 1}, {2, 2}, {8, 3}}}");
    assertEquals(expected, sort(comparator("s32", "LT"), x, 1));
  }

  @Test
  void unsignedKeysUseUnsignedOrder() {
    assertEquals(lit("u32[3] {1, 7, 4294967295}"), sort(comparator("u32", "LT"), lit("u32[3] {4294967295, 1, 7}"), 0));
  }

  @Test
  void anExplicitComparisonTypeReadsTheBitsAsCompareDoes() {
    // type=SIGNED on u32 keys (the verifier refuses it, the interpreter does not depend on that):
    // the bits read as s32, so 4294967295 is -1, as the compare opcode itself reads them.
    Literal x = lit("u32[3] {1, 4294967295, 0}");
    assertEquals(lit("u32[3] {4294967295, 0, 1}"), sort(comparator("u32", "LT, type=SIGNED"), x, 0));
    assertEquals(lit("pred[3] {false, true, false}"), new Interpreter().run(HloParser.parse("""
        HloModule m
        ENTRY e {
          p = u32[3] parameter(0)
          z = u32[3] constant({0, 0, 0})
          ROOT c = pred[3] compare(p, z), direction=LT, type=SIGNED
        }
        """), List.of(x)));
  }

  @Test
  void emptyAndSingleElementSlicesAreUnchanged() {
    Literal empty = Literal.zeros(Shape.array(ElementType.F32, 2, 0));
    assertEquals(empty, sort(comparator("f32", "LT"), empty, 1));
    assertEquals(lit("f32[2,1] {{2}, {1}}"), sort(comparator("f32", "LT"), lit("f32[2,1] {{2}, {1}}"), 1));
  }

  /** jnp.sort's comparator: TOTALORDER puts -NaN first and NaN last, and -0 before +0. */
  @Test
  void totalOrderSortsNaNsAndSignedZeros() {
    Literal x = lit("f32[8] {nan, 1, -nan, 0, -0, -inf, inf, -1}");
    String less = """
        %less (a: f32[], b: f32[]) -> pred[] {
          %a = f32[] parameter(0)
          %b = f32[] parameter(1)
          ROOT %c = pred[] compare(f32[] %a, f32[] %b), direction=LT, type=TOTALORDER
        }
        """;
    Literal sorted = sort(less, x, 0);
    double[] v = sorted.floatStorage();
    assertTrue(Double.isNaN(v[0]) && Double.doubleToRawLongBits(v[0]) < 0, "-nan first: " + sorted);
    assertEquals(Double.NEGATIVE_INFINITY, v[1]);
    assertEquals(-1.0, v[2]);
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(v[3]), "-0 before +0");
    assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(v[4]));
    assertEquals(1.0, v[5]);
    assertEquals(Double.POSITIVE_INFINITY, v[6]);
    assertTrue(Double.isNaN(v[7]) && Double.doubleToRawLongBits(v[7]) > 0, "+nan last: " + sorted);
  }

  /** A plain LT is not a strict weak order with NaN around; the sort must still finish with a permutation. */
  @Test
  void floatLessWithNaNStillGivesAPermutation() {
    Literal sorted = sort(comparator("f32", "LT"), lit("f32[5] {3, nan, 1, nan, 2}"), 0);
    double[] v = sorted.floatStorage().clone();
    Arrays.sort(v);
    assertArrayEquals(new double[] {1, 2, 3, Double.NaN, Double.NaN}, v);
  }

  /** Interpreted comparators that answer the same whatever they are asked: no error, no endless loop. */
  @Test
  void inconsistentComparatorsStillGiveAPermutation() {
    String always = """
        %less (a: s32[], b: s32[]) -> pred[] {
          %a = s32[] parameter(0)
          %b = s32[] parameter(1)
          ROOT %t = pred[] constant(true)
        }
        """;
    long[] sorted = sort(always, lit("s32[5] {1, 2, 3, 4, 5}"), 0).intStorage().clone();
    Arrays.sort(sorted);
    assertArrayEquals(new long[] {1, 2, 3, 4, 5}, sorted);

    String never = always.replace("constant(true)", "constant(false)");
    // Nothing is less than anything: a stable sort keeps the input order.
    assertEquals(lit("s32[5] {5, 3, 1, 4, 2}"), sort(never, lit("s32[5] {5, 3, 1, 4, 2}"), 0));
  }

  private static Literal keyValueSort(String comparator, Literal keys, Literal values) {
    String hlo = """
        HloModule m
        %by_key (k0: s32[], k1: s32[], v0: f32[], v1: f32[]) -> pred[] {
          %k0 = s32[] parameter(0)
          %k1 = s32[] parameter(1)
          %v0 = f32[] parameter(2)
          %v1 = f32[] parameter(3)
          ROOT %lt = pred[] compare(s32[] %k0, s32[] %k1), direction=LT
        }
        %by_value_descending (k2: s32[], k3: s32[], v2: f32[], v3: f32[]) -> pred[] {
          %k2 = s32[] parameter(0)
          %k3 = s32[] parameter(1)
          %v2 = f32[] parameter(2)
          %v3 = f32[] parameter(3)
          ROOT %gt = pred[] compare(f32[] %v3, f32[] %v2), direction=LT
        }
        ENTRY e {
          keys = s32[6] parameter(0)
          values = f32[6] parameter(1)
          ROOT s = (s32[6], f32[6]) sort(keys, values), dimensions={0}, is_stable=true, to_apply=%COMPARATOR
        }
        """.replace("COMPARATOR", comparator);
    return new Interpreter().run(HloParser.parse(hlo), List.of(keys, values));
  }

  /** Values follow their keys, and equal keys keep their input order (a stable sort). */
  @Test
  void keyValueSortIsStable() {
    Literal result = keyValueSort("by_key", lit("s32[6] {2, 1, 2, 1, 0, 2}"), lit("f32[6] {0, 1, 2, 3, 4, 5}"));
    assertEquals(Literal.tuple(lit("s32[6] {0, 1, 1, 2, 2, 2}"), lit("f32[6] {4, 1, 3, 0, 2, 5}")), result);
  }

  /** The comparator may look at any operand: here the values, swapped (rhs < lhs, i.e. descending). */
  @Test
  void comparatorOnTheSecondOperandWithSwappedArguments() {
    Literal result = keyValueSort("by_value_descending", lit("s32[6] {0, 1, 2, 3, 4, 5}"), lit("f32[6] {3, 9, 3, -1, 4, 9}"));
    assertEquals(Literal.tuple(lit("s32[6] {1, 5, 4, 0, 2, 3}"), lit("f32[6] {9, 9, 4, 3, 3, -1}")), result);
  }

  /**
   * The comparator older JAX versions emit for a float argsort: it builds a total-order key from
   * the bits (bitcast-convert, flip the magnitude of negatives) and is interpreted, not compared
   * directly. The indices (an iota in JAX) follow their keys, and equal keys keep their order.
   */
  @Test
  void argsortWithAnInterpretedTotalOrderComparator() {
    String hlo = """
        HloModule jit_argsort
        region_1.9 {
          Arg_0.10 = f32[] parameter(0)
          Arg_1.11 = f32[] parameter(1)
          Arg_2.12 = s32[] parameter(2)
          Arg_3.13 = s32[] parameter(3)
          bitcast-convert.14 = s32[] bitcast-convert(Arg_0.10)
          constant.15 = s32[] constant(0)
          compare.16 = pred[] compare(bitcast-convert.14, constant.15), direction=LT
          constant.17 = u32[] constant(2147483647)
          bitcast-convert.18 = u32[] bitcast-convert(Arg_0.10)
          xor.19 = u32[] xor(constant.17, bitcast-convert.18)
          bitcast-convert.20 = s32[] bitcast-convert(xor.19)
          select.21 = s32[] select(compare.16, bitcast-convert.20, bitcast-convert.14)
          bitcast-convert.22 = s32[] bitcast-convert(Arg_1.11)
          compare.23 = pred[] compare(bitcast-convert.22, constant.15), direction=LT
          bitcast-convert.24 = u32[] bitcast-convert(Arg_1.11)
          xor.25 = u32[] xor(constant.17, bitcast-convert.24)
          bitcast-convert.26 = s32[] bitcast-convert(xor.25)
          select.27 = s32[] select(compare.23, bitcast-convert.26, bitcast-convert.22)
          ROOT compare.28 = pred[] compare(select.21, select.27), direction=LT
        }
        ENTRY main {
          y = f32[2,5] parameter(0)
          iota = s32[2,5] parameter(1)
          sort.29 = (f32[2,5], s32[2,5]) sort(y, iota), dimensions={1}, is_stable=true, to_apply=region_1.9
          ROOT indices = s32[2,5] get-tuple-element(sort.29), index=1
        }
        """;
    Literal y = lit("f32[2,5] {{3, -1, nan, -0, 0}, {2, 2, 1, -inf, 5}}");
    Literal iota = lit("s32[2,5] {{0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}}");
    Literal indices = new Interpreter().run(HloParser.parse(hlo), List.of(y, iota));
    assertEquals(lit("s32[2,5] {{1, 3, 4, 0, 2}, {3, 2, 0, 1, 4}}"), indices);
  }

  @Test
  void operandsOfDifferentDimensionsAreReported() {
    String hlo = """
        HloModule m
        %less (a: s32[], b: s32[], c: f32[], d: f32[]) -> pred[] {
          %a = s32[] parameter(0)
          %b = s32[] parameter(1)
          %c = f32[] parameter(2)
          %d = f32[] parameter(3)
          ROOT %lt = pred[] compare(s32[] %a, s32[] %b), direction=LT
        }
        ENTRY e {
          keys = s32[3] parameter(0)
          values = f32[2] parameter(1)
          ROOT sorted = (s32[3], f32[2]) sort(keys, values), dimensions={0}, to_apply=%less
        }
        """;
    EvaluationException e = assertThrows(EvaluationException.class, () -> new Interpreter().run(HloParser.parse(hlo),
        List.of(lit("s32[3] {3, 2, 1}"), lit("f32[2] {1, 2}"))));
    assertTrue(e.getMessage().contains("%sorted") && e.getMessage().contains("same dimensions"), e.getMessage());
  }

  @Test
  void sortingAlongTwoDimensionsIsReported() {
    EvaluationException e = assertThrows(EvaluationException.class, () -> new Interpreter().run(HloParser.parse(
        "HloModule m\n" + comparator("f32", "LT") + """
            ENTRY e {
              p = f32[2,2] parameter(0)
              ROOT r = f32[2,2] sort(p), dimensions={0,1}, to_apply=%less
            }
            """), List.of(lit("f32[2,2] {{1, 2}, {3, 4}}"))));
    assertTrue(e.getMessage().contains("%r") && e.getMessage().contains("exactly one"), e.getMessage());
  }

  @Test
  void sortsOneMillionFloatsLikeArraysSort() {
    Random random = new Random(42);
    double[] values = new double[1_000_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    Literal x = Literal.ofDoubles(Shape.array(ElementType.F32, values.length), values);
    Literal sorted = sort(comparator("f32", "LT"), x, 0);
    double[] expected = values.clone();
    Arrays.sort(expected);
    assertArrayEquals(expected, sorted.floatStorage());
  }
}
