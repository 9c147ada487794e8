package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/**
 * Folds elements of {@code N} input arrays into {@code N} accumulators with a reducer, the inner
 * loop of reduce and reduce-window: {@link #reset} sets the accumulators to the init values,
 * {@link #add} applies the reducer to the element at one linear index of every input, and
 * {@link #store} writes the accumulators to one linear index of every output.
 *
 * <p>A single float or integer reducer runs on the storage arrays with no allocation per element;
 * a variadic reducer is applied to scalar literals.
 */
abstract class Fold {

  /**
   * A fold of {@code inputs} into {@code outputs} (one per input, of the init values' types),
   * starting each output element from {@code inits}.
   *
   * @throws IllegalArgumentException when the counts or element types do not fit the reducer
   */
  static Fold of(ScalarFunction reducer, List<Literal> inputs, List<Literal> inits, List<Literal> outputs) {
    int n = reducer.arity();
    if (inputs.size() != n || inits.size() != n || outputs.size() != n) {
      throw new IllegalArgumentException(inputs.size() + " input(s) and " + inits.size()
          + " init value(s) for a reducer of " + n + " accumulator(s) (" + 2 * n + " parameters)");
    }
    for (int k = 0; k < n; k++) {
      Literal init = inits.get(k);
      if (!init.shape().isScalar()) {
        throw new IllegalArgumentException("init value " + k + " has shape " + init.shape() + "; it must be a scalar");
      }
      if (init.elementType() != reducer.accumulatorType(k) || outputs.get(k).elementType() != init.elementType()) {
        throw new IllegalArgumentException("init value " + k + " is " + init.elementType() + ", the result is "
            + outputs.get(k).elementType() + " and the reducer's accumulator " + k + " is " + reducer.accumulatorType(k)
            + "; all three must be the same type");
      }
      ElementType in = inputs.get(k).elementType();
      ElementType param = reducer.elementType(k);
      // XLA lets a reducer take elements of another float precision (a bf16 input into an f32 sum).
      boolean compatible = in == param || (in.isFloat() && param.isFloat());
      if (!compatible) {
        throw new IllegalArgumentException("input " + k + " is " + in + " but the reducer takes elements of type " + param);
      }
    }
    if (n == 1) {
      ElementType param = reducer.elementType(0);
      if (param.isFloat()) {
        return new FloatFold(reducer, inputs.get(0), inits.get(0), outputs.get(0));
      }
      return new IntegerFold(reducer, inputs.get(0), inits.get(0), outputs.get(0));
    }
    return new LiteralFold(reducer, inputs, inits, outputs);
  }

  /** Sets every accumulator to its init value. */
  abstract void reset();

  /** Applies the reducer to the accumulators and element {@code index} of every input. */
  abstract void add(int index);

  /** Writes the accumulators to element {@code index} of every output. */
  abstract void store(int index);

  private static final class FloatFold extends Fold {
    private final ScalarFunction reducer;
    private final double[] input;
    private final double[] output;
    private final double init;
    private final ElementType elementType; // set only when input elements must be rounded first
    private double acc;

    FloatFold(ScalarFunction reducer, Literal input, Literal init, Literal output) {
      this.reducer = reducer;
      this.input = input.floatStorage();
      this.output = output.floatStorage();
      this.init = init.getDouble(0);
      ElementType param = reducer.elementType(0);
      this.elementType = input.elementType() == param ? null : param;
    }

    @Override
    void reset() {
      acc = init;
    }

    @Override
    void add(int index) {
      double element = input[index];
      if (elementType != null) {
        element = ElementValues.roundFloat(elementType, element);
      }
      acc = reducer.applyDouble(acc, element);
    }

    @Override
    void store(int index) {
      output[index] = acc;
    }
  }

  private static final class IntegerFold extends Fold {
    private final ScalarFunction reducer;
    private final long[] input;
    private final long[] output;
    private final long init;
    private long acc;

    IntegerFold(ScalarFunction reducer, Literal input, Literal init, Literal output) {
      this.reducer = reducer;
      this.input = input.intStorage();
      this.output = output.intStorage();
      this.init = init.getLong(0);
    }

    @Override
    void reset() {
      acc = init;
    }

    @Override
    void add(int index) {
      acc = reducer.applyLong(acc, input[index]);
    }

    @Override
    void store(int index) {
      output[index] = acc;
    }
  }

  private static final class LiteralFold extends Fold {
    private final ScalarFunction reducer;
    private final List<Literal> inputs;
    private final List<Literal> inits;
    private final List<Literal> outputs;
    private Literal[] acc;

    LiteralFold(ScalarFunction reducer, List<Literal> inputs, List<Literal> inits, List<Literal> outputs) {
      this.reducer = reducer;
      this.inputs = inputs;
      this.inits = inits;
      this.outputs = outputs;
    }

    @Override
    void reset() {
      acc = inits.toArray(new Literal[0]);
    }

    @Override
    void add(int index) {
      Literal[] elements = new Literal[inputs.size()];
      for (int k = 0; k < elements.length; k++) {
        elements[k] = scalarAt(inputs.get(k), index, reducer.elementType(k));
      }
      acc = reducer.apply(acc, elements);
    }

    /** Element {@code index} of {@code input} as a scalar of {@code type} (a float may widen or round). */
    private static Literal scalarAt(Literal input, int index, ElementType type) {
      if (input.elementType() != type) {
        return Literal.scalar(type, input.getDouble(index));
      }
      return input.scalarAt(index);
    }

    @Override
    void store(int index) {
      for (int k = 0; k < acc.length; k++) {
        outputs.get(k).copyElement(acc[k], 0, index);
      }
    }
  }
}
