package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code sort(operands...), dimensions={d}, to_apply=less}: every slice along d is sorted by a
 * stable bottom-up merge sort emitted in IR, the interpreter's algorithm step for step, so even a
 * comparator that is not a strict weak order gives the interpreter's permutation.
 *
 * <p>The operands are first copied into the outputs; each slice then sorts a permutation of
 * {@code 0..n-1} (two i64 buffers of n, swapped after each pass) with the comparator inlined on
 * the outputs' elements, and finally every output's slice is permuted through a temporary row.
 *
 * <p>Dynamic rows ({@code f32[?,8]} sorted along dimension 1, a batched per-row sort): the loop
 * over slices runs to the row count and each row is sorted on its own; the sorted dimension must
 * be static, since the merge passes and the permutation buffers are sized by it.
 */
final class SortEmitter {
  private SortEmitter() {}

  static List<IrArray> emit(ComputationEmitter c, Instruction sort) {
    IrBuilder b = c.builder();
    int n = sort.operandCount();
    long[] dimension = sort.requireAttr(Attr.DIMENSIONS);
    Shape first = sort.operand(0).shape();
    int[] dims = first.dimensions();
    if (n == 0 || dimension.length != 1 || dimension[0] < 0 || dimension[0] >= dims.length) {
      throw new CompilationException("%" + sort.name() + " (sort): needs operands and one dimension to sort, got "
          + Arrays.toString(dimension));
    }
    int d = (int) dimension[0];
    if (dims[d] == Shape.DYNAMIC) {
      throw new CompilationException("%" + sort.name() + " (sort): sorting along the dynamic dimension " + d + " of "
          + first.toStringWithoutLayout()
          + " is not supported: the merge passes need the length of the sorted dimension");
    }
    for (Instruction op : sort.operands()) {
      if (!Arrays.equals(op.shape().dimensions(), dims)) {
        throw new CompilationException("%" + sort.name() + " (sort): operands have different dimensions");
      }
    }
    Computation less = sort.requireAttr(Attr.TO_APPLY);
    if (less.parameterCount() != 2 * n) {
      throw new CompilationException("%" + sort.name() + " (sort): comparator " + less.name() + " takes "
          + less.parameterCount() + " parameters for " + n + " operand(s)");
    }
    List<IrArray> outputs = c.outputs(sort);
    for (int k = 0; k < n; k++) {
      if (outputs.get(k).elementType() != sort.operand(k).shape().elementType()) {
        throw new CompilationException("%" + sort.name() + " (sort): result " + k + " is " + outputs.get(k).shape()
            + " for operand " + sort.operand(k).shape());
      }
      c.store(c.arrayOf(sort.operand(k)), outputs.get(k));
    }
    int length = dims[d];
    if (length <= 1 || hasEmptyStaticDimension(dims)) {
      return outputs;
    }
    Shape row = Shape.array(ElementType.S64, length);
    IrArray perm = c.temp(sort.name() + ".perm", row);
    IrArray spare = c.temp(sort.name() + ".spare", row);
    List<IrArray> rows = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      rows.add(c.temp(sort.name() + ".row" + k, Shape.array(outputs.get(k).elementType(), length)));
    }
    int[] outer = dims.clone();
    outer[d] = 1;
    IrValue fromSlot = b.alloca("ptr");
    IrValue toSlot = b.alloca("ptr");
    LoopEmitter.forEachIndex(b, "sort.slice", outer, slice -> {
      Slice s = new Slice(b, slice, d, dims, outputs);
      LoopEmitter.forRange(b, "sort.init", IrValue.i64(length), j -> perm.storeLinear(b, j, j));
      b.store(perm.pointer(), fromSlot, 8);
      b.store(spare.pointer(), toSlot, 8);
      mergePasses(b, s, less, length, fromSlot, toSlot);
      IrArray sorted = new IrArray(b.load("ptr", fromSlot, 8), row);
      for (int k = 0; k < n; k++) {
        int key = k;
        LoopEmitter.forRange(b, "sort.gather", IrValue.i64(length), j ->
            rows.get(key).storeLinear(b, j, s.load(key, sorted.loadLinear(b, j))));
        LoopEmitter.forRange(b, "sort.scatter", IrValue.i64(length), j ->
            s.store(key, j, rows.get(key).loadLinear(b, j)));
      }
    });
    return outputs;
  }

  /** One slice along the sorted dimension: element j of output k is at the slice's index with j along d. */
  private record Slice(IrBuilder b, IrIndex at, int d, int[] dims, List<IrArray> outputs) {
    IrIndex index(IrValue j) {
      IrValue[] idx = new IrValue[dims.length];
      for (int i = 0; i < dims.length; i++) {
        idx[i] = i == d ? j : at.get(i);
      }
      return new IrIndex(idx, dims, null);
    }

    IrValue load(int k, IrValue j) {
      return outputs.get(k).load(b, index(j));
    }

    void store(int k, IrValue j, IrValue v) {
      outputs.get(k).store(b, index(j), v);
    }
  }

  /**
   * {@code for (width = 1; width < n; width *= 2)}: merge runs of {@code width} from the
   * permutation in {@code fromSlot} into the one in {@code toSlot}, then swap the two.
   */
  private static void mergePasses(IrBuilder b, Slice s, Computation less, int length, IrValue fromSlot,
                                  IrValue toSlot) {
    int passes = 0;
    for (long w = 1; w < length; w *= 2) {
      passes++;
    }
    Shape row = Shape.array(ElementType.S64, length);
    LoopEmitter.forRange(b, "sort.pass", IrValue.i64(passes), pass -> {
      IrValue width = b.binop("shl", IrValue.i64(1), pass);
      IrArray from = new IrArray(b.load("ptr", fromSlot, 8), row);
      IrArray to = new IrArray(b.load("ptr", toSlot, 8), row);
      IrValue runs = b.binop("udiv", b.add(IrValue.i64(length - 1), b.add(width, width)), b.add(width, width));
      LoopEmitter.forRange(b, "sort.run", runs, run -> {
        IrValue lo = b.mul(run, b.add(width, width));
        IrValue mid = min(b, b.add(lo, width), IrValue.i64(length));
        IrValue hi = min(b, b.add(mid, width), IrValue.i64(length));
        merge(b, s, less, from, to, lo, mid, hi);
      });
      b.store(to.pointer(), fromSlot, 8);
      b.store(from.pointer(), toSlot, 8);
    });
  }

  /**
   * Merges {@code from[lo, mid)} and {@code from[mid, hi)} into {@code to[lo, hi)}, taking the
   * right element only when it is strictly less than the left one. The comparator always runs on
   * valid positions (clamped when a run is exhausted) and its answer is then ignored, so the body
   * has no branch.
   */
  private static void merge(IrBuilder b, Slice s, Computation less, IrArray from, IrArray to, IrValue lo,
                            IrValue mid, IrValue hi) {
    IrValue iSlot = b.alloca("i64");
    IrValue jSlot = b.alloca("i64");
    b.store(lo, iSlot, 8);
    b.store(mid, jSlot, 8);
    LoopEmitter.forRange(b, "sort.merge", b.sub(hi, lo), step -> {
      IrValue out = b.add(lo, step);
      IrValue i = b.load("i64", iSlot, 8);
      IrValue j = b.load("i64", jSlot, 8);
      IrValue leftLeft = b.icmp("ult", i, mid);
      IrValue rightLeft = b.icmp("ult", j, hi);
      IrValue left = from.loadLinear(b, b.select(leftLeft, i, lo));
      IrValue right = from.loadLinear(b, b.select(rightLeft, j, lo));
      List<IrValue> args = new ArrayList<>();
      for (int k = 0; k < s.outputs().size(); k++) {
        args.add(s.load(k, right));
        args.add(s.load(k, left));
      }
      List<IrValue> answer = ElementalEmitter.emitScalarComputation(b, less, args);
      if (answer.size() != 1 || !answer.get(0).type().equals("i1")) {
        throw new CompilationException("comparator " + less.name() + " must return pred[]");
      }
      // takeLeft = i < mid && (j >= hi || !less(right, left))
      IrValue rightFirst = b.and(rightLeft, answer.get(0));
      IrValue takeLeft = b.and(leftLeft, b.xor(rightFirst, IrValue.bool(true)));
      to.storeLinear(b, out, b.select(takeLeft, left, right));
      b.store(b.select(takeLeft, b.add(i, IrValue.i64(1)), i), iSlot, 8);
      b.store(b.select(takeLeft, j, b.add(j, IrValue.i64(1))), jSlot, 8);
    });
  }

  /** A static dimension of size 0 leaves nothing to sort (an empty dynamic one runs no slice loop). */
  private static boolean hasEmptyStaticDimension(int[] dims) {
    return Arrays.stream(dims).anyMatch(n -> n == 0);
  }

  private static IrValue min(IrBuilder b, IrValue x, IrValue y) {
    return b.select(b.icmp("ult", x, y), x, y);
  }
}
