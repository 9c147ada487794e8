package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import java.util.Arrays;

/**
 * Compares an actual literal with an expected one, as differential tests (backend vs
 * interpreter, interpreter vs XLA) need: integers and pred exactly; floats within
 * {@code |a - e| <= abs + rel * |e|}, NaN matching NaN, infinities matching exactly.
 */
public final class LiteralComparator {

  /** Tolerances chosen per float type, from its precision: f64 1e-12, f32 1e-5, f16/bf16 1e-2. */
  public static final LiteralComparator DEFAULT = new LiteralComparator(Double.NaN, Double.NaN);

  private final double rel;
  private final double abs;

  private LiteralComparator(double rel, double abs) {
    this.rel = rel;
    this.abs = abs;
  }

  /** A comparator with fixed tolerances for every float type. */
  public static LiteralComparator withTolerance(double rel, double abs) {
    if (!(rel >= 0) || !(abs >= 0)) {
      throw new IllegalArgumentException("tolerances must be non-negative, got rel=" + rel + " abs=" + abs);
    }
    return new LiteralComparator(rel, abs);
  }

  /** Returns {@code null} when {@code actual} matches {@code expected}, else what differs first. */
  public String mismatch(Literal expected, Literal actual) {
    if (!expected.shape().equalsIgnoringLayout(actual.shape())) {
      return "shape " + actual.shape().toStringWithoutLayout() + " where " + expected.shape().toStringWithoutLayout()
          + " was expected";
    }
    if (expected.isTuple()) {
      for (int i = 0; i < expected.tupleElements().size(); i++) {
        String m = mismatch(expected.tupleElement(i), actual.tupleElement(i));
        if (m != null) {
          return "tuple element " + i + ": " + m;
        }
      }
      return null;
    }
    ElementType type = expected.elementType();
    double r = Double.isNaN(rel) ? defaultTolerance(type) : rel;
    double a = Double.isNaN(abs) ? defaultTolerance(type) : abs;
    for (int i = 0; i < expected.elementCount(); i++) {
      boolean same = type.isFloat()
          ? close(expected.getDouble(i), actual.getDouble(i), r, a)
          : expected.getLong(i) == actual.getLong(i);
      if (!same) {
        return "at " + indexText(expected, i) + ": got " + actual.elementText(i) + ", expected " + expected.elementText(i)
            + (type.isFloat() ? " (tolerance rel=" + r + " abs=" + a + ")" : "");
      }
    }
    return null;
  }

  /** Whether {@code actual} matches {@code expected}. */
  public boolean matches(Literal expected, Literal actual) {
    return mismatch(expected, actual) == null;
  }

  private static boolean close(double e, double x, double rel, double abs) {
    if (Double.isNaN(e) || Double.isNaN(x)) {
      return Double.isNaN(e) && Double.isNaN(x);
    }
    if (Double.isInfinite(e) || Double.isInfinite(x)) {
      return e == x;
    }
    return Math.abs(x - e) <= abs + rel * Math.abs(e);
  }

  private static double defaultTolerance(ElementType type) {
    return switch (type) {
      case F64 -> 1e-12;
      case F32 -> 1e-5;
      default -> 1e-2;
    };
  }

  private static String indexText(Literal lit, int linear) {
    int[] dims = lit.shape().dimensions();
    int[] index = new int[dims.length];
    int[] strides = Indexing.strides(dims);
    for (int d = 0; d < dims.length; d++) {
      index[d] = linear / strides[d];
      linear %= strides[d];
    }
    return Arrays.toString(index);
  }
}
