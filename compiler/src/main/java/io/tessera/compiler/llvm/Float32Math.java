package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.Opcode;

/**
 * The f32 exponential family computed natively in single precision, so that a loop using it
 * vectorizes to {@code <8 x float>} on AVX2 (twice the lanes of {@link VectorMath}'s widened
 * double path): {@code exp}, {@code tanh} and {@code logistic}. The other f32 functions
 * (expm1, log, the trigonometric ones, ...) are still widened to double by {@link VectorMath}.
 *
 * <p>exp: x = n ln2 + r with ln2 in two parts (the first of 15 bits, so that x - n LN2_HI is
 * exact), e^r = 1 + r + r^2 P(r) with a degree-5 polynomial whose f32 coefficients keep the fit
 * error below 5e-9. The roundings of r and of 1 + r are carried in a low term, so e^r comes out as
 * a pair hi + lo with hi rounded essentially once; 2^n is applied in two exact steps, so a
 * subnormal result is rounded once more and overflow gives infinity. tanh: x + x^3 T(x^2) below
 * 0.625, 1 - 2 / (e^(2|x|) + 1) above. logistic: 1 / (1 + e^-|x|) or e^-|x| / (1 + e^-|x|) from
 * one exponential. Both quotients are corrected once with the division's exact remainder (FMA)
 * and the low terms, which keeps the results within 1 ulp of the correctly rounded one (without
 * that step logistic reached 2 ulp).
 *
 * <p>Measured on dense sweeps ({@code VectorMathAccuracyTest.f32NativeDenseSweeps}: every 509th
 * bit pattern where the result is not constant plus every value near the thresholds, about 4.4
 * million per function), from the exact value: exp 0.75 ulp, tanh 0.72, logistic 0.75 (the
 * maxima of exp and logistic are subnormal results, rounded twice; on the sparser sweep of every
 * 16411th bit pattern normal results stay within 0.55 ulp), at most 1 ulp from the correctly rounded result. Without FMA (generic x86-64) the
 * remainders are not exact: measured 0.59, 0.72 and 0.99 ulp on the sparser sweep. Special values:
 * exp(-inf) = 0, exp(inf) = inf, exp(±0) = 1, tanh(±0) = ±0, tanh(±inf) = ±1, logistic(-inf) = 0,
 * logistic(inf) = 1; NaN in, NaN out.
 */
final class Float32Math {
  private Float32Math() {}

  private static final double INV_LN2 = 1.4426950408889634;
  /** ln2 rounded to 15 significant bits: n LN2_HI is exact for |n| < 2^9. */
  private static final double LN2_HI = 22713.0 / 32768.0;
  private static final double LN2_LO = Math.log(2) - LN2_HI;
  /** 1.5 * 2^23: adding it to |v| < 2^22 leaves round(v) in the low mantissa bits. */
  private static final double MAGIC = 0x1.8p23;
  /** exp's argument range: below, the result rounds to 0; above, it overflows. */
  private static final double EXP_LOW = -104;
  private static final double EXP_HIGH = 89;
  /** Below this |x|, tanh uses its odd polynomial. */
  private static final double TANH_SMALL = 0.625;

  /** e^r = 1 + r + r^2 EXP(r), |r| <= ln2/2; degree 5, f32 coefficients (fit error 4.5e-9). */
  static final double[] EXP = {0.5, 0.1666666716337204, 0.041666463017463684, 0.00833331048488617,
      0.001393367419950664, 0.00019891017291229218};
  /** tanh(x) = x + x^3 TANH(x^2), |x| <= 0.625; degree 6 in x^2, f32 coefficients (fit error 1e-8). */
  static final double[] TANH = {-0.3333333432674408, 0.13333332538604736, -0.053967639803886414, 0.021859895437955856,
      -0.008791004307568073, 0.003306247526779771, -0.0008622168097645044};

  /** {@code op} on float {@code x} when it is computed here, else {@code null}. */
  static IrValue unary(IrBuilder b, Opcode op, IrValue x) {
    if (!x.type().equals("float")) {
      return null;
    }
    return switch (op) {
      case EXPONENTIAL -> helper(b, "exp", Float32Math::exp, x);
      case TANH -> helper(b, "tanh", Float32Math::tanh, x);
      case LOGISTIC -> helper(b, "logistic", Float32Math::logistic, x);
      default -> null;
    };
  }

  private interface Algorithm {
    IrValue apply(F m, IrValue x);
  }

  private static IrValue helper(IrBuilder b, String name, Algorithm algorithm, IrValue x) {
    String symbol = "tessera.math." + name + ".f32";
    IrModule module = b.module();
    if (!module.hasHelper(symbol)) {
      IrBuilder hb = new IrBuilder(module);
      IrValue param = new IrValue("float", "%a0");
      hb.ret(algorithm.apply(new F(hb), param));
      module.defineHelper(symbol, hb.functionText("define internal float @" + symbol + "(" + param.typed() + ") "
          + IrModule.HELPER_ATTRIBUTES));
    }
    return b.call("float", "@" + symbol, x);
  }

  /** An unevaluated sum hi + lo (|lo| at most about an ulp of hi). */
  private record Pair(IrValue hi, IrValue lo) {}

  /**
   * e^x for x in [EXP_LOW, EXP_HIGH] as hi + lo: hi is e^x rounded (within a little more than half
   * an ulp), lo what is left to about 2^-30 relative. The roundings of r and of 1 + r are carried in
   * the low term, so hi is rounded once, at the final addition.
   */
  private static Pair expCore(F m, IrValue x) {
    return expCore(m, x, true);
  }

  /** As above; {@code twoStep} false when n stays in [-126, 127] (no subnormal result): one multiplication. */
  private static Pair expCore(F m, IrValue x, boolean twoStep) {
    IrValue shifted = m.add(m.mul(x, c(INV_LN2)), c(MAGIC));
    IrValue n = m.sub(shifted, c(MAGIC)); // round(x / ln2), |n| <= 150
    IrValue ni = m.b.sub(m.bits(shifted), IrValue.i32(Float.floatToRawIntBits((float) MAGIC)));
    IrValue rhi = m.sub(x, m.mul(n, c(LN2_HI))); // exact
    IrValue r = m.fma(n, c(-LN2_LO), rhi);
    IrValue rlo = m.fma(n, c(-LN2_LO), m.sub(rhi, r)); // x - n ln2 = r + rlo to about 2^-36
    IrValue r2 = m.mul(r, r);
    IrValue s = m.add(c(1), r);
    IrValue lost = m.add(m.sub(c(1), s), r); // 1 + r = s + lost exactly (|r| < 1)
    // e^(r + rlo) = 1 + r + r^2 P(r) + rlo (1 + r) to about 2^-40
    IrValue low = m.fma(r2, m.poly(r, EXP), m.add(lost, m.fma(rlo, r, rlo)));
    IrValue hi = m.add(s, low);
    IrValue lo = m.add(m.sub(s, hi), low); // s + low = hi + lo exactly (|s| >= |low|)
    // 2^n in two steps, each a normal power of two (n in [-150, 128]): a subnormal result rounds once.
    if (!twoStep) {
      IrValue p = m.pow2(ni);
      return new Pair(m.mul(hi, p), m.mul(lo, p));
    }
    IrValue n1 = m.b.binop("ashr", ni, IrValue.i32(1));
    IrValue n2 = m.b.sub(ni, n1);
    IrValue p1 = m.pow2(n1);
    IrValue p2 = m.pow2(n2);
    return new Pair(m.mul(m.mul(hi, p1), p2), m.mul(m.mul(lo, p1), p2));
  }

  /** exp: NaN stays NaN; the clamp gives 0 below EXP_LOW and infinity above EXP_HIGH. */
  static IrValue exp(F m, IrValue x) {
    IrValue nan = m.isNan(x);
    IrValue clamped = m.clamp(m.b.select(nan, c(0), x), EXP_LOW, EXP_HIGH);
    return m.b.select(nan, x, expCore(m, clamped).hi());
  }

  /**
   * num / (1 + e) for num = 1 or e (e = eh + el in (0, 1]; numLo 0 or el): q = num / (1 + eh)
   * rounded, then one correction step with the exact remainder of the division (FMA) and the
   * roundings of 1 + eh and of e, so the result is rounded about once.
   */
  private static IrValue divideByOnePlus(F m, IrValue positive, IrValue num, IrValue numLo, Pair e) {
    IrValue d = m.add(c(1), e.hi());
    IrValue lost = m.add(m.add(m.sub(c(1), d), e.hi()), e.lo()); // 1 + e = d + lost (e.hi <= 1)
    IrValue q = m.div(num, d);
    IrValue remainder = m.fma(m.b.fneg(q), d, num); // exact with FMA
    IrValue correction = m.fma(m.b.fneg(q), lost, m.add(remainder, numLo));
    // 1 / d to a few ulps without a second division: q itself, or 1 - e / d.
    IrValue inverse = m.b.select(positive, q, m.sub(c(1), q));
    return m.fma(correction, inverse, q);
  }

  /**
   * tanh: odd polynomial below TANH_SMALL, 1 - 2 / (e^2a + 1) above (a clamped to 20, where tanh is
   * 1 in f32), the quotient corrected as in logistic.
   */
  static IrValue tanh(F m, IrValue x) {
    IrValue nan = m.isNan(x);
    IrValue a = m.abs(m.b.select(nan, c(0), x));
    IrValue z = m.mul(a, a);
    IrValue small = m.fma(m.mul(a, z), m.poly(z, TANH), a);
    // 2a in [1.25, 40] where the branch is taken: n in [1, 58], so 2^n is applied at once.
    IrValue capped = m.b.select(m.b.fcmp("ogt", a, c(20)), c(20), a);
    Pair e = expCore(m, m.mul(c(2), capped), false);
    // 2 / (e + 1), e >= 1: d = e.hi + 1 and its rounding (e.hi >= 1 here)
    IrValue d = m.add(e.hi(), c(1));
    IrValue lost = m.add(m.add(m.sub(e.hi(), d), c(1)), e.lo());
    IrValue q = m.div(c(2), d);
    IrValue correction = m.fma(m.b.fneg(q), lost, m.fma(m.b.fneg(q), d, c(2)));
    // 1 - (q + correction / d) with 1 - q = u + (1 - u - q) exactly (q <= 1): rounded once.
    IrValue u = m.sub(c(1), q);
    IrValue large = m.add(u, m.fma(m.b.fneg(correction), m.mul(c(0.5), q), m.sub(m.sub(c(1), u), q))); // 1/d = q/2
    IrValue t = m.b.select(m.b.fcmp("olt", a, c(TANH_SMALL)), small, large);
    return m.b.select(nan, x, m.copySign(t, x));
  }

  /** logistic: one e = e^-|x|, then 1 / (1 + e) for x >= 0 and e / (1 + e) below. */
  static IrValue logistic(F m, IrValue x) {
    IrValue nan = m.isNan(x);
    IrValue a = m.clamp(m.abs(m.b.select(nan, c(0), x)), 0, -EXP_LOW);
    Pair e = expCore(m, m.b.fneg(a));
    IrValue positive = m.b.fcmp("oge", x, c(0));
    IrValue r = divideByOnePlus(m, positive, m.b.select(positive, c(1), e.hi()), m.b.select(positive, c(0), e.lo()), e);
    return m.b.select(nan, x, r);
  }

  private static IrValue c(double v) {
    return IrValue.fpConst("float", v);
  }

  /** Float arithmetic without fast-math flags (the helper's own builder has none). */
  private static final class F {
    final IrBuilder b;

    F(IrBuilder b) {
      this.b = b;
    }

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

    IrValue fma(IrValue x, IrValue y, IrValue z) {
      return b.callExternal("float", "llvm.fmuladd.f32", x, y, z);
    }

    IrValue abs(IrValue x) {
      return b.callExternal("float", "llvm.fabs.f32", x);
    }

    IrValue copySign(IrValue magnitude, IrValue sign) {
      return b.callExternal("float", "llvm.copysign.f32", magnitude, sign);
    }

    IrValue isNan(IrValue x) {
      return b.fcmp("uno", x, x);
    }

    IrValue clamp(IrValue x, double lo, double hi) {
      IrValue above = b.select(b.fcmp("ogt", x, c(hi)), c(hi), x);
      return b.select(b.fcmp("olt", above, c(lo)), c(lo), above);
    }

    IrValue poly(IrValue x, double[] coefficients) {
      IrValue p = c(coefficients[coefficients.length - 1]);
      for (int k = coefficients.length - 2; k >= 0; k--) {
        p = fma(p, x, c(coefficients[k]));
      }
      return p;
    }

    IrValue bits(IrValue x) {
      return b.cast("bitcast", x, "i32");
    }

    /** 2^k for an {@code i32} k in [-126, 127]. */
    IrValue pow2(IrValue k) {
      return b.cast("bitcast", b.binop("shl", b.add(k, IrValue.i32(127)), IrValue.i32(23)), "float");
    }
  }
}
