package io.tessera.compiler.llvm;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.SliceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits an HLO instruction as a function of an output index, as XLA's elemental IR emitter does:
 * the value of {@code add(exp(p0), broadcast(p1))} at index i is computed from p0 at i and p1 at
 * the broadcast's operand index, so a chain of elementwise and data-movement instructions becomes
 * the body of ONE loop, with no intermediate buffer.
 *
 * <p>Instructions that live in memory (parameters, results of reductions and dots, anything the
 * caller materialized) come from a {@link Source}; every other instruction is computed here. A
 * value computed for an (instruction, index) pair is reused while its definition dominates the
 * current point (see {@link IrBuilder#enterScope()}); LLVM's CSE catches the rest.
 *
 * <p>Emitted code never traps: integer division is guarded, and indices of loads are in bounds
 * even where a select later discards the value (pad), so values may be computed speculatively.
 */
public final class ElementalEmitter {

  /** Supplies instructions that are not computed elementally. */
  public interface Source {
    /**
     * The value of {@code instr} at {@code index} when it is held in memory or bound by the caller,
     * or {@code null} when the emitter should compute it.
     */
    IrValue valueAt(Instruction instr, IrIndex index);
  }

  private record Cached(IrIndex index, IrValue value, int scope) {}

  private final IrBuilder b;
  private final Source source;
  private final Map<Instruction, List<Cached>> cache = new IdentityHashMap<>();

  public ElementalEmitter(IrBuilder b, Source source) {
    this.b = b;
    this.source = source;
  }

  public IrBuilder builder() {
    return b;
  }

  /** The value of {@code instr} at {@code index}, in its element's value type. */
  public IrValue emit(Instruction instr, IrIndex index) {
    List<Cached> entries = cache.computeIfAbsent(instr, k -> new ArrayList<>(2));
    for (Cached c : entries) {
      if (c.index() == index && b.isActive(c.scope())) {
        return c.value();
      }
    }
    IrValue v = source.valueAt(instr, index);
    if (v == null) {
      try {
        v = compute(instr, index);
      } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
        throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): " + e.getMessage(), e);
      }
    }
    entries.add(new Cached(index, v, b.currentScope()));
    return v;
  }

  /**
   * Emits scalar computation {@code computation} (a reducer, a mapped function) on {@code args},
   * one per parameter; returns its root's value, or the elements of a tuple root.
   */
  public static List<IrValue> emitScalarComputation(IrBuilder b, Computation computation, List<IrValue> args) {
    for (Instruction i : computation.instructions()) {
      if (i.opcode() != Opcode.TUPLE && !i.shape().isScalar()) {
        throw new CompilationException("%" + i.name() + " in computation " + computation.name()
            + " has shape " + i.shape() + "; applied computations must be scalar");
      }
    }
    if (args.size() != computation.parameterCount()) {
      throw new CompilationException("computation " + computation.name() + " takes " + computation.parameterCount()
          + " parameters, applied to " + args.size());
    }
    ElementalEmitter[] self = new ElementalEmitter[1];
    // Parameters are the arguments; calls and fusions (XLA puts fusions in comparators) are inlined.
    ElementalEmitter e = new ElementalEmitter(b, (instr, index) -> switch (instr.opcode()) {
      case PARAMETER -> args.get(instr.parameterNumber());
      case CALL, FUSION -> {
        List<IrValue> operands = new ArrayList<>();
        for (Instruction op : instr.operands()) {
          operands.add(self[0].emit(op, IrIndex.scalar()));
        }
        List<IrValue> result = emitScalarComputation(b, instr.calledComputations().get(0), operands);
        if (result.size() != 1) {
          throw new CompilationException("%" + instr.name() + " returns a tuple inside a computation applied to scalars");
        }
        yield result.get(0);
      }
      default -> null;
    });
    self[0] = e;
    Instruction root = computation.root();
    if (root.opcode() == Opcode.TUPLE) {
      List<IrValue> values = new ArrayList<>();
      for (Instruction op : root.operands()) {
        values.add(e.emit(op, IrIndex.scalar()));
      }
      return values;
    }
    return List.of(e.emit(root, IrIndex.scalar()));
  }

  private IrValue compute(Instruction instr, IrIndex index) {
    Opcode op = instr.opcode();
    return switch (op.family()) {
      case UNARY -> unary(instr, index);
      case BINARY -> binary(instr, index);
      case TERNARY -> ternary(instr, index);
      case DATA_MOVEMENT -> dataMovement(instr, index);
      case LEAF -> switch (op) {
        case CONSTANT -> constant(instr, index);
        case IOTA -> iota(instr, index);
        default -> throw new CompilationException("parameter %" + instr.name() + " has no buffer");
      };
      case CONTROL -> {
        if (op == Opcode.MAP) {
          yield ElementalOps.map(this, instr, index);
        }
        throw new CompilationException("%" + instr.name() + " (" + op + ") has no elemental form");
      }
      case REDUCTION -> {
        if (op == Opcode.BATCH_NORM_INFERENCE) {
          yield ElementalOps.batchNormInference(this, instr, index);
        }
        throw new CompilationException("%" + instr.name() + " (" + op + ") has no elemental form");
      }
      case STRUCTURE -> {
        if (op == Opcode.GET_TUPLE_ELEMENT && instr.operand(0).opcode() == Opcode.TUPLE) {
          yield emit(instr.operand(0).operand(tupleIndex(instr)), index);
        }
        throw new CompilationException("%" + instr.name() + " (" + op + ") has no elemental form");
      }
      default -> throw new CompilationException("%" + instr.name() + " (" + op + ") has no elemental form");
    };
  }

  static int tupleIndex(Instruction gte) {
    return Math.toIntExact(gte.requireAttr(Attr.INDEX));
  }

  // ---- elementwise ---------------------------------------------------------------------------

  /** The operand's index for an elementwise op: the same index, or none for a scalar operand. */
  private IrIndex elementwiseIndex(Instruction instr, int operand, IrIndex index) {
    Shape s = instr.operand(operand).shape();
    requireArray(instr.operand(operand));
    if (s.rank() == 0) {
      return IrIndex.scalar();
    }
    if (!Arrays.equals(s.dimensions(), index.dims())) {
      throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): operand %"
          + instr.operand(operand).name() + " has shape " + s + ", expected dimensions " + Arrays.toString(index.dims()));
    }
    return index;
  }

  private IrValue operandAt(Instruction instr, int operand, IrIndex index) {
    return emit(instr.operand(operand), elementwiseIndex(instr, operand, index));
  }

  private static ElementType operandType(Instruction instr, int operand) {
    return instr.operand(operand).shape().elementType();
  }

  private IrValue unary(Instruction instr, IrIndex index) {
    IrValue x = operandAt(instr, 0, index);
    ElementType from = operandType(instr, 0);
    ElementType to = instr.shape().elementType();
    return switch (instr.opcode()) {
      case CONVERT -> ScalarOps.convert(b, from, to, x);
      case BITCAST_CONVERT -> ScalarOps.bitcastConvert(b, instr, from, to, x);
      default -> ScalarOps.unary(b, instr, from, x);
    };
  }

  private IrValue binary(Instruction instr, IrIndex index) {
    IrValue x = operandAt(instr, 0, index);
    IrValue y = operandAt(instr, 1, index);
    ElementType type = operandType(instr, 0);
    if (operandType(instr, 1) != type) {
      throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + ") mixes element types "
          + type + " and " + operandType(instr, 1));
    }
    if (instr.opcode() == Opcode.COMPARE) {
      return ScalarOps.compare(b, instr, type, x, y);
    }
    return ScalarOps.binary(b, instr, type, x, y);
  }

  private IrValue ternary(Instruction instr, IrIndex index) {
    IrValue a = operandAt(instr, 0, index);
    IrValue x = operandAt(instr, 1, index);
    IrValue y = operandAt(instr, 2, index);
    if (instr.opcode() == Opcode.SELECT) {
      if (operandType(instr, 0) != ElementType.PRED) {
        throw new CompilationException("%" + instr.name() + " (select): the predicate has type " + operandType(instr, 0));
      }
      return b.select(a, x, y);
    }
    return ScalarOps.clamp(b, instr.shape().elementType(), a, x, y);
  }

  // ---- leaves --------------------------------------------------------------------------------

  private IrValue constant(Instruction instr, IrIndex index) {
    Literal literal = instr.attr(Attr.LITERAL);
    if (literal == null) {
      throw new CompilationException("constant %" + instr.name() + " is elided ({...}) in the text; give its values");
    }
    ElementType t = literal.elementType();
    if (literal.elementCount() == 1) {
      return scalarConstant(t, literal);
    }
    String global = b.module().addConstantOnce(instr, instr.name(), () -> LiteralBytes.toBytes(literal));
    return new IrArray(new IrValue("ptr", global), literal.shape()).load(b, index);
  }

  private static IrValue scalarConstant(ElementType t, Literal literal) {
    String vt = IrTypes.valueType(t);
    return t.isFloat() ? IrValue.fpConst(vt, literal.getDouble(0)) : IrValue.intConst(vt, literal.getLong(0));
  }

  private IrValue iota(Instruction instr, IrIndex index) {
    int dim = Math.toIntExact(instr.requireAttr(Attr.IOTA_DIMENSION));
    if (dim < 0 || dim >= index.rank()) {
      throw new CompilationException("%" + instr.name() + " (iota): iota_dimension " + dim + " out of range");
    }
    return ScalarOps.convert(b, ElementType.S64, instr.shape().elementType(), index.get(dim));
  }

  // ---- data movement -------------------------------------------------------------------------

  private IrValue dataMovement(Instruction instr, IrIndex index) {
    Instruction operand = instr.operand(0);
    requireArray(operand);
    if (instr.opcode() != Opcode.BITCAST && instr.opcode() != Opcode.RESHAPE
        && operand.shape().elementType() != instr.shape().elementType()) {
      throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + ") changes the element type from "
          + operand.shape().elementType() + " to " + instr.shape().elementType());
    }
    return switch (instr.opcode()) {
      case COPY -> emit(operand, elementwiseIndex(instr, 0, index));
      case BROADCAST -> emit(operand, broadcastIndex(instr, index));
      case RESHAPE, BITCAST -> emit(operand, reshapeIndex(instr, index));
      case TRANSPOSE -> emit(operand, transposeIndex(instr, index));
      case SLICE -> emit(operand, sliceIndex(instr, index));
      case REVERSE -> emit(operand, reverseIndex(instr, index));
      case PAD -> pad(instr, index);
      case CONCATENATE -> concatenate(instr, index);
      case SET_DIMENSION_SIZE -> emit(operand, elementwiseIndex(instr, 0, index)); // the data pass through
      case DYNAMIC_SLICE -> DynamicIndexing.dynamicSlice(this, instr, index);
      case DYNAMIC_UPDATE_SLICE -> DynamicIndexing.dynamicUpdateSlice(this, instr, index);
      case GATHER -> DynamicIndexing.gather(this, instr, index);
      default -> throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + ") has no elemental form");
    };
  }

  private IrIndex broadcastIndex(Instruction instr, IrIndex index) {
    int[] opDims = instr.operand(0).shape().dimensions();
    long[] map = instr.attributes().getOrDefault(Attr.DIMENSIONS, new long[0]);
    if (map.length != opDims.length) {
      throw new CompilationException("%" + instr.name() + " (broadcast): dimensions=" + Arrays.toString(map)
          + " does not name one output dimension per operand dimension of " + instr.operand(0).shape());
    }
    IrValue[] idx = new IrValue[opDims.length];
    for (int i = 0; i < opDims.length; i++) {
      int d = Math.toIntExact(map[i]);
      if (d < 0 || d >= index.rank() || index.dims()[d] != opDims[i]) {
        throw new CompilationException("%" + instr.name() + " (broadcast): operand dimension " + i + " of size "
            + opDims[i] + " does not match output dimension " + d + " of " + instr.shape());
      }
      idx[i] = index.get(d);
    }
    return new IrIndex(idx, opDims, null);
  }

  private IrIndex reshapeIndex(Instruction instr, IrIndex index) {
    Shape from = instr.operand(0).shape();
    if (from.elementType() != instr.shape().elementType() || !sameElementCount(from, instr.shape())) {
      throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + "): cannot reshape " + from
          + " to " + instr.shape());
    }
    int[] opDims = from.dimensions();
    int[] outDims = index.dims();
    // Adding or removing dimensions of size 1 maps indices directly, with no division.
    int[] opBig = nonUnitDimensions(opDims);
    int[] outBig = nonUnitDimensions(outDims);
    if (sameSizes(opDims, opBig, outDims, outBig)) {
      IrValue[] idx = new IrValue[opDims.length];
      Arrays.fill(idx, IrValue.i64(0));
      for (int k = 0; k < opBig.length; k++) {
        idx[opBig[k]] = index.get(outBig[k]);
      }
      return new IrIndex(idx, opDims, index.knownLinear());
    }
    return IrIndex.fromLinear(b, index.linear(b), opDims);
  }

  /**
   * Equal element counts. With a dynamic leading (row) dimension on both sides, the elements per
   * row must agree: the row-major index arithmetic never reads the size of dimension 0, so the
   * reshape then maps every row onto the same row.
   */
  private static boolean sameElementCount(Shape a, Shape c) {
    if (!a.hasDynamicDimension() && !c.hasDynamicDimension()) {
      return a.elementCount() == c.elementCount();
    }
    long perRowA = elementsPerRow(a);
    return perRowA >= 0 && perRowA == elementsPerRow(c);
  }

  /** Elements per row of a shape whose only dynamic dimension is the leading one, else -1. */
  private static long elementsPerRow(Shape s) {
    int[] dims = s.dimensions();
    if (dims.length == 0 || dims[0] != Shape.DYNAMIC) {
      return -1;
    }
    long n = 1;
    for (int d = 1; d < dims.length; d++) {
      if (dims[d] == Shape.DYNAMIC) {
        return -1;
      }
      n *= dims[d];
    }
    return n;
  }

  /** The error for an operation along a dynamic dimension that only static sizes allow. */
  private static CompilationException alongDynamic(Instruction instr, String what, int d) {
    return new CompilationException("%" + instr.name() + " (" + instr.opcode().mnemonic() + "): " + what
        + " along the dynamic dimension " + d + " of " + instr.operand(0).shape() + " is not supported");
  }

  private static int[] nonUnitDimensions(int[] dims) {
    return java.util.stream.IntStream.range(0, dims.length).filter(d -> dims[d] != 1).toArray();
  }

  private static boolean sameSizes(int[] a, int[] aIdx, int[] c, int[] cIdx) {
    if (aIdx.length != cIdx.length) {
      return false;
    }
    for (int k = 0; k < aIdx.length; k++) {
      if (a[aIdx[k]] != c[cIdx[k]]) {
        return false;
      }
    }
    return true;
  }

  private IrIndex transposeIndex(Instruction instr, IrIndex index) {
    int[] opDims = instr.operand(0).shape().dimensions();
    long[] perm = instr.requireAttr(Attr.DIMENSIONS);
    boolean[] seen = new boolean[opDims.length];
    IrValue[] idx = new IrValue[opDims.length];
    if (perm.length != opDims.length) {
      throw new CompilationException("%" + instr.name() + " (transpose): dimensions=" + Arrays.toString(perm)
          + " is not a permutation of the operand's " + opDims.length + " dimensions");
    }
    for (int i = 0; i < perm.length; i++) {
      int p = Math.toIntExact(perm[i]);
      if (p < 0 || p >= opDims.length || seen[p] || opDims[p] != index.dims()[i]) {
        throw new CompilationException("%" + instr.name() + " (transpose): dimensions=" + Arrays.toString(perm)
            + " does not map " + instr.operand(0).shape() + " to " + instr.shape());
      }
      seen[p] = true;
      idx[p] = index.get(i);
    }
    return new IrIndex(idx, opDims, null);
  }

  private IrIndex sliceIndex(Instruction instr, IrIndex index) {
    int[] opDims = instr.operand(0).shape().dimensions();
    SliceSpec spec = instr.requireAttr(Attr.SLICE);
    if (spec.rank() != opDims.length) {
      throw new CompilationException("%" + instr.name() + " (slice): slice " + spec + " has rank " + spec.rank()
          + ", the operand " + opDims.length);
    }
    IrValue[] idx = new IrValue[opDims.length];
    for (int d = 0; d < opDims.length; d++) {
      long start = spec.start(d);
      long limit = spec.limit(d);
      long stride = spec.stride(d);
      if (opDims[d] == Shape.DYNAMIC || index.dims()[d] == Shape.DYNAMIC) {
        // A slice's limits are constants, so its size along the rows could not follow the row count.
        throw alongDynamic(instr, "slicing", d);
      }
      long size = stride > 0 && limit >= start ? (limit - start + stride - 1) / stride : -1;
      if (start < 0 || limit > opDims[d] || stride <= 0 || size != index.dims()[d]) {
        throw new CompilationException("%" + instr.name() + " (slice): slice " + spec + " of " + instr.operand(0).shape()
            + " does not give " + instr.shape());
      }
      IrValue v = index.get(d);
      if (stride != 1) {
        v = b.assign("i64", "mul nuw nsw i64 " + v.ref() + ", " + stride);
      }
      if (start != 0) {
        v = b.assign("i64", "add nuw nsw i64 " + v.ref() + ", " + start);
      }
      idx[d] = v;
    }
    return new IrIndex(idx, opDims, null);
  }

  private IrIndex reverseIndex(Instruction instr, IrIndex index) {
    int[] opDims = instr.operand(0).shape().dimensions();
    elementwiseIndex(instr, 0, index); // same dimensions
    IrValue[] idx = new IrValue[opDims.length];
    for (int d = 0; d < opDims.length; d++) {
      idx[d] = index.get(d);
    }
    for (long r : instr.attributes().getOrDefault(Attr.DIMENSIONS, new long[0])) {
      int d = Math.toIntExact(r);
      if (d < 0 || d >= opDims.length) {
        throw new CompilationException("%" + instr.name() + " (reverse): dimension " + d + " out of range");
      }
      IrValue last = opDims[d] == Shape.DYNAMIC ? b.sub(b.dimensionSize(Shape.DYNAMIC), IrValue.i64(1))
          : IrValue.i64(opDims[d] - 1L);
      idx[d] = b.sub(last, index.get(d));
    }
    return new IrIndex(idx, opDims, null);
  }

  /**
   * pad: output position t = i - low along each dimension reads operand element t / (interior+1)
   * when t is a multiple of interior+1 inside the operand; elsewhere the padding value. The
   * operand is read at a clamped index and the value selected, so the loop body stays branch-free.
   */
  private IrValue pad(Instruction instr, IrIndex index) {
    Instruction operand = instr.operand(0);
    int[] opDims = operand.shape().dimensions();
    PaddingConfig config = instr.requireAttr(Attr.PADDING);
    if (config.rank() != opDims.length) {
      throw new CompilationException("%" + instr.name() + " (pad): padding " + config + " has rank " + config.rank()
          + ", the operand " + opDims.length);
    }
    if (instr.operand(1).shape().rank() != 0) {
      throw new CompilationException("%" + instr.name() + " (pad): the padding value must be a scalar");
    }
    boolean empty = false;
    for (int d = 0; d < opDims.length; d++) {
      PaddingConfig.Dim p = config.dim(d);
      if (opDims[d] == Shape.DYNAMIC || index.dims()[d] == Shape.DYNAMIC) {
        if (opDims[d] != index.dims()[d] || p.low() != 0 || p.high() != 0 || p.interior() != 0) {
          throw alongDynamic(instr, "padding", d);
        }
        continue;
      }
      empty |= opDims[d] == 0;
      long expected = p.low() + p.high() + opDims[d] + Math.max(0, opDims[d] - 1) * p.interior();
      if (p.interior() < 0 || expected != index.dims()[d]) {
        throw new CompilationException("%" + instr.name() + " (pad): padding " + config + " of " + operand.shape()
            + " does not give " + instr.shape());
      }
    }
    IrValue padValue = emit(instr.operand(1), IrIndex.scalar());
    if (empty) {
      return padValue; // no element to read (a dynamic dimension is never padded, so it cannot empty the operand)
    }
    IrValue inside = IrValue.bool(true);
    IrValue[] idx = new IrValue[opDims.length];
    for (int d = 0; d < opDims.length; d++) {
      PaddingConfig.Dim p = config.dim(d);
      if (opDims[d] == Shape.DYNAMIC) {
        idx[d] = index.get(d);
        continue;
      }
      IrValue t = p.low() == 0 ? index.get(d) : b.sub(index.get(d), IrValue.i64(p.low()));
      long step = p.interior() + 1;
      long span = (opDims[d] - 1L) * step + 1; // t in [0, span) may hit an element; negative t is huge unsigned
      IrValue valid = b.icmp("ult", t, IrValue.i64(span));
      IrValue q = t;
      if (step != 1) {
        valid = b.and(valid, b.icmp("eq", b.binop("urem", t, IrValue.i64(step)), IrValue.i64(0)));
        q = b.binop("udiv", t, IrValue.i64(step));
      }
      idx[d] = b.select(valid, q, IrValue.i64(0));
      inside = b.and(inside, valid);
    }
    IrValue value = emit(operand, new IrIndex(idx, opDims, null));
    return b.select(inside, value, padValue);
  }

  /**
   * concatenate: a chain of compares picks the operand whose range holds the index along the
   * concatenated dimension; each operand's value is computed in its own branch and a phi joins
   * them, so only one operand's chain runs per element.
   */
  private IrValue concatenate(Instruction instr, IrIndex index) {
    long[] dimAttr = instr.requireAttr(Attr.DIMENSIONS);
    int c = Math.toIntExact(dimAttr[0]);
    int[] outDims = index.dims();
    if (dimAttr.length != 1 || c < 0 || c >= outDims.length) {
      throw new CompilationException("%" + instr.name() + " (concatenate): bad dimensions=" + Arrays.toString(dimAttr));
    }
    if (outDims[c] == Shape.DYNAMIC) {
      throw alongDynamic(instr, "concatenating", c);
    }
    List<Integer> parts = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    long offset = 0;
    for (int k = 0; k < instr.operandCount(); k++) {
      int[] d = instr.operand(k).shape().dimensions();
      for (int j = 0; j < outDims.length; j++) {
        if (d.length != outDims.length || (j != c && d[j] != outDims[j])) {
          throw new CompilationException("%" + instr.name() + " (concatenate): operand %" + instr.operand(k).name()
              + " of shape " + instr.operand(k).shape() + " does not fit " + instr.shape());
        }
      }
      if (d[c] > 0) {
        parts.add(k);
        offsets.add(offset);
      }
      offset += d[c];
    }
    if (offset != outDims[c]) {
      throw new CompilationException("%" + instr.name() + " (concatenate): operand sizes add up to " + offset
          + " along dimension " + c + ", the result has " + outDims[c]);
    }
    if (parts.isEmpty()) {
      // Every operand is empty along the dimension, so is the result: no element is ever read.
      ElementType t = instr.shape().elementType();
      return t.isFloat() ? IrValue.fpConst(IrTypes.valueType(t), 0) : IrValue.intConst(IrTypes.valueType(t), 0);
    }
    String merge = b.newLabel("concat.merge");
    List<IrValue> values = new ArrayList<>();
    List<String> blocks = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      int k = parts.get(p);
      long start = offsets.get(p);
      boolean last = p == parts.size() - 1;
      String caseLabel = b.newLabel("concat.case" + k);
      String nextLabel = last ? null : b.newLabel("concat.next" + k);
      if (!last) {
        long end = start + instr.operand(k).shape().dimension(c);
        b.condBr(b.icmp("ult", index.get(c), IrValue.i64(end)), caseLabel, nextLabel);
      } else {
        b.br(caseLabel);
      }
      b.startBlock(caseLabel);
      b.enterScope();
      IrValue[] idx = new IrValue[outDims.length];
      for (int j = 0; j < outDims.length; j++) {
        idx[j] = index.get(j);
      }
      if (start != 0) {
        idx[c] = b.sub(index.get(c), IrValue.i64(start));
      }
      values.add(emit(instr.operand(k), new IrIndex(idx, instr.operand(k).shape().dimensions(), null)));
      blocks.add(b.currentBlock());
      b.exitScope();
      b.br(merge);
      if (!last) {
        b.startBlock(nextLabel);
      }
    }
    b.startBlock(merge);
    return b.phi(values.get(0).type(), values, blocks);
  }

  private static void requireArray(Instruction instr) {
    if (!instr.shape().isArray()) {
      throw new CompilationException("%" + instr.name() + " has shape " + instr.shape() + " where an array is needed");
    }
  }
}
