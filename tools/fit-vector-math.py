#!/usr/bin/env python3
"""Fits the polynomial coefficients of io.tessera.compiler.llvm.VectorMath (Chebyshev fits with
mpmath at 50 digits; near-minimax). For each auxiliary function it picks the lowest degree whose
fit error is below the target of each precision and prints Java arrays (lowest degree first).

Run: python3 tools/fit-vector-math.py   (needs mpmath)"""
import mpmath as mp

mp.mp.dps = 50
LN2 = mp.log(2)

def guard(f, limit):
    return lambda x: limit if abs(x) < mp.mpf('1e-40') else f(x)

FUNCS = {
    # exp(r) = 1 + r + r^2 P(r), |r| <= ln2/2 (a little more: rint of a rounded product)
    'EXP': (guard(lambda r: (mp.exp(r) - 1 - r) / r**2, mp.mpf(1) / 2), [-0.3467, 0.3467]),
    # 2 atanh(s) = 2s + s z P(z), z = s^2, s <= (sqrt2-1)/(sqrt2+1)
    'LOG': (guard(lambda z: (2 * mp.atanh(mp.sqrt(z)) / mp.sqrt(z) - 2) / z, mp.mpf(2) / 3), [0, 0.02945]),
    # sin(y) = y + y^3 S(z), cos(y) = 1 - z/2 + z^2 C(z), z = y^2, |y| <= pi/4 (+ slack)
    'SIN': (guard(lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / (z * mp.sqrt(z)), -mp.mpf(1) / 6), [0, 0.6200]),
    'COS': (guard(lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2, mp.mpf(1) / 24), [0, 0.6200]),
    # atan(u) = u + u^3 A(z), z = u^2, |u| <= tan(pi/8)
    'ATAN': (guard(lambda z: (mp.atan(mp.sqrt(z)) - mp.sqrt(z)) / (z * mp.sqrt(z)), -mp.mpf(1) / 3), [0, 0.17160]),
    # erf(x) = x E(z), z = x^2, |x| <= 1
    'ERF': (guard(lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z), 2 / mp.sqrt(mp.pi)), [0, 1]),
    # cbrt on [1, 2): a first guess for Halley's iteration
    'CBRT': (lambda m: mp.cbrt(m), [1, 2]),
}
# exp(x^2) erfc(x) on pieces of [1, 6], as polynomials in (x - centre)
ERFC_PIECES = [(1, 1.75), (1.75, 2.75), (2.75, 4), (4, 6)]

TARGETS = {'F64': mp.mpf(2)**-60, 'F32': mp.mpf(2)**-34}
CBRT_TARGETS = {'F64': mp.mpf(1e-4), 'F32': mp.mpf(1e-4)}

def fit(f, interval, target, maxdeg=30):
    for n in range(1, maxdeg + 1):
        coeffs, err = mp.chebyfit(f, interval, n + 1, error=True)
        if err < target:
            return [float(c) for c in reversed(coeffs)], n, err
    raise SystemExit('no fit below %s on %s' % (target, interval))

def java(name, coeffs, deg, err):
    body = ', '.join(repr(c) for c in coeffs)
    return '  // degree %d, fit error %.2e\n  static final double[] %s = {%s};' % (deg, float(err), name, body)

for prec, target in TARGETS.items():
    for name, (f, iv) in FUNCS.items():
        t = CBRT_TARGETS[prec] if name == 'CBRT' else target
        c, n, e = fit(f, [mp.mpf(iv[0]), mp.mpf(iv[1])], t)
        print(java(name + '_' + prec, c, n, e))
    for i, (a, b) in enumerate(ERFC_PIECES):
        centre = mp.mpf(a + b) / 2
        g = lambda d, centre=centre: mp.exp((centre + d)**2) * mp.erfc(centre + d)
        # relative target: erfcx ~ 1/(x sqrt(pi)) here
        c, n, e = fit(g, [mp.mpf(a) - centre, mp.mpf(b) - centre], target / 8)
        print(java('ERFCX%d_%s' % (i, prec), c, n, e))
