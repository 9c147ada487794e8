package io.tessera.oracle;

import java.util.Arrays;

/**
 * How close a float result must be to XLA's: element {@code a} matches expected {@code e} when
 * {@code |a - e| <= abs + rel * |e|}; NaN matches only NaN and an infinity only itself. Integer
 * and pred results must match exactly. Written as the first line of {@code NAME.expected}.
 */
record Tolerance(double rel, double abs) {
  /**
   * For graphs of data movement, selection, casts and single correctly rounded operations: XLA's
   * bits, exactly.
   */
  static final Tolerance EXACT = new Tolerance(0, 0);
  /** The default: sums in a different order, XLA's vectorised exp/tanh/log approximations. */
  static final Tolerance DEFAULT = new Tolerance(1e-5, 1e-5);

  /** {@code # tolerance rel=1e-5 abs=1e-6}; the test reads the numbers with Double.parseDouble. */
  String headerLine() {
    return "# tolerance " + this;
  }

  @Override
  public String toString() {
    return "rel=" + compact(rel) + " abs=" + compact(abs);
  }

  /** 1.0E-5 as 1e-5. */
  private static String compact(double value) {
    if (value == 0) {
      return "0";
    }
    return Double.toString(value).replace(".0E", "E").replace('E', 'e');
  }

  /**
   * The first element where {@code actual} misses {@code expected}, as a message, or null when
   * they match.
   */
  String mismatch(HostArray expected, HostArray actual) {
    if (expected.kind != actual.kind || !Arrays.equals(expected.shape(), actual.shape())) {
      return "shape " + actual.shapeText() + " but expected " + expected.shapeText();
    }
    for (int i = 0; i < expected.size(); i++) {
      if (expected.kind.isFloat) {
        double e = expected.getDouble(i);
        double a = actual.getDouble(i);
        if (!close(e, a)) {
          return "element " + i + " is " + a + " but expected " + e + " (tolerance " + this + ")";
        }
      } else if (expected.getLong(i) != actual.getLong(i)) {
        return "element " + i + " is " + actual.getLong(i) + " but expected " + expected.getLong(i);
      }
    }
    return null;
  }

  boolean close(double expected, double actual) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) {
      return Double.isNaN(expected) && Double.isNaN(actual);
    }
    if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
      return expected == actual;
    }
    return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
  }
}
