package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.InterpreterBackend;
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
 * The tiled GEMM and the GEMV of {@link GemmEmitter} against the interpreter: edge tiles in M and
 * N, several K, M and N blocks, K = 0 and 1, 1 x N and N x 1, batches in leading and inner
 * positions, transposed operands through dot dimension numbers and a dynamic number of rows, in
 * f32 and f64. Values are
 * uniform in [-1, 1], so errors are rounding only: within 2e-6 K (f32) or 1e-14 K (f64).
 */
class CpuGemmTest {

  /** A dot case: operand shapes (without type) and the dimension numbers. */
  private record Case(String name, String lhs, String rhs, String out, String numbers) {}

  private static final String MK = "lhs_contracting_dims={1}, rhs_contracting_dims={0}";

  private static final List<Case> CASES = List.of(
      new Case("edge tiles in M and N", "37,19", "19,53", "37,53", MK),
      new Case("whole tiles", "48,64", "64,64", "48,64", MK),
      new Case("two K blocks and two M blocks", "150,300", "300,20", "150,20", MK),
      new Case("large K", "8,2000", "2000,8", "8,8", MK),
      new Case("K = 1", "100,1", "1,100", "100,100", MK),
      new Case("K = 0", "5,0", "0,7", "5,7", MK),
      new Case("1 x N", "1,64", "64,100", "1,100", MK),
      new Case("N x 1 (GEMV)", "101,64", "64,1", "101,1", MK),
      new Case("matrix times vector (GEMV), K tail", "301,67", "67", "301", MK),
      new Case("vector times transposed matrix (GEMV)", "67", "130,67", "130",
          "lhs_contracting_dims={0}, rhs_contracting_dims={1}"),
      new Case("vector times matrix (loop nest)", "64", "64,100", "100",
          "lhs_contracting_dims={0}, rhs_contracting_dims={0}"),
      new Case("transposed lhs", "19,37", "19,53", "37,53", "lhs_contracting_dims={0}, rhs_contracting_dims={0}"),
      new Case("transposed rhs", "37,19", "53,19", "37,53", "lhs_contracting_dims={1}, rhs_contracting_dims={1}"),
      new Case("both transposed", "19,37", "53,19", "37,53", "lhs_contracting_dims={0}, rhs_contracting_dims={1}"),
      new Case("leading batch", "3,20,30", "3,30,25", "3,20,25",
          "lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_contracting_dims={1}"),
      new Case("inner batch dimensions, transposed", "30,3,20", "25,30,3", "3,20,25",
          "lhs_batch_dims={1}, rhs_batch_dims={2}, lhs_contracting_dims={0}, rhs_contracting_dims={1}"),
      new Case("dense layer on [batch, sequence, features]: two free lhs dimensions", "4,9,30", "30,20", "4,9,20",
          "lhs_contracting_dims={2}, rhs_contracting_dims={0}"),
      new Case("two free rhs dimensions, transposed", "30,20", "30,6,7", "20,6,7",
          "lhs_contracting_dims={0}, rhs_contracting_dims={0}"),
      new Case("two contracting dimensions", "20,5,6", "5,6,40", "20,40",
          "lhs_contracting_dims={1,2}, rhs_contracting_dims={0,1}"),
      new Case("two contracting dimensions in swapped order (loop nest)", "20,5,6", "6,5,40", "20,40",
          "lhs_contracting_dims={1,2}, rhs_contracting_dims={1,0}"),
      new Case("two batch dimensions", "2,3,10,40", "2,3,40,12", "2,3,10,12",
          "lhs_batch_dims={0,1}, rhs_batch_dims={0,1}, lhs_contracting_dims={3}, rhs_contracting_dims={2}"));

  @TestFactory
  Stream<DynamicTest> dotsMatchTheInterpreter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
      for (Case c : CASES) {
        tests.add(DynamicTest.dynamicTest(c.name() + " " + t, () -> check(t, c)));
      }
      // More than one block of columns (NC = 4096 f32, 2048 f64).
      int wide = t == ElementType.F32 ? 4100 : 2050;
      tests.add(DynamicTest.dynamicTest("two N blocks " + t,
          () -> check(t, new Case("two N blocks", "2,16", "16," + wide, "2," + wide, MK))));
    }
    return tests.stream();
  }

  @Test
  void largeDotsUseTheRegisterBlockedKernel() {
    String f32 = irOf(ElementType.F32, named("edge tiles"));
    assertTrue(f32.contains("@llvm.fmuladd.v8f32"), "expected the 8-wide FMA micro-kernel:\n" + f32);
    String f64 = irOf(ElementType.F64, named("edge tiles"));
    assertTrue(f64.contains("@llvm.fmuladd.v4f64"), "expected the 4-wide FMA micro-kernel");
    String gemv = irOf(ElementType.F32, named("matrix times vector"));
    assertTrue(gemv.contains("@llvm.vector.reduce.fadd.v8f32"), "expected the GEMV kernel");
    String dense = irOf(ElementType.F32, named("dense layer"));
    assertTrue(dense.contains("@llvm.fmuladd.v8f32"), "a dense layer on a rank-3 input is a GEMM");
    String small = irOf(ElementType.F32, new Case("small", "3,4", "4,5", "3,5", MK));
    assertFalse(small.contains("@llvm.fmuladd.v8f32"), "a small dot keeps the loop nest");
  }

  @Test
  void dynamicRowsRunTheSameKernelsOnAnyRowCount() {
    String[] bodies = {
        "x = f32[?,300] parameter(0)\n  w = f32[300,40] parameter(1)\n"
            + "  ROOT r = f32[?,40] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}",
        "x = f64[?,3,50] parameter(0)\n  w = f64[50,30] parameter(1)\n"
            + "  ROOT r = f64[?,3,30] dot(x, w), lhs_contracting_dims={2}, rhs_contracting_dims={0}",
        "x = f32[?,64] parameter(0)\n  v = f32[64] parameter(1)\n"
            + "  ROOT r = f32[?] dot(x, v), lhs_contracting_dims={1}, rhs_contracting_dims={0}",
        "x = f32[?,6,20] parameter(0)\n  y = f32[?,20,90] parameter(1)\n  ROOT r = f32[?,6,90] dot(x, y), "
            + "lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_contracting_dims={1}"};
    InterpreterBackend interpreter = new InterpreterBackend();
    for (String body : bodies) {
      Module module = HloParser.parse("HloModule m\nENTRY e {\n  " + body + "\n}\n");
      String ir = Oracle.CPU.emitLlvmIr(module, BackendOptions.defaults(), false);
      assertTrue(ir.contains("@llvm.fmuladd.v"), "expected the GEMM or GEMV for\n" + body);
      try (Executable cpu = Oracle.CPU.compile(module); Executable reference = interpreter.compile(module)) {
        for (int rows : new int[] {0, 1, 5, 200}) {
          List<Literal> args = Oracle.uniformArguments(module, rows, new Random(rows));
          Oracle.assertClose(reference.run(args), cpu.run(args), Oracle.Tolerance.sums(0, 1e-3), body + ", " + rows
              + " rows");
        }
      }
    }
  }

  @Test
  void largeGemmIsRightEverywhere() {
    // The benchmark's shape: every element against a double-precision product.
    int m = 4096;
    int k = 256;
    int n = 256;
    Random random = new Random(7);
    double[] a = new double[m * k];
    double[] w = new double[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (random.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextDouble() * 2 - 1);
    }
    Module module = HloParser.parse(module(ElementType.F32, new Case("big", m + "," + k, k + "," + n, m + "," + n, MK)));
    Literal result = Oracle.runCpu(module, List.of(Literal.ofDoubles(Shape.array(ElementType.F32, m, k), a),
        Literal.ofDoubles(Shape.array(ElementType.F32, k, n), w)));
    double worst = 0;
    for (int i = 0; i < m; i += 7) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += a[i * k + p] * w[p * n + j];
        }
        worst = Math.max(worst, Math.abs(sum - result.getDouble(i * n + j)));
      }
    }
    assertTrue(worst < 2e-6 * k, "largest error " + worst);
  }

  private static void check(ElementType t, Case c) {
    Module module = HloParser.parse(module(t, c));
    Random random = new Random(c.name().hashCode());
    List<Literal> args = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Shape s = module.entry().parameter(i).shape();
      double[] values = new double[Math.toIntExact(s.elementCount())];
      for (int j = 0; j < values.length; j++) {
        values[j] = random.nextDouble() * 2 - 1;
      }
      args.add(Literal.ofDoubles(s, values));
    }
    Literal expected = Oracle.INTERPRETER.run(module, args);
    Literal actual = Oracle.runCpu(module, args);
    int k = contracted(c);
    double absolute = (t == ElementType.F32 ? 2e-6 : 1e-14) * Math.max(k, 1);
    Oracle.assertClose(expected, actual, Oracle.Tolerance.sums(0, absolute), c.name() + " " + t);
    if (k == 0) {
      assertEquals(Literal.zeros(expected.shape()), actual, "an empty contraction gives zeros");
    }
  }

  /** The number of products per output element: the sizes of lhs's contracting dimensions multiplied. */
  private static int contracted(Case c) {
    String[] dims = c.lhs().split(",");
    String numbers = c.numbers();
    int at = numbers.indexOf("lhs_contracting_dims={") + "lhs_contracting_dims={".length();
    int k = 1;
    for (String d : numbers.substring(at, numbers.indexOf('}', at)).split(",")) {
      k *= Integer.parseInt(dims[Integer.parseInt(d.trim())]);
    }
    return k;
  }

  private static Case named(String prefix) {
    return CASES.stream().filter(c -> c.name().startsWith(prefix)).findFirst().orElseThrow();
  }

  private static String irOf(ElementType t, Case c) {
    return Oracle.CPU.emitLlvmIr(HloParser.parse(module(t, c)), BackendOptions.defaults(), false);
  }

  private static String module(ElementType t, Case c) {
    return "HloModule m\nENTRY e {\n  p0 = " + t + "[" + c.lhs() + "] parameter(0)\n  p1 = " + t + "[" + c.rhs()
        + "] parameter(1)\n  ROOT r = " + t + "[" + c.out() + "] dot(p0, p1), " + c.numbers() + "\n}\n";
  }
}
