package io.tessera.compiler.llvm;

/**
 * Straight-line double-precision IR for the math library ({@link VectorMath}): arithmetic, fused
 * multiply-add, selects, bit access and the error-free transformations the algorithms are written
 * in. Every operation maps to one vector instruction on AVX2 (or a short sequence): no calls, no
 * branches, and no conversion between {@code i64} and {@code double} (AVX2 has none for vectors;
 * {@link #toInt} and {@link #toDouble} use the 1.5 * 2^52 trick instead), so loops using these
 * functions vectorize.
 *
 * <p>Values are {@code double} or {@code i64}; the builder's fast-math flags are never used here
 * (helpers are emitted with a builder of their own), since the error-free steps depend on IEEE
 * rounding of each operation.
 */
final class MathIr {
  /** 1.5 * 2^52: adding it to |v| < 2^51 leaves round(v) in the low mantissa bits. */
  static final double MAGIC = 0x1.8p52;

  final IrBuilder b;
  private final boolean hardwareFma;

  MathIr(IrBuilder b) {
    this.b = b;
    this.hardwareFma = b.module().hasFusedMultiplyAdd();
  }

  static IrValue c(double v) {
    return IrValue.fpConst("double", v);
  }

  static IrValue i(long v) {
    return IrValue.i64(v);
  }

  // ---- double arithmetic ---------------------------------------------------------------------

  IrValue add(IrValue x, IrValue y) {
    return b.fbinop("fadd", x, y);
  }

  IrValue sub(IrValue x, IrValue y) {
    return b.fbinop("fsub", x, y);
  }

  IrValue mul(IrValue x, IrValue y) {
    return b.fbinop("fmul", x, y);
  }

  IrValue div(IrValue x, IrValue y) {
    return b.fbinop("fdiv", x, y);
  }

  IrValue neg(IrValue x) {
    return b.fneg(x);
  }

  /**
   * x * y + z, fused where the target has FMA ({@code llvm.fmuladd}), else multiplied and added:
   * for the steps whose accuracy does not depend on a single rounding. Exact products use
   * {@link #twoProd}.
   */
  IrValue fma(IrValue x, IrValue y, IrValue z) {
    return b.callExternal("double", "llvm.fmuladd.f64", x, y, z);
  }

  IrValue abs(IrValue x) {
    return b.callExternal("double", "llvm.fabs.f64", x);
  }

  /** |magnitude| with the sign bit of {@code sign}. */
  IrValue copySign(IrValue magnitude, IrValue sign) {
    return b.callExternal("double", "llvm.copysign.f64", magnitude, sign);
  }

  /**
   * Round to nearest, ties to even, for |x| <= 2^51 (every caller's range): adding and subtracting
   * 1.5 * 2^52 leaves the rounded value. Plain arithmetic, where {@code llvm.roundeven} would be a
   * libm call on x86-64 without SSE4.1.
   */
  IrValue rint(IrValue x) {
    return sub(add(x, c(MAGIC)), c(MAGIC));
  }

  /** The largest integer not above x, for |x| <= 2^51. */
  IrValue floor(IrValue x) {
    IrValue t = rint(x);
    return select(cmp("ogt", t, x), sub(t, c(1)), t);
  }

  /** Horner's scheme with FMA: c[0] + x c[1] + ... + x^n c[n]. */
  IrValue poly(IrValue x, double[] coefficients) {
    IrValue p = c(coefficients[coefficients.length - 1]);
    for (int k = coefficients.length - 2; k >= 0; k--) {
      p = fma(p, x, c(coefficients[k]));
    }
    return p;
  }

  // ---- comparisons and selects ---------------------------------------------------------------

  IrValue cmp(String predicate, IrValue x, IrValue y) {
    return b.fcmp(predicate, x, y);
  }

  IrValue isNan(IrValue x) {
    return b.fcmp("uno", x, x);
  }

  IrValue select(IrValue condition, IrValue ifTrue, IrValue ifFalse) {
    return b.select(condition, ifTrue, ifFalse);
  }

  IrValue and(IrValue p, IrValue q) {
    return b.and(p, q);
  }

  IrValue or(IrValue p, IrValue q) {
    return b.or(p, q);
  }

  IrValue not(IrValue p) {
    return b.xor(p, IrValue.bool(true));
  }

  /** x clamped to [lo, hi]; NaN stays NaN. */
  IrValue clamp(IrValue x, double lo, double hi) {
    IrValue above = select(cmp("ogt", x, c(hi)), c(hi), x);
    return select(cmp("olt", above, c(lo)), c(lo), above);
  }

  // ---- bits ----------------------------------------------------------------------------------

  IrValue bits(IrValue x) {
    return b.cast("bitcast", x, "i64");
  }

  IrValue fromBits(IrValue v) {
    return b.cast("bitcast", v, "double");
  }

  IrValue iadd(IrValue x, IrValue y) {
    return b.add(x, y);
  }

  IrValue isub(IrValue x, IrValue y) {
    return b.sub(x, y);
  }

  IrValue iand(IrValue x, IrValue y) {
    return b.and(x, y);
  }

  IrValue shl(IrValue x, long n) {
    return b.binop("shl", x, i(n));
  }

  IrValue lshr(IrValue x, long n) {
    return b.binop("lshr", x, i(n));
  }

  IrValue ashr(IrValue x, long n) {
    return b.binop("ashr", x, i(n));
  }

  /** The integer value of {@code v}, which must be integral with |v| < 2^51 (no fptosi: see the class comment). */
  IrValue toInt(IrValue v) {
    return isub(bits(add(v, c(MAGIC))), i(Double.doubleToRawLongBits(MAGIC)));
  }

  /** {@code n} (|n| < 2^51) as a double. */
  IrValue toDouble(IrValue n) {
    return sub(fromBits(iadd(n, i(Double.doubleToRawLongBits(MAGIC)))), c(MAGIC));
  }

  /** The unbiased exponent of a positive normal double. */
  IrValue exponent(IrValue x) {
    return isub(lshr(bits(x), 52), i(1023));
  }

  /** 2^n for an {@code i64} n in [-1022, 1023]. */
  IrValue pow2(IrValue n) {
    return fromBits(shl(iadd(n, i(1023)), 52));
  }

  /**
   * x * 2^n for n in [-2044, 2046], in two exact steps so that an underflowing result is rounded
   * once, and an overflowing one becomes infinity.
   */
  IrValue scale(IrValue x, IrValue n) {
    IrValue n1 = ashr(n, 1);
    IrValue n2 = isub(n, n1);
    return mul(mul(x, pow2(n1)), pow2(n2));
  }

  // ---- error-free transformations -------------------------------------------------------------

  /** A double-double: the unevaluated sum hi + lo. */
  record Dd(IrValue hi, IrValue lo) {}

  /** Knuth's TwoSum: s + e = x + y exactly, s = fl(x + y). */
  Dd twoSum(IrValue x, IrValue y) {
    IrValue s = add(x, y);
    IrValue yv = sub(s, x);
    IrValue xv = sub(s, yv);
    IrValue e = add(sub(x, xv), sub(y, yv));
    return new Dd(s, e);
  }

  /**
   * p + e = x * y exactly, p = fl(x * y): with the FMA instruction where the target has one, else
   * by Dekker's product of Veltkamp halves (exact unless |x| or |y| exceeds 2^995 or the halves'
   * products underflow).
   */
  Dd twoProd(IrValue x, IrValue y) {
    IrValue p = mul(x, y);
    if (hardwareFma) {
      return new Dd(p, b.callExternal("double", "llvm.fma.f64", x, y, neg(p)));
    }
    Dd xs = split(x);
    Dd ys = split(y);
    IrValue e = add(add(add(sub(mul(xs.hi(), ys.hi()), p), mul(xs.hi(), ys.lo())), mul(xs.lo(), ys.hi())),
        mul(xs.lo(), ys.lo()));
    return new Dd(p, e);
  }

  /** Veltkamp's split: x = hi + lo with 26 significant bits each. */
  private Dd split(IrValue x) {
    IrValue t = mul(c(134217729), x); // 2^27 + 1
    IrValue hi = sub(t, sub(t, x));
    return new Dd(hi, sub(x, hi));
  }

  /**
   * Whether y is an integer and whether it is odd, from its bits (any finite or infinite y; no
   * rounding instruction needed): the bits below the binary point are the low 52 - e bits of the
   * significand, e the unbiased exponent.
   */
  IrValue[] integerAndOdd(IrValue y) {
    IrValue bits = bits(y);
    IrValue e = isub(iand(lshr(bits, 52), i(0x7ff)), i(1023));
    IrValue significand = b.or(iand(bits, i(0x000fffffffffffffL)), i(1L << 52));
    IrValue inRange = and(b.icmp("sge", e, i(0)), b.icmp("sle", e, i(52)));
    IrValue shift = select(inRange, e, i(0)); // keeps the shifts below in range
    IrValue fractionZero = b.icmp("eq", b.binop("shl", significand, iadd(shift, i(12))), i(0));
    IrValue big = b.icmp("sgt", e, i(52));
    IrValue integer = or(or(big, cmp("oeq", y, c(0))), and(inRange, fractionZero));
    IrValue lowestIntegerBit = iand(b.binop("lshr", significand, isub(i(52), shift)), i(1));
    IrValue odd = and(and(integer, inRange), b.icmp("ne", lowestIntegerBit, i(0)));
    return new IrValue[] {integer, odd};
  }
}
