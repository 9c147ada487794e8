package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The implicit-GEMM convolution ({@link ConvolutionGemm}) against the interpreter, in f32 and
 * f64: a last tile of positions and a last panel of output features that are partly past the
 * end, stride, SAME, VALID, asymmetric, negative and wider-than-the-kernel padding, window and
 * input dilation, reversal, feature groups, 1-D, 3-D and no spatial dimensions, 1x1 kernels,
 * NCHW and feature-major layouts (strided input features, element-wise stores); and elementwise
 * consumers applied to each tile in place (bias and ReLU, as plain instructions or a loop fusion;
 * an expensive one), next to consumers that must keep their own loop (another element type, other
 * indices, a convolution that is also a result). Inputs are multiples of 1/8 in [-2.5, 2.5], so every product and partial sum is
 * exact in f32 and the results must match bit for bit whatever the summation order.
 */
class CpuConvolutionGemmTest {

  private record Case(String name, String body) {}

  /** A convolution with a consumer, and whether that consumer should run as its in-place epilogue. */
  private record Epilogue(Case c, boolean inPlace, Oracle.Tolerance tolerance) {}

  private static final List<Case> CASES = List.of(
      new Case("NHWC 3x3 SAME: last tile and last panel partly past the end", """
          x = T[2,7,8,5] parameter(0)
          k = T[3,3,5,19] parameter(1)
          ROOT c = T[2,7,8,19] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f"""),
      new Case("stride 2, VALID, whole panels", """
          x = T[3,11,10,6] parameter(0)
          k = T[3,3,6,16] parameter(1)
          ROOT c = T[3,5,4,16] convolution(x, k), window={size=3x3 stride=2x2}, dim_labels=b01f_01io->b01f"""),
      new Case("window dilation with asymmetric and negative padding", """
          x = T[2,9,9,4] parameter(0)
          k = T[3,2,4,12] parameter(1)
          ROOT c = T[2,7,6,12] convolution(x, k), window={size=3x2 pad=2_0x-1_1 rhs_dilate=2x3}, dim_labels=b01f_01io->b01f"""),
      new Case("input dilation (a transposed convolution)", """
          x = T[2,5,5,8] parameter(0)
          k = T[3,3,8,10] parameter(1)
          ROOT c = T[2,11,9,10] convolution(x, k), window={size=3x3 pad=2_2x1_1 lhs_dilate=2x2}, dim_labels=b01f_01io->b01f"""),
      new Case("reversed kernel", """
          x = T[2,6,6,7] parameter(0)
          k = T[3,3,7,9] parameter(1)
          ROOT c = T[2,6,6,9] convolution(x, k), window={size=3x3 pad=1_1x1_1 rhs_reversal=1x1}, dim_labels=b01f_01io->b01f"""),
      new Case("two feature groups", """
          x = T[2,6,6,6] parameter(0)
          k = T[3,3,3,16] parameter(1)
          ROOT c = T[2,6,6,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f, feature_group_count=2"""),
      new Case("NCHW with OIHW kernel: strided input and output features", """
          x = T[2,5,8,8] parameter(0)
          k = T[20,5,3,3] parameter(1)
          ROOT c = T[2,20,8,8] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01"""),
      new Case("feature-major labels in every operand", """
          x = T[5,6,7,3] parameter(0)
          k = T[5,3,3,12] parameter(1)
          ROOT c = T[6,5,3,12] convolution(x, k), window={size=3x3 pad=1_1x0_0}, dim_labels=f01b_i01o->01bf"""),
      new Case("1-D, stride 3", """
          x = T[4,30,6] parameter(0)
          k = T[5,6,16] parameter(1)
          ROOT c = T[4,10,16] convolution(x, k), window={size=5 stride=3 pad=2_2}, dim_labels=b0f_0io->b0f"""),
      new Case("3-D", """
          x = T[2,5,6,4,3] parameter(0)
          k = T[2,3,2,3,8] parameter(1)
          ROOT c = T[2,4,4,3,8] convolution(x, k), window={size=2x3x2}, dim_labels=b012f_012io->b012f"""),
      new Case("no spatial dimensions: a dot of features", """
          x = T[50,30] parameter(0)
          k = T[30,20] parameter(1)
          ROOT c = T[50,20] convolution(x, k), dim_labels=bf_io->bf"""),
      new Case("1x1 kernel", """
          x = T[2,8,8,12] parameter(0)
          k = T[1,1,12,24] parameter(1)
          ROOT c = T[2,8,8,24] convolution(x, k), window={size=1x1}, dim_labels=b01f_01io->b01f"""),
      new Case("padding wider than the kernel: positions that read only zeros", """
          x = T[1,4,4,3] parameter(0)
          k = T[3,3,3,8] parameter(1)
          ROOT c = T[1,10,10,8] convolution(x, k), window={size=3x3 pad=4_4x4_4}, dim_labels=b01f_01io->b01f"""),
      new Case("fused operand, then bias and ReLU", """
          x = T[2,8,8,4] parameter(0)
          n = T[2,8,8,4] negate(x)
          k = T[3,3,4,16] parameter(1)
          c = T[2,8,8,16] convolution(n, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
          bias = T[16] parameter(2)
          bb = T[2,8,8,16] broadcast(bias), dimensions={3}
          a = T[2,8,8,16] add(c, bb)
          z = T[] constant(0)
          zb = T[2,8,8,16] broadcast(z), dimensions={}
          ROOT r = T[2,8,8,16] maximum(a, zb)"""));

  private static final List<Epilogue> EPILOGUES = List.of(
      new Epilogue(new Case("bias and ReLU fusion (the benchmark's), last tile and panel partly past the end", """
          fused_bias_relu {
            b = T[19] parameter(0)
            p = T[2,7,8,19] parameter(1)
            bb = T[2,7,8,19] broadcast(b), dimensions={3}
            a = T[2,7,8,19] add(p, bb)
            z = T[] constant(0)
            zb = T[2,7,8,19] broadcast(z), dimensions={}
            ROOT r = T[2,7,8,19] maximum(a, zb)
          }
          ENTRY e {
            x = T[2,7,8,5] parameter(0)
            k = T[3,3,5,19] parameter(1)
            c = T[2,7,8,19] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
            bias = T[19] parameter(2)
            ROOT f = T[2,7,8,19] fusion(bias, c), kind=kLoop, calls=fused_bias_relu
          }"""), true, Oracle.Tolerance.EXACT),
      new Epilogue(new Case("bias added once to each element, also in the last tile's copies of the last position", """
          ENTRY e {
            x = T[2,7,8,5] parameter(0)
            k = T[3,3,5,16] parameter(1)
            c = T[2,7,8,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
            bias = T[16] parameter(2)
            bb = T[2,7,8,16] broadcast(bias), dimensions={3}
            ROOT a = T[2,7,8,16] add(c, bb)
          }"""), true, Oracle.Tolerance.EXACT),
      new Epilogue(new Case("NCHW: strided features, the convolution read twice", """
          ENTRY e {
            x = T[2,5,8,8] parameter(0)
            k = T[20,5,3,3] parameter(1)
            c = T[2,20,8,8] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01
            ROOT s = T[2,20,8,8] multiply(c, c)
          }"""), true, Oracle.Tolerance.EXACT),
      new Epilogue(new Case("feature groups, then an expensive epilogue", """
          fused_tanh {
            b = T[16] parameter(0)
            p = T[2,6,6,16] parameter(1)
            bb = T[2,6,6,16] broadcast(b), dimensions={3}
            a = T[2,6,6,16] add(p, bb)
            ROOT t = T[2,6,6,16] tanh(a)
          }
          ENTRY e {
            x = T[2,6,6,6] parameter(0)
            k = T[3,3,3,16] parameter(1)
            c = T[2,6,6,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f, feature_group_count=2
            bias = T[16] parameter(2)
            ROOT f = T[2,6,6,16] fusion(bias, c), kind=kLoop, calls=fused_tanh
          }"""), true, Oracle.Tolerance.ulps(4)),
      new Epilogue(new Case("a fusion that reads the convolution at other indices keeps its own loop", """
          fused_reverse {
            p = T[2,6,6,16] parameter(0)
            r = T[2,6,6,16] reverse(p), dimensions={1}
            ROOT a = T[2,6,6,16] add(r, p)
          }
          ENTRY e {
            x = T[2,6,6,4] parameter(0)
            k = T[3,3,4,16] parameter(1)
            c = T[2,6,6,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
            ROOT f = T[2,6,6,16] fusion(c), kind=kLoop, calls=fused_reverse
          }"""), false, Oracle.Tolerance.EXACT),
      new Epilogue(new Case("a convolution that is also a result keeps its own buffer", """
          ENTRY e {
            x = T[2,6,6,4] parameter(0)
            k = T[3,3,4,16] parameter(1)
            c = T[2,6,6,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
            n = T[2,6,6,16] negate(c)
            ROOT t = (T[2,6,6,16], T[2,6,6,16]) tuple(c, n)
          }"""), false, Oracle.Tolerance.EXACT),
      new Epilogue(new Case("a consumer of another element type keeps its own loop", """
          ENTRY e {
            x = f32[2,6,6,4] parameter(0)
            k = f32[3,3,4,16] parameter(1)
            c = f32[2,6,6,16] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
            ROOT d = f64[2,6,6,16] convert(c)
          }"""), false, Oracle.Tolerance.EXACT));

  @TestFactory
  Stream<DynamicTest> epiloguesMatchTheInterpreter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
      for (Epilogue e : EPILOGUES) {
        tests.add(DynamicTest.dynamicTest(e.c().name() + " " + t, () -> check(t, e.c(), e.tolerance())));
      }
    }
    return tests.stream();
  }

  @Test
  void elementwiseConsumersRunAsEpilogues() {
    for (Epilogue e : EPILOGUES) {
      String ir = Oracle.CPU.emitLlvmIr(module(ElementType.F32, e.c()), BackendOptions.defaults(), false);
      assertTrue(ir.contains("conv.interior"), "expected the implicit GEMM for " + e.c().name());
      assertEquals(e.inPlace(), ir.contains("conv.epilogue"), e.c().name());
    }
  }

  @TestFactory
  Stream<DynamicTest> convolutionsMatchTheInterpreter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
      for (Case c : CASES) {
        tests.add(DynamicTest.dynamicTest(c.name() + " " + t, () -> check(t, c, Oracle.Tolerance.EXACT)));
      }
    }
    return tests.stream();
  }

  @Test
  void largeConvolutionsUseTheImplicitGemm() {
    for (Case c : CASES) {
      String ir = Oracle.CPU.emitLlvmIr(module(ElementType.F32, c), BackendOptions.defaults(), false);
      assertTrue(ir.contains("conv.interior") && ir.contains("@llvm.fmuladd.v8f32"),
          "expected the implicit GEMM for " + c.name());
    }
    String depthwise = Oracle.CPU.emitLlvmIr(module(ElementType.F32, new Case("depthwise", """
        x = T[2,8,8,4] parameter(0)
        k = T[3,3,1,8] parameter(1)
        ROOT c = T[2,8,8,8] convolution(x, k), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f, feature_group_count=4""")),
        BackendOptions.defaults(), false);
    assertFalse(depthwise.contains("conv.interior"), "two outputs per group keep the loop nest");
  }

  private static Module module(ElementType t, Case c) {
    String body = c.body().contains("ENTRY") ? c.body() : "ENTRY e {\n" + c.body() + "\n}";
    return HloParser.parse("HloModule m\n" + body.replace("T[", t + "[") + "\n");
  }

  private static void check(ElementType t, Case c, Oracle.Tolerance tolerance) {
    Module module = module(t, c);
    Random random = new Random(c.name().hashCode());
    List<Literal> args = new ArrayList<>();
    for (var p : module.entry().parameters()) {
      Literal v = Oracle.values(p.shape().elementType(), p.shape().dimensions(), random);
      for (int i = 0; i < v.elementCount(); i++) {
        v.setDouble(i, random.nextInt(41) / 8.0 - 2.5);
      }
      args.add(v);
    }
    Literal expected = Oracle.INTERPRETER.run(module, args);
    Oracle.assertClose(expected, Oracle.runCpu(module, args), tolerance, c.name() + " " + t);
  }
}
