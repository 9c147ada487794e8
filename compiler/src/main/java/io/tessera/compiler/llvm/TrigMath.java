package io.tessera.compiler.llvm;

import static io.tessera.compiler.llvm.MathIr.c;
import static io.tessera.compiler.llvm.MathIr.i;

import io.tessera.compiler.llvm.VectorMath.Precision;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * sin, cos, tan and atan2 for {@link VectorMath}, as straight-line double-precision IR.
 *
 * <p>Argument reduction is exact for every double (Payne-Hanek, written the way fdlibm's
 * {@code __kernel_rem_pio2} computes it, without loops): |x| = 2^t (X0 + X1 2^-24 + X2 2^-48)
 * with 24-bit integer chunks X, and 2/pi in 24-bit chunks P_b from a constant table; the
 * products X_a P_b are exact in double, the column sums too, and columns whose weight makes them
 * a multiple of 4 (a whole number of turns) are skipped by starting the table at an index that
 * depends on the exponent. Carries make each column a 24-bit field; the fraction is then summed
 * from exact fields, so the cancellation near multiples of pi/2 happens without error. The result
 * is y = |x| - n pi/2 with |y| <= pi/4 and n mod 4.
 */
final class TrigMath {
  private TrigMath() {}

  private static final double PIO2_HI = 1.5707963267948966;
  private static final double PIO2_LO = 6.123233995736766e-17;
  private static final double PIO4_HI = 0.7853981633974483;
  private static final double PIO4_LO = 3.061616997868383e-17;
  private static final double PI_HI = 3.141592653589793;
  private static final double PI_LO = 1.2246467991473532e-16;
  private static final double TAN_PI_8 = 0.41421356237309503;
  /** Below this, sin x = x and cos x = 1 - x^2/2 need no reduction. */
  private static final double TINY = 0x1p-26;

  /** 24-bit chunks of 2/pi, two zero chunks first (for table indices below the first chunk). */
  private static final int CHUNKS = 50;
  private static final Object TABLE_KEY = new Object();
  private static final byte[] TABLE_BYTES = tableBytes();

  // ---- reduction -----------------------------------------------------------------------------

  /** y = |x| - n pi/2 (|y| <= pi/4 + 2^-20) and n mod 4 as an {@code i64}. */
  private record Reduced(IrValue y, IrValue quadrant) {}

  /** Reduces a in [2^-26, MAX_VALUE]; f64 needs 7 columns for 2^-117 absolute accuracy, f32 5. */
  private static Reduced reduce(MathIr m, Precision p, IrValue a) {
    int columns = p == Precision.F64 ? 7 : 5;
    IrValue t = m.isub(m.exponent(a), i(23));
    IrValue z = m.mul(a, m.pow2(m.isub(i(0), t))); // in [2^23, 2^24)
    IrValue x0 = m.floor(z);
    IrValue z1 = m.mul(m.sub(z, x0), c(0x1p24));
    IrValue x1 = m.floor(z1);
    IrValue x2 = m.mul(m.sub(z1, x1), c(0x1p24));
    IrValue[] xs = {x0, x1, x2};
    // Column c0 + j holds the products of weight 2^(t - 24 (c0 + j + 1)); those of weight 4 and
    // more are multiples of 4 and dropped: c0 = max(0, floor((t - 2) / 24)).
    IrValue c0d = m.floor(m.div(m.sub(m.toDouble(t), c(2)), c(24)));
    c0d = m.select(m.cmp("olt", c0d, c(0)), c(0), c0d);
    IrValue c0 = m.toInt(c0d);
    IrValue s = m.isub(t, m.b.mul(m.iadd(c0, i(1)), i(24)));

    IrValue table = new IrValue("ptr", m.b.module().addConstantOnce(TABLE_KEY, "tessera.two_over_pi", () -> TABLE_BYTES));
    IrValue[] chunk = new IrValue[columns + 2]; // chunk[k] = table[c0 + k] = P_(c0 + k - 2)
    for (int k = 0; k < chunk.length; k++) {
      chunk[k] = m.b.load("double", m.b.gep("double", table, m.iadd(c0, i(k))), 8);
    }
    IrValue[] q = new IrValue[columns];
    for (int j = 0; j < columns; j++) {
      IrValue sum = null;
      for (int a2 = 0; a2 < 3; a2++) {
        IrValue product = m.mul(xs[a2], chunk[j + 2 - a2]);
        sum = sum == null ? product : m.add(sum, product); // integers below 2^51: exact
      }
      q[j] = sum;
    }
    for (int j = columns - 1; j >= 1; j--) {
      IrValue carry = m.floor(m.mul(q[j], c(0x1p-24)));
      q[j] = m.fma(carry, c(-0x1p24), q[j]);
      q[j - 1] = m.add(q[j - 1], carry);
    }
    IrValue[] v = new IrValue[columns];
    for (int j = 0; j < columns; j++) {
      v[j] = m.mul(q[j], m.pow2(m.isub(s, i(24L * j)))); // exact fields of x 2/pi
    }
    IrValue v0 = m.sub(v[0], m.mul(c(4), m.floor(m.mul(v[0], c(0.25))))); // mod 4, exact
    IrValue n = m.rint(m.add(v0, v[1]));
    // v0 - n is exact: v0 spans at most 2 - s bits (s >= -51 wherever n can be non-zero), and
    // near a multiple of pi/2 the two cancel (Sterbenz). The fields that follow are exact too, so
    // the double-double sum only rounds what is far below the result.
    MathIr.Dd r = new MathIr.Dd(m.sub(v0, n), c(0));
    for (int j = 1; j < columns; j++) {
      MathIr.Dd sum = m.twoSum(r.hi(), v[j]);
      r = new MathIr.Dd(sum.hi(), m.add(r.lo(), sum.lo()));
    }
    // y = r pi/2 in double-double, then rounded.
    MathIr.Dd y = m.twoProd(r.hi(), c(PIO2_HI));
    IrValue yLow = m.add(y.lo(), m.fma(r.hi(), c(PIO2_LO), m.mul(r.lo(), c(PIO2_HI))));
    return new Reduced(m.add(y.hi(), yLow), m.iand(m.toInt(n), i(3)));
  }

  /** The reduction of |x| for sin/cos/tan: none below {@link #TINY}; non-finite x reduced as 1. */
  private static Reduced reduceAbs(MathIr m, Precision p, IrValue x) {
    IrValue a = m.abs(x);
    IrValue tiny = m.cmp("olt", a, c(TINY));
    IrValue regular = m.and(m.not(tiny), m.cmp("olt", a, c(Double.POSITIVE_INFINITY)));
    Reduced r = reduce(m, p, m.select(regular, a, c(1)));
    return new Reduced(m.select(tiny, a, r.y()), m.select(tiny, i(0), r.quadrant()));
  }

  private static IrValue sinKernel(MathIr m, Precision p, IrValue y, IrValue z) {
    return m.fma(m.mul(y, z), m.poly(z, p.pick(MathCoefficients.SIN_F32, MathCoefficients.SIN_F64)), y);
  }

  /** 1 - z/2 + z^2 C(z), with the rounding error of 1 - z/2 added back. */
  private static IrValue cosKernel(MathIr m, Precision p, IrValue z) {
    IrValue hz = m.mul(c(0.5), z);
    IrValue w = m.sub(c(1), hz);
    IrValue tail = m.fma(m.mul(z, z), m.poly(z, p.pick(MathCoefficients.COS_F32, MathCoefficients.COS_F64)),
        m.sub(m.sub(c(1), w), hz));
    return m.add(w, tail);
  }

  private static IrValue bit(MathIr m, IrValue quadrant, long mask) {
    return m.b.icmp("ne", m.iand(quadrant, i(mask)), i(0));
  }

  private static IrValue nanUnlessFinite(MathIr m, IrValue x, IrValue result) {
    return m.select(m.cmp("uge", m.abs(x), c(Double.POSITIVE_INFINITY)), c(Double.NaN), result);
  }

  /**
   * sin: the kernel of the reduced argument by quadrant, odd in x. The reduction is
   * accurate to about 2^-100 relative even next to multiples of pi/2. Measured: f64 2.2e-16
   * relative (also on 6381956970095103 * 2^797, the double closest to a multiple of pi/2), f32
   * 0.50 ulp.
   */
  static IrValue sin(MathIr m, Precision p, IrValue x) {
    Reduced r = reduceAbs(m, p, x);
    IrValue z = m.mul(r.y(), r.y());
    IrValue v = m.select(bit(m, r.quadrant(), 1), cosKernel(m, p, z), sinKernel(m, p, r.y(), z));
    v = m.select(bit(m, r.quadrant(), 2), m.neg(v), v);
    IrValue negative = m.b.icmp("slt", m.bits(x), i(0));
    return nanUnlessFinite(m, x, m.select(negative, m.neg(v), v));
  }

  /** cos: the kernel of the reduced argument by quadrant, even in x. Measured as {@link #sin}. */
  static IrValue cos(MathIr m, Precision p, IrValue x) {
    Reduced r = reduceAbs(m, p, x);
    IrValue z = m.mul(r.y(), r.y());
    IrValue v = m.select(bit(m, r.quadrant(), 1), sinKernel(m, p, r.y(), z), cosKernel(m, p, z));
    IrValue negate = bit(m, m.iadd(r.quadrant(), i(1)), 2); // quadrants 1 and 2
    return nanUnlessFinite(m, x, m.select(negate, m.neg(v), v));
  }

  /**
   * tan: sin/cos of the reduced argument, or -cos/sin in odd quadrants; odd in x. Measured: f64
   * 4.3e-16 relative, f32 0.50 ulp.
   */
  static IrValue tan(MathIr m, Precision p, IrValue x) {
    Reduced r = reduceAbs(m, p, x);
    IrValue z = m.mul(r.y(), r.y());
    IrValue s = sinKernel(m, p, r.y(), z);
    IrValue co = cosKernel(m, p, z);
    IrValue odd = bit(m, r.quadrant(), 1);
    IrValue v = m.div(m.select(odd, m.neg(co), s), m.select(odd, s, co));
    IrValue negative = m.b.icmp("slt", m.bits(x), i(0));
    return nanUnlessFinite(m, x, m.select(negative, m.neg(v), v));
  }

  /**
   * atan2(y, x): q = min(|x|,|y|) / max(|x|,|y|) in [0, 1], above tan(pi/8) reduced by
   * atan q = pi/4 + atan((q-1)/(q+1)), atan u = u + u^3 A(u^2); then pi/2 - a when |y| > |x|,
   * pi - a when x is negative (its sign bit: -0 counts), and the sign of y. C99's special values
   * follow from the same steps with q = 0 for 0/0 and q = 1 for inf/inf. Measured: f64 2.7e-16
   * relative, f32 0.50 ulp.
   */
  static IrValue atan2(MathIr m, Precision p, IrValue y, IrValue x) {
    IrValue ay = m.abs(y);
    IrValue ax = m.abs(x);
    IrValue swap = m.cmp("ogt", ay, ax);
    IrValue num = m.select(swap, ax, ay);
    IrValue den = m.select(swap, ay, ax);
    IrValue q = m.div(num, den);
    q = m.select(m.cmp("oeq", den, c(0)), c(0), q);
    q = m.select(m.cmp("oeq", num, c(Double.POSITIVE_INFINITY)), c(1), q);
    IrValue big = m.cmp("ogt", q, c(TAN_PI_8));
    IrValue u = m.select(big, m.div(m.sub(q, c(1)), m.add(q, c(1))), q);
    IrValue z = m.mul(u, u);
    IrValue at = m.fma(m.mul(u, z), m.poly(z, p.pick(MathCoefficients.ATAN_F32, MathCoefficients.ATAN_F64)), u);
    at = m.select(big, m.add(c(PIO4_HI), m.add(at, c(PIO4_LO))), at);
    IrValue angle = m.select(swap, m.add(m.sub(c(PIO2_HI), at), c(PIO2_LO)), at);
    IrValue xNegative = m.b.icmp("slt", m.bits(x), i(0));
    angle = m.select(xNegative, m.add(m.sub(c(PI_HI), angle), c(PI_LO)), angle);
    IrValue result = m.copySign(angle, y);
    return m.select(m.or(m.isNan(x), m.isNan(y)), c(Double.NaN), result);
  }

  // ---- the table of 2/pi ---------------------------------------------------------------------

  /** Little-endian doubles: 0, 0, then the 24-bit chunks of 2/pi after the binary point. */
  private static byte[] tableBytes() {
    long[] chunks = twoOverPiChunks(CHUNKS - 2);
    ByteBuffer buffer = ByteBuffer.allocate(CHUNKS * 8).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putDouble(0).putDouble(0);
    for (long chunk : chunks) {
      buffer.putDouble(chunk);
    }
    return buffer.array();
  }

  /** The first {@code count} 24-bit chunks of 2/pi's binary fraction, from Machin's formula. */
  static long[] twoOverPiChunks(int count) {
    int bits = 24 * count + 64; // 64 guard bits absorb the truncation of the series
    BigInteger one = BigInteger.ONE.shiftLeft(bits);
    BigInteger pi = atanOfInverse(5, one).multiply(BigInteger.valueOf(16))
        .subtract(atanOfInverse(239, one).multiply(BigInteger.valueOf(4)));
    BigInteger twoOverPi = one.shiftLeft(bits + 1).divide(pi); // (2/pi) 2^bits
    long[] chunks = new long[count];
    for (int b = 0; b < count; b++) {
      chunks[b] = twoOverPi.shiftRight(bits - 24 * (b + 1)).longValue() & 0xFFFFFF;
    }
    return chunks;
  }

  /** atan(1/k) 2^bits, for one = 2^bits. */
  private static BigInteger atanOfInverse(int k, BigInteger one) {
    BigInteger power = one.divide(BigInteger.valueOf(k)); // 2^bits / k^(2n+1)
    BigInteger k2 = BigInteger.valueOf((long) k * k);
    BigInteger sum = BigInteger.ZERO;
    for (int n = 0; power.signum() != 0; n++) {
      BigInteger term = power.divide(BigInteger.valueOf(2L * n + 1));
      sum = n % 2 == 0 ? sum.add(term) : sum.subtract(term);
      power = power.divide(k2);
    }
    return sum;
  }
}
