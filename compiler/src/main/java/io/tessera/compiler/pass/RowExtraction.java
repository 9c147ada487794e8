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
    target.textAttributes().putAll(source.textAttributes());
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

  /** Where each parameter has its batch dimension ({@link RowDim#NONE}: none). */
  List<Integer> parameterDims() {
    return parameterDims;
  }

  /** Where each result leaf had its batch dimension (valid after {@link #run}). */
  List<Integer> resultDims() {
    return resultDims;
  }

  /** The batch size (valid after {@link #run}). */
  long batchSize() {
    return batch;
  }

  PassException mixes(Instruction i, String how) {
    return new PassException("cannot rebatch: %" + i.name() + " (" + i.opcode() + ") " + how);
  }

  Instruction mapped(Instruction old) {
    return mapped.get(old);
  }

  void setDim(Instruction old, RowDim rowDim) {
    dims.put(old, rowDim);
  }

  Instruction add(Instruction instruction) {
    return target.add(instruction);
  }

  private RowDim dim(Instruction old) {
    return dims.get(old);
  }

  int rowOfBatched(Instruction old) {
    return dims.get(old).dim();
  }

  boolean isBatched(Instruction old) {
    return dims.get(old).isBatched();
  }

  Instruction emit(Instruction old, int rowDim, Opcode opcode, Shape shape, List<Instruction> operands,
                           Attributes attributes) {
    dims.put(old, RowDim.at(rowDim));
    return target.add(Instruction.create(old.name(), opcode, shape, operands, attributes));
  }

  static Shape without(Shape shape, int d) {
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
  static long[] without(long[] dims, int d) {
    long[] out = new long[dims.length];
    for (int k = 0; k < dims.length; k++) {
      out[k] = dims[k] > d ? dims[k] - 1 : dims[k];
    }
    return out;
  }

  static boolean contains(long[] values, long v) {
    for (long x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  static long[] remove(long[] values, int index) {
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
      case REDUCE -> ExtractedContractions.reduce(this, i);
      case SORT -> ExtractedContractions.sort(this, i);
      case REDUCE_WINDOW -> ExtractedContractions.reduceWindow(this, i);
      case SELECT_AND_SCATTER -> ExtractedContractions.selectAndScatter(this, i);
      case DOT -> ExtractedContractions.dot(this, i);
      case DYNAMIC_SLICE -> ExtractedContractions.dynamicSlice(this, i);
      case DYNAMIC_UPDATE_SLICE -> ExtractedContractions.dynamicUpdateSlice(this, i);
      case GATHER -> ExtractedContractions.gather(this, i);
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

  /** The batch dimension shared by the batched ones among {@code operands}. */
  int firstBatchedDim(Instruction i, List<Instruction> operands) {
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
  List<Instruction> rowsAt(Instruction i, List<Instruction> operands, int r) {
    List<Instruction> out = new ArrayList<>();
    for (Instruction op : operands) {
      out.add(isBatched(op) ? mapped.get(op) : sameRow(i, op, r));
    }
    return out;
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
