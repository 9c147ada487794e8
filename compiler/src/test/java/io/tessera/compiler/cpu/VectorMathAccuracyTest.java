package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
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
 * Accuracy of the CPU backend's math functions ({@code io.tessera.compiler.llvm.VectorMath}) on
 * dense sweeps, against the reference interpreter evaluated in f64 (StrictMath, itself within 1
 * ulp of the exact result, so its error is negligible next to the bounds):
 *
 * <ul>
 *   <li>f32: every 16411th bit pattern (about 260,000 values over both signs, all exponents,
 *       subnormals, infinities and NaNs) plus special values; the error is measured in f32 ulps of
 *       the exact result and must stay within 1 (the measured maxima are about 0.5, 0.75 for exp,
 *       tanh and logistic, which compute in f32); exp, tanh and logistic also on a denser sweep,
 *       within 1 ulp of the correctly rounded result ({@code f32NativeDenseSweeps});
 *   <li>f64: 2^17 bit patterns spread over the whole range plus special values and known hard
 *       cases; relative error within 1e-14 (a subnormal result may be off by its last bit);
 *   <li>binary functions (pow, atan2) on a grid of 512 x 512 values of each sign and magnitude.
 * </ul>
 *
 * <p>Special values (±0, ±inf, NaN) must match the reference exactly, sign included. The whole
 * class runs in a few seconds: each sweep is one kernel call over a million elements.
 */
class VectorMathAccuracyTest {
  private static final CpuBackend CPU = new CpuBackend();

  private static final String[] UNARY = {"exponential", "exponential-minus-one", "log", "log-plus-one", "tanh",
      "logistic", "sine", "cosine", "tan", "cbrt", "erf"};
  private static final String[] BINARY = {"power", "atan2"};

  /** f32 bound in ulps of the exact result; f64 relative bound. */
  private static final double F32_ULPS = 1.0;
  private static final double F64_RELATIVE = 1e-14;
  /** f32 exp, tanh, logistic (computed in f32): ulps from the correctly rounded result. */
  private static final int F32_NATIVE_ULPS = 1;

  @TestFactory
  Stream<DynamicTest> f32UnarySweeps() {
    double[] xs = f32Sweep();
    return Stream.of(UNARY).map(op -> DynamicTest.dynamicTest(op + " f32", () -> {
      double[] got = runCpu(op, ElementType.F32, xs);
      double[] want = reference(op, xs);
      Errors e = compare(ElementType.F32, xs, null, got, want);
      System.out.println(op + " f32 ulps: " + e);
      assertTrue(e.max <= F32_ULPS, op + " f32: " + e);
    }));
  }

  /**
   * The f32 functions computed natively in f32 ({@code Float32Math}: exp, tanh, logistic) on a
   * denser sweep of where their results are not constant (every 509th bit pattern in the range,
   * about 4 million values for exp, plus every value in blocks around the overflow, subnormal and
   * underflow thresholds and the switch points), against a correctly rounded reference (the
   * double function, within 1 double ulp, rounded to float). Asserts the documented bound: at most
   * {@link #F32_NATIVE_ULPS} ulps from the correctly rounded result (and reports the error from
   * the exact value, which the bound of the other tests uses).
   */
  @TestFactory
  Stream<DynamicTest> f32NativeDenseSweeps() {
    record Case(String op, double lo, double hi, java.util.function.DoubleUnaryOperator exact, float... around) {}
    List<Case> cases = List.of(
        new Case("exponential", -105, 90, Math::exp, 88.72283f, -87.33655f, -103.27893f, -103.97208f, 0f, 0.3465736f,
            -0.3465736f),
        new Case("tanh", -12, 12, Math::tanh, 0.9f, -0.9f, 0f, 9.01f),
        new Case("logistic", -106, 20, x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)), 0f,
            -87.33655f, -103.27893f, -103.97208f, 16.6f));
    return cases.stream().map(k -> DynamicTest.dynamicTest(k.op() + " f32 dense", () -> {
      List<Double> values = new ArrayList<>();
      for (long bits = 0; bits < 0x7f800000L; bits += 509) {
        float v = Float.intBitsToFloat((int) bits);
        for (float s : new float[] {v, -v}) {
          if (s >= k.lo() && s <= k.hi()) {
            values.add((double) s);
          }
        }
      }
      for (float a : k.around()) {
        int centre = Float.floatToRawIntBits(Math.abs(a));
        for (int d = -8192; d <= 8192; d++) {
          float v = Float.intBitsToFloat(Math.max(0, centre + d));
          values.add((double) Math.copySign(v, a));
        }
      }
      double[] xs = values.stream().mapToDouble(Double::doubleValue).toArray();
      double[] got = runCpu(k.op(), ElementType.F32, xs);
      int maxSteps = 0;
      String where = "nowhere";
      Errors fromExact = new Errors();
      for (int i = 0; i < xs.length; i++) {
        double w = k.exact().applyAsDouble(xs[i]);
        float rounded = (float) w;
        float g = (float) got[i];
        int steps = Math.abs(ordered(g) - ordered(rounded));
        if (steps > maxSteps) {
          maxSteps = steps;
          where = "x=" + (float) xs[i] + ": got " + g + ", correctly rounded " + rounded;
        }
        fromExact.add(error(ElementType.F32, g, w), "x=" + (float) xs[i]);
      }
      System.out.println(k.op() + " f32 dense (" + xs.length + " values): at most " + maxSteps
          + " ulp from the correctly rounded result (at " + where + "); from the exact value: " + fromExact);
      assertTrue(maxSteps <= F32_NATIVE_ULPS, k.op() + ": " + maxSteps + " ulp at " + where);
    }));
  }

  /** The bit pattern of {@code f} as an integer that orders like the float (for ulp distances). */
  private static int ordered(float f) {
    int bits = Float.floatToRawIntBits(f);
    return bits < 0 ? Integer.MIN_VALUE - bits : bits;
  }

  @TestFactory
  Stream<DynamicTest> f64UnarySweeps() {
    double[] xs = f64Sweep();
    return Stream.of(UNARY).map(op -> DynamicTest.dynamicTest(op + " f64", () -> {
      double[] got = runCpu(op, ElementType.F64, xs);
      double[] want = reference(op, xs);
      Errors e = compare(ElementType.F64, xs, null, got, want);
      System.out.println(op + " f64 relative: " + e);
      assertTrue(e.max <= F64_RELATIVE, op + " f64: " + e);
    }));
  }

  @TestFactory
  Stream<DynamicTest> binarySweeps() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String op : BINARY) {
      for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
        tests.add(DynamicTest.dynamicTest(op + " " + t, () -> {
          double[][] grid = grid(t, op);
          double[] got = runCpu(op, t, grid[0], grid[1]);
          double[] want = reference(op, grid[0], grid[1]);
          Errors e = compare(t, grid[0], grid[1], got, want);
          System.out.println(op + " " + t + (t == ElementType.F32 ? " ulps: " : " relative: ") + e);
          assertTrue(e.max <= (t == ElementType.F32 ? F32_ULPS : F64_RELATIVE), op + " " + t + ": " + e);
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void trigonometryReducesHugeArgumentsExactly() {
    // 6381956970095103 * 2^797 is the double closest to a multiple of pi/2 (Kahan, McDonald):
    // |x mod pi/2| is about 2^-61, so any error in the reduction shows up as a relative error.
    double[] xs = {0x1.6ac5b262ca1ffp+849, -0x1.6ac5b262ca1ffp+849, 1e22, 0x1p1023, Double.MAX_VALUE, 1e300, 5.0e-324,
        0x1.921fb54442d18p+0, 0x1.921fb54442d18p+1, 0x1.921fb54442d18p+10, 1e6 * Math.PI, 355, 103993};
    for (String op : new String[] {"sine", "cosine", "tan"}) {
      double[] got = runCpu(op, ElementType.F64, xs);
      double[] want = reference(op, xs);
      Errors e = compare(ElementType.F64, xs, null, got, want);
      assertTrue(e.max <= F64_RELATIVE, op + ": " + e);
    }
  }

  @Test
  void powNearOneWithLargeExponentsAndNearOverflow() {
    double[] xs = {1 + 0x1p-30, 1 - 0x1p-40, 1.0000001, 2, 10, 0.5, 7.5, 1e-300, 3, 2.718281828459045};
    double[] ys = {0x1p39, -0x1p45, 7.09e9, 1023.99, 308.25, -1074, 646.1, 1.02, -677.5, 709.7};
    double[] got = runCpu("power", ElementType.F64, xs, ys);
    Errors e = compare(ElementType.F64, xs, ys, got, reference("power", xs, ys));
    assertTrue(e.max <= F64_RELATIVE, "pow: " + e);
  }

  @Test
  void specialValuesFollowC99() {
    double inf = Double.POSITIVE_INFINITY;
    double nan = Double.NaN;
    check("exponential", new double[] {-inf, inf, 0, -0.0, nan, 709.8, -746}, new double[] {0, inf, 1, 1, nan, inf, 0});
    check("log", new double[] {0, -0.0, -1, inf, 1, nan, -inf}, new double[] {-inf, -inf, nan, inf, 0, nan, nan});
    check("log-plus-one", new double[] {-1, -2, -0.0, inf}, new double[] {-inf, nan, -0.0, inf});
    check("exponential-minus-one", new double[] {-0.0, -inf, inf, -800}, new double[] {-0.0, -1, inf, -1});
    check("tanh", new double[] {-0.0, inf, -inf, 30, nan}, new double[] {-0.0, 1, -1, 1, nan});
    check("logistic", new double[] {-inf, inf, 0, nan}, new double[] {0, 1, 0.5, nan});
    check("sine", new double[] {-0.0, inf, nan, 4.9e-324}, new double[] {-0.0, nan, nan, 4.9e-324});
    check("cosine", new double[] {-0.0, -inf}, new double[] {1, nan});
    check("tan", new double[] {-0.0, inf}, new double[] {-0.0, nan});
    check("cbrt", new double[] {-0.0, -inf, -8, 4.9e-324 * 8}, new double[] {-0.0, -inf, -2, Math.cbrt(4.9e-324 * 8)});
    check("erf", new double[] {-0.0, inf, -inf, 7}, new double[] {-0.0, 1, -1, 1});
    check("power", new double[] {1, nan, -1, -0.0, -0.0, -0.0, 0, -inf, -inf, -8, 2, 0.5, -2, 0},
        new double[] {nan, 0, inf, -3, 3, 2, -inf, -3, 3, 1.0 / 3, -inf, -inf, inf, -1},
        new double[] {1, 1, 1, -inf, -0.0, 0, inf, -0.0, -inf, nan, 0, inf, inf, inf});
    double pi = Math.PI;
    check("atan2", new double[] {0, -0.0, 0, -0.0, 1, -1, inf, inf, -inf, 1, 1, nan},
        new double[] {-0.0, -0.0, 0, 0, 0, -0.0, inf, -inf, 1, inf, -inf, 1},
        new double[] {pi, -pi, 0, -0.0, pi / 2, -pi / 2, pi / 4, 3 * pi / 4, -pi / 2, 0, pi, nan});
  }

  @Test
  void loopsUsingMathFunctionsVectorize() {
    String text = """
        HloModule m
        ENTRY e {
          x = f32[4096] parameter(0)
          a = f32[4096] parameter(1)
          ax = f32[4096] multiply(a, x)
          t = f32[4096] tanh(ax)
          l = f32[4096] logistic(x)
          e = f32[4096] exponential(t)
          ROOT r = f32[4096] multiply(e, l)
        }
        """;
    String ir = CPU.emitLlvmIr(HloParser.parse(text), BackendOptions.defaults(), true);
    // exp, tanh and logistic compute natively in f32: the whole loop stays in <8 x float>.
    assertTrue(ir.contains("fmul <8 x float>"), "expected the polynomials in vector registers:\n" + ir);
    assertFalse(ir.contains(" x double>"), "f32 exp, tanh, logistic should not widen to double:\n" + ir);
    assertFalse(ir.matches("(?s).*call [^\\n]*@(tanhf?|expf?|expm1f?)\\(.*"), "libm call left in:\n" + ir);
    String f64 = CPU.emitLlvmIr(HloParser.parse(text.replace("f32", "f64").replace("tanh(ax)", "sine(ax)")),
        BackendOptions.defaults(), true);
    assertTrue(f64.contains("<4 x double>"), "expected the f64 loop with sine vectorized:\n" + f64);
  }

  @Test
  void targetsWithoutFmaKeepTheBounds() {
    // Generic x86-64 has no FMA: exact products come from Dekker's algorithm instead, and
    // multiply-adds round twice. Same bounds, on the functions that depend on exact products.
    BackendOptions generic = BackendOptions.defaults().withCpu("x86-64", "");
    double[] xs = f64Sweep();
    for (String op : new String[] {"sine", "erf", "exponential-minus-one"}) {
      Errors e = compare(ElementType.F64, xs, null, runCpu(generic, op, ElementType.F64, xs), reference(op, xs));
      assertTrue(e.max <= F64_RELATIVE, op + " f64 without FMA: " + e);
    }
    double[][] grid = grid(ElementType.F64, "power");
    Errors e = compare(ElementType.F64, grid[0], grid[1], runCpu(generic, "power", ElementType.F64, grid[0], grid[1]),
        reference("power", grid[0], grid[1]));
    assertTrue(e.max <= F64_RELATIVE, "pow f64 without FMA: " + e);
    double[] fs = f32Sweep();
    for (String op : new String[] {"tanh", "exponential", "logistic"}) { // the f32-native ones use FMA remainders
      Errors t = compare(ElementType.F32, fs, null, runCpu(generic, op, ElementType.F32, fs), reference(op, fs));
      System.out.println(op + " f32 without FMA ulps: " + t);
      assertTrue(t.max <= F32_ULPS, op + " f32 without FMA: " + t);
    }
  }

  @Test
  void fastMathKeepsTheApproximationsAccurate() {
    // Fast-math flags go on the calls, not into the helpers, whose error-free steps need IEEE rounding.
    String text = """
        HloModule m
        ENTRY e {
          x = f32[64] parameter(0)
          s = f32[64] sine(x)
          p = f32[64] power(x, s)
          ROOT r = f32[64] exponential(p)
        }
        """;
    double[] xs = new double[64];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) (0.05 + i * 0.37);
    }
    Module m = HloParser.parse(text);
    try (Executable e = CPU.compile(m, BackendOptions.defaults().withFastMath(true))) {
      double[] got = e.run(List.of(Literal.ofDoubles(Shape.array(ElementType.F32, 64), xs))).floatStorage();
      for (int i = 0; i < xs.length; i++) {
        double want = Math.exp(Math.pow(xs[i], (float) Math.sin(xs[i])));
        assertEquals(want, got[i], Math.abs(want) * 1e-5, "at " + xs[i]);
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void check(String op, double[] xs, double[] expected) {
    check(op, xs, null, expected);
  }

  private void check(String op, double[] xs, double[] ys, double[] expected) {
    for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
      double[] got = ys == null ? runCpu(op, t, xs) : runCpu(op, t, xs, ys);
      for (int i = 0; i < xs.length; i++) {
        double want = t == ElementType.F32 ? (float) expected[i] : expected[i];
        if (t == ElementType.F32 && Math.abs(want) > 0 && Math.abs(want) < Float.MIN_VALUE * 4) {
          continue; // an f64-only value
        }
        String at = op + " " + t + " at " + xs[i] + (ys == null ? "" : ", " + ys[i]);
        if (Double.isNaN(want)) {
          assertTrue(Double.isNaN(got[i]), at + ": expected NaN, got " + got[i]);
        } else if (want == 0 || Double.isInfinite(want) || Math.abs(want) == 1) {
          assertEquals(want, got[i], 0, at);
          assertEquals(Math.copySign(1, want), Math.copySign(1, got[i]), 0, at + ": sign");
        } else {
          assertEquals(want, got[i], Math.abs(want) * (t == ElementType.F32 ? 0x1p-23 : 1e-14), at);
        }
      }
    }
  }

  /** Runs {@code op} elementwise on the CPU backend. */
  static double[] runCpu(String op, ElementType t, double[]... args) {
    return runCpu(BackendOptions.defaults(), op, t, args);
  }

  static double[] runCpu(BackendOptions options, String op, ElementType t, double[]... args) {
    Module m = HloParser.parse(module(op, t, args[0].length, args.length));
    List<Literal> literals = new ArrayList<>();
    for (double[] a : args) {
      literals.add(Literal.ofDoubles(Shape.array(t, args[0].length), a));
    }
    try (Executable e = CPU.compile(m, options)) {
      return e.run(literals).floatStorage().clone();
    }
  }

  /** The interpreter's f64 values of {@code op} on the (exactly widened) arguments. */
  static double[] reference(String op, double[]... args) {
    Module m = HloParser.parse(module(op, ElementType.F64, args[0].length, args.length));
    List<Literal> literals = new ArrayList<>();
    for (double[] a : args) {
      literals.add(Literal.ofDoubles(Shape.array(ElementType.F64, a.length), a));
    }
    return Oracle.INTERPRETER.run(m, literals).floatStorage().clone();
  }

  private static String module(String op, ElementType t, int n, int arity) {
    String s = t + "[" + n + "]";
    StringBuilder sb = new StringBuilder("HloModule m\nENTRY e {\n");
    for (int i = 0; i < arity; i++) {
      sb.append("  p").append(i).append(" = ").append(s).append(" parameter(").append(i).append(")\n");
    }
    sb.append("  ROOT r = ").append(s).append(' ').append(op).append(arity == 1 ? "(p0)" : "(p0, p1)").append("\n}\n");
    return sb.toString();
  }

  /** The largest error: f32 in ulps of the exact value, f64 relative; and where it occurred. */
  static final class Errors {
    double max;
    String where = "nowhere";
    int count;

    void add(double error, String at) {
      count++;
      if (error > max || Double.isNaN(error)) {
        max = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
        where = at;
      }
    }

    @Override
    public String toString() {
      return "max error " + max + " at " + where + " (" + count + " values)";
    }
  }

  static Errors compare(ElementType t, double[] xs, double[] ys, double[] got, double[] want) {
    Errors e = new Errors();
    for (int i = 0; i < got.length; i++) {
      double g = got[i];
      double w = want[i];
      String at = "x=" + xs[i] + (ys == null ? "" : " y=" + ys[i]) + ": got " + g + ", expected " + w;
      e.add(error(t, g, w), at);
    }
    return e;
  }

  /** The error of {@code g} against the exact value {@code w} (given in double). */
  static double error(ElementType t, double g, double w) {
    if (Double.isNaN(w) || Double.isNaN(g)) {
      return Double.isNaN(w) && Double.isNaN(g) ? 0 : Double.POSITIVE_INFINITY;
    }
    if (t == ElementType.F32) {
      double rounded = (float) w; // infinity when w overflows float
      if (Double.isInfinite(rounded) || Double.isInfinite(g) || w == 0 || g == 0) {
        return g == rounded && Math.copySign(1, g) == Math.copySign(1, rounded) ? 0 : Double.POSITIVE_INFINITY;
      }
      return Math.abs(g - w) / Math.ulp((float) Math.max(Math.abs(w), Float.MIN_NORMAL));
    }
    if (Double.isInfinite(w) || Double.isInfinite(g) || w == 0 || g == 0) {
      return g == w && Math.copySign(1, g) == Math.copySign(1, w) ? 0 : Double.POSITIVE_INFINITY;
    }
    double diff = Math.abs(g - w);
    if (Math.abs(w) < Double.MIN_NORMAL && diff <= 2 * Double.MIN_VALUE) {
      return 0; // a subnormal result's last bit
    }
    return diff / Math.abs(w);
  }

  /** Every 4099th f32 bit pattern (all exponents, both signs, NaNs) plus special values. */
  static double[] f32Sweep() {
    List<Double> values = new ArrayList<>();
    for (long bits = 0; bits < (1L << 32); bits += 16411) {
      values.add((double) Float.intBitsToFloat((int) bits));
    }
    for (float v : new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1, -1, 0.5f, 88.72283f, 88.72284f,
        -103.97208f, -87.33655f, (float) Math.PI, (float) (Math.PI / 2), 1e-8f, -1e-8f, 9f, 22f}) {
      values.add((double) v);
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** 2^17 f64 values, strided over the bit patterns, plus special values. */
  static double[] f64Sweep() {
    List<Double> values = new ArrayList<>();
    Random random = new Random(1);
    long stride = Long.divideUnsigned(-1L, 1L << 17);
    for (long k = 0; k < (1L << 17); k++) {
      long bits = k * stride + (random.nextLong() >>> 24);
      values.add(Double.longBitsToDouble(bits));
    }
    for (double v : new double[] {0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1, -1, 0.5, 709.782712893384,
        709.7827128933841, -745.1332191019411, -745.1332191019412, -708.3964185322641, Math.PI, Math.PI / 2, 1e-300,
        1 + 0x1p-52, 1 - 0x1p-53, 22, 6, 1e-17}) {
      values.add(v);
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** 512 x 512 argument pairs: signs, magnitudes from tiny to huge, integers, specials. */
  static double[][] grid(ElementType t, String op) {
    double[] axis = new double[512];
    Random random = new Random(op.hashCode());
    double[] specials = {0, -0.0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NaN, 1e-40, -1e-40, 1e30, 1e-30};
    for (int i = 0; i < axis.length; i++) {
      double v;
      if (i < specials.length) {
        v = specials[i];
      } else if (i % 3 == 0) {
        v = random.nextInt(61) - 30; // integers: odd and even exponents of negative bases
      } else {
        int range = t == ElementType.F32 ? 140 : 1000;
        v = Math.scalb(1 + random.nextDouble(), random.nextInt(2 * range) - range) * (random.nextBoolean() ? 1 : -1);
        if (i % 3 == 1) {
          v = 1 + (v - Math.rint(v)) * 1e-3; // near 1, where pow's log must be accurate
        }
      }
      axis[i] = t == ElementType.F32 ? (float) v : v;
    }
    int n = axis.length * axis.length;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < axis.length; i++) {
      for (int j = 0; j < axis.length; j++) {
        xs[i * axis.length + j] = axis[i];
        ys[i * axis.length + j] = axis[(j * 31 + i) % axis.length] * (op.equals("power") && j % 2 == 0 ? 0.01 : 1);
      }
    }
    if (t == ElementType.F32) {
      for (int i = 0; i < n; i++) {
        ys[i] = (float) ys[i];
      }
    }
    return new double[][] {xs, ys};
  }
}
