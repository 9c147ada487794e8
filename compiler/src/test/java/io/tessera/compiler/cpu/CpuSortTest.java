package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential tests of sort on the CPU backend against the interpreter, bit for bit: every
 * element type along the last and the first dimension (floats with NaN under an IEEE comparator,
 * which is no strict weak order: the merge sort must make the interpreter's very choices), the
 * total order, key-value sorts of two and three operands, a comparator holding a fusion (XLA's
 * optimized form), a non-strict comparator, ties (stability), rank 3, lengths 0, 1 and 1000.
 */
class CpuSortTest {
  private static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};

  @TestFactory
  Stream<DynamicTest> everyElementType() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      tests.add(test("sort of " + t + " along each dimension", t, """
          less {
            a = T[] parameter(0)
            b = T[] parameter(1)
            ROOT c = pred[] compare(a, b), direction=LT
          }
          ENTRY e {
            x = T[5,9] parameter(0)
            r = T[5,9] sort(x), dimensions={1}, to_apply=less
            c = T[5,9] sort(x), dimensions={0}, to_apply=less
            ROOT t = (T[5,9], T[5,9]) tuple(r, c)
          }"""));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> comparatorsAndShapes() {
    return Stream.of(
        test("total order with NaN and signed zeros", ElementType.F32, """
            less {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT c = pred[] compare(a, b), direction=LT, type=TOTALORDER
            }
            ENTRY e {
              x = T[3,24] parameter(0)
              ROOT r = T[3,24] sort(x), dimensions={1}, to_apply=less
            }"""),
        test("descending key-value sort with iota indices (top-k)", ElementType.F32, """
            greater {
              a = T[] parameter(0)
              b = T[] parameter(1)
              i = s32[] parameter(2)
              j = s32[] parameter(3)
              ROOT c = pred[] compare(a, b), direction=GT
            }
            ENTRY e {
              x = T[6,16] parameter(0)
              i = s32[6,16] iota(), iota_dimension=1
              ROOT r = (T[6,16], s32[6,16]) sort(x, i), dimensions={1}, is_stable=true, to_apply=greater
            }"""),
        test("three operands keyed on the second, ties keep their order", ElementType.S8, """
            by_second {
              a0 = f64[] parameter(0)
              b0 = f64[] parameter(1)
              a1 = T[] parameter(2)
              b1 = T[] parameter(3)
              a2 = u16[] parameter(4)
              b2 = u16[] parameter(5)
              ROOT c = pred[] compare(a1, b1), direction=LT
            }
            ENTRY e {
              x = f64[40] parameter(0)
              y = T[40] parameter(1)
              z = u16[40] iota(), iota_dimension=0
              ROOT r = (f64[40], T[40], u16[40]) sort(x, y, z), dimensions={0}, is_stable=true, to_apply=by_second
            }"""),
        test("comparator holding a fusion, as XLA optimizes it", ElementType.F32, """
            fused_key {
              p1 = T[] parameter(1)
              b1 = s32[] bitcast-convert(p1)
              zero = s32[] constant(0)
              n1 = pred[] compare(b1, zero), direction=LT
              m = s32[] constant(2147483647)
              x1 = s32[] xor(m, b1)
              k1 = s32[] select(n1, x1, b1)
              p0 = T[] parameter(0)
              b0 = s32[] bitcast-convert(p0)
              n0 = pred[] compare(b0, zero), direction=LT
              x0 = s32[] xor(m, b0)
              k0 = s32[] select(n0, x0, b0)
              ROOT c = pred[] compare(k1, k0), direction=GT
            }
            greater {
              il = s32[] parameter(2)
              ir = s32[] parameter(3)
              l = T[] parameter(0)
              r = T[] parameter(1)
              ROOT f = pred[] fusion(r, l), kind=kLoop, calls=fused_key
            }
            ENTRY e {
              x = T[6,16] parameter(0)
              i = s32[6,16] iota(), iota_dimension=1
              ROOT s = (T[6,16], s32[6,16]) sort(x, i), dimensions={1}, is_stable=true, to_apply=greater
            }"""),
        test("a non-strict comparator (less or equal)", ElementType.S32, """
            le {
              a = T[] parameter(0)
              b = T[] parameter(1)
              c = T[] constant(4)
              x = T[] remainder(a, c)
              y = T[] remainder(b, c)
              ROOT r = pred[] compare(x, y), direction=LE
            }
            ENTRY e {
              x = T[2,33] parameter(0)
              ROOT s = T[2,33] sort(x), dimensions={1}, to_apply=le
            }"""),
        test("rank 3 along the middle dimension, and lengths 1 and 0", ElementType.BF16, """
            less {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT c = pred[] compare(a, b), direction=LT
            }
            ENTRY e {
              x = T[3,7,4] parameter(0)
              y = T[4,1] parameter(1)
              z = T[0,5] parameter(2)
              s = T[3,7,4] sort(x), dimensions={1}, to_apply=less
              t = T[4,1] sort(y), dimensions={1}, to_apply=less
              u = T[0,5] sort(z), dimensions={1}, to_apply=less
              ROOT r = (T[3,7,4], T[4,1], T[0,5]) tuple(s, t, u)
            }"""),
        test("a long row (1000 elements, ten merge passes)", ElementType.U32, """
            less {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT c = pred[] compare(a, b), direction=LT
            }
            ENTRY e {
              x = T[1000] parameter(0)
              ROOT s = T[1000] sort(x), dimensions={0}, to_apply=less
            }"""));
  }

  @Test
  void sortsSmallIntegersIntoOrder() {
    Module m = HloParser.parse(HloText.uniqueNames("""
        HloModule m
        less {
          a = s32[] parameter(0)
          b = s32[] parameter(1)
          ROOT c = pred[] compare(a, b), direction=LT
        }
        ENTRY e {
          x = s32[7] parameter(0)
          ROOT s = s32[7] sort(x), dimensions={0}, to_apply=less
        }
        """));
    Literal x = Literal.ofLongs(Shape.array(ElementType.S32, 7), new long[] {5, -2, 9, 0, -2, 7, 1});
    assertEquals(Literal.ofLongs(Shape.array(ElementType.S32, 7), new long[] {-2, -2, 0, 1, 5, 7, 9}),
        Oracle.runCpu(m, List.of(x)));
  }

  private static DynamicTest test(String name, ElementType t, String body) {
    return DynamicTest.dynamicTest(name, () -> {
      Module module = HloParser.parse(HloText.uniqueNames("HloModule m\n" + body.replace("T[", t + "[") + "\n"));
      Random random = new Random(name.hashCode());
      List<Literal> args = new ArrayList<>();
      for (var p : module.entry().parameters()) {
        Literal v = Oracle.values(p.shape().elementType(), p.shape().dimensions(), random);
        if (p.shape().elementType().isInteger() && random.nextBoolean()) {
          for (int i = 0; i < v.elementCount(); i++) {
            v.setLong(i, random.nextInt(5)); // many ties
          }
        }
        args.add(v);
      }
      Literal expected = Oracle.INTERPRETER.run(module, args);
      Oracle.assertClose(expected, Oracle.runCpu(module, args), Oracle.Tolerance.EXACT, name);
    });
  }
}
