package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential tests of reduce-window and select-and-scatter on the CPU backend against the
 * interpreter, bit for bit: every element type, strides, low and high (and negative) padding,
 * base and window dilation, pooling as TensorFlow emits it (max, average, SAME padding), a
 * cumulative sum, a variadic argmax window, a reducer of another precision than its input, and
 * the max-pool gradient with overlapping and padded windows.
 */
class CpuWindowTest {
  private static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};

  private static final String REDUCERS = """
      max {
        a = T[] parameter(0)
        b = T[] parameter(1)
        ROOT c = T[] maximum(a, b)
      }
      sum {
        a = T[] parameter(0)
        b = T[] parameter(1)
        ROOT c = T[] add(a, b)
      }
      ge {
        a = T[] parameter(0)
        b = T[] parameter(1)
        ROOT c = pred[] compare(a, b), direction=GE
      }
      """;

  @TestFactory
  Stream<DynamicTest> everyElementType() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      tests.add(test("windows over " + t, t, REDUCERS + """
          ENTRY e {
            x = T[6,7] parameter(0)
            init = T[] parameter(1)
            a = T[3,7] reduce-window(x, init), window={size=3x2 stride=2x1 pad=1_1x0_1}, to_apply=max
            b = T[5,4] reduce-window(x, init), window={size=2x2 stride=1x3 pad=0_0x1_-1 lhs_dilate=1x2 rhs_dilate=1x2}, to_apply=sum
            src = T[3,3] parameter(2)
            s = T[6,7] select-and-scatter(x, src, init), window={size=2x3 stride=2x2 pad=0_0x0_0}, select=ge, scatter=sum
            ROOT r = (T[3,7], T[5,4], T[6,7]) tuple(a, b, s)
          }"""));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> poolingAndScans() {
    return Stream.of(
        test("max pool 3x3 stride 2 SAME", ElementType.F32, REDUCERS + """
            ENTRY e {
              x = T[2,7,7,3] parameter(0)
              ninf = T[] constant(-inf)
              ROOT m = T[2,4,4,3] reduce-window(x, ninf), window={size=1x3x3x1 stride=1x2x2x1 pad=0_0x1_1x1_1x0_0}, to_apply=max
            }"""),
        test("average pool dividing by the count of real elements", ElementType.F32, REDUCERS + """
            ENTRY e {
              x = T[2,7,7,3] parameter(0)
              z = T[] constant(0)
              s = T[2,4,4,3] reduce-window(x, z), window={size=1x3x3x1 stride=1x2x2x1 pad=0_0x1_1x1_1x0_0}, to_apply=sum
              one = T[] constant(1)
              ones = T[7,7] broadcast(one), dimensions={}
              n = T[4,4] reduce-window(ones, z), window={size=3x3 stride=2x2 pad=1_1x1_1}, to_apply=sum
              nb = T[2,4,4,3] broadcast(n), dimensions={1,2}
              ROOT a = T[2,4,4,3] divide(s, nb)
            }"""),
        test("cumulative sum along a row (window 40, padding 39 low)", ElementType.F64, REDUCERS + """
            ENTRY e {
              x = T[6,40] parameter(0)
              z = T[] constant(0)
              ROOT c = T[6,40] reduce-window(x, z), window={size=1x40 pad=0_0x39_0}, to_apply=sum
            }"""),
        test("variadic reduce-window: windowed argmax", ElementType.F32, """
            argmax {
              av = T[] parameter(0)
              ai = s32[] parameter(1)
              bv = T[] parameter(2)
              bi = s32[] parameter(3)
              ge = pred[] compare(av, bv), direction=GE
              v = T[] select(ge, av, bv)
              i = s32[] select(ge, ai, bi)
              ROOT t = (T[], s32[]) tuple(v, i)
            }
            ENTRY e {
              x = T[9,5] parameter(0)
              i = s32[9,5] iota(), iota_dimension=0
              ninf = T[] constant(-inf)
              z = s32[] constant(-1)
              ROOT r = (T[4,5], s32[4,5]) reduce-window(x, i, ninf, z), window={size=3x1 stride=2x1}, to_apply=argmax
            }"""),
        test("a bf16 input summed by an f32 reducer", ElementType.F32, """
            sum {
              a = f32[] parameter(0)
              b = f32[] parameter(1)
              ROOT c = f32[] add(a, b)
            }
            ENTRY e {
              x = bf16[8,6] parameter(0)
              z = f32[] constant(0)
              ROOT r = f32[4,6] reduce-window(x, z), window={size=2x1 stride=2x1}, to_apply=sum
            }"""),
        test("max-pool gradient, overlapping and padded windows", ElementType.F32, REDUCERS + """
            ENTRY e {
              x = T[2,7,7,3] parameter(0)
              g = T[2,4,4,3] parameter(1)
              z = T[] constant(0)
              ROOT s = T[2,7,7,3] select-and-scatter(x, g, z), window={size=1x3x3x1 stride=1x2x2x1 pad=0_0x1_1x1_1x0_0}, select=ge, scatter=sum
            }"""),
        test("min-select gradient on s32 with stride 1", ElementType.S32, """
            le {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT c = pred[] compare(a, b), direction=LE
            }
            sum {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT c = T[] add(a, b)
            }
            ENTRY e {
              x = T[5,6] parameter(0)
              g = T[4,4] parameter(1)
              z = T[] constant(1)
              ROOT s = T[5,6] select-and-scatter(x, g, z), window={size=2x3}, select=le, scatter=sum
            }"""));
  }

  private static DynamicTest test(String name, ElementType t, String body) {
    return DynamicTest.dynamicTest(name, () -> {
      String text = "HloModule m\n" + body.replace("T[", t + "[") + "\n";
      if (t == ElementType.PRED) {
        text = text.replace("add(", "or(");
      }
      Module module = HloParser.parse(HloText.uniqueNames(text));
      Random random = new Random(name.hashCode());
      List<Literal> args = new ArrayList<>();
      for (var p : module.entry().parameters()) {
        args.add(Oracle.values(p.shape().elementType(), p.shape().dimensions(), random));
      }
      Literal expected = Oracle.INTERPRETER.run(module, args);
      Oracle.assertClose(expected, Oracle.runCpu(module, args), Oracle.Tolerance.EXACT, name);
    });
  }
}
