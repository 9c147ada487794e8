package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ComparisonType;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A comparator computation applied to two positions of {@code N} arrays at once: it takes
 * {@code 2N} scalars {@code (lhs_0, rhs_0, lhs_1, rhs_1, ...)} and returns {@code pred}. Sort's
 * comparator has this form; select-and-scatter's {@code select} is the case {@code N = 1}.
 *
 * <p>Sort calls its comparator {@code O(n log n)} times, so {@link #of} recognizes the form
 * nearly every comparator takes, {@code ROOT c = compare(p_2k, p_2k+1), direction=D[, type=T]}
 * (the operands may be swapped; the other parameters unused, as for the values of a key-value
 * sort), and compares the storage of array {@code k} directly, with the tests the compare
 * opcode itself uses ({@link ElementwiseCompare}). Any other computation is interpreted on every
 * comparison.
 */
abstract class ElementComparator {

  /**
   * {@code computation} as a comparator over {@code arrays}.
   *
   * @throws IllegalArgumentException when it does not take {@code 2N} scalars
   */
  static ElementComparator of(Computation computation, Interpreter interpreter, List<Literal> arrays) {
    List<Shape> params = computation.parameterShapes();
    if (params.size() != 2 * arrays.size()) {
      throw new IllegalArgumentException("comparator " + computation.name() + " takes " + params.size()
          + " parameter(s); comparing " + arrays.size() + " array(s) needs " + 2 * arrays.size());
    }
    ElementComparator direct = Direct.recognize(computation, arrays);
    return direct != null ? direct : new Interpreted(computation, interpreter, arrays);
  }

  /** The comparator's answer for element {@code lhs} against element {@code rhs} (linear indices). */
  abstract boolean test(int lhs, int rhs);

  /** True when comparisons run directly on the storage, without interpreting the computation. */
  abstract boolean isDirect();

  /** {@code compare(p_2k, p_2k+1)} evaluated on array {@code k}'s storage. */
  private static final class Direct extends ElementComparator {
    private interface Test {
      boolean test(int lhs, int rhs);
    }

    private final Test test;

    private Direct(Test test) {
      this.test = test;
    }

    static Direct recognize(Computation computation, List<Literal> arrays) {
      Instruction root = computation.root();
      if (root == null || root.opcode() != Opcode.COMPARE || root.operandCount() != 2) {
        return null;
      }
      Instruction a = root.operand(0);
      Instruction b = root.operand(1);
      if (a.opcode() != Opcode.PARAMETER || b.opcode() != Opcode.PARAMETER || !a.shape().isScalar() || !b.shape().isScalar()) {
        return null;
      }
      int pa = a.parameterNumber();
      int pb = b.parameterNumber();
      int k = Math.min(pa, pb) / 2;
      // lhs_k is parameter 2k, rhs_k is parameter 2k+1; compare(rhs, lhs) is the swapped direction.
      if (Math.min(pa, pb) != 2 * k || Math.max(pa, pb) != 2 * k + 1 || k >= arrays.size()) {
        return null;
      }
      Literal array = arrays.get(k);
      ElementType type = array.elementType();
      if (a.shape().elementType() != type || b.shape().elementType() != type) {
        return null; // the interpreter reports the mismatch
      }
      ComparisonDirection direction = root.requireAttr(Attr.DIRECTION);
      if (pa > pb) {
        direction = direction.swapped();
      }
      ComparisonType comparison = ElementwiseCompare.comparisonType(root, type);
      if (!ElementwiseCompare.applies(comparison, type)) {
        return null; // the interpreter reports it
      }
      if (comparison == ComparisonType.FLOAT) {
        ElementwiseCompare.FloatTest floatTest = ElementwiseCompare.floatTest(direction);
        double[] v = array.floatStorage();
        return new Direct((i, j) -> floatTest.test(v[i], v[j]));
      }
      ElementwiseCompare.KeyTest keyTest = ElementwiseCompare.keyTest(direction);
      long[] keys = ElementwiseCompare.keys(array, comparison);
      return new Direct((i, j) -> keyTest.test(keys[i], keys[j]));
    }

    @Override
    boolean test(int lhs, int rhs) {
      return test.test(lhs, rhs);
    }

    @Override
    boolean isDirect() {
      return true;
    }
  }

  /** Any other comparator: the computation is interpreted on every comparison. */
  private static final class Interpreted extends ElementComparator {
    private final Computation computation;
    private final Interpreter interpreter;
    private final List<Literal> arrays;

    Interpreted(Computation computation, Interpreter interpreter, List<Literal> arrays) {
      this.computation = computation;
      this.interpreter = interpreter;
      this.arrays = arrays;
    }

    @Override
    boolean test(int lhs, int rhs) {
      List<Literal> arguments = new ArrayList<>(2 * arrays.size());
      for (Literal array : arrays) {
        arguments.add(array.scalarAt(lhs));
        arguments.add(array.scalarAt(rhs));
      }
      Literal result = interpreter.call(computation, arguments);
      if (!result.shape().isScalar() || result.elementType() != ElementType.PRED) {
        throw new IllegalArgumentException("comparator " + computation.name() + " returns " + result.shape()
            + "; it must return pred[]");
      }
      return result.getLong(0) != 0;
    }


    @Override
    boolean isDirect() {
      return false;
    }
  }
}
