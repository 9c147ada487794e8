package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.SliceSpec;
import io.tessera.compiler.hlo.Window;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-row computation inside a computation written for a fixed batch: each value that holds
 * the batch keeps one row (its batch dimension, tracked as a {@link RowDim}, removed), and every
 * instruction is checked to treat rows independently, so that row i of each result depends only
 * on row i of each batched parameter. An instruction that ties rows together fails with a
 * {@link PassException} naming it and saying how: a reduction over the batch dimension, a reshape
 * that merges it with another, a dot that contracts it, a slice, pad, reverse, concatenation or
 * sort along it, or a combination with a value that differs from row to row.
 *
 * <p>Values that do not hold the batch stay as they are. Where one of the same size as the batch
 * meets a batched value elementwise, it must be the same for every row (a broadcast along the
 * batch dimension, an iota along another, a constant with equal rows, or elementwise math on
 * such values) and then its row is used.
 */
final class RowExtraction {
  private final Computation source;
  private final Computation target;
  private final NameUniquer names;
  private final List<Integer> parameterDims;
  private final Map<Instruction, Instruction> mapped = new IdentityHashMap<>();
  private final Map<Instruction, RowDim> dims = new IdentityHashMap<>();
  private final Map<String, Instruction> rows = new HashMap<>();
  private long batch = -1;
  private List<Integer> resultDims;

  RowExtraction(Computation source, NameUniquer names, List<Integer> parameterDims) {
    this.source = source;
    this.target = new Computation(source.name());
    this.names = names;
    this.parameterDims = parameterDims;
  }

  /** The per-row computation, named as the source. */
  Computation run() {
    for (Instruction i : source.instructions()) {
      Instruction result;
      try {
        result = translate(i);
      } catch (PassException e) {
        throw e;
      } catch (RuntimeException e) {
        throw mixes(i, e.getMessage());
      }
      mapped.put(i, result);
    }
    resultDims = resultDims(source.root());
    target.setRoot(mapped.get(source.root()));
    return target;
  }

  /** Where each result leaf had its batch dimension (valid after {@link #run}). */
  List<Integer> resultDims() {
    return resultDims;
  }

  /** The batch size (valid after {@link #run}). */
  long batchSize() {
    return batch;
  }

  private PassException mixes(Instruction i, String how) {
    return new PassException("cannot rebatch: %" + i.name() + " (" + i.opcode() + ") " + how);
  }

  private RowDim dim(Instruction old) {
    return dims.get(old);
  }

  private int rowOfBatched(Instruction old) {
    return dims.get(old).dim();
  }

  private boolean isBatched(Instruction old) {
    return dims.get(old).isBatched();
  }

  private Instruction emit(Instruction old, int rowDim, Opcode opcode, Shape shape, List<Instruction> operands,
                           Attributes attributes) {
    dims.put(old, RowDim.at(rowDim));
    return target.add(Instruction.create(old.name(), opcode, shape, operands, attributes));
  }

  private static Shape without(Shape shape, int d) {
    int[] dims = shape.dimensions();
    int[] out = new int[dims.length - 1];
    for (int e = 0, k = 0; e < dims.length; e++) {
      if (e != d) {
        out[k++] = dims[e];
      }
    }
    return Shape.array(shape.elementType(), out);
  }

  /** Per-row dimension numbers: {@code d} removed (it must not be among them), the ones above it lowered. */
  private static long[] without(long[] dims, int d) {
    long[] out = new long[dims.length];
    for (int k = 0; k < dims.length; k++) {
      out[k] = dims[k] > d ? dims[k] - 1 : dims[k];
    }
    return out;
  }

  private static boolean contains(long[] values, long v) {
    for (long x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static long[] remove(long[] values, int index) {
    long[] out = new long[values.length - 1];
    for (int k = 0, j = 0; k < values.length; k++) {
      if (k != index) {
        out[j++] = values[k];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private Instruction translate(Instruction i) {
    if (i.opcode() == Opcode.PARAMETER) {
      return parameter(i);
    }
    List<Instruction> operands = i.operands().stream().map(mapped::get).toList();
    if (i.operands().stream().noneMatch(this::isBatched)) {
      dims.put(i, i.shape().isTuple() ? unbatched(i.shape()) : RowDim.UNBATCHED);
      return target.add(Instruction.createWithShape(i.name(), i.opcode(), i.shape(), operands, i.attributes()));
    }
    if (i.opcode().isElementwise() || i.opcode() == Opcode.COPY) {
      return elementwise(i);
    }
    return switch (i.opcode()) {
      case TUPLE -> {
        dims.put(i, RowDim.tuple(i.operands().stream().map(dims::get).toList()));
        yield target.add(Instruction.create(i.name(), Opcode.TUPLE, operands, i.attributes()));
      }
      case GET_TUPLE_ELEMENT -> {
        int index = Math.toIntExact(i.requireAttr(Attr.INDEX));
        dims.put(i, dim(i.operand(0)).element(index));
        yield target.add(Instruction.create(i.name(), Opcode.GET_TUPLE_ELEMENT, operands, i.attributes()));
      }
      case BROADCAST -> broadcast(i);
      case RESHAPE, BITCAST -> reshape(i);
      case TRANSPOSE -> transpose(i);
      case SLICE -> slice(i);
      case CONCATENATE -> concatenate(i);
      case PAD -> pad(i);
      case REVERSE -> reverse(i);
      case REDUCE -> reduce(i);
      case SORT -> sort(i);
      case REDUCE_WINDOW -> reduceWindow(i);
      case SELECT_AND_SCATTER -> selectAndScatter(i);
      case DOT -> dot(i);
      case DYNAMIC_SLICE -> dynamicSlice(i);
      case DYNAMIC_UPDATE_SLICE -> dynamicUpdateSlice(i);
      case GATHER -> gather(i);
      case FUSION -> throw mixes(i, "holds fused instructions: rebatch a module before fusing it");
      default -> throw mixes(i, "takes a batched operand, and rebatching has no rule to keep rows apart through "
          + i.opcode());
    };
  }

  private static RowDim unbatched(Shape shape) {
    return RowDim.tuple(shape.tupleShapes().stream().map(s -> s.isTuple() ? unbatched(s) : RowDim.UNBATCHED).toList());
  }

  private Instruction parameter(Instruction i) {
    int n = i.parameterNumber();
    int d = parameterDims.get(n);
    if (d == RowDim.NONE) {
      dims.put(i, RowDim.UNBATCHED);
      return target.add(Instruction.parameter(i.name(), n, i.shape()));
    }
    if (!i.shape().isArray() || d >= i.shape().rank() || d < 0) {
      throw new PassException("cannot rebatch: parameter %" + i.name() + " of shape " + i.shape()
          + " has no dimension " + d + " to be the batch dimension");
    }
    long size = i.shape().dimension(d);
    if (batch < 0) {
      batch = size;
    } else if (size != batch) {
      throw new PassException("cannot rebatch: parameter %" + i.name() + " has size " + size + " in dimension " + d
          + ", not the batch size " + batch + " of the parameters before it: name the batch dimension of each"
          + " parameter (e.g. rebatch:0/-/0, '-' for a parameter that is the same for every row)");
    }
    dims.put(i, RowDim.at(d));
    return target.add(Instruction.parameter(i.name(), n, without(i.shape(), d)));
  }

  /** The batched operands' rows, at one dimension; unbatched ones must be the same for every row. */
  private Instruction elementwise(Instruction i) {
    int rank = i.shape().rank();
    int r = -1;
    for (Instruction op : i.operands()) {
      if (isBatched(op)) {
        int d = rowOfBatched(op);
        if (op.shape().rank() != rank) {
          throw mixes(i, "spreads the batch of scalar %" + op.name() + " over an array");
        }
        if (r >= 0 && d != r) {
          throw mixes(i, "mixes rows: %" + i.operand(0).name() + " and %" + op.name()
              + " hold the batch in different dimensions (" + r + " and " + d + ")");
        }
        r = d;
      }
    }
    List<Instruction> operands = new ArrayList<>();
    for (Instruction op : i.operands()) {
      if (isBatched(op)) {
        operands.add(mapped.get(op));
      } else if (op.shape().rank() != rank) {
        operands.add(mapped.get(op)); // a scalar bound or predicate: the same for every row
      } else {
        operands.add(sameRow(i, op, r));
      }
    }
    return emit(i, r, i.opcode(), without(i.shape(), r), operands, i.attributes());
  }

  /** The one row of unbatched {@code old} (the same for every row along {@code r}), for {@code user}. */
  private Instruction sameRow(Instruction user, Instruction old, int r) {
    Instruction row = rowOf(old, r);
    if (row == null) {
      throw mixes(user, "mixes the batch with %" + old.name() + " (" + old.shape().toStringWithoutLayout()
          + "), which is not the same for every row");
    }
    return row;
  }

  /**
   * The row of an unbatched value along {@code r} when it provably is the same for every row, else
   * {@code null}: a broadcast that does not map onto {@code r}, an iota along another dimension, a
   * constant whose rows are equal, or elementwise math on such values.
   */
  private Instruction rowOf(Instruction old, int r) {
    String key = old.name() + "@" + r;
    if (rows.containsKey(key)) {
      return rows.get(key);
    }
    Shape shape = without(old.shape(), r);
    Instruction row = switch (old.opcode()) {
      case BROADCAST -> {
        long[] map = old.requireAttr(Attr.DIMENSIONS);
        yield contains(map, r) ? null : helper(old, Opcode.BROADCAST, shape, List.of(mapped.get(old.operand(0))),
            old.attributes().with(Attr.DIMENSIONS, without(map, r)));
      }
      case IOTA -> {
        long along = old.requireAttr(Attr.IOTA_DIMENSION);
        yield along == r ? null : helper(old, Opcode.IOTA, shape, List.of(),
            old.attributes().with(Attr.IOTA_DIMENSION, along > r ? along - 1 : along));
      }
      case CONSTANT -> constantRow(old, r, shape);
      default -> {
        if (!old.opcode().isElementwise() && old.opcode() != Opcode.COPY) {
          yield null;
        }
        List<Instruction> operands = new ArrayList<>();
        for (Instruction op : old.operands()) {
          Instruction x = op.shape().rank() == old.shape().rank() ? rowOf(op, r) : mapped.get(op);
          if (x == null) {
            yield null;
          }
          operands.add(x);
        }
        yield helper(old, old.opcode(), shape, operands, old.attributes());
      }
    };
    rows.put(key, row);
    return row;
  }

  private Instruction helper(Instruction like, Opcode opcode, Shape shape, List<Instruction> operands,
                             Attributes attributes) {
    return target.add(Instruction.create(names.instruction(like.name() + ".row"), opcode, shape, operands,
        attributes));
  }

  /** Row 0 of a constant along {@code r}, if every row equals it. */
  private Instruction constantRow(Instruction old, int r, Shape shape) {
    Literal literal = old.attr(Attr.LITERAL);
    if (literal == null) {
      return null; // elided: its values are unknown
    }
    int[] dims = old.shape().dimensions();
    long inner = 1;
    for (int d = r + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    long outer = literal.elementCount() / Math.max(1, inner * dims[r]);
    Literal row = Literal.zeros(shape);
    for (long o = 0; o < outer; o++) {
      for (long k = 0; k < inner; k++) {
        int first = (int) (o * dims[r] * inner + k);
        for (int j = 1; j < dims[r]; j++) {
          int other = (int) (first + j * inner);
          if (literal.isFloat() ? Double.doubleToLongBits(literal.getDouble(first))
              != Double.doubleToLongBits(literal.getDouble(other)) : literal.getLong(first) != literal.getLong(other)) {
            return null;
          }
        }
        row.copyElement(literal, first, (int) (o * inner + k));
      }
    }
    return target.add(Instruction.constant(names.instruction(old.name() + ".row"), row));
  }

  private Instruction broadcast(Instruction i) {
    int rx = rowOfBatched(i.operand(0));
    long[] map = i.requireAttr(Attr.DIMENSIONS);
    int r = (int) map[rx];
    long[] perRow = without(remove(map, rx), r);
    return emit(i, r, Opcode.BROADCAST, without(i.shape(), r), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.DIMENSIONS, perRow));
  }

  /** The batch dimension must come through whole: same elements before it, and its own dimension. */
  private Instruction reshape(Instruction i) {
    Instruction x = i.operand(0);
    if (i.opcode() == Opcode.BITCAST && i.shape().elementType() != x.shape().elementType()) {
      throw mixes(i, "reinterprets the bytes of the batch as another type");
    }
    int rx = rowOfBatched(x);
    long before = 1;
    for (int d = 0; d < rx; d++) {
      before *= x.shape().dimension(d);
    }
    long product = 1;
    for (int d = 0; d < i.shape().rank(); d++) {
      if (product == before && i.shape().dimension(d) == batch) {
        return emit(i, d, i.opcode(), without(i.shape(), d), List.of(mapped.get(x)), i.attributes());
      }
      product *= i.shape().dimension(d);
    }
    throw mixes(i, "reshapes " + x.shape().toStringWithoutLayout() + " to " + i.shape().toStringWithoutLayout()
        + ", merging the batch dimension " + rx + " with other dimensions");
  }

  private Instruction transpose(Instruction i) {
    int rx = rowOfBatched(i.operand(0));
    long[] permutation = i.requireAttr(Attr.DIMENSIONS);
    int r = 0;
    while (permutation[r] != rx) {
      r++;
    }
    return emit(i, r, Opcode.TRANSPOSE, without(i.shape(), r), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.DIMENSIONS, without(remove(permutation, r), rx)));
  }

  private Instruction slice(Instruction i) {
    int r = rowOfBatched(i.operand(0));
    SliceSpec spec = i.requireAttr(Attr.SLICE);
    if (spec.start(r) != 0 || spec.limit(r) != batch || spec.stride(r) != 1) {
      throw mixes(i, "slices the batch dimension " + r + " (" + spec + "): rows would move or go");
    }
    SliceSpec perRow = new SliceSpec(remove(spec.starts(), r), remove(spec.limits(), r), remove(spec.strides(), r));
    return emit(i, r, Opcode.SLICE, without(i.shape(), r), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.SLICE, perRow));
  }

  private Instruction concatenate(Instruction i) {
    int r = firstBatchedDim(i, i.operands());
    int along = (int) i.requireAttr(Attr.DIMENSIONS)[0];
    if (along == r) {
      throw mixes(i, "concatenates along the batch dimension " + r);
    }
    return emit(i, r, Opcode.CONCATENATE, without(i.shape(), r), rowsAt(i, i.operands(), r),
        i.attributes().with(Attr.DIMENSIONS, new long[] {along > r ? along - 1 : along}));
  }

  private Instruction pad(Instruction i) {
    int r = rowOfBatched(i.operand(0));
    List<PaddingConfig.Dim> config = new ArrayList<>(i.requireAttr(Attr.PADDING).dims());
    PaddingConfig.Dim p = config.remove(r);
    if (p.low() != 0 || p.high() != 0 || p.interior() != 0) {
      throw mixes(i, "pads the batch dimension " + r + " (" + p + ")");
    }
    return emit(i, r, Opcode.PAD, without(i.shape(), r), List.of(mapped.get(i.operand(0)), mapped.get(i.operand(1))),
        i.attributes().with(Attr.PADDING, new PaddingConfig(config)));
  }

  private Instruction reverse(Instruction i) {
    int r = rowOfBatched(i.operand(0));
    long[] reversed = i.requireAttr(Attr.DIMENSIONS);
    if (contains(reversed, r)) {
      throw mixes(i, "reverses the batch dimension " + r + ": row i would come from another row");
    }
    return emit(i, r, Opcode.REVERSE, without(i.shape(), r), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.DIMENSIONS, without(reversed, r)));
  }

  private Instruction reduce(Instruction i) {
    int inputs = i.operandCount() / 2;
    int r = firstBatchedDim(i, i.operands().subList(0, inputs));
    long[] reduced = i.requireAttr(Attr.DIMENSIONS);
    if (contains(reduced, r)) {
      throw mixes(i, "reduces over the batch dimension " + r + ": its result combines rows");
    }
    List<Instruction> operands = new ArrayList<>(rowsAt(i, i.operands().subList(0, inputs), r));
    for (Instruction init : i.operands().subList(inputs, i.operandCount())) {
      operands.add(mapped.get(init));
    }
    int resultDim = r;
    for (long d : reduced) {
      resultDim -= d < r ? 1 : 0;
    }
    return emitPerElement(i, resultDim, operands, i.attributes().with(Attr.DIMENSIONS, without(reduced, r)));
  }

  private Instruction sort(Instruction i) {
    int r = firstBatchedDim(i, i.operands());
    long along = i.requireAttr(Attr.DIMENSIONS)[0];
    if (along == r) {
      throw mixes(i, "sorts along the batch dimension " + r + ": rows would change places");
    }
    return emitPerElement(i, r, rowsAt(i, i.operands(), r),
        i.attributes().with(Attr.DIMENSIONS, new long[] {along > r ? along - 1 : along}));
  }

  private Instruction reduceWindow(Instruction i) {
    int inputs = i.operandCount() / 2;
    int r = firstBatchedDim(i, i.operands().subList(0, inputs));
    List<Window.Dim> window = new ArrayList<>(i.requireAttr(Attr.WINDOW).dims());
    if (!window.remove(r).equals(Window.Dim.of(1))) {
      throw mixes(i, "has a window over the batch dimension " + r + " wider than one row");
    }
    List<Instruction> operands = new ArrayList<>(rowsAt(i, i.operands().subList(0, inputs), r));
    for (Instruction init : i.operands().subList(inputs, i.operandCount())) {
      operands.add(mapped.get(init));
    }
    return emitPerElement(i, r, operands, i.attributes().with(Attr.WINDOW, new Window(window)));
  }

  private Instruction selectAndScatter(Instruction i) {
    int r = firstBatchedDim(i, i.operands().subList(0, 2));
    List<Window.Dim> window = new ArrayList<>(i.requireAttr(Attr.WINDOW).dims());
    if (!window.remove(r).equals(Window.Dim.of(1))) {
      throw mixes(i, "has a window over the batch dimension " + r + " wider than one row");
    }
    List<Instruction> operands = new ArrayList<>(rowsAt(i, i.operands().subList(0, 2), r));
    operands.add(mapped.get(i.operand(2)));
    return emit(i, r, Opcode.SELECT_AND_SCATTER, without(i.shape(), r), operands,
        i.attributes().with(Attr.WINDOW, new Window(window)));
  }

  /**
   * The batch must be a free dimension of the one batched operand (a batch of vectors times a
   * matrix), or a dot batch dimension paired between two batched operands.
   */
  private Instruction dot(Instruction i) {
    Instruction lhs = i.operand(0);
    Instruction rhs = i.operand(1);
    int rl = rowOfBatched(lhs);
    int rr = rowOfBatched(rhs);
    long[] lb = i.attributes().getOrDefault(Attr.LHS_BATCH_DIMS, new long[0]);
    long[] rb = i.attributes().getOrDefault(Attr.RHS_BATCH_DIMS, new long[0]);
    long[] lc = i.requireAttr(Attr.LHS_CONTRACTING_DIMS);
    long[] rc = i.requireAttr(Attr.RHS_CONTRACTING_DIMS);
    if (contains(lc, rl) || contains(rc, rr)) {
      throw mixes(i, "contracts the batch dimension: each result would sum over rows");
    }
    int resultDim;
    if (rl != RowDim.NONE && rr != RowDim.NONE) {
      int pair = indexOf(lb, rl);
      if (pair < 0 || rb[pair] != rr) {
        throw mixes(i, "multiplies rows of %" + lhs.name() + " with rows of %" + rhs.name()
            + " (the batch dimensions are not a paired dot batch dimension)");
      }
      lb = without(remove(lb, pair), rl);
      rb = without(remove(rb, pair), rr);
      resultDim = pair;
    } else if (rl != RowDim.NONE) {
      if (contains(lb, rl)) {
        throw mixes(i, "pairs the batch dimension of %" + lhs.name() + " with a dimension of %" + rhs.name()
            + ", which is not the same for every row");
      }
      resultDim = lb.length + freeDimsBefore(rl, lb, lc);
      lb = without(lb, rl);
    } else {
      if (contains(rb, rr)) {
        throw mixes(i, "pairs the batch dimension of %" + rhs.name() + " with a dimension of %" + lhs.name()
            + ", which is not the same for every row");
      }
      resultDim = lb.length + (lhs.shape().rank() - lb.length - lc.length) + freeDimsBefore(rr, rb, rc);
      rb = without(rb, rr);
    }
    Attributes a = i.attributes()
        .with(Attr.LHS_CONTRACTING_DIMS, rl == RowDim.NONE ? lc : without(lc, rl))
        .with(Attr.RHS_CONTRACTING_DIMS, rr == RowDim.NONE ? rc : without(rc, rr));
    if (lb.length == 0) {
      a = a.without(Attr.LHS_BATCH_DIMS).without(Attr.RHS_BATCH_DIMS);
    } else {
      a = a.with(Attr.LHS_BATCH_DIMS, lb).with(Attr.RHS_BATCH_DIMS, rb);
    }
    return emit(i, resultDim, Opcode.DOT, without(i.shape(), resultDim), List.of(mapped.get(lhs), mapped.get(rhs)),
        a);
  }

  /** The slice keeps the whole batch, from start 0 of the batch dimension. */
  private Instruction dynamicSlice(Instruction i) {
    int r = rowOfBatched(i.operand(0));
    long[] sizes = i.requireAttr(Attr.DYNAMIC_SLICE_SIZES);
    if (!ConstantValues.isAll(i.operand(1 + r), 0) || sizes[r] != batch) {
      throw mixes(i, "slices part of the batch dimension " + r + ": rows would move or go");
    }
    List<Instruction> operands = new ArrayList<>();
    operands.add(mapped.get(i.operand(0)));
    for (int k = 1; k < i.operandCount(); k++) {
      if (k != 1 + r) {
        operands.add(mapped.get(i.operand(k)));
      }
    }
    return emit(i, r, Opcode.DYNAMIC_SLICE, without(i.shape(), r), operands,
        i.attributes().with(Attr.DYNAMIC_SLICE_SIZES, remove(sizes, r)));
  }

  /** The update covers the whole batch, at start 0 of the batch dimension. */
  private Instruction dynamicUpdateSlice(Instruction i) {
    int r = firstBatchedDim(i, i.operands().subList(0, 2));
    for (int k = 2; k < i.operandCount(); k++) {
      if (isBatched(i.operand(k))) {
        throw mixes(i, "takes a start index from the batch");
      }
    }
    Instruction start = i.operand(2 + r);
    if (!ConstantValues.isAll(start, 0) || i.operand(1).shape().dimension(r) != batch) {
      throw mixes(i, "updates part of the batch dimension " + r + ": rows would not be updated alike");
    }
    List<Instruction> operands = new ArrayList<>(rowsAt(i, i.operands().subList(0, 2), r));
    for (int k = 2; k < i.operandCount(); k++) {
      if (k != 2 + r) {
        operands.add(mapped.get(i.operand(k)));
      }
    }
    return emit(i, r, Opcode.DYNAMIC_UPDATE_SLICE, without(i.shape(), r), operands, i.attributes());
  }

  /** Rows of the indices select rows of the output: a lookup per row in a table shared by all. */
  private Instruction gather(Instruction i) {
    if (isBatched(i.operand(0))) {
      throw mixes(i, "gathers from the batch: a row could read another row's values");
    }
    Instruction indices = i.operand(1);
    int ri = rowOfBatched(indices);
    long vector = i.requireAttr(Attr.INDEX_VECTOR_DIM);
    long[] batching = i.attributes().getOrDefault(Attr.START_INDICES_BATCHING_DIMS, new long[0]);
    if (ri == vector || contains(batching, ri)) {
      throw mixes(i, "uses the batch dimension of its indices as an index vector or batching dimension");
    }
    int k = ri - (vector < ri ? 1 : 0); // the batch's place among the indices' batch dimensions
    long[] offsets = i.requireAttr(Attr.OFFSET_DIMS);
    int r = -1;
    for (int d = 0, seen = 0; d < i.shape().rank(); d++) {
      if (!contains(offsets, d) && seen++ == k) {
        r = d;
      }
    }
    Attributes a = i.attributes().with(Attr.OFFSET_DIMS, without(offsets, r))
        .with(Attr.INDEX_VECTOR_DIM, vector > ri ? vector - 1 : vector);
    if (batching.length > 0) {
      a = a.with(Attr.START_INDICES_BATCHING_DIMS, without(batching, ri));
    }
    return emit(i, r, Opcode.GATHER, without(i.shape(), r), List.of(mapped.get(i.operand(0)), mapped.get(indices)),
        a);
  }

  private Instruction emitPerElement(Instruction i, int r, List<Instruction> operands, Attributes attributes) {
    if (i.shape().isTuple()) {
      List<Shape> shapes = i.shape().tupleShapes().stream().map(s -> without(s, r)).toList();
      dims.put(i, RowDim.tuple(shapes.stream().map(s -> RowDim.at(r)).toList()));
      return target.add(Instruction.create(i.name(), i.opcode(), Shape.tuple(shapes), operands, attributes));
    }
    return emit(i, r, i.opcode(), without(i.shape(), r), operands, attributes);
  }

  /** The batch dimension shared by the batched ones among {@code operands}. */
  private int firstBatchedDim(Instruction i, List<Instruction> operands) {
    int r = -1;
    for (Instruction op : operands) {
      if (isBatched(op)) {
        if (r >= 0 && rowOfBatched(op) != r) {
          throw mixes(i, "mixes rows: its operands hold the batch in different dimensions");
        }
        r = rowOfBatched(op);
      }
    }
    return r;
  }

  /** Each operand's row along {@code r}: its own, or the one row of an operand equal for every row. */
  private List<Instruction> rowsAt(Instruction i, List<Instruction> operands, int r) {
    List<Instruction> out = new ArrayList<>();
    for (Instruction op : operands) {
      out.add(isBatched(op) ? mapped.get(op) : sameRow(i, op, r));
    }
    return out;
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
      n += contains(batch, e) || contains(contracting, e) ? 0 : 1;
    }
    return n;
  }

  private List<Integer> resultDims(Instruction root) {
    List<Integer> result = new ArrayList<>();
    RowDim d = dim(root);
    List<RowDim> leaves = d.isTuple() ? d.elements() : List.of(d);
    for (int k = 0; k < leaves.size(); k++) {
      RowDim leaf = leaves.get(k);
      if (leaf.isTuple() || !leaf.isBatched()) {
        throw new PassException("cannot rebatch: result " + k + " of %" + root.name()
            + (leaf.isTuple() ? " is a nested tuple" : " does not depend on the batch"));
      }
      result.add(leaf.dim());
    }
    return result;
  }
}
