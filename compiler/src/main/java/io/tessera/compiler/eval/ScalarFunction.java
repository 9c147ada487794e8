package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A reducer computation ({@code to_apply} of reduce and reduce-window, {@code scatter} of
 * select-and-scatter and scatter) applied to scalars: {@code N} accumulators first, then
 * {@code N} elements, giving {@code N} new accumulators.
 *
 * <p>Reducers are called once per input element, so interpreting them instruction by instruction
 * would dominate every reduction. {@link #of} therefore recognizes the form nearly every reducer
 * takes, {@code ROOT r = op(p0, p1)} with {@code op} an elementwise binary opcode (add, multiply,
 * maximum, ...; operands in either order), and evaluates it directly on canonical values with the
 * elementwise evaluator's own functions ({@link BinaryOps}), rounding to the element type after
 * each application exactly as the interpreted computation would. Any other computation is
 * interpreted on every application, through {@link Interpreter#call}.
 *
 * <p>{@link #applyDouble} and {@link #applyLong} work for any single-accumulator reducer (fast or
 * not); {@link #apply} works for every reducer, variadic ones included.
 */
public abstract class ScalarFunction {

  private final List<ElementType> parameterTypes;

  private ScalarFunction(Computation computation) {
    this.parameterTypes = computation.parameterShapes().stream().map(Shape::elementType).toList();
  }

  /**
   * The reducer {@code computation}, whose {@code 2N} scalar parameters are {@code N} accumulators
   * followed by {@code N} elements, and whose result is a scalar ({@code N = 1}) or an
   * {@code N}-tuple of scalars.
   *
   * @throws IllegalArgumentException when the parameters are not an even number of scalars
   */
  public static ScalarFunction of(Computation computation, Interpreter interpreter) {
    List<Shape> params = computation.parameterShapes();
    if (params.isEmpty() || params.size() % 2 != 0) {
      throw new IllegalArgumentException("reducer computation " + computation.name() + " takes "
          + params.size() + " parameter(s); a reducer takes accumulators and elements, 2N in all");
    }
    for (int i = 0; i < params.size(); i++) {
      if (!params.get(i).isScalar()) {
        throw new IllegalArgumentException("parameter " + i + " of reducer computation "
            + computation.name() + " has shape " + params.get(i) + "; a reducer takes scalars");
      }
    }
    Binary fast = Binary.recognize(computation);
    return fast != null ? fast : new Interpreted(computation, interpreter);
  }

  /** Number of accumulators {@code N}: the reducer takes {@code 2N} scalars. */
  public final int arity() {
    return parameterTypes.size() / 2;
  }

  /** The type of accumulator {@code k} (parameter {@code k}). */
  public final ElementType accumulatorType(int k) {
    return parameterTypes.get(k);
  }

  /** The type of element {@code k} (parameter {@code N + k}). */
  public final ElementType elementType(int k) {
    return parameterTypes.get(arity() + k);
  }

  /** True when applications are evaluated directly, without interpreting the computation. */
  public abstract boolean isDirect();

  /**
   * Applies a single-accumulator reducer to canonical float values: {@code acc} of the
   * accumulator's type, {@code element} of the element parameter's type. The result is a value of
   * the accumulator's type (already rounded).
   */
  public abstract double applyDouble(double acc, double element);

  /** As {@link #applyDouble}, for integer and pred reducers on canonical (wrapped) values. */
  public abstract long applyLong(long acc, long element);

  /**
   * {@code into[at] = f(into[at], from[index])} for a single-accumulator reducer, on the storage
   * arrays: the step of scatter and select-and-scatter.
   */
  final void accumulate(Literal into, int at, Literal from, int index) {
    if (into.isFloat()) {
      double[] out = into.floatStorage();
      out[at] = applyDouble(out[at], from.getDouble(index));
    } else {
      long[] out = into.intStorage();
      out[at] = applyLong(out[at], from.getLong(index));
    }
  }

  /**
   * Applies the reducer to {@code N} scalar accumulators and {@code N} scalar elements.
   *
   * @return the {@code N} new accumulators, scalars
   */
  public abstract Literal[] apply(Literal[] accumulators, Literal[] elements);

  /** {@code ROOT r = op(p0, p1)} evaluated directly on canonical values. */
  private static final class Binary extends ScalarFunction {
    private final ElementType type;
    private final DoubleBinaryOperator floatOp; // null for integer and pred types
    private final LongBinaryOperator intOp; // null for float types

    private Binary(Computation computation, ElementType type, DoubleBinaryOperator floatOp, LongBinaryOperator intOp) {
      super(computation);
      this.type = type;
      this.floatOp = floatOp;
      this.intOp = intOp;
    }

    /** The direct form of {@code computation}, or null when it is not a plain binary reducer. */
    static Binary recognize(Computation computation) {
      List<Instruction> params = computation.parameters();
      Instruction root = computation.root();
      if (params.size() != 2 || root == null || root.operandCount() != 2
          || root.opcode().family() != Opcode.Family.BINARY) {
        return null;
      }
      boolean straight = root.operand(0) == params.get(0) && root.operand(1) == params.get(1);
      boolean swapped = root.operand(0) == params.get(1) && root.operand(1) == params.get(0);
      if (!straight && !swapped) {
        return null;
      }
      // A reducer whose parameters differ in type (a wider accumulator, say) is left to the
      // interpreter, and so is compare, whose result type differs from its operands'.
      ElementType type = root.shape().isScalar() ? root.shape().elementType() : null;
      if (type == null || params.get(0).shape().elementType() != type || params.get(1).shape().elementType() != type) {
        return null;
      }
      if (type.isFloat()) {
        DoubleBinaryOperator op = BinaryOps.forFloat(root.opcode());
        return op == null ? null
            : new Binary(computation, type, floatOperator(swapped ? (a, b) -> op.applyAsDouble(b, a) : op, type), null);
      }
      if (type.isInteger() || type.isPred()) {
        LongBinaryOperator op = BinaryOps.forInteger(root.opcode(), type);
        return op == null ? null
            : new Binary(computation, type, null, integerOperator(swapped ? (a, b) -> op.applyAsLong(b, a) : op, type));
      }
      return null;
    }

    /**
     * {@code exact}, a function of the elementwise table ({@link BinaryOps}) computed in double,
     * rounded once to {@code type}: for add, subtract, multiply and divide that equals the
     * correctly rounded operation of the type itself (double has more than twice f32's precision),
     * so this matches the interpreted computation bit for bit.
     */
    private static DoubleBinaryOperator floatOperator(DoubleBinaryOperator exact, ElementType type) {
      return switch (type) {
        case F64 -> exact;
        case F32 -> (a, b) -> (float) exact.applyAsDouble(a, b);
        default -> (a, b) -> ElementValues.roundFloat(type, exact.applyAsDouble(a, b));
      };
    }

    /** {@code wide}, an integer function of the elementwise table, wrapped to {@code type}'s width. */
    private static LongBinaryOperator integerOperator(LongBinaryOperator wide, ElementType type) {
      if (type == ElementType.S64 || type == ElementType.U64) {
        return wide; // a long already wraps at 64 bits
      }
      return (a, b) -> ElementValues.wrapInteger(type, wide.applyAsLong(a, b));
    }

    @Override
    public boolean isDirect() {
      return true;
    }

    @Override
    public double applyDouble(double acc, double element) {
      if (floatOp == null) {
        throw new IllegalStateException("reducer over " + type + " applied to float values");
      }
      return floatOp.applyAsDouble(acc, element);
    }

    @Override
    public long applyLong(long acc, long element) {
      if (intOp == null) {
        throw new IllegalStateException("reducer over " + type + " applied to integer values");
      }
      return intOp.applyAsLong(acc, element);
    }

    @Override
    public Literal[] apply(Literal[] accumulators, Literal[] elements) {
      Literal acc = accumulators[0];
      Literal element = elements[0];
      Literal result = type.isFloat()
          ? Literal.scalar(type, applyDouble(acc.getDouble(0), element.getDouble(0)))
          : Literal.scalar(type, applyLong(acc.getLong(0), element.getLong(0)));
      return new Literal[] {result};
    }
  }

  /** Any other reducer: the computation is interpreted on every application. */
  private static final class Interpreted extends ScalarFunction {
    private final Computation computation;
    private final Interpreter interpreter;

    Interpreted(Computation computation, Interpreter interpreter) {
      super(computation);
      this.computation = computation;
      this.interpreter = interpreter;
    }

    @Override
    public boolean isDirect() {
      return false;
    }

    @Override
    public double applyDouble(double acc, double element) {
      return single(Literal.scalar(accumulatorType(0), acc), Literal.scalar(elementType(0), element)).getDouble(0);
    }

    @Override
    public long applyLong(long acc, long element) {
      return single(Literal.scalar(accumulatorType(0), acc), Literal.scalar(elementType(0), element)).getLong(0);
    }

    private Literal single(Literal acc, Literal element) {
      if (arity() != 1) {
        throw new IllegalStateException("reducer " + computation.name() + " takes " + arity()
            + " accumulators; apply it with apply(Literal[], Literal[])");
      }
      return apply(new Literal[] {acc}, new Literal[] {element})[0];
    }

    @Override
    public Literal[] apply(Literal[] accumulators, Literal[] elements) {
      List<Literal> arguments = new ArrayList<>(2 * arity());
      arguments.addAll(List.of(accumulators));
      arguments.addAll(List.of(elements));
      Literal result = interpreter.call(computation, arguments);
      Literal[] parts = result.isTuple() ? result.tupleElements().toArray(new Literal[0]) : new Literal[] {result};
      if (parts.length != arity()) {
        throw new IllegalArgumentException("reducer " + computation.name() + " returns " + result.shape()
            + "; with " + arity() + " accumulator(s) it must return " + (arity() == 1 ? "a scalar" : "a tuple of " + arity()));
      }
      for (int k = 0; k < parts.length; k++) {
        if (!parts[k].shape().isScalar() || parts[k].elementType() != accumulatorType(k)) {
          throw new IllegalArgumentException("reducer " + computation.name() + " returns " + result.shape()
              + " but accumulator " + k + " has type " + accumulatorType(k) + "[]");
        }
      }
      return parts;
    }
  }
}
