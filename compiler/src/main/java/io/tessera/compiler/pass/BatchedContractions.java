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
 * Batching rules of the opcodes that combine elements: reductions, windows, sorts, dots and
 * gathers. Each keeps rows apart by construction: the row dimension is never reduced, windowed
 * beyond size 1, sorted along, or contracted.
 */
final class BatchedContractions {
  private BatchedContractions() {}

  /** Inputs meet at one row position, never reduced; init values must not depend on the row. */
  static Instruction reduce(Batcher b, Instruction i) {
    int inputs = i.operandCount() / 2;
    checkUnbatched(b, i, i.operands().subList(inputs, i.operandCount()), "init value");
    int at = b.firstRowDim(i.operands().subList(0, inputs));
    List<Instruction> operands = new ArrayList<>();
    for (int k = 0; k < inputs; k++) {
      operands.add(b.rowDimAt(i.operand(k), at));
    }
    for (int k = inputs; k < i.operandCount(); k++) {
      operands.add(b.mapped(i.operand(k)));
    }
    long[] reduced = i.requireAttr(Attr.DIMENSIONS);
    int resultAt = at;
    for (long d : reduced) {
      if (d < at) {
        resultAt--; // each reduced dimension before the row dimension moves it one place left
      }
    }
    Attributes attributes = i.attributes().with(Attr.DIMENSIONS, Batcher.shift(reduced, at));
    return emitPerElement(b, i, resultAt, operands, attributes);
  }

  /** Windows get a size-1 window over the row dimension. */
  static Instruction reduceWindow(Batcher b, Instruction i) {
    int inputs = i.operandCount() / 2;
    checkUnbatched(b, i, i.operands().subList(inputs, i.operandCount()), "init value");
    int at = b.firstRowDim(i.operands().subList(0, inputs));
    List<Instruction> operands = new ArrayList<>();
    for (int k = 0; k < inputs; k++) {
      operands.add(b.rowDimAt(i.operand(k), at));
    }
    for (int k = inputs; k < i.operandCount(); k++) {
      operands.add(b.mapped(i.operand(k)));
    }
    Attributes attributes = i.attributes().with(Attr.WINDOW, withUnitWindow(i.requireAttr(Attr.WINDOW), at));
    return emitPerElement(b, i, at, operands, attributes);
  }

  static Instruction selectAndScatter(Batcher b, Instruction i) {
    checkUnbatched(b, i, List.of(i.operand(2)), "init value");
    int at = b.firstRowDim(i.operands().subList(0, 2));
    List<Instruction> operands = List.of(b.rowDimAt(i.operand(0), at), b.rowDimAt(i.operand(1), at),
        b.mapped(i.operand(2)));
    Attributes attributes = i.attributes().with(Attr.WINDOW, withUnitWindow(i.requireAttr(Attr.WINDOW), at));
    return b.emit(i, RowDim.at(at), Opcode.SELECT_AND_SCATTER, Batcher.withRowDim(i.shape(), at), operands,
        attributes);
  }

  /** Every operand sorted together, along the shifted dimension; each row is sorted on its own. */
  static Instruction sort(Batcher b, Instruction i) {
    int at = b.firstRowDim(i.operands());
    List<Instruction> operands = new ArrayList<>();
    for (Instruction op : i.operands()) {
      operands.add(b.rowDimAt(op, at));
    }
    Attributes attributes = i.attributes().with(Attr.DIMENSIONS, Batcher.shift(i.requireAttr(Attr.DIMENSIONS), at));
    return emitPerElement(b, i, at, operands, attributes);
  }

  /**
   * A dot with one batched operand keeps that operand's rows as a free (output) dimension: a
   * batch of vectors times a matrix is ONE matrix product [rows, k] x [k, m]. The batched operand
   * goes on the left, so the rows come first among the free dimensions; when the rows still do
   * not lead (the batched operand was the right one and both have other free dimensions, or the
   * dot has batch dimensions), a transpose follows. With both operands batched, the rows become a
   * new leading batch dimension of the dot.
   */
  static Instruction dot(Batcher b, Instruction i) {
    Instruction lhs = i.operand(0);
    Instruction rhs = i.operand(1);
    int bl = b.dim(lhs).dim();
    int br = b.dim(rhs).dim();
    long[] lb = i.attributes().getOrDefault(Attr.LHS_BATCH_DIMS, new long[0]);
    long[] rb = i.attributes().getOrDefault(Attr.RHS_BATCH_DIMS, new long[0]);
    long[] lc = i.requireAttr(Attr.LHS_CONTRACTING_DIMS);
    long[] rc = i.requireAttr(Attr.RHS_CONTRACTING_DIMS);
    if (bl != RowDim.NONE && br != RowDim.NONE) {
      Attributes.Builder a = Attributes.builder()
          .put(Attr.LHS_BATCH_DIMS, prepend(bl, Batcher.shift(lb, bl)))
          .put(Attr.RHS_BATCH_DIMS, prepend(br, Batcher.shift(rb, br)))
          .put(Attr.LHS_CONTRACTING_DIMS, Batcher.shift(lc, bl))
          .put(Attr.RHS_CONTRACTING_DIMS, Batcher.shift(rc, br));
      copyOthers(a, i.attributes());
      return b.emit(i, RowDim.at(0), Opcode.DOT, Batcher.withRowDim(i.shape(), 0),
          List.of(b.mapped(lhs), b.mapped(rhs)), a.build());
    }
    boolean swap = bl == RowDim.NONE;
    Instruction batched = swap ? rhs : lhs;
    Instruction other = swap ? lhs : rhs;
    int r = swap ? br : bl;
    long[] batchedBatch = Batcher.shift(swap ? rb : lb, r);
    long[] batchedContracting = Batcher.shift(swap ? rc : lc, r);
    Attributes.Builder a = Attributes.builder();
    putBatchDims(a, batchedBatch, swap ? lb : rb);
    a.put(Attr.LHS_CONTRACTING_DIMS, batchedContracting).put(Attr.RHS_CONTRACTING_DIMS, swap ? lc : rc);
    copyOthers(a, i.attributes());

    // Per-row result dimensions are [batch (nb), lhs free (nl), rhs free]; label them 0.. in that
    // order and the rows -1, then lay out the dot's own result: [batch, batched free, other free].
    int nb = lb.length;
    int nl = lhs.shape().rank() - nb - lc.length;
    int nr = i.shape().rank() - nb - nl;
    int rowAt = freeDimsBefore(r, batchedBatch, batchedContracting);
    List<Integer> natural = new ArrayList<>();
    for (int k = 0; k < nb; k++) {
      natural.add(k);
    }
    int batchedFirst = swap ? nb + nl : nb;
    int batchedCount = swap ? nr : nl;
    for (int k = 0; k < batchedCount; k++) {
      if (k == rowAt) {
        natural.add(-1);
      }
      natural.add(batchedFirst + k);
    }
    if (rowAt == batchedCount) {
      natural.add(-1);
    }
    int otherFirst = swap ? nb : nb + nl;
    for (int k = 0; k < (swap ? nl : nr); k++) {
      natural.add(otherFirst + k);
    }
    int[] dims = new int[natural.size()];
    long[] permutation = new long[natural.size()];
    boolean identity = true;
    for (int d = 0; d < dims.length; d++) {
      int label = natural.get(d);
      dims[d] = label < 0 ? Shape.DYNAMIC : i.shape().dimension(label);
      permutation[d] = natural.indexOf(d - 1); // wanted order: rows (-1), then per-row order
      identity &= permutation[d] == d;
    }
    List<Instruction> operands = List.of(b.mapped(batched), b.mapped(other));
    Shape wanted = Batcher.withRowDim(i.shape(), 0);
    if (identity) {
      return b.emit(i, RowDim.at(0), Opcode.DOT, wanted, operands, a.build());
    }
    Instruction dot = b.helper(Opcode.DOT, Shape.array(i.shape().elementType(), dims), operands, a.build());
    return b.emit(i, RowDim.at(0), Opcode.TRANSPOSE, wanted, List.of(dot), Batcher.dimensionsAttr(permutation));
  }

  /** Copies the attributes of {@code from} that {@code into} does not have but dimension numbers. */
  private static void copyOthers(Attributes.Builder into, Attributes from) {
    for (Attr<?> attr : from.keys()) {
      if (!into.has(attr) && attr != Attr.LHS_BATCH_DIMS && attr != Attr.RHS_BATCH_DIMS) {
        copy(into, attr, from); // operand_precision, metadata, ...
      }
    }
  }

  /**
   * A gather with row-dependent indices, from a table shared by all rows (an embedding lookup):
   * the indices get the row dimension in front, which becomes a leading batch dimension of the
   * output. From a row-dependent operand, the rows of operand and indices are paired with gather's
   * batching dimensions, so each row gathers from its own operand.
   */
  static Instruction gather(Batcher b, Instruction i) {
    Instruction indices = b.rowDimAt(i.operand(1), 0);
    Attributes attributes = i.attributes()
        .with(Attr.OFFSET_DIMS, plusOne(i.requireAttr(Attr.OFFSET_DIMS)))
        .with(Attr.INDEX_VECTOR_DIM, i.requireAttr(Attr.INDEX_VECTOR_DIM) + 1);
    long[] indicesBatching = i.attributes().getOrDefault(Attr.START_INDICES_BATCHING_DIMS, new long[0]);
    long[] operandBatching = i.attributes().getOrDefault(Attr.OPERAND_BATCHING_DIMS, new long[0]);
    Instruction operand = b.mapped(i.operand(0));
    if (b.isBatched(i.operand(0))) {
      operand = b.rowDimAt(i.operand(0), 0);
      attributes = attributes
          .with(Attr.COLLAPSED_SLICE_DIMS, plusOne(i.requireAttr(Attr.COLLAPSED_SLICE_DIMS)))
          .with(Attr.START_INDEX_MAP, plusOne(i.requireAttr(Attr.START_INDEX_MAP)))
          .with(Attr.SLICE_SIZES, prepend(1, i.requireAttr(Attr.SLICE_SIZES)))
          .with(Attr.OPERAND_BATCHING_DIMS, prepend(0, plusOne(operandBatching)))
          .with(Attr.START_INDICES_BATCHING_DIMS, prepend(0, plusOne(indicesBatching)));
    } else if (indicesBatching.length > 0) {
      attributes = attributes.with(Attr.START_INDICES_BATCHING_DIMS, plusOne(indicesBatching));
    }
    return b.emit(i, RowDim.at(0), Opcode.GATHER, Batcher.withRowDim(i.shape(), 0), List.of(operand, indices),
        attributes);
  }

  /**
   * A dynamic-slice whose operand or start indices depend on the row is a gather: the start
   * indices of each row form a row of an index array, and a row-dependent operand pairs its rows
   * with them through gather's batching dimensions. Gather clamps start indices into bounds as
   * dynamic-slice does, so the results agree.
   */
  static Instruction dynamicSlice(Batcher b, Instruction i) {
    Instruction x = i.operand(0);
    int rank = x.shape().rank();
    if (rank == 0) {
      return b.emit(i, RowDim.at(0), Opcode.COPY, Batcher.withRowDim(i.shape(), 0), List.of(b.rowDimAt(x, 0)),
          Attributes.EMPTY); // a scalar's only slice is itself
    }
    Shape indexType = i.operand(1).shape();
    Shape column = Shape.array(indexType.elementType(), Shape.DYNAMIC, 1);
    List<Instruction> columns = new ArrayList<>();
    for (int k = 1; k < i.operandCount(); k++) {
      Instruction start = i.operand(k);
      columns.add(b.isBatched(start)
          ? b.helper(Opcode.RESHAPE, column, List.of(b.mapped(start)), Attributes.EMPTY)
          : b.helper(Opcode.BROADCAST, column, List.of(b.mapped(start)), Batcher.dimensionsAttr(new long[0])));
    }
    Instruction indices = columns.size() == 1 ? columns.get(0) : b.helper(Opcode.CONCATENATE,
        Shape.array(indexType.elementType(), Shape.DYNAMIC, rank), columns, Batcher.dimensionsAttr(new long[] {1}));
    long[] sizes = i.requireAttr(Attr.DYNAMIC_SLICE_SIZES);
    long[] sliceDims = new long[rank];
    for (int d = 0; d < rank; d++) {
      sliceDims[d] = d;
    }
    Attributes.Builder a = Attributes.builder().put(Attr.OFFSET_DIMS, plusOne(sliceDims))
        .put(Attr.COLLAPSED_SLICE_DIMS, new long[0]);
    Instruction operand;
    if (b.isBatched(x)) {
      operand = b.rowDimAt(x, 0);
      a.put(Attr.START_INDEX_MAP, plusOne(sliceDims))
          .put(Attr.OPERAND_BATCHING_DIMS, new long[] {0}).put(Attr.START_INDICES_BATCHING_DIMS, new long[] {0})
          .put(Attr.INDEX_VECTOR_DIM, 1L).put(Attr.SLICE_SIZES, prepend(1, sizes));
    } else {
      operand = b.mapped(x);
      a.put(Attr.START_INDEX_MAP, sliceDims).put(Attr.INDEX_VECTOR_DIM, 1L).put(Attr.SLICE_SIZES, sizes);
    }
    return b.emit(i, RowDim.at(0), Opcode.GATHER, Batcher.withRowDim(i.shape(), 0), List.of(operand, indices),
        a.build());
  }

  private static Instruction emitPerElement(Batcher b, Instruction i, int at, List<Instruction> operands,
                                            Attributes attributes) {
    Shape shape = i.shape();
    if (shape.isTuple()) {
      List<Shape> elements = shape.tupleShapes().stream().map(s -> Batcher.withRowDim(s, at)).toList();
      List<RowDim> dims = shape.tupleShapes().stream().map(s -> RowDim.at(at)).toList();
      return b.emit(i, RowDim.tuple(dims), i.opcode(), Shape.tuple(elements), operands, attributes);
    }
    return b.emit(i, RowDim.at(at), i.opcode(), Batcher.withRowDim(shape, at), operands, attributes);
  }

  private static void checkUnbatched(Batcher b, Instruction i, List<Instruction> operands, String what) {
    for (Instruction op : operands) {
      if (b.isBatched(op)) {
        throw b.cannot(i, "its " + what + " %" + op.name() + " depends on the row");
      }
    }
  }

  private static Window withUnitWindow(Window window, int at) {
    List<Window.Dim> dims = new ArrayList<>(window.dims());
    dims.add(at, Window.Dim.of(1));
    return new Window(dims);
  }

  /** How many free dimensions (neither batch nor contracting) come before dimension {@code d}. */
  private static int freeDimsBefore(int d, long[] batch, long[] contracting) {
    int n = 0;
    for (int e = 0; e < d; e++) {
      if (!contains(batch, e) && !contains(contracting, e)) {
        n++;
      }
    }
    return n;
  }

  private static void putBatchDims(Attributes.Builder a, long[] lhs, long[] rhs) {
    if (lhs.length > 0) {
      a.put(Attr.LHS_BATCH_DIMS, lhs).put(Attr.RHS_BATCH_DIMS, rhs);
    }
  }

  private static boolean contains(long[] values, long v) {
    for (long x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static long[] prepend(long first, long[] rest) {
    long[] out = new long[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static long[] plusOne(long[] dims) {
    long[] out = dims.clone();
    for (int k = 0; k < out.length; k++) {
      out[k]++;
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void copy(Attributes.Builder into, Attr<?> attr, Attributes from) {
    into.put((Attr<Object>) attr, from.get(attr));
  }
}
