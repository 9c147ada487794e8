package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.SliceSpec;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a per-row computation into a batched one, instruction by instruction, as
 * {@code jax.vmap} does: each value either carries a row dimension of size {@link Shape#DYNAMIC}
 * at some position ({@link RowDim}) or does not depend on the row at all and keeps its shape (so
 * weights are never copied per row). An instruction whose operands are all unbatched is copied as
 * it is; the others follow a rule per opcode, here for elementwise and data-movement opcodes and
 * in {@link BatchedContractions} for reductions, dots and the like.
 *
 * <p>Every batched value has its rows in its leading dimension, so a backend loops over rows
 * outermost: the rules keep them there, and the few that cannot (a dot whose batched operand is
 * the right one) are followed by a transpose. Parameters and results have them where the caller
 * asks ({@link BatchingPass}), moved to and from the front by transposes when elsewhere.
 */
final class Batcher {
  private final Computation source;
  private final Computation target;
  private final NameUniquer names;
  private final List<Integer> parameterDims;
  private final List<Integer> resultDims;
  private final Map<Instruction, Instruction> mapped = new IdentityHashMap<>();
  private final Map<Instruction, RowDim> dims = new IdentityHashMap<>();

  /**
   * @param parameterDims where each parameter gets its row dimension ({@link RowDim#NONE}: the
   *     parameter is the same for every row)
   * @param resultDims where each result leaf has its row dimension
   */
  Batcher(Computation source, NameUniquer names, List<Integer> parameterDims, List<Integer> resultDims) {
    this.source = source;
    this.target = new Computation(source.name());
    target.textAttributes().putAll(source.textAttributes());
    this.names = names;
    this.parameterDims = parameterDims;
    this.resultDims = resultDims;
  }

  /** The batched computation, named as the source. */
  Computation run() {
    for (Instruction i : source.instructions()) {
      if (i == source.root() && i.opcode() == Opcode.TUPLE) {
        continue; // rebuilt below with every element's row dimension where the caller wants it
      }
      Instruction result;
      try {
        result = translate(i);
      } catch (PassException e) {
        throw e;
      } catch (RuntimeException e) {
        throw cannot(i, e.getMessage());
      }
      mapped.put(i, result);
      RowDim d = dims.get(i);
      if (!d.isTuple() && d.dim() > 0) {
        // Rows lead in every batched value (backends loop over rows outermost): the few rules
        // that put them elsewhere (a dot whose batched operand is the right one, a parameter
        // batched in another dimension) are followed by a transpose.
        mapped.put(i, rowDimAt(i, 0));
        dims.put(i, RowDim.at(0));
      }
    }
    target.setRoot(finishRoot(source.root()));
    return target;
  }

  // ---------------------------------------------------------------------------------------------
  // What rules use

  Instruction mapped(Instruction old) {
    return mapped.get(old);
  }

  RowDim dim(Instruction old) {
    return dims.get(old);
  }

  boolean isBatched(Instruction old) {
    return dims.get(old).isBatched();
  }

  PassException cannot(Instruction i, String reason) {
    return new PassException("cannot batch %" + i.name() + " (" + i.opcode() + "): " + reason);
  }

  /** Adds the batched form of {@code old}, under its name, with row dimension {@code rowDim}. */
  Instruction emit(Instruction old, RowDim rowDim, Opcode opcode, Shape shape, List<Instruction> operands,
                   Attributes attributes) {
    dims.put(old, rowDim);
    return target.add(Instruction.create(old.name(), opcode, shape, operands, attributes));
  }

  /** Adds a helper instruction (a transpose, broadcast, ...) under a fresh name. */
  Instruction helper(Opcode opcode, Shape shape, List<Instruction> operands, Attributes attributes) {
    return target.add(Instruction.create(names.instruction(opcode.mnemonic()), opcode, shape, operands, attributes));
  }

  /** A scalar constant of {@code template}'s element type. */
  Instruction scalarConstant(Shape template, long value) {
    Literal literal = template.elementType().isFloat()
        ? Literal.scalar(template.elementType(), (double) value)
        : Literal.scalar(template.elementType(), value);
    return target.add(Instruction.constant(names.instruction("constant"), literal));
  }

  /** {@code shape} with a row dimension inserted at {@code at} (no layout). */
  static Shape withRowDim(Shape shape, int at) {
    int[] perRow = shape.dimensions();
    int[] out = new int[perRow.length + 1];
    for (int d = 0, k = 0; d < out.length; d++) {
      out[d] = d == at ? Shape.DYNAMIC : perRow[k++];
    }
    return Shape.array(shape.elementType(), out);
  }

  /** Per-row dimension {@code d}'s index once the row dimension sits at {@code at}. */
  static int shift(int d, int at) {
    return d >= at ? d + 1 : d;
  }

  static long[] shift(long[] perRowDims, int at) {
    long[] out = new long[perRowDims.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = shift((int) perRowDims[k], at);
    }
    return out;
  }

  /**
   * The batched value of array {@code old} with its row dimension at {@code at}: transposed there
   * when it is elsewhere, broadcast along a new row dimension when {@code old} is unbatched.
   */
  Instruction rowDimAt(Instruction old, int at) {
    Instruction x = mapped.get(old);
    int from = dims.get(old).dim();
    if (from == RowDim.NONE) {
      long[] map = new long[old.shape().rank()];
      for (int d = 0; d < map.length; d++) {
        map[d] = shift(d, at);
      }
      return helper(Opcode.BROADCAST, withRowDim(old.shape(), at), List.of(x), dimensionsAttr(map));
    }
    if (from == at) {
      return x;
    }
    // Result dimension d reads x's dimension permutation[d]: the row dimension goes to `at`,
    // the others keep their order.
    int rank = x.shape().rank();
    long[] permutation = new long[rank];
    List<Long> others = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      if (d != from) {
        others.add((long) d);
      }
    }
    for (int d = 0, k = 0; d < rank; d++) {
      permutation[d] = d == at ? from : others.get(k++);
    }
    return helper(Opcode.TRANSPOSE, withRowDim(old.shape(), at), List.of(x), dimensionsAttr(permutation));
  }

  /** The row dimension of the first batched operand among {@code operands}, or 0. */
  int firstRowDim(List<Instruction> operands) {
    for (Instruction op : operands) {
      RowDim d = dims.get(op);
      if (!d.isTuple() && d.isBatched()) {
        return d.dim();
      }
    }
    return 0;
  }

  static Attributes dimensionsAttr(long[] dimensions) {
    return Attributes.builder().put(Attr.DIMENSIONS, dimensions).build();
  }

  // ---------------------------------------------------------------------------------------------
  // Rules

  private Instruction translate(Instruction i) {
    List<Instruction> operands = i.operands().stream().map(mapped::get).toList();
    boolean batched = i.opcode() == Opcode.PARAMETER || i.operands().stream().anyMatch(this::isBatched);
    if (!batched) {
      dims.put(i, i.shape().isTuple() ? unbatchedTuple(i.shape()) : RowDim.UNBATCHED);
      return target.add(Instruction.createWithShape(i.name(), i.opcode(), i.shape(), operands, i.attributes()));
    }
    if (i.opcode().isElementwise()) {
      return elementwise(i);
    }
    return switch (i.opcode()) {
      case PARAMETER -> parameter(i);
      case TUPLE -> tuple(i, operands);
      case GET_TUPLE_ELEMENT -> getTupleElement(i);
      case BROADCAST -> broadcast(i);
      case RESHAPE, BITCAST -> reshape(i);
      case TRANSPOSE -> transpose(i);
      case SLICE -> slice(i);
      case CONCATENATE -> concatenate(i);
      case PAD -> pad(i);
      case REVERSE -> reverse(i);
      case COPY -> elementwise(i);
      case DYNAMIC_UPDATE_SLICE -> dynamicUpdateSlice(i);
      case REDUCE -> BatchedContractions.reduce(this, i);
      case REDUCE_WINDOW -> BatchedContractions.reduceWindow(this, i);
      case SELECT_AND_SCATTER -> BatchedContractions.selectAndScatter(this, i);
      case SORT -> BatchedContractions.sort(this, i);
      case DOT -> BatchedContractions.dot(this, i);
      case GATHER -> BatchedContractions.gather(this, i);
      case CALL -> throw cannot(i, "inline calls first (the batching pass inlines the entry's calls)");
      case DYNAMIC_SLICE -> BatchedContractions.dynamicSlice(this, i);
      default -> throw cannot(i, "no batching rule for " + i.opcode() + " with a row-dependent operand");
    };
  }

  private static RowDim unbatchedTuple(Shape shape) {
    return RowDim.tuple(shape.tupleShapes().stream()
        .map(s -> s.isTuple() ? unbatchedTuple(s) : RowDim.UNBATCHED).toList());
  }

  private Instruction parameter(Instruction i) {
    if (!i.shape().isArray()) {
      throw cannot(i, "only array parameters can gain a row dimension, this one is " + i.shape());
    }
    int at = parameterDims.get(i.parameterNumber());
    if (at == RowDim.NONE) {
      dims.put(i, RowDim.UNBATCHED);
      return target.add(Instruction.parameter(i.name(), i.parameterNumber(), i.shape()));
    }
    dims.put(i, RowDim.at(at));
    return target.add(Instruction.parameter(i.name(), i.parameterNumber(), withRowDim(i.shape(), at)));
  }

  /** Elementwise: operands meet at one row position; unbatched ones are broadcast to it. */
  private Instruction elementwise(Instruction i) {
    int rank = i.shape().rank();
    // A bitcast-convert between widths adds or drops a minor dimension: rows go first, out of its way.
    int at = i.opcode() == Opcode.BITCAST_CONVERT ? 0 : firstRowDimOfRank(i, rank);
    List<Instruction> operands = new ArrayList<>();
    for (Instruction op : i.operands()) {
      if (op.shape().rank() == rank || i.opcode() == Opcode.BITCAST_CONVERT) {
        operands.add(rowDimAt(op, at));
      } else if (!isBatched(op)) {
        operands.add(mapped.get(op)); // a scalar bound of clamp or predicate of select stays scalar
      } else {
        // A row-dependent scalar among arrays: spread each row's value over the row's elements.
        Shape full = withRowDim(i.shape().withElementType(op.shape().elementType()), at);
        operands.add(helper(Opcode.BROADCAST, full, List.of(mapped.get(op)), dimensionsAttr(new long[] {at})));
      }
    }
    Attributes attributes = i.attributes();
    if (i.opcode() == Opcode.MAP && attributes.has(Attr.DIMENSIONS)) {
      // map lists every dimension it maps over; the row dimension is one more.
      long[] all = new long[rank + 1];
      for (int d = 0; d <= rank; d++) {
        all[d] = d;
      }
      attributes = attributes.with(Attr.DIMENSIONS, all);
    }
    return emit(i, RowDim.at(at), i.opcode(), withRowDim(i.shape(), at), operands, attributes);
  }

  private int firstRowDimOfRank(Instruction i, int rank) {
    for (Instruction op : i.operands()) {
      if (op.shape().rank() == rank && isBatched(op)) {
        return dims.get(op).dim();
      }
    }
    return 0;
  }

  private Instruction tuple(Instruction i, List<Instruction> operands) {
    List<RowDim> elements = i.operands().stream().map(dims::get).toList();
    List<Shape> shapes = operands.stream().map(Instruction::shape).toList();
    return emit(i, RowDim.tuple(elements), Opcode.TUPLE, Shape.tuple(shapes), operands, i.attributes());
  }

  private Instruction getTupleElement(Instruction i) {
    int index = Math.toIntExact(i.requireAttr(Attr.INDEX));
    Instruction tuple = mapped.get(i.operand(0));
    return emit(i, dims.get(i.operand(0)).element(index), Opcode.GET_TUPLE_ELEMENT,
        tuple.shape().tupleShape(index), List.of(tuple), i.attributes());
  }

  /** The operand's row dimension moves to the front and becomes result dimension 0. */
  private Instruction broadcast(Instruction i) {
    Instruction x = rowDimAt(i.operand(0), 0);
    long[] perRow = i.requireAttr(Attr.DIMENSIONS);
    long[] map = new long[perRow.length + 1];
    for (int k = 0; k < perRow.length; k++) {
      map[k + 1] = perRow[k] + 1;
    }
    return emit(i, RowDim.at(0), Opcode.BROADCAST, withRowDim(i.shape(), 0), List.of(x),
        i.attributes().with(Attr.DIMENSIONS, map));
  }

  /** Row-major reshapes keep a leading row dimension whole. */
  private Instruction reshape(Instruction i) {
    if (i.opcode() == Opcode.BITCAST && i.shape().elementType() != i.operand(0).shape().elementType()) {
      throw cannot(i, "a bitcast that changes the element type cannot keep rows apart");
    }
    Instruction x = rowDimAt(i.operand(0), 0);
    return emit(i, RowDim.at(0), i.opcode(), withRowDim(i.shape(), 0), List.of(x), i.attributes());
  }

  private Instruction transpose(Instruction i) {
    int b = dims.get(i.operand(0)).dim();
    long[] perRow = i.requireAttr(Attr.DIMENSIONS);
    long[] permutation = new long[perRow.length + 1];
    permutation[0] = b;
    for (int k = 0; k < perRow.length; k++) {
      permutation[k + 1] = shift((int) perRow[k], b);
    }
    return emit(i, RowDim.at(0), Opcode.TRANSPOSE, withRowDim(i.shape(), 0), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.DIMENSIONS, permutation));
  }

  /**
   * HLO's slice needs a limit in every dimension, and the row count is not known, so a slice of a
   * batched value becomes a {@code pad} with negative (cutting) edge padding, which leaves the row
   * dimension untouched. Strides above 1 take three more steps: the cut keeps n*k elements of a
   * dimension strided by k (padding past the end if needed), a reshape splits it into [n, k], a
   * second pad keeps [*, 0] of each such pair, and a reshape merges the dimensions back.
   */
  private Instruction slice(Instruction i) {
    Instruction operand = i.operand(0);
    int b = dims.get(operand).dim();
    SliceSpec spec = i.requireAttr(Attr.SLICE);
    int rank = operand.shape().rank();
    Instruction zero = scalarConstant(operand.shape(), 0);
    List<PaddingConfig.Dim> cut = new ArrayList<>();
    List<Integer> cutDims = new ArrayList<>(); // per-row sizes after the cut
    List<Integer> splitDims = new ArrayList<>(); // per-row sizes with each strided dimension as [n, k]
    List<PaddingConfig.Dim> keepFirst = new ArrayList<>();
    boolean strided = false;
    for (int d = 0; d < rank; d++) {
      int n = i.shape().dimension(d);
      long start = spec.start(d);
      long k = spec.stride(d);
      long size = operand.shape().dimension(d);
      long length = k > 1 && n > 1 ? n * k : n; // from start: what the cut keeps
      cut.add(new PaddingConfig.Dim(-start, length - (size - start), 0));
      cutDims.add((int) length);
      if (k > 1 && n > 1) {
        strided = true;
        splitDims.add(n);
        splitDims.add((int) k);
        keepFirst.add(new PaddingConfig.Dim(0, 0, 0));
        keepFirst.add(new PaddingConfig.Dim(0, -(k - 1), 0));
      } else {
        splitDims.add(n);
        keepFirst.add(new PaddingConfig.Dim(0, 0, 0));
      }
    }
    cut.add(b, new PaddingConfig.Dim(0, 0, 0));
    Shape cutShape = withRowDim(Shape.array(i.shape().elementType(), ints(cutDims)), b);
    List<Instruction> padOperands = List.of(mapped.get(operand), zero);
    if (!strided) {
      return emit(i, RowDim.at(b), Opcode.PAD, cutShape, padOperands, paddingAttr(cut));
    }
    // Strided dimensions are split in place, so the row dimension's index moves by the number of
    // strided dimensions before it.
    int splitB = b;
    for (int d = 0; d < b; d++) {
      splitB += spec.stride(d) > 1 && i.shape().dimension(d) > 1 ? 1 : 0;
    }
    keepFirst.add(splitB, new PaddingConfig.Dim(0, 0, 0));
    Shape splitShape = withRowDim(Shape.array(i.shape().elementType(), ints(splitDims)), splitB);
    List<Integer> keptDims = new ArrayList<>(splitDims);
    for (int e = 0, d = 0; d < rank; d++, e++) {
      if (spec.stride(d) > 1 && i.shape().dimension(d) > 1) {
        keptDims.set(++e, 1);
      }
    }
    Shape keptShape = withRowDim(Shape.array(i.shape().elementType(), ints(keptDims)), splitB);
    Instruction x = helper(Opcode.PAD, cutShape, padOperands, paddingAttr(cut));
    x = helper(Opcode.RESHAPE, splitShape, List.of(x), Attributes.EMPTY);
    x = helper(Opcode.PAD, keptShape, List.of(x, zero), paddingAttr(keepFirst));
    return emit(i, RowDim.at(b), Opcode.RESHAPE, withRowDim(i.shape(), b), List.of(x), Attributes.EMPTY);
  }

  private static Attributes paddingAttr(List<PaddingConfig.Dim> dims) {
    return Attributes.builder().put(Attr.PADDING, new PaddingConfig(dims)).build();
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private Instruction concatenate(Instruction i) {
    int at = firstRowDim(i.operands());
    List<Instruction> operands = new ArrayList<>();
    for (Instruction op : i.operands()) {
      operands.add(rowDimAt(op, at));
    }
    long[] dim = shift(i.requireAttr(Attr.DIMENSIONS), at);
    return emit(i, RowDim.at(at), Opcode.CONCATENATE, withRowDim(i.shape(), at), operands,
        i.attributes().with(Attr.DIMENSIONS, dim));
  }

  private Instruction pad(Instruction i) {
    if (isBatched(i.operand(1))) {
      throw cannot(i, "the padding value depends on the row");
    }
    int b = dims.get(i.operand(0)).dim();
    List<PaddingConfig.Dim> config = new ArrayList<>(i.requireAttr(Attr.PADDING).dims());
    config.add(b, new PaddingConfig.Dim(0, 0, 0));
    return emit(i, RowDim.at(b), Opcode.PAD, withRowDim(i.shape(), b),
        List.of(mapped.get(i.operand(0)), mapped.get(i.operand(1))),
        i.attributes().with(Attr.PADDING, new PaddingConfig(config)));
  }

  private Instruction reverse(Instruction i) {
    int b = dims.get(i.operand(0)).dim();
    return emit(i, RowDim.at(b), Opcode.REVERSE, withRowDim(i.shape(), b), List.of(mapped.get(i.operand(0))),
        i.attributes().with(Attr.DIMENSIONS, shift(i.requireAttr(Attr.DIMENSIONS), b)));
  }

  /** Operand and update meet at one row position; the row dimension's start index is 0. */
  private Instruction dynamicUpdateSlice(Instruction i) {
    for (int k = 2; k < i.operandCount(); k++) {
      if (isBatched(i.operand(k))) {
        throw cannot(i, "its start index " + (k - 2) + " depends on the row");
      }
    }
    int at = firstRowDim(i.operands().subList(0, 2));
    List<Instruction> operands = new ArrayList<>();
    operands.add(rowDimAt(i.operand(0), at));
    operands.add(rowDimAt(i.operand(1), at));
    List<Instruction> starts = new ArrayList<>();
    for (int k = 2; k < i.operandCount(); k++) {
      starts.add(mapped.get(i.operand(k)));
    }
    Shape indexType = i.operandCount() > 2 ? i.operand(2).shape() : Shape.scalar(ElementType.S32);
    starts.add(at, scalarConstant(indexType, 0));
    operands.addAll(starts);
    return emit(i, RowDim.at(at), Opcode.DYNAMIC_UPDATE_SLICE, withRowDim(i.shape(), at), operands, i.attributes());
  }

  // ---------------------------------------------------------------------------------------------
  // The result

  private Instruction finishRoot(Instruction root) {
    if (root.opcode() == Opcode.TUPLE) {
      List<Instruction> elements = new ArrayList<>();
      for (int k = 0; k < root.operandCount(); k++) {
        Instruction e = root.operand(k);
        if (!e.shape().isArray()) {
          throw cannot(root, "result element " + k + " is a nested tuple; results must be arrays or a tuple of arrays");
        }
        elements.add(rowDimAt(e, resultDims.get(k)));
      }
      return target.add(Instruction.create(root.name(), Opcode.TUPLE, elements, root.attributes()));
    }
    if (root.shape().isTuple()) {
      throw cannot(root, "a tuple result must be made by a tuple instruction to be batched");
    }
    return rowDimAt(root, resultDims.get(0));
  }
}
