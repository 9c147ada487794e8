package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * Row extraction ({@link RowExtraction}) of the opcodes that combine elements: reductions, sorts,
 * windows, dots, dynamic slices and gathers. Each checks that the batch dimension is not one it
 * combines along (reduced, sorted, windowed, contracted, sliced in part) and removes it.
 */
final class ExtractedContractions {
  private ExtractedContractions() {}

  static Instruction reduce(RowExtraction x, Instruction i) {
    int inputs = i.operandCount() / 2;
    int r = x.firstBatchedDim(i, i.operands().subList(0, inputs));
    long[] reduced = i.requireAttr(Attr.DIMENSIONS);
    if (RowExtraction.contains(reduced, r)) {
      throw x.mixes(i, "reduces over the batch dimension " + r + ": its result combines rows");
    }
    List<Instruction> operands = new ArrayList<>(x.rowsAt(i, i.operands().subList(0, inputs), r));
    for (Instruction init : i.operands().subList(inputs, i.operandCount())) {
      operands.add(x.mapped(init));
    }
    int resultDim = r;
    for (long d : reduced) {
      resultDim -= d < r ? 1 : 0;
    }
    Attributes attributes = i.attributes().with(Attr.DIMENSIONS, RowExtraction.without(reduced, r));
    return emitPerElement(x, i, resultDim, operands, attributes);
  }

  static Instruction sort(RowExtraction x, Instruction i) {
    int r = x.firstBatchedDim(i, i.operands());
    long along = i.requireAttr(Attr.DIMENSIONS)[0];
    if (along == r) {
      throw x.mixes(i, "sorts along the batch dimension " + r + ": rows would change places");
    }
    return emitPerElement(x, i, r, x.rowsAt(i, i.operands(), r),
        i.attributes().with(Attr.DIMENSIONS, new long[] {along > r ? along - 1 : along}));
  }

  static Instruction reduceWindow(RowExtraction x, Instruction i) {
    int inputs = i.operandCount() / 2;
    int r = x.firstBatchedDim(i, i.operands().subList(0, inputs));
    List<Window.Dim> window = new ArrayList<>(i.requireAttr(Attr.WINDOW).dims());
    if (!window.remove(r).equals(Window.Dim.of(1))) {
      throw x.mixes(i, "has a window over the batch dimension " + r + " wider than one row");
    }
    List<Instruction> operands = new ArrayList<>(x.rowsAt(i, i.operands().subList(0, inputs), r));
    for (Instruction init : i.operands().subList(inputs, i.operandCount())) {
      operands.add(x.mapped(init));
    }
    return emitPerElement(x, i, r, operands, i.attributes().with(Attr.WINDOW, new Window(window)));
  }

  static Instruction selectAndScatter(RowExtraction x, Instruction i) {
    int r = x.firstBatchedDim(i, i.operands().subList(0, 2));
    List<Window.Dim> window = new ArrayList<>(i.requireAttr(Attr.WINDOW).dims());
    if (!window.remove(r).equals(Window.Dim.of(1))) {
      throw x.mixes(i, "has a window over the batch dimension " + r + " wider than one row");
    }
    List<Instruction> operands = new ArrayList<>(x.rowsAt(i, i.operands().subList(0, 2), r));
    operands.add(x.mapped(i.operand(2)));
    return x.emit(i, r, Opcode.SELECT_AND_SCATTER, RowExtraction.without(i.shape(), r), operands,
        i.attributes().with(Attr.WINDOW, new Window(window)));
  }

  /**
   * The batch must be a free dimension of the one batched operand (a batch of vectors times a
   * matrix), or a dot batch dimension paired between two batched operands.
   */
  static Instruction dot(RowExtraction x, Instruction i) {
    Instruction lhs = i.operand(0);
    Instruction rhs = i.operand(1);
    int rl = x.rowOfBatched(lhs);
    int rr = x.rowOfBatched(rhs);
    long[] lb = i.attributes().getOrDefault(Attr.LHS_BATCH_DIMS, new long[0]);
    long[] rb = i.attributes().getOrDefault(Attr.RHS_BATCH_DIMS, new long[0]);
    long[] lc = i.requireAttr(Attr.LHS_CONTRACTING_DIMS);
    long[] rc = i.requireAttr(Attr.RHS_CONTRACTING_DIMS);
    if (RowExtraction.contains(lc, rl) || RowExtraction.contains(rc, rr)) {
      throw x.mixes(i, "contracts the batch dimension: each result would sum over rows");
    }
    int resultDim;
    if (rl != RowDim.NONE && rr != RowDim.NONE) {
      int pair = indexOf(lb, rl);
      if (pair < 0 || rb[pair] != rr) {
        throw x.mixes(i, "multiplies rows of %" + lhs.name() + " with rows of %" + rhs.name()
            + " (the batch dimensions are not a paired dot batch dimension)");
      }
      lb = RowExtraction.without(RowExtraction.remove(lb, pair), rl);
      rb = RowExtraction.without(RowExtraction.remove(rb, pair), rr);
      resultDim = pair;
    } else if (rl != RowDim.NONE) {
      if (RowExtraction.contains(lb, rl)) {
        throw x.mixes(i, "pairs the batch dimension of %" + lhs.name() + " with a dimension of %" + rhs.name()
            + ", which is not the same for every row");
      }
      resultDim = lb.length + freeDimsBefore(rl, lb, lc);
      lb = RowExtraction.without(lb, rl);
    } else {
      if (RowExtraction.contains(rb, rr)) {
        throw x.mixes(i, "pairs the batch dimension of %" + rhs.name() + " with a dimension of %" + lhs.name()
            + ", which is not the same for every row");
      }
      resultDim = lb.length + (lhs.shape().rank() - lb.length - lc.length) + freeDimsBefore(rr, rb, rc);
      rb = RowExtraction.without(rb, rr);
    }
    Attributes a = i.attributes()
        .with(Attr.LHS_CONTRACTING_DIMS, rl == RowDim.NONE ? lc : RowExtraction.without(lc, rl))
        .with(Attr.RHS_CONTRACTING_DIMS, rr == RowDim.NONE ? rc : RowExtraction.without(rc, rr));
    if (lb.length == 0) {
      a = a.without(Attr.LHS_BATCH_DIMS).without(Attr.RHS_BATCH_DIMS);
    } else {
      a = a.with(Attr.LHS_BATCH_DIMS, lb).with(Attr.RHS_BATCH_DIMS, rb);
    }
    return x.emit(i, resultDim, Opcode.DOT, RowExtraction.without(i.shape(), resultDim),
        List.of(x.mapped(lhs), x.mapped(rhs)), a);
  }

  /** The slice keeps the whole batch, from start 0 of the batch dimension. */
  static Instruction dynamicSlice(RowExtraction x, Instruction i) {
    int r = x.rowOfBatched(i.operand(0));
    long[] sizes = i.requireAttr(Attr.DYNAMIC_SLICE_SIZES);
    if (!ConstantValues.isAll(i.operand(1 + r), 0) || sizes[r] != x.batchSize()) {
      throw x.mixes(i, "slices part of the batch dimension " + r + ": rows would move or go");
    }
    List<Instruction> operands = new ArrayList<>();
    operands.add(x.mapped(i.operand(0)));
    for (int k = 1; k < i.operandCount(); k++) {
      if (k != 1 + r) {
        operands.add(x.mapped(i.operand(k)));
      }
    }
    return x.emit(i, r, Opcode.DYNAMIC_SLICE, RowExtraction.without(i.shape(), r), operands,
        i.attributes().with(Attr.DYNAMIC_SLICE_SIZES, RowExtraction.remove(sizes, r)));
  }

  /** The update covers the whole batch, at start 0 of the batch dimension. */
  static Instruction dynamicUpdateSlice(RowExtraction x, Instruction i) {
    int r = x.firstBatchedDim(i, i.operands().subList(0, 2));
    for (int k = 2; k < i.operandCount(); k++) {
      if (x.isBatched(i.operand(k))) {
        throw x.mixes(i, "takes a start index from the batch");
      }
    }
    Instruction start = i.operand(2 + r);
    if (!ConstantValues.isAll(start, 0) || i.operand(1).shape().dimension(r) != x.batchSize()) {
      throw x.mixes(i, "updates part of the batch dimension " + r + ": rows would not be updated alike");
    }
    List<Instruction> operands = new ArrayList<>(x.rowsAt(i, i.operands().subList(0, 2), r));
    for (int k = 2; k < i.operandCount(); k++) {
      if (k != 2 + r) {
        operands.add(x.mapped(i.operand(k)));
      }
    }
    return x.emit(i, r, Opcode.DYNAMIC_UPDATE_SLICE, RowExtraction.without(i.shape(), r), operands, i.attributes());
  }

  /** Rows of the indices select rows of the output: a lookup per row in a table shared by all. */
  static Instruction gather(RowExtraction x, Instruction i) {
    if (x.isBatched(i.operand(0))) {
      throw x.mixes(i, "gathers from the batch: a row could read another row's values");
    }
    Instruction indices = i.operand(1);
    int ri = x.rowOfBatched(indices);
    long vector = i.requireAttr(Attr.INDEX_VECTOR_DIM);
    long[] batching = i.attributes().getOrDefault(Attr.START_INDICES_BATCHING_DIMS, new long[0]);
    if (ri == vector || RowExtraction.contains(batching, ri)) {
      throw x.mixes(i, "uses the batch dimension of its indices as an index vector or batching dimension");
    }
    int k = ri - (vector < ri ? 1 : 0); // the batch's place among the indices' batch dimensions
    long[] offsets = i.requireAttr(Attr.OFFSET_DIMS);
    int r = -1;
    for (int d = 0, seen = 0; d < i.shape().rank(); d++) {
      if (!RowExtraction.contains(offsets, d) && seen++ == k) {
        r = d;
      }
    }
    Attributes a = i.attributes().with(Attr.OFFSET_DIMS, RowExtraction.without(offsets, r))
        .with(Attr.INDEX_VECTOR_DIM, vector > ri ? vector - 1 : vector);
    if (batching.length > 0) {
      a = a.with(Attr.START_INDICES_BATCHING_DIMS, RowExtraction.without(batching, ri));
    }
    return x.emit(i, r, Opcode.GATHER, RowExtraction.without(i.shape(), r),
        List.of(x.mapped(i.operand(0)), x.mapped(indices)), a);
  }

  private static Instruction emitPerElement(RowExtraction x, Instruction i, int r, List<Instruction> operands,
                                            Attributes attributes) {
    if (i.shape().isTuple()) {
      List<Shape> shapes = i.shape().tupleShapes().stream().map(s -> RowExtraction.without(s, r)).toList();
      x.setDim(i, RowDim.tuple(shapes.stream().map(s -> RowDim.at(r)).toList()));
      return x.add(Instruction.create(i.name(), i.opcode(), Shape.tuple(shapes), operands, attributes));
    }
    return x.emit(i, r, i.opcode(), RowExtraction.without(i.shape(), r), operands, attributes);
  }

  private static int indexOf(long[] values, long v) {
    for (int k = 0; k < values.length; k++) {
      if (values[k] == v) {
        return k;
      }
    }
    return -1;
  }

  private static int freeDimsBefore(int d, long[] batch, long[] contracting) {
    int n = 0;
    for (int e = 0; e < d; e++) {
      n += RowExtraction.contains(batch, e) || RowExtraction.contains(contracting, e) ? 0 : 1;
    }
    return n;
  }
}
