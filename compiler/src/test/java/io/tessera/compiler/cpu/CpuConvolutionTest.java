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
 * Differential tests of convolution and batch normalization on the CPU backend against the
 * interpreter. Convolution: dimension labels in several orders (NHWC, NCHW, feature-major, 1-D,
 * 3-D, none), stride, SAME, VALID and negative padding, input and kernel dilation, reversal,
 * feature groups (depthwise), batch groups (weight gradients), and every result type: integer
 * results (s8 x s8 -> s32 among them) and pred bit for bit, floats within a summation tolerance
 * (the interpreter sums in double). Batch norm, training and inference, over each float type and
 * feature position, bit for bit: both compute in double in the same order.
 */
class CpuConvolutionTest {
  private static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};

  @TestFactory
  Stream<DynamicTest> everyElementType() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      tests.add(test("NHWC 3x3 SAME stride 2 on " + t, t, """
          ENTRY e {
            x = T[2,7,6,3] parameter(0)
            k = T[3,3,3,4] parameter(1)
            ROOT c = T[2,4,3,4] convolution(x, k), window={size=3x3 stride=2x2 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
          }"""));
    }
    tests.add(test("s8 x s8 -> s32", ElementType.S32, """
        ENTRY e {
          x = s8[1,5,5,4] parameter(0)
          k = s8[2,2,4,3] parameter(1)
          ROOT c = s32[1,4,4,3] convolution(x, k), window={size=2x2}, dim_labels=b01f_01io->b01f
        }"""));
    tests.add(test("bf16 x bf16 -> f32", ElementType.F32, """
        ENTRY e {
          x = bf16[1,5,5,4] parameter(0)
          k = bf16[2,2,4,3] parameter(1)
          ROOT c = f32[1,4,4,3] convolution(x, k), window={size=2x2}, dim_labels=b01f_01io->b01f
        }"""));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> layoutsWindowsAndGroups() {
    ElementType f = ElementType.F32;
    return Stream.of(
        test("NCHW with OIHW kernel, VALID, stride 2", f, """
            ENTRY e {
              x = T[2,3,9,9] parameter(0)
              k = T[6,3,3,3] parameter(1)
              ROOT c = T[2,6,4,4] convolution(x, k), window={size=3x3 stride=2x2}, dim_labels=bf01_oi01->bf01
            }"""),
        test("feature-major labels in every operand", f, """
            ENTRY e {
              x = T[3,6,2,5] parameter(0)
              k = T[3,3,2,4] parameter(1)
              ROOT c = T[6,1,5,4] convolution(x, k), window={size=3x2 pad=1_1x0_0}, dim_labels=f01b_i01o->01bf
            }"""),
        test("input and kernel dilation with negative padding", f, """
            ENTRY e {
              x = T[1,6,6,2] parameter(0)
              k = T[3,3,2,2] parameter(1)
              ROOT c = T[1,9,2,2] convolution(x, k), window={size=3x3 pad=1_-1x1_-1 lhs_dilate=2x1 rhs_dilate=1x2}, dim_labels=b01f_01io->b01f
            }"""),
        test("reversed kernel (the input gradient)", f, """
            ENTRY e {
              x = T[2,5,5,3] parameter(0)
              k = T[3,3,3,2] parameter(1)
              ROOT c = T[2,5,5,2] convolution(x, k), window={size=3x3 pad=1_1x1_1 rhs_reversal=1x1}, dim_labels=b01f_01io->b01f
            }"""),
        test("depthwise: feature groups, channel multiplier 2", f, """
            ENTRY e {
              x = T[2,8,8,4] parameter(0)
              k = T[3,3,1,8] parameter(1)
              ROOT c = T[2,8,8,8] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f, feature_group_count=4
            }"""),
        test("batch groups (a weight gradient)", f, """
            ENTRY e {
              x = T[2,5,5,4] parameter(0)
              g = T[2,5,5,6] parameter(1)
              ROOT c = T[3,3,2,6] convolution(x, g), window={size=5x5 pad=1_1x1_1}, dim_labels=f01b_i01o->01bf, batch_group_count=2
            }"""),
        test("1-D and 3-D convolutions", ElementType.F64, """
            ENTRY e {
              x = T[2,3,11] parameter(0)
              k = T[4,3,3] parameter(1)
              a = T[2,4,5] convolution(x, k), window={size=3 stride=2}, dim_labels=bf0_oi0->bf0
              y = T[1,4,4,4,2] parameter(2)
              w = T[2,2,2,2,3] parameter(3)
              b = T[1,3,3,3,3] convolution(y, w), window={size=2x2x2}, dim_labels=b012f_012io->b012f
              ROOT r = (T[2,4,5], T[1,3,3,3,3]) tuple(a, b)
            }"""),
        test("no spatial dimensions: a dot of features", f, """
            ENTRY e {
              x = T[5,7] parameter(0)
              k = T[7,3] parameter(1)
              ROOT c = T[5,3] convolution(x, k), dim_labels=bf_io->bf
            }"""),
        test("convolution of fused operands, fused into a bias and relu", f, """
            ENTRY e {
              x = T[1,6,6,2] parameter(0)
              t = T[1,6,6,2] tanh(x)
              k = T[2,2,2,3] parameter(1)
              c = T[1,5,5,3] convolution(t, k), window={size=2x2}, dim_labels=b01f_01io->b01f
              bias = T[3] parameter(2)
              bb = T[1,5,5,3] broadcast(bias), dimensions={3}
              a = T[1,5,5,3] add(c, bb)
              z = T[] constant(0)
              zb = T[1,5,5,3] broadcast(z), dimensions={}
              ROOT r = T[1,5,5,3] maximum(a, zb)
            }"""));
  }

  @TestFactory
  Stream<DynamicTest> batchNorm() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : new ElementType[] {ElementType.F16, ElementType.BF16, ElementType.F32, ElementType.F64}) {
      tests.add(test("batch norm training and inference on " + t, t, """
          ENTRY e {
            x = T[4,3,5] parameter(0)
            scale = T[5] parameter(1)
            offset = T[5] parameter(2)
            tr = (T[4,3,5], T[5], T[5]) batch-norm-training(x, scale, offset), epsilon=0.001, feature_index=2
            s3 = T[3] parameter(3)
            o3 = T[3] parameter(4)
            t1 = (T[4,3,5], T[3], T[3]) batch-norm-training(x, s3, o3), epsilon=1e-05, feature_index=1
            mean = T[4] parameter(5)
            var = T[4] parameter(6)
            s4 = T[4] parameter(7)
            o4 = T[4] parameter(8)
            av = T[4] abs(var)
            inf = T[4,3,5] batch-norm-inference(x, s4, o4, mean, av), epsilon=0.001, feature_index=0
            ROOT r = ((T[4,3,5], T[5], T[5]), (T[4,3,5], T[3], T[3]), T[4,3,5]) tuple(tr, t1, inf)
          }""", Oracle.Tolerance.EXACT));
    }
    return tests.stream();
  }

  private static DynamicTest test(String name, ElementType t, String body) {
    Oracle.Tolerance tolerance = switch (t) {
      case F16, BF16 -> Oracle.Tolerance.sums(2e-2, 2e-2);
      case F32 -> Oracle.Tolerance.sums(1e-5, 1e-5);
      case F64 -> Oracle.Tolerance.sums(1e-12, 1e-12);
      default -> Oracle.Tolerance.EXACT;
    };
    return test(name, t, body, tolerance);
  }

  private static DynamicTest test(String name, ElementType t, String body, Oracle.Tolerance tolerance) {
    return DynamicTest.dynamicTest(name, () -> {
      Module module = HloParser.parse("HloModule m\n" + body.replace("T[", t + "[") + "\n");
      Random random = new Random(name.hashCode());
      List<Literal> args = new ArrayList<>();
      for (var p : module.entry().parameters()) {
        Literal v = Oracle.values(p.shape().elementType(), p.shape().dimensions(), random);
        if (p.shape().elementType().isFloat()) {
          for (int i = 0; i < v.elementCount(); i++) {
            v.setDouble(i, random.nextInt(41) / 8.0 - 2.5); // finite values: sums of NaN and inf compare trivially
          }
        }
        args.add(v);
      }
      Literal expected = Oracle.INTERPRETER.run(module, args);
      Oracle.assertClose(expected, Oracle.runCpu(module, args), tolerance, name);
    });
  }
}
