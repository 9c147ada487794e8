package io.tessera.compiler.llvm;

import static io.tessera.compiler.llvm.MathIr.c;
import static io.tessera.compiler.llvm.MathIr.i;

import io.tessera.compiler.hlo.Opcode;

/**
 * The transcendental elementwise functions as straight-line LLVM IR: range reduction, a polynomial
 * ({@link MathCoefficients}) and selects for the special values, with no calls and no branches, so
 * LLVM's loop vectorizer turns a loop that uses them into vector code (AVX2: {@code <4 x double>};
 * f32 loops load and store {@code <8 x float>}).
 *
 * <p>Each function is defined once per module as an always-inlined helper
 * ({@code @tessera.math.log.f32}) and computed in double precision: f32 (and f16/bf16, which
 * compute in f32) arguments are widened, evaluated with lower-degree polynomials (fit error below
 * 2^-34) and rounded once at the end, so the only error that reaches an f32 result beyond its
 * final rounding is a few 2^-30 relative. f64 uses polynomials fit to below 2^-60 and
 * error-free transformations where cancellation would cost bits. Except f32 exp, tanh and
 * logistic, the softmax and activation functions: those compute natively in f32
 * ({@link Float32Math}), so their loops run 8 lanes per AVX2 vector rather than 4.
 *
 * <p>Error bounds (what the tests in {@code VectorMathAccuracyTest} assert, against {@code
 * StrictMath} or a 40-digit reference, on dense sweeps incl. subnormals and special values):
 * f32: within 1 ulp of the correctly rounded result for every function. Measured, from the exact
 * value: at most 0.5005 ulp for the functions widened to double (the correctly rounded result or
 * a neighbour when the exact value lies within 0.0005 ulp of a tie); for the f32-native exp,
 * tanh and logistic at most 0.75, 0.72 and 0.75 ulp (the exp and logistic maxima are subnormal
 * results; the issue's contract allows 2 ulp), never more than 1 ulp from the correctly rounded
 * result on dense sweeps of 4 million values each; f64: within 1e-14 relative error (measured at most 4.6e-16, 2
 * to 4 ulps; the f64 reference is StrictMath, itself within 1 ulp), and exact where the result is
 * exact (exp(0), log(1), pow(x, 0), atan2 on the axes, ...). Special values follow C99 Annex F
 * (which XLA's CPU runtime inherits): e.g. exp(-inf) = 0, log(-0) = -inf, log(-1) = NaN,
 * pow(1, NaN) = pow(NaN, 0) = 1, atan2(±0, -0) = ±pi, tanh(±inf) = ±1; NaN in, NaN out otherwise.
 * Overflow and underflow happen where the exact result leaves the format (exp overflows above
 * ln(MAX_VALUE), results below MIN_NORMAL are correctly scaled subnormals).
 *
 * <p>Trigonometric functions ({@link TrigMath}) reduce arguments of any size exactly
 * (Payne-Hanek), so sin(1e300) is as accurate as sin(1).
 */
public final class VectorMath {
  private VectorMath() {}

  /** Which polynomial set a helper uses. */
  enum Precision {
    F32, F64;

    static Precision of(String valueType) {
      return switch (valueType) {
        case "float" -> F32;
        case "double" -> F64;
        default -> throw new IllegalArgumentException("no math on " + valueType);
      };
    }

    double[] pick(double[] f32, double[] f64) {
      return this == F32 ? f32 : f64;
    }
  }

  // ln 2 = LN2_HI + LN2_LO; LN2_HI has 42 significant bits, so k * LN2_HI is exact for |k| < 2^11.
  static final double LN2_HI = 0x1.62e42fefa38p-1;
  static final double LN2_LO = 0x1.ef35793c7673p-45;
  /** ln2 - LN2_HI - LN2_LO, for pow's double-double logarithm. */
  private static final double LN2_LO2 = 1.94704509238075e-31;
  static final double INV_LN2 = 1.4426950408889634;
  private static final long SQRT_HALF_BITS_OFFSET = 0x3ff0000000000000L - 0x3fe6a09e667f3bcdL;
  private static final long SQRT_HALF_BITS = 0x3fe6a09e667f3bcdL;
  private static final long MANTISSA_MASK = 0x000fffffffffffffL;

  /**
   * {@code op} on {@code x} (float or double) when it is one of the functions here, else
   * {@code null}.
   */
  public static IrValue unary(IrBuilder b, Opcode op, IrValue x) {
    IrValue single = Float32Math.unary(b, op, x); // f32 exp, tanh, logistic: natively in f32
    if (single != null) {
      return single;
    }
    return switch (op) {
      case EXPONENTIAL -> helper(b, "exp", (m, p, a) -> exp(m, p, a[0]), x);
      case EXPONENTIAL_MINUS_ONE -> helper(b, "expm1", (m, p, a) -> expm1(m, p, a[0]), x);
      case LOG -> helper(b, "log", (m, p, a) -> log(m, p, a[0]), x);
      case LOG_PLUS_ONE -> helper(b, "log1p", (m, p, a) -> log1p(m, p, a[0]), x);
      case TANH -> helper(b, "tanh", (m, p, a) -> tanh(m, p, a[0]), x);
      case LOGISTIC -> helper(b, "logistic", (m, p, a) -> logistic(m, p, a[0]), x);
      case CBRT -> helper(b, "cbrt", (m, p, a) -> cbrt(m, p, a[0]), x);
      case ERF -> helper(b, "erf", (m, p, a) -> erf(m, p, a[0]), x);
      case SINE -> helper(b, "sin", (m, p, a) -> TrigMath.sin(m, p, a[0]), x);
      case COSINE -> helper(b, "cos", (m, p, a) -> TrigMath.cos(m, p, a[0]), x);
      case TAN -> helper(b, "tan", (m, p, a) -> TrigMath.tan(m, p, a[0]), x);
      default -> null;
    };
  }

  /** {@code op} on {@code x, y} when it is {@code power} or {@code atan2}, else {@code null}. */
  public static IrValue binary(IrBuilder b, Opcode op, IrValue x, IrValue y) {
    return switch (op) {
      case POWER -> helper(b, "pow", (m, p, a) -> pow(m, a[0], a[1]), x, y);
      case ATAN2 -> helper(b, "atan2", (m, p, a) -> TrigMath.atan2(m, p, a[0], a[1]), x, y);
      default -> null;
    };
  }

  /** An algorithm over double arguments; the precision picks its polynomials. */
  private interface Algorithm {
    IrValue apply(MathIr m, Precision p, IrValue[] args);
  }

  /**
   * Calls {@code @tessera.math.NAME.f32|f64}, defining it in the module on first use: the
   * arguments widened to double, the algorithm, the result rounded back once.
   */
  private static IrValue helper(IrBuilder b, String name, Algorithm algorithm, IrValue... args) {
    String t = args[0].type();
    Precision p = Precision.of(t);
    String symbol = "tessera.math." + name + "." + IrTypes.floatSuffix(t);
    IrModule module = b.module();
    if (!module.hasHelper(symbol)) {
      IrBuilder hb = new IrBuilder(module);
      MathIr m = new MathIr(hb);
      IrValue[] wide = new IrValue[args.length];
      StringBuilder params = new StringBuilder();
      for (int k = 0; k < args.length; k++) {
        IrValue param = new IrValue(t, "%a" + k);
        params.append(k > 0 ? ", " : "").append(param.typed());
        wide[k] = p == Precision.F32 ? hb.cast("fpext", param, "double") : param;
      }
      IrValue result = algorithm.apply(m, p, wide);
      hb.ret(p == Precision.F32 ? hb.cast("fptrunc", result, "float") : result);
      module.defineHelper(symbol, hb.functionText("define internal " + t + " @" + symbol + "(" + params + ") "
          + IrModule.HELPER_ATTRIBUTES));
    }
    return b.call(t, "@" + symbol, args);
  }

  // ---- exponentials --------------------------------------------------------------------------

  /** The reduction of exp: x = n ln2 + r, |r| <= ln2/2 (+ rounding); x finite in [-746, 710]. */
  private record ExpReduction(IrValue n, IrValue r) {}

  private static ExpReduction reduceExp(MathIr m, IrValue x) {
    IrValue n = m.rint(m.mul(x, c(INV_LN2)));
    // x - n LN2_HI is exact (n LN2_HI is, and Sterbenz's lemma applies); the LN2_LO term is tiny.
    IrValue r = m.sub(m.sub(x, m.mul(n, c(LN2_HI))), m.mul(n, c(LN2_LO)));
    return new ExpReduction(n, r);
  }

  /**
   * The range exp's argument is clamped to: beyond it the result over- or underflows anyway. For
   * F32 it is narrower, so that 2^n stays a normal double and one multiplication applies it (the
   * f32 result is rounded once, when it is narrowed).
   */
  private static double expLow(Precision p) {
    return p == Precision.F32 ? -200 : -746;
  }

  private static double expHigh(Precision p) {
    return p == Precision.F32 ? 200 : 710;
  }

  /** 2^n r: one multiplication for F32 (|n| < 300), two exact steps for F64. */
  private static IrValue scaleBy2n(MathIr m, Precision p, IrValue r, IrValue n) {
    return p == Precision.F32 ? m.mul(r, m.pow2(n)) : m.scale(r, n);
  }

  /** e^x for finite x in [expLow, expHigh] (callers clamp; beyond, the result over/underflows anyway). */
  static IrValue expCore(MathIr m, Precision p, IrValue x) {
    ExpReduction red = reduceExp(m, x);
    IrValue r = red.r();
    IrValue poly = m.poly(r, p.pick(MathCoefficients.EXP_F32, MathCoefficients.EXP_F64));
    IrValue er = m.add(c(1), m.fma(m.mul(r, r), poly, r)); // 1 + (r + r^2 P): the 1 stays exact
    return scaleBy2n(m, p, er, m.toInt(red.n()));
  }

  /**
   * exp: x = n ln2 + r, e^x = 2^n (1 + r + r^2 P(r)); 2^n is applied in two steps so that
   * subnormal results round once. The error is the polynomial's 2^-60 plus the roundings of r's
   * second term and of the final sum. Measured: f64 1.9e-16 relative (f32 computes in
   * {@link Float32Math}: 0.75 ulp).
   */
  static IrValue exp(MathIr m, Precision p, IrValue x) {
    IrValue clamped = m.clamp(m.select(m.isNan(x), c(0), x), expLow(p), expHigh(p));
    return m.select(m.isNan(x), x, expCore(m, p, clamped));
  }

  /** expm1 for finite x in [expLow, expHigh]. */
  static IrValue expm1Core(MathIr m, Precision p, IrValue x) {
    ExpReduction red = reduceExp(m, x);
    IrValue r = red.r();
    IrValue n = m.toInt(red.n());
    IrValue poly = m.poly(r, p.pick(MathCoefficients.EXP_F32, MathCoefficients.EXP_F64));
    IrValue em = m.fma(m.mul(r, r), poly, r); // e^r - 1, relatively accurate near 0
    // e^x - 1 = 2^n em + (2^n - 1): 2^n - 1 is exact for n in [-52, 53], and the fma rounds once.
    IrValue twoN = scaleBy2n(m, p, c(1), n);
    IrValue near = m.fma(twoN, em, m.sub(twoN, c(1)));
    if (p == Precision.F32) {
      return near; // |n| < 300: no overflow in double, and 2^n - 1 rounding costs 2^-53 at most
    }
    // Beyond, the -1 is below half an ulp of 2^n (em + 1) or the result is -1; this form cannot overflow early.
    IrValue far = m.sub(m.scale(m.add(em, c(1)), n), c(1));
    return m.select(m.b.icmp("sgt", n, i(53)), far, near);
  }

  /**
   * expm1: e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 = r + r^2 P(r). Near n = -1 the sum
   * cancels by at most a factor 2. Measured: f64 2.6e-16 relative, f32 0.50 ulp.
   */
  static IrValue expm1(MathIr m, Precision p, IrValue x) {
    IrValue clamped = m.clamp(m.select(m.isNan(x), c(0), x), expLow(p), expHigh(p));
    IrValue r = expm1Core(m, p, clamped);
    return m.select(m.or(m.isNan(x), m.cmp("oeq", x, c(0))), x, r); // NaN, and -0 stays -0
  }

  /**
   * tanh: t = expm1(2|x|) / (expm1(2|x|) + 2), with the sign of x; |x| >= 22 gives ±1 (1 -
   * tanh(22) is below 2^-63). Measured: f64 4.6e-16 relative (f32: {@link Float32Math}, 0.72
   * ulp).
   */
  static IrValue tanh(MathIr m, Precision p, IrValue x) {
    IrValue a = m.select(m.isNan(x), c(0), m.abs(x));
    IrValue em = expm1Core(m, p, m.mul(c(2), m.select(m.cmp("ogt", a, c(22)), c(22), a)));
    IrValue t = m.div(em, m.add(em, c(2)));
    return m.select(m.isNan(x), x, m.copySign(t, x));
  }

  /**
   * logistic: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below, from one e = exp(-|x|): neither
   * form overflows or cancels. Measured: f64 2.2e-16 relative (f32: {@link Float32Math}, 0.75
   * ulp).
   */
  static IrValue logistic(MathIr m, Precision p, IrValue x) {
    IrValue a = m.clamp(m.select(m.isNan(x), c(0), m.abs(x)), 0, -expLow(p));
    IrValue e = expCore(m, p, m.neg(a));
    IrValue numerator = m.select(m.cmp("oge", x, c(0)), c(1), e); // one division for both forms
    IrValue r = m.div(numerator, m.add(c(1), e));
    return m.select(m.isNan(x), x, r);
  }

  // ---- logarithms ----------------------------------------------------------------------------

  /** x = 2^k m with m in [sqrt(1/2), sqrt(2)): k (as double) and f = m - 1 (exact). */
  private record LogReduction(IrValue k, IrValue f) {}

  /** For x positive and finite (subnormals too). */
  private static LogReduction reduceLog(MathIr m, IrValue x) {
    IrValue subnormal = m.cmp("olt", x, c(Double.MIN_NORMAL));
    IrValue xn = m.select(subnormal, m.mul(x, c(0x1p54)), x);
    IrValue adjust = m.select(subnormal, i(54), i(0));
    // Offsetting the bits moves the exponent boundary from 1 to sqrt(1/2).
    IrValue hx = m.iadd(m.bits(xn), i(SQRT_HALF_BITS_OFFSET));
    IrValue k = m.isub(m.isub(m.lshr(hx, 52), i(1023)), adjust);
    IrValue mant = m.fromBits(m.iadd(m.iand(hx, i(MANTISSA_MASK)), i(SQRT_HALF_BITS)));
    return new LogReduction(m.toDouble(k), m.sub(mant, c(1)));
  }

  /**
   * log(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1]: with s = f / (2 + f), log(1 + f) =
   * 2 atanh(s) = 2s + s R and 2s = f - s f, so log(1 + f) = f - s (f - R), R = z P(z), z = s^2.
   * The leading f is exact; the correction is at most a tenth of it.
   */
  private static IrValue log1pCore(MathIr m, Precision p, IrValue f) {
    IrValue s = m.div(f, m.add(c(2), f));
    IrValue z = m.mul(s, s);
    IrValue r = m.mul(z, m.poly(z, p.pick(MathCoefficients.LOG_F32, MathCoefficients.LOG_F64)));
    return m.sub(f, m.mul(s, m.sub(f, r)));
  }

  /** k LN2_HI + (log1p(f) + (k LN2_LO + extra)): k LN2_HI is exact. */
  private static IrValue logCombine(MathIr m, Precision p, LogReduction red, IrValue extra) {
    IrValue low = m.fma(red.k(), c(LN2_LO), extra);
    return m.add(m.mul(red.k(), c(LN2_HI)), m.add(log1pCore(m, p, red.f()), low));
  }

  /**
   * log: x = 2^k (1 + f), log x = k ln2 + log1p(f). Measured: f64 2.2e-16 relative, f32
   * 0.50 ulp.
   * log(±0) = -inf, log(x < 0) = NaN, log(inf) = inf.
   */
  static IrValue log(MathIr m, Precision p, IrValue x) {
    IrValue finitePositive = m.and(m.cmp("ogt", x, c(0)), m.cmp("olt", x, c(Double.POSITIVE_INFINITY)));
    IrValue xs = m.select(finitePositive, x, c(1));
    IrValue r = logCombine(m, p, reduceLog(m, xs), c(0));
    r = m.select(m.cmp("oeq", x, c(Double.POSITIVE_INFINITY)), x, r);
    r = m.select(m.cmp("oeq", x, c(0)), c(Double.NEGATIVE_INFINITY), r);
    return m.select(m.cmp("ult", x, c(0)), c(Double.NaN), r); // x < 0 or NaN
  }

  /**
   * log1p: u = 1 + x rounded, log1p(x) = log(u) + (x - (u - 1)) / u (u - 1 is exact; the
   * correction carries what the rounding of u lost). Measured: f64 2.2e-16 relative, f32 0.50
   * ulp.
   */
  static IrValue log1p(MathIr m, Precision p, IrValue x) {
    IrValue inRange = m.and(m.cmp("ogt", x, c(-1)), m.cmp("olt", x, c(Double.POSITIVE_INFINITY)));
    IrValue xs = m.select(inRange, x, c(0));
    IrValue u = m.add(c(1), xs);
    IrValue correction = m.div(m.sub(xs, m.sub(u, c(1))), u);
    IrValue r = logCombine(m, p, reduceLog(m, u), correction);
    r = m.select(m.or(m.cmp("oeq", x, c(Double.POSITIVE_INFINITY)), m.cmp("oeq", x, c(0))), x, r); // inf, ±0
    r = m.select(m.cmp("oeq", x, c(-1)), c(Double.NEGATIVE_INFINITY), r);
    return m.select(m.cmp("ult", x, c(-1)), c(Double.NaN), r); // x < -1 or NaN
  }

  /**
   * log(x) as a double-double for positive finite x, to about 2^-60 relative: s = (m-1)/(m+1)
   * in double-double (the division's remainder by FMA), log m = 2s + s z P(z) with the leading
   * 2s kept exact, plus k ln2 with a third ln2 term.
   */
  private static MathIr.Dd logDd(MathIr m, IrValue x) {
    LogReduction red = reduceLog(m, x);
    IrValue f = red.f(); // m - 1, exact
    MathIr.Dd den = m.twoSum(c(2), f); // m + 1 = 2 + f
    IrValue sh = m.div(f, den.hi());
    // f - sh (den.hi + den.lo) = remainder: f - sh den.hi exactly (sh den.hi is close to f), then
    // the tiny den.lo term.
    MathIr.Dd q = m.twoProd(sh, den.hi());
    IrValue remainder = m.sub(m.sub(m.sub(f, q.hi()), q.lo()), m.mul(sh, den.lo()));
    IrValue sl = m.div(remainder, den.hi());
    IrValue z = m.mul(sh, sh);
    IrValue tail = m.mul(m.mul(sh, z), m.poly(z, MathCoefficients.LOG_F64));
    // 2 atanh(s) = 2 sh + (2 sl + tail); k ln2 = k LN2_HI (exact) + k LN2_LO + k LN2_LO2.
    MathIr.Dd head = m.twoSum(m.mul(red.k(), c(LN2_HI)), m.mul(c(2), sh));
    IrValue low = m.add(m.add(m.mul(c(2), sl), tail), m.fma(red.k(), c(LN2_LO), m.mul(red.k(), c(LN2_LO2))));
    MathIr.Dd sum = m.twoSum(head.hi(), m.add(head.lo(), low));
    return sum;
  }

  /**
   * pow (C99 semantics, as XLA's CPU runtime): |x|^y = exp(y log|x|) with log|x| and the product
   * in double-double, so the result keeps about 2^-58 |y log x| + 2 ulp relative error (below
   * 2e-15 for every finite result; measured: f64 2.2e-16 relative, f32 0.50 ulp); the sign for
   * negative x and odd integer y; NaN for negative x and non-integer y; pow(x, ±0) = pow(1, y) = 1
   * (NaN too), pow(-1, ±inf) = 1; zeros and infinities of x or y give 0, 1 or inf by the sign of
   * y log|x|, with -0/-inf keeping the sign for odd y.
   */
  static IrValue pow(MathIr m, IrValue x, IrValue y) {
    IrValue ax = m.abs(x);
    IrValue ay = m.abs(y);
    IrValue inf = c(Double.POSITIVE_INFINITY);
    IrValue xFinite = m.and(m.cmp("ogt", ax, c(0)), m.cmp("olt", ax, inf));
    IrValue yFinite = m.cmp("olt", ay, inf);
    IrValue xs = m.select(xFinite, ax, c(1));
    IrValue ys = m.select(yFinite, y, c(0));
    MathIr.Dd l = logDd(m, xs);
    MathIr.Dd prod = m.twoProd(ys, l.hi());
    IrValue yhi = m.clamp(prod.hi(), -746, 710);
    // Once clamped (the result over/underflows), the low word is meaningless and dropped.
    IrValue ylo = m.select(m.cmp("oeq", yhi, prod.hi()), m.fma(ys, l.lo(), prod.lo()), c(0));
    // exp(yhi + ylo): the reduction of exp with the low word added to r.
    IrValue n = m.rint(m.mul(yhi, c(INV_LN2)));
    IrValue r = m.add(m.sub(m.sub(yhi, m.mul(n, c(LN2_HI))), m.mul(n, c(LN2_LO))), ylo);
    IrValue poly = m.poly(r, MathCoefficients.EXP_F64);
    IrValue magnitude = m.scale(m.add(c(1), m.fma(m.mul(r, r), poly, r)), m.toInt(n));

    // Zeros and infinities: 0, 1 or inf by the sign of y log|x|.
    IrValue yPos = m.cmp("ogt", y, c(0));
    IrValue yNeg = m.cmp("olt", y, c(0));
    IrValue xBig = m.cmp("ogt", ax, c(1));
    IrValue xSmall = m.cmp("olt", ax, c(1));
    IrValue grows = m.or(m.and(yPos, xBig), m.and(yNeg, xSmall));
    IrValue shrinks = m.or(m.and(yPos, xSmall), m.and(yNeg, xBig));
    IrValue limit = m.select(grows, inf, m.select(shrinks, c(0), c(1)));
    IrValue special = m.or(m.not(xFinite), m.not(yFinite));
    IrValue result = m.select(special, limit, magnitude);

    IrValue[] integerAndOdd = m.integerAndOdd(y);
    IrValue yInteger = integerAndOdd[0];
    IrValue yOdd = integerAndOdd[1];
    IrValue xNegative = m.b.icmp("slt", m.bits(x), i(0)); // the sign bit: -0 and -inf count
    result = m.select(m.and(xNegative, yOdd), m.neg(result), result);
    IrValue negativeFinite = m.and(m.cmp("olt", x, c(0)), xFinite);
    result = m.select(m.and(m.and(negativeFinite, yFinite), m.not(yInteger)), c(Double.NaN), result);
    result = m.select(m.or(m.isNan(x), m.isNan(y)), c(Double.NaN), result);
    IrValue one = m.or(m.cmp("oeq", y, c(0)), m.cmp("oeq", x, c(1)));
    return m.select(one, c(1), result);
  }

  // ---- cbrt, erf -----------------------------------------------------------------------------

  /**
   * cbrt: |x| = 2^(3q + j) m with m in [1, 2), a first guess of cbrt(2^j m) from a cubic, then two
   * Halley steps y <- y (y^3 + 2a) / (2 y^3 + a), which triple the correct bits (1e-4 -> 1e-36).
   * Measured: f64 4.4e-16 relative, f32 0.50 ulp; cbrt(±0) = ±0, cbrt(±inf) = ±inf.
   */
  static IrValue cbrt(MathIr m, Precision p, IrValue x) {
    IrValue ax = m.abs(x);
    IrValue regular = m.and(m.cmp("ogt", ax, c(0)), m.cmp("olt", ax, c(Double.POSITIVE_INFINITY)));
    IrValue as = m.select(regular, ax, c(1));
    IrValue subnormal = m.cmp("olt", as, c(Double.MIN_NORMAL));
    IrValue an = m.select(subnormal, m.mul(as, c(0x1p54)), as); // cbrt(2^54) = 2^18
    IrValue e = m.toDouble(m.exponent(an));
    IrValue mant = m.fromBits(m.iadd(m.iand(m.bits(an), i(MANTISSA_MASK)), i(0x3ff0000000000000L)));
    IrValue q = m.floor(m.div(e, c(3))); // exact: e is a small integer and e/3 rounds far from the next integer
    IrValue j = m.sub(e, m.mul(c(3), q));
    IrValue isOne = m.cmp("oeq", j, c(1));
    IrValue isTwo = m.cmp("oeq", j, c(2));
    IrValue a = m.mul(mant, m.select(isOne, c(2), m.select(isTwo, c(4), c(1)))); // in [1, 8), exact
    IrValue y = m.mul(m.poly(mant, MathCoefficients.CBRT_F64),
        m.select(isOne, c(Math.cbrt(2)), m.select(isTwo, c(Math.cbrt(4)), c(1))));
    for (int step = 0; step < 2; step++) {
      IrValue y3 = m.mul(m.mul(y, y), y);
      y = m.mul(y, m.div(m.fma(c(2), a, y3), m.fma(c(2), y3, a)));
    }
    IrValue scaled = m.scale(y, m.toInt(m.sub(q, m.select(subnormal, c(18), c(0)))));
    return m.select(regular, m.copySign(scaled, x), x);
  }

  /**
   * erf: x ERF(x^2) below 1; 1 - erfc(x) on [1, 6) with erfc(x) = e^-(x^2) erfcx(x), erfcx a
   * polynomial on four pieces (coefficients selected per lane) and e^-(x^2) from the exact square
   * x^2 = h + l as e^-h (1 - l); ±1 from 6 on (erfc(6) < 2^-54). Measured: f64 3.4e-16 relative, f32
   * 0.50 ulp.
   */
  static IrValue erf(MathIr m, Precision p, IrValue x) {
    IrValue a = m.clamp(m.select(m.isNan(x), c(0), m.abs(x)), 0, 6);
    IrValue small = m.mul(a, m.poly(m.mul(a, a), p.pick(MathCoefficients.ERF_F32, MathCoefficients.ERF_F64)));

    double[][] pieces = p == Precision.F32
        ? new double[][] {MathCoefficients.ERFCX0_F32, MathCoefficients.ERFCX1_F32, MathCoefficients.ERFCX2_F32,
            MathCoefficients.ERFCX3_F32}
        : new double[][] {MathCoefficients.ERFCX0_F64, MathCoefficients.ERFCX1_F64, MathCoefficients.ERFCX2_F64,
            MathCoefficients.ERFCX3_F64};
    IrValue[] in = new IrValue[pieces.length];
    for (int k = 1; k < pieces.length; k++) {
      in[k] = m.cmp("oge", a, c(MathCoefficients.ERFC_PIECES[k][0]));
    }
    IrValue centre = c(centre(0));
    for (int k = 1; k < pieces.length; k++) {
      centre = m.select(in[k], c(centre(k)), centre);
    }
    IrValue d = m.sub(a, centre);
    int degree = 0;
    for (double[] piece : pieces) {
      degree = Math.max(degree, piece.length - 1);
    }
    IrValue erfcx = null;
    for (int power = degree; power >= 0; power--) {
      IrValue coefficient = c(coefficient(pieces[0], power));
      for (int k = 1; k < pieces.length; k++) {
        coefficient = m.select(in[k], c(coefficient(pieces[k], power)), coefficient);
      }
      erfcx = erfcx == null ? coefficient : m.fma(erfcx, d, coefficient);
    }
    MathIr.Dd square = m.twoProd(a, a);
    IrValue expMinusSquare = m.mul(expCore(m, p, m.neg(square.hi())), m.sub(c(1), square.lo()));
    IrValue large = m.sub(c(1), m.mul(expMinusSquare, erfcx));

    IrValue r = m.select(m.cmp("olt", a, c(1)), small, large);
    r = m.select(m.cmp("oge", a, c(6)), c(1), r);
    return m.select(m.isNan(x), x, m.copySign(r, x));
  }

  private static double centre(int piece) {
    return (MathCoefficients.ERFC_PIECES[piece][0] + MathCoefficients.ERFC_PIECES[piece][1]) / 2;
  }

  private static double coefficient(double[] poly, int power) {
    return power < poly.length ? poly[power] : 0;
  }
}
