package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates {@code sort(operands...), dimensions={d}, to_apply=less, is_stable=...}: every slice
 * along dimension {@code d} is reordered so that {@code less} holds between no later element and
 * an earlier one, and all operands are permuted together (a key-value sort). {@code less} takes
 * {@code (lhs_0, rhs_0, lhs_1, rhs_1, ...)} and should be a strict weak order; the result is a
 * tuple when there are several operands.
 *
 * <p>The sort is always a stable merge sort: stability is a valid refinement of an unstable sort,
 * so {@code is_stable} needs no separate path. A comparator that is not a strict weak order (one
 * that answers true both ways, say) gives some permutation of the slice, without an error: merge
 * sort asks each question at most once per merge step and never relies on the answers agreeing.
 */
final class SortEvaluator {
  private SortEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    if (operands.isEmpty()) {
      throw new IllegalArgumentException("sort takes at least one operand");
    }
    int[] dims = ReduceEvaluator.sameDimensions(operands);
    long[] dimension = instr.requireAttr(Attr.DIMENSIONS);
    if (dimension.length != 1) {
      throw new IllegalArgumentException("dimensions must name exactly one dimension to sort along, got " + dimension.length);
    }
    int d = Offsets.checkedDimensions(dimension, dims.length, "dimensions")[0];

    List<Shape> declared = ResultShapes.declaredArrays(instr, operands.size());
    List<Literal> outputs = new ArrayList<>(operands.size());
    for (int k = 0; k < operands.size(); k++) {
      Literal out = ResultShapes.allocate(declared.get(k), dims);
      if (out.elementType() != operands.get(k).elementType()) {
        throw new IllegalArgumentException("result " + k + " is declared " + declared.get(k).toStringWithoutLayout()
            + " but operand " + k + " is " + operands.get(k).shape().toStringWithoutLayout());
      }
      outputs.add(out);
    }

    ElementComparator less = ElementComparator.of(instr.requireAttr(Attr.TO_APPLY), interpreter, operands);
    int length = dims[d];
    int stride = Indexing.strides(dims)[d];
    int[] slice = new int[length];
    int[] scratch = new int[length];
    for (int base : Offsets.over(dims, Offsets.complement(dims.length, new int[] {d}))) {
      for (int j = 0; j < length; j++) {
        slice[j] = base + j * stride;
      }
      mergeSort(slice, scratch, less);
      for (int j = 0; j < length; j++) {
        for (int k = 0; k < operands.size(); k++) {
          outputs.get(k).copyElement(operands.get(k), slice[j], base + j * stride);
        }
      }
    }
    return ResultShapes.pack(instr, outputs);
  }

  /**
   * Sorts the linear indices in {@code a} by {@code less}, stably: bottom-up merge sort, taking
   * the right-hand element only when it is strictly less than the left-hand one.
   */
  static void mergeSort(int[] a, int[] scratch, ElementComparator less) {
    int n = a.length;
    int[] from = a;
    int[] to = scratch;
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        merge(from, to, lo, mid, hi, less);
      }
      int[] t = from;
      from = to;
      to = t;
    }
    if (from != a) {
      System.arraycopy(from, 0, a, 0, n);
    }
  }

  private static void merge(int[] from, int[] to, int lo, int mid, int hi, ElementComparator less) {
    int i = lo;
    int j = mid;
    for (int out = lo; out < hi; out++) {
      if (i < mid && (j >= hi || !less.test(from[j], from[i]))) {
        to[out] = from[i++];
      } else {
        to[out] = from[j++];
      }
    }
  }
}
