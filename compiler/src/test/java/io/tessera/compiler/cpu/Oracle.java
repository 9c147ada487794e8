package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Differential testing support for the CPU backend's tests: runs a module on the reference
 * interpreter and on the CPU backend, compares the results, and makes test values (special values
 * of each element type, then seeded random ones). Lives with the CPU tests; the GPU backend's
 * tests compare with the same tolerances, so the pieces they use are public.
 */
public final class Oracle {
  private Oracle() {}

  static final CpuBackend CPU = new CpuBackend();
  public static final Interpreter INTERPRETER = new Interpreter();

  /** How closely CPU results must match: bitwise, or within some units in the last place. */
  public record Tolerance(int ulps, double relative, double absolute) {
    public static final Tolerance EXACT = new Tolerance(0, 0, 0);

    public static Tolerance ulps(int n) {
      return new Tolerance(n, 0, 0);
    }

    /**
     * Relative and absolute error bounds, for reductions and dots: XLA leaves the summation order
     * open and the CPU's differs from the interpreter's (which also sums in double).
     */
    public static Tolerance sums(double relative, double absolute) {
      return new Tolerance(0, relative, absolute);
    }
  }

  private static final Set<Opcode> TRANSCENDENTAL = EnumSet.of(Opcode.EXPONENTIAL, Opcode.EXPONENTIAL_MINUS_ONE,
      Opcode.LOG, Opcode.LOG_PLUS_ONE, Opcode.RSQRT, Opcode.CBRT, Opcode.TANH, Opcode.LOGISTIC, Opcode.ERF, Opcode.SINE,
      Opcode.COSINE, Opcode.TAN, Opcode.POWER, Opcode.ATAN2);

  /**
   * How closely one elementwise opcode on {@code t} must match: bitwise, except transcendental
   * functions, which the interpreter computes in double (StrictMath) and rounds once while the
   * backends use their own approximations (f16/bf16 through float).
   */
  public static Tolerance elementwiseTolerance(Opcode op, ElementType t) {
    if (!t.isFloat() || !TRANSCENDENTAL.contains(op)) {
      return Tolerance.EXACT;
    }
    if (t == ElementType.F16 || t == ElementType.BF16) {
      return Tolerance.ulps(1);
    }
    return Tolerance.ulps(op == Opcode.ERF && t == ElementType.F64 ? 16 : 4);
  }

  /** Runs {@code module} on the CPU backend. */
  static Literal runCpu(Module module, List<Literal> args) {
    try (Executable e = CPU.compile(module)) {
      return e.run(args);
    }
  }

  /**
   * Asserts that {@code actual} equals {@code expected} within {@code tolerance}: integers and
   * pred exactly, floats bitwise or within the tolerance, any NaN matching any NaN.
   */
  public static void assertClose(Literal expected, Literal actual, Tolerance tolerance, String context) {
    if (expected.isTuple()) {
      if (!actual.isTuple() || actual.tupleElements().size() != expected.tupleElements().size()) {
        fail(context + ": expected a tuple " + expected.shape() + ", got " + actual.shape());
      }
      for (int i = 0; i < expected.tupleElements().size(); i++) {
        assertClose(expected.tupleElement(i), actual.tupleElement(i), tolerance, context + " (element " + i + ")");
      }
      return;
    }
    if (!expected.shape().equalsIgnoringLayout(actual.shape())) {
      fail(context + ": expected shape " + expected.shape() + ", got " + actual.shape());
    }
    ElementType t = expected.elementType();
    for (int i = 0; i < expected.elementCount(); i++) {
      if (!t.isFloat()) {
        if (expected.getLong(i) != actual.getLong(i)) {
          fail(context + ": element " + i + " expected " + expected.getLong(i) + ", got " + actual.getLong(i)
              + "\nexpected " + expected + "\nactual   " + actual);
        }
        continue;
      }
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (!closeEnough(t, e, a, tolerance)) {
        fail(context + ": element " + i + " expected " + e + ", got " + a + " (" + t + ", tolerance " + tolerance + ")"
            + "\nexpected " + expected + "\nactual   " + actual);
      }
    }
  }

  static boolean closeEnough(ElementType t, double e, double a, Tolerance tolerance) {
    if (Double.isNaN(e) || Double.isNaN(a)) {
      return Double.isNaN(e) && Double.isNaN(a);
    }
    if (Double.doubleToLongBits(e) == Double.doubleToLongBits(a)) {
      return true;
    }
    if (Double.isInfinite(e) || Double.isInfinite(a)) {
      // Overflow at the edge of the range: allowed when the finite one is within tolerance of max.
      double finite = Double.isInfinite(e) ? a : e;
      return (tolerance.ulps() > 0 || tolerance.relative() > 0 || tolerance.absolute() > 0)
          && Math.abs(finite) >= maxFinite(t) * (1 - Math.max(tolerance.relative(), 0x1p-6))
          && Math.signum(e) == Math.signum(a);
    }
    double diff = Math.abs(e - a);
    if (diff <= tolerance.absolute()) {
      return true;
    }
    if (tolerance.relative() > 0 && diff <= tolerance.relative() * Math.max(Math.abs(e), Math.abs(a))) {
      return true;
    }
    return diff <= tolerance.ulps() * ulp(t, Math.max(Math.abs(e), Math.abs(a)));
  }

  /** One unit in the last place of {@code type} at magnitude {@code v} (subnormals included). */
  static double ulp(ElementType type, double v) {
    int mantissa = switch (type) {
      case F16 -> 10;
      case BF16 -> 7;
      case F32 -> 23;
      default -> 52;
    };
    int minExponent = switch (type) {
      case F16 -> -14;
      case BF16, F32 -> -126;
      default -> -1022;
    };
    int e = v == 0 ? minExponent : Math.max(Math.getExponent(v), minExponent);
    return Math.scalb(1.0, e - mantissa);
  }

  static double maxFinite(ElementType type) {
    return switch (type) {
      case F16 -> 65504;
      case BF16 -> 3.3895313892515355e38;
      case F32 -> Float.MAX_VALUE;
      default -> Double.MAX_VALUE;
    };
  }

  /**
   * Arguments for {@code module}'s parameters, uniform in [-1, 1] (so that sums and products err by
   * rounding only), with {@code rows} rows where a parameter has a dynamic leading dimension.
   */
  static List<Literal> uniformArguments(Module module, int rows, Random random) {
    List<Literal> args = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      int[] dims = p.shape().dimensions();
      if (dims.length > 0 && dims[0] == Shape.DYNAMIC) {
        dims[0] = rows;
      }
      double[] values = new double[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
      for (int j = 0; j < values.length; j++) {
        values[j] = random.nextDouble() * 2 - 1;
      }
      args.add(Literal.ofDoubles(Shape.array(p.shape().elementType(), dims), values));
    }
    return args;
  }

  /** {@code n} test values of {@code type}: special values first, then seeded random ones. */
  public static Literal values(ElementType type, int[] dims, Random random) {
    Shape shape = Shape.array(type, dims);
    int n = Math.toIntExact(shape.elementCount());
    Literal lit = Literal.zeros(shape);
    if (type.isFloat()) {
      double[] specials = {0, -0.0, 1, -1, 0.5, -0.5, 1.5, -2.5, 2.5, 3, -7, 10, 100, -1000, 1e-3, Double.NaN,
          Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, maxFinite(type), -maxFinite(type), ulp(type, 0),
          Math.scalb(1.0, type == ElementType.F16 ? -14 : -126), 0.1, -0.3, 65504, 1e5};
      for (int i = 0; i < n; i++) {
        double v;
        if (i < specials.length && random.nextInt(4) != 0) {
          v = specials[i];
        } else {
          v = switch (random.nextInt(3)) {
            case 0 -> random.nextDouble() * 8 - 4;
            case 1 -> (random.nextBoolean() ? 1 : -1) * Math.scalb(1 + random.nextDouble(), random.nextInt(40) - 20);
            default -> random.nextInt(21) - 10 + (random.nextBoolean() ? 0.5 : 0);
          };
        }
        lit.setDouble(i, v);
      }
    } else {
      int w = type.bitWidth();
      long[] specials = {0, 1, -1, 2, -2, 7, w - 1, w, w + 1, Long.MIN_VALUE >> (64 - w), (1L << (w - 1)) - 1, 3, -3};
      for (int i = 0; i < n; i++) {
        long v;
        if (type == ElementType.PRED) {
          v = random.nextBoolean() ? 1 : 0;
        } else if (i < specials.length && random.nextInt(4) != 0) {
          v = specials[i];
        } else {
          v = random.nextBoolean() ? random.nextInt(81) - 40 : random.nextLong();
        }
        lit.setLong(i, v);
      }
    }
    return lit;
  }
}
