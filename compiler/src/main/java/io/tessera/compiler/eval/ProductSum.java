package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;

/**
 * The arithmetic of the contractions, dot and convolution: each result element is a sum of
 * products of one lhs and one rhs element. The evaluators walk the index pairs; this class does
 * the sums, in the result's element type:
 *
 * <ul>
 *   <li>as XLA's evaluator does, both operands are first converted to the result's element type,
 *       which may be wider than theirs (XLA's preferred element type: {@code bf16 x bf16 -> f32},
 *       {@code s8 x s8 -> s32});
 *   <li>a float result sums exact double products in double and rounds once per element: XLA
 *       leaves the accumulation precision to the backend, and this is the most accurate choice
 *       that is still cheap (the value hardly depends on the order of the terms);
 *   <li>an integer result sums in 64-bit two's complement and wraps once to its width, which
 *       equals wrapping after every step; for pred, the sum of 0/1 products wrapped to pred is
 *       the OR of ANDs, as XLA's evaluator computes it.
 * </ul>
 *
 * <p>Use: {@link #reset}, then {@link #add} for every term, then {@link #store}.
 */
abstract class ProductSum {

  /** Sums of products of {@code lhs} and {@code rhs} elements, stored into {@code result}. */
  static ProductSum of(Literal lhs, Literal rhs, Literal result) {
    ElementType type = result.elementType();
    if (type.isFloat()) {
      return new FloatSum(floatsAs(type, lhs), floatsAs(type, rhs), result);
    }
    return new IntegerSum(integersAs(type, lhs), integersAs(type, rhs), result);
  }

  /** Starts the sum of the next result element at zero. */
  abstract void reset();

  /** Adds {@code lhs[lhsIndex] * rhs[rhsIndex]} (linear indices) to the sum. */
  abstract void add(int lhsIndex, int rhsIndex);

  /** Writes the sum, in canonical form, to result element {@code index}. */
  abstract void store(int index);

  private static final class FloatSum extends ProductSum {
    private final double[] lhs;
    private final double[] rhs;
    private final double[] out;
    private final ElementType type;
    private double sum;

    FloatSum(double[] lhs, double[] rhs, Literal result) {
      this.lhs = lhs;
      this.rhs = rhs;
      this.out = result.floatStorage();
      this.type = result.elementType();
    }

    @Override
    void reset() {
      sum = 0;
    }

    @Override
    void add(int lhsIndex, int rhsIndex) {
      sum += lhs[lhsIndex] * rhs[rhsIndex];
    }

    @Override
    void store(int index) {
      out[index] = ElementValues.roundFloat(type, sum);
    }
  }

  private static final class IntegerSum extends ProductSum {
    private final long[] lhs;
    private final long[] rhs;
    private final long[] out;
    private final ElementType type;
    private long sum;

    IntegerSum(long[] lhs, long[] rhs, Literal result) {
      this.lhs = lhs;
      this.rhs = rhs;
      this.out = result.intStorage();
      this.type = result.elementType();
    }

    @Override
    void reset() {
      sum = 0;
    }

    @Override
    void add(int lhsIndex, int rhsIndex) {
      sum += lhs[lhsIndex] * rhs[rhsIndex];
    }

    @Override
    void store(int index) {
      out[index] = ElementValues.wrapInteger(type, sum);
    }
  }

  /** The values of {@code lit} converted to float type {@code type} (the storage itself when already so). */
  private static double[] floatsAs(ElementType type, Literal lit) {
    if (lit.elementType() == type) {
      return lit.floatStorage();
    }
    double[] values = new double[lit.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = ElementValues.roundFloat(type, lit.getAsDouble(i));
    }
    return values;
  }

  /** The values of {@code lit} converted to integer type (or pred) {@code type}, as XLA's convert does. */
  private static long[] integersAs(ElementType type, Literal lit) {
    if (lit.elementType() == type) {
      return lit.intStorage();
    }
    long[] values = new long[lit.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = lit.isFloat()
          ? ElementValues.floatToInteger(type, lit.getDouble(i))
          : ElementValues.wrapInteger(type, lit.getLong(i));
    }
    return values;
  }
}
