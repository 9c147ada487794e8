package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape rules of the opcodes that call computations as a whole ({@code call}, {@code fusion},
 * {@code map}, {@code while}, {@code conditional}) and of {@code custom-call}. A called
 * computation's parameters must match the values passed to it, layouts aside.
 */
final class ControlShapes {
  private ControlShapes() {}

  /** {@code call} ({@code to_apply}) and {@code fusion} ({@code calls}): the callee's result. */
  static Shape call(Operation op, Attr<Computation> callee) {
    Computation c = op.computation(callee);
    op.checkSignature(callee.name(), c, op.operands, c.resultShape());
    return c.resultShape();
  }

  /**
   * {@code map(x0, ..., x(n-1)), to_apply=f}: operands of one set of dimensions; {@code f} takes one
   * scalar of each operand's type and returns a scalar, whose type the result takes.
   * {@code dimensions}, when given, must be all dimensions in order (XLA maps whole arrays only).
   */
  static Shape map(Operation op) {
    if (op.operandCount() == 0) {
      throw op.fail("needs at least one operand");
    }
    Shape first = op.array(0, "operand 0");
    List<Shape> params = new ArrayList<>();
    for (int i = 0; i < op.operandCount(); i++) {
      Shape s = op.array(i, "operand " + i);
      if (!s.sameDimensions(first)) {
        throw op.fail("operand " + i + " " + Operation.str(s) + " and operand 0 " + Operation.str(first)
            + " differ in dimensions");
      }
      params.add(Shape.scalar(s.elementType()));
    }
    long[] dims = op.attributes.get(Attr.DIMENSIONS);
    if (dims != null) {
      for (int i = 0; i < dims.length || i < first.rank(); i++) {
        if (i >= dims.length || i >= first.rank() || dims[i] != i) {
          throw op.fail("dimensions=" + Operation.list(dims) + " must list every dimension of "
              + Operation.str(first) + " in order");
        }
      }
    }
    Computation f = op.computation(Attr.TO_APPLY);
    Shape result = f.resultShape();
    if (!result.isScalar()) {
      throw op.fail("to_apply computation %" + f.name() + " must return a scalar, returns " + Operation.str(result));
    }
    op.checkSignature("to_apply", f, params, result);
    return Shape.array(result.elementType(), first.dimensions());
  }

  /**
   * {@code while(init), condition=c, body=b}: {@code c: S -> pred[]}, {@code b: S -> S}, where
   * {@code S} is the shape of {@code init} and of the result.
   */
  static Shape whileLoop(Operation op) {
    Shape state = op.operand(0);
    op.checkSignature("condition", op.computation(Attr.CONDITION), List.of(state), Shape.scalar(ElementType.PRED));
    op.checkSignature("body", op.computation(Attr.BODY), List.of(state), state);
    return state.withoutLayout();
  }

  /**
   * Either {@code conditional(pred[], t_arg, f_arg)} with {@code true_computation} and
   * {@code false_computation}, or {@code conditional(s32[], arg_0, ..., arg_(n-1))} with
   * {@code branch_computations}; branch {@code j} takes its argument, and all branches return one
   * shape, the result's.
   */
  static Shape conditional(Operation op) {
    if (op.operandCount() == 0) {
      throw op.fail("needs a branch selector");
    }
    Shape selector = op.operand(0);
    List<Computation> branches = op.attributes.get(Attr.BRANCH_COMPUTATIONS);
    boolean hasTrueFalse = op.attributes.has(Attr.TRUE_COMPUTATION) || op.attributes.has(Attr.FALSE_COMPUTATION);
    if (branches != null && hasTrueFalse) {
      throw op.fail("give either branch_computations or true_computation and false_computation, not both");
    }
    if (branches == null) {
      if (!selector.equalsIgnoringLayout(Shape.scalar(ElementType.PRED))) {
        throw op.fail("with true_computation and false_computation the selector must be pred[], got "
            + Operation.str(selector));
      }
      branches = List.of(op.require(Attr.TRUE_COMPUTATION), op.require(Attr.FALSE_COMPUTATION));
    } else {
      if (!selector.equalsIgnoringLayout(Shape.scalar(ElementType.S32))) {
        throw op.fail("with branch_computations the selector must be s32[], got " + Operation.str(selector));
      }
      if (branches.isEmpty()) {
        throw op.fail("branch_computations is empty");
      }
    }
    op.requireOperandCount(1 + branches.size());
    Shape result = null;
    for (int j = 0; j < branches.size(); j++) {
      Computation branch = branches.get(j);
      op.requireRoot(branch, "branch " + j);
      if (result == null) {
        result = branch.resultShape();
      }
      op.checkSignature("branch " + j, branch, List.of(op.operand(1 + j)), result);
    }
    return result;
  }

  /** An opaque call: the result shape is whatever the caller declares; the target must be named. */
  static Shape customCall(Operation op) {
    op.require(Attr.CUSTOM_CALL_TARGET);
    return op.requireDeclared("a custom-call's result is defined by its target");
  }
}
