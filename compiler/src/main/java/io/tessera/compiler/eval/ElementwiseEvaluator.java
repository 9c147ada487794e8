package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Evaluates the elementwise opcodes: unary and binary arithmetic, compare, select, clamp, convert,
 * bitcast-convert, reduce-precision, is-finite and map.
 *
 * <p>Each instruction picks its scalar function once ({@link UnaryOps}, {@link BinaryOps}) and
 * runs it in one loop over the operands' storage arrays; results are then rounded (floats) or
 * wrapped (integers) to the element type in one more pass. Floats are computed in double and
 * rounded once per operation, so f16/bf16/f32 chains match hardware that rounds every
 * intermediate; transcendentals are therefore at least as accurate as XLA's evaluator, which
 * computes f32 in f32 (results may differ from it in the last ulp).
 *
 * <p>Semantics where C or XLA leave a choice are documented on {@link BinaryOps}, {@link
 * UnaryOps}, {@link ElementwiseCompare}, {@link ElementwiseConversions} and {@link
 * ElementwiseMath}.
 */
final class ElementwiseEvaluator {
  private ElementwiseEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    EvaluationException.requireArrays(instr, operands);
    return switch (instr.opcode()) {
      case CONVERT -> ElementwiseConversions.convert(instr, sameDimensions(instr, operands.get(0)));
      case BITCAST_CONVERT -> ElementwiseConversions.bitcastConvert(instr, operands.get(0));
      case REDUCE_PRECISION -> ElementwiseConversions.reducePrecision(instr, sameShape(instr, operands.get(0)));
      case IS_FINITE -> {
        requirePredResult(instr);
        yield isFinite(instr, sameDimensions(instr, operands.get(0)));
      }
      case COMPARE -> {
        requirePredResult(instr);
        yield ElementwiseCompare.compare(instr, sameDimensions(instr, operands.get(0)),
            sameOperandShape(instr, operands.get(0), operands.get(1)));
      }
      case SELECT -> select(instr, operands.get(0), operands.get(1), operands.get(2));
      case CLAMP -> clamp(instr, operands.get(0), operands.get(1), operands.get(2));
      case MAP -> map(instr, operands, interpreter);
      default -> switch (instr.opcode().family()) {
        case UNARY -> unary(instr, sameShape(instr, operands.get(0)));
        case BINARY -> binary(instr, sameShape(instr, operands.get(0)), sameShape(instr, operands.get(1)));
        default -> throw error(instr, "is not an elementwise opcode");
      };
    };
  }

  private static Literal unary(Instruction instr, Literal x) {
    ElementType type = x.elementType();
    Literal result = Literal.zeros(instr.shape());
    if (type.isFloat()) {
      DoubleUnaryOperator op = UnaryOps.forFloat(instr.opcode());
      if (op == null) {
        throw notDefined(instr, type);
      }
      double[] in = x.floatStorage();
      double[] out = result.floatStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = op.applyAsDouble(in[i]);
      }
      ElementwiseStorage.roundAll(type, out);
    } else {
      LongUnaryOperator op = UnaryOps.forInteger(instr.opcode(), type);
      if (op == null) {
        throw notDefined(instr, type);
      }
      long[] in = x.intStorage();
      long[] out = result.intStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = op.applyAsLong(in[i]);
      }
      ElementwiseStorage.wrapAll(type, out);
    }
    return result;
  }

  private static Literal binary(Instruction instr, Literal a, Literal b) {
    ElementType type = a.elementType();
    Literal result = Literal.zeros(instr.shape());
    if (type.isFloat()) {
      DoubleBinaryOperator op = BinaryOps.forFloat(instr.opcode());
      if (op == null) {
        throw notDefined(instr, type);
      }
      double[] x = a.floatStorage();
      double[] y = b.floatStorage();
      double[] out = result.floatStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = op.applyAsDouble(x[i], y[i]);
      }
      ElementwiseStorage.roundAll(type, out);
    } else {
      LongBinaryOperator op = BinaryOps.forInteger(instr.opcode(), type);
      if (op == null) {
        throw notDefined(instr, type);
      }
      long[] x = a.intStorage();
      long[] y = b.intStorage();
      long[] out = result.intStorage();
      for (int i = 0; i < out.length; i++) {
        out[i] = op.applyAsLong(x[i], y[i]);
      }
      ElementwiseStorage.wrapAll(type, out);
    }
    return result;
  }

  private static Literal isFinite(Instruction instr, Literal x) {
    if (!x.elementType().isFloat()) {
      throw notDefined(instr, x.elementType());
    }
    Literal result = Literal.zeros(instr.shape());
    double[] in = x.floatStorage();
    long[] out = result.intStorage();
    for (int i = 0; i < out.length; i++) {
      out[i] = Double.isFinite(in[i]) ? 1 : 0;
    }
    return result;
  }

  /** {@code select(pred, on_true, on_false)}; pred is an array of the result's dimensions or a scalar. */
  private static Literal select(Instruction instr, Literal pred, Literal onTrue, Literal onFalse) {
    sameShape(instr, onTrue);
    sameShape(instr, onFalse);
    if (pred.elementType() != ElementType.PRED) {
      throw error(instr, "the selector must be pred, got " + pred.elementType());
    }
    if (!pred.shape().isScalar()) {
      sameDimensions(instr, pred);
    }
    boolean scalar = pred.shape().isScalar();
    long[] p = pred.intStorage();
    Literal result = Literal.zeros(instr.shape());
    int n = result.elementCount();
    if (result.isFloat()) {
      double[] t = onTrue.floatStorage();
      double[] f = onFalse.floatStorage();
      double[] out = result.floatStorage();
      for (int i = 0; i < n; i++) {
        out[i] = p[scalar ? 0 : i] != 0 ? t[i] : f[i];
      }
    } else {
      long[] t = onTrue.intStorage();
      long[] f = onFalse.intStorage();
      long[] out = result.intStorage();
      for (int i = 0; i < n; i++) {
        out[i] = p[scalar ? 0 : i] != 0 ? t[i] : f[i];
      }
    }
    return result;
  }

  /**
   * {@code clamp(min, x, max) = min(max(x, min), max)}; min and max may be scalars. With floats a
   * NaN in min, x or max (checked in that order, as XLA's evaluator does) is the result, and zeros
   * order -0 < +0 as in {@code maximum}/{@code minimum}.
   */
  private static Literal clamp(Instruction instr, Literal low, Literal x, Literal high) {
    sameShape(instr, x);
    for (Literal bound : List.of(low, high)) {
      if (bound.elementType() != x.elementType()) {
        throw error(instr, "bounds must have the operand's element type " + x.elementType() + ", got "
            + bound.elementType());
      }
      if (!bound.shape().isScalar()) {
        sameDimensions(instr, bound);
      }
    }
    int lowStep = low.shape().isScalar() ? 0 : 1; // index multiplier: scalar bounds repeat
    int highStep = high.shape().isScalar() ? 0 : 1;
    ElementType type = x.elementType();
    Literal result = Literal.zeros(instr.shape());
    int n = result.elementCount();
    if (type.isFloat()) {
      double[] lo = low.floatStorage();
      double[] v = x.floatStorage();
      double[] hi = high.floatStorage();
      double[] out = result.floatStorage();
      for (int i = 0; i < n; i++) {
        double l = lo[i * lowStep];
        double h = hi[i * highStep];
        out[i] = Double.isNaN(l) ? l : Double.isNaN(v[i]) ? v[i] : Double.isNaN(h) ? h : Math.min(h, Math.max(v[i], l));
      }
    } else {
      LongBinaryOperator max = BinaryOps.forInteger(Opcode.MAXIMUM, type);
      LongBinaryOperator min = BinaryOps.forInteger(Opcode.MINIMUM, type);
      long[] lo = low.intStorage();
      long[] v = x.intStorage();
      long[] hi = high.intStorage();
      long[] out = result.intStorage();
      for (int i = 0; i < n; i++) {
        out[i] = min.applyAsLong(hi[i * highStep], max.applyAsLong(v[i], lo[i * lowStep]));
      }
    }
    return result;
  }

  /**
   * {@code map(a, b, ...), to_apply=f}: calls the scalar computation f once per element on the
   * operands' elements at that index. Slow (an interpreter call per element) but exact; map is rare
   * in compiled modules.
   */
  private static Literal map(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    Computation f = instr.requireAttr(Attr.TO_APPLY);
    for (Literal operand : operands) {
      sameDimensions(instr, operand);
    }
    Literal result = Literal.zeros(instr.shape());
    if (!f.resultShape().equalsIgnoringLayout(Shape.scalar(result.elementType()))) {
      throw error(instr, "to_apply=" + f.name() + " returns " + f.resultShape().toStringWithoutLayout()
          + ", expected " + Shape.scalar(result.elementType()));
    }
    List<Literal> arguments = new ArrayList<>(operands.size());
    for (int i = 0; i < result.elementCount(); i++) {
      arguments.clear();
      for (Literal operand : operands) {
        arguments.add(operand.scalarAt(i));
      }
      result.copyElement(interpreter.call(f, arguments), 0, i);
    }
    return result;
  }

  private static EvaluationException notDefined(Instruction instr, ElementType type) {
    return error(instr, instr.opcode() + " is not defined on " + type);
  }

  /** Checks that {@code operand} has the result's dimensions and element type. */
  private static Literal sameShape(Instruction instr, Literal operand) {
    sameDimensions(instr, operand);
    if (operand.elementType() != instr.shape().elementType()) {
      throw error(instr, "operand element type " + operand.elementType() + " differs from the result's "
          + instr.shape().elementType());
    }
    return operand;
  }

  /** Checks that {@code instr}, an opcode whose result is always pred, declares a pred result. */
  private static void requirePredResult(Instruction instr) {
    if (instr.shape().elementType() != ElementType.PRED) {
      throw error(instr, "the result must be pred, got " + instr.shape().elementType());
    }
  }

  /** Checks that the two operands of a compare have one shape. */
  private static Literal sameOperandShape(Instruction instr, Literal first, Literal second) {
    if (!second.shape().equalsIgnoringLayout(first.shape())) {
      throw error(instr, "operand shapes differ: " + first.shape().toStringWithoutLayout() + " and "
          + second.shape().toStringWithoutLayout());
    }
    return second;
  }

  /** Checks that {@code operand} has the result's dimensions (element types may differ). */
  private static Literal sameDimensions(Instruction instr, Literal operand) {
    if (!operand.shape().sameDimensions(instr.shape())) {
      throw error(instr, "operand " + operand.shape().toStringWithoutLayout() + " does not have the dimensions of the result "
          + instr.shape().toStringWithoutLayout());
    }
    return operand;
  }
}
