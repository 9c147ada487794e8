package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emits one computation, at the current point of the kernel function, over values its caller
 * binds to its parameters; the entry computation and every computation it calls (call, fusion,
 * loop bodies and conditions, branches) each get one of these per call site.
 *
 * <p>Every instruction's value is a list of {@link ArrayValue}s, one per leaf of its shape:
 * <ul>
 *   <li>elementwise and data-movement instructions (gather and the dynamic slices included) are
 *       <em>elemental</em>: nothing is emitted where they are defined; each consumer computes
 *       them inside its own loop through this computation's {@link ElementalEmitter};
 *   <li>reduce, dot, convolution, sort, scatter, windows, batch-norm training, while and
 *       conditional are emitted in definition order by their emitters into buffers: the
 *       caller's result buffers where the caller says so ({@link Destinations}), otherwise
 *       temporaries from the scratch memory;
 *   <li>tuple and get-tuple-element only regroup leaves; call and fusion emit the called
 *       computation in place, so a fused computation's root stays elemental and is computed
 *       inside the consumer's loop (XLA's loop fusion), while anything it must materialize (a
 *       reduce in an input fusion) is emitted where the fusion is.
 * </ul>
 *
 * <p>An elemental instruction is recomputed by every loop that reads it. When it is expensive
 * ({@code exp}, {@code tanh}, a division, or a fusion computing one) and several loops read it,
 * or one loop reads its elements several times, it is computed once, where it is defined, into a
 * buffer that its readers load from ({@link MaterializationPolicy}); softmax's {@code exp(x - max)},
 * read by the row sum and by the division, is the case in point.
 */
final class ComputationEmitter {

  /** Hands out temporary buffers from the kernel's scratch memory. */
  interface Scratch {
    IrArray allocate(String hint, Shape shape);

    /** Memory for the GEMM's packed panels, shared by every dot ({@link DotEmitter#scratchBytes}), or null. */
    default IrValue gemmPacking() {
      return null;
    }
  }

  /** Where a materialized instruction should write its output leaf, or {@code null} for a temporary. */
  interface Destinations {
    IrArray forOutput(Instruction instr, int leaf);
  }

  private static final Destinations NONE = (instr, leaf) -> null;

  private final IrBuilder b;
  private final Scratch scratch;
  private final Destinations destinations;
  private final Computation computation;
  private final List<List<ArrayValue>> arguments;
  private final Map<Instruction, List<ArrayValue>> values = new IdentityHashMap<>();
  private final Map<ArrayValue, IrArray> copiesInMemory = new HashMap<>();
  /** Instructions to compute, at their turn, into the buffer of a materialized value they read in place. */
  private final Map<Instruction, IrArray> inPlaceOutputs = new IdentityHashMap<>();
  private final ElementalEmitter elemental;
  private final MaterializationPolicy.Plan policy;
  private Runnable stepListener = () -> {};
  /** A dot whose emitter runs {@link #dotEpilogue} over each finished block of its output, or null. */
  private Instruction epilogueDot;
  private GemmEmitter.BlockEpilogue dotEpilogue;
  private boolean dotEpilogueEmitted;

  /**
   * @param arguments the value of each parameter, by parameter number, one entry per leaf
   */
  ComputationEmitter(IrBuilder b, Scratch scratch, Destinations destinations, Computation computation,
                     List<List<ArrayValue>> arguments) {
    this.b = b;
    this.scratch = scratch;
    this.destinations = destinations == null ? NONE : destinations;
    this.computation = computation;
    this.arguments = arguments;
    this.elemental = new ElementalEmitter(b, this::source);
    this.policy = MaterializationPolicy.plan(computation);
  }

  IrBuilder builder() {
    return b;
  }

  /**
   * Calls {@code listener} before each instruction of this computation is emitted: the steps of
   * the schedule that {@link TemporaryLiveRanges} measures live ranges in.
   */
  ComputationEmitter onEachStep(Runnable listener) {
    this.stepListener = listener;
    return this;
  }

  ElementalEmitter elemental() {
    return elemental;
  }

  /** Uses {@code value} for {@code instr} instead of emitting it. */
  private ComputationEmitter bind(Instruction instr, List<ArrayValue> value) {
    values.put(instr, value);
    return this;
  }

  /** Emits the computation; returns the value of its root, one entry per leaf. */
  List<ArrayValue> emit() {
    if (arguments.size() != computation.parameterCount()) {
      throw new CompilationException("computation " + computation.name() + " takes " + computation.parameterCount()
          + " parameter(s), called with " + arguments.size());
    }
    for (Instruction instr : reachableInOrder(computation)) {
      stepListener.run();
      if (values.containsKey(instr)) {
        continue; // bound by the caller, or emitted ahead of its turn (an epilogue and its operands: emitConvolution)
      }
      List<ArrayValue> value;
      try {
        value = emitInstruction(instr);
        IrArray inPlace = inPlaceOutputs.get(instr);
        if (inPlace != null) {
          store(value.get(0), inPlace); // over the value it reads, element by element
          value = List.of(ArrayValue.inMemory(inPlace));
        }
        if (policy.materializes(instr)) {
          value = materialize(instr, value);
        }
      } catch (CompilationException e) {
        throw e;
      } catch (RuntimeException e) {
        // A malformed module (the backend does not require a verified one) must still fail cleanly.
        throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + ") in computation "
            + computation.name() + " cannot be compiled: " + e, e);
      }
      if (value.size() != leafCount(instr.shape())) {
        throw new CompilationException("%" + instr.name() + " has " + value.size() + " array(s) for its shape "
            + instr.shape());
      }
      values.put(instr, value);
    }
    return values.get(computation.root());
  }

  /** Emits {@code called} (a computation this one calls) at the current point with {@code args}. */
  List<ArrayValue> emitCalled(Computation called, List<List<ArrayValue>> args) {
    return new ComputationEmitter(b, scratch, NONE, called, args).emit();
  }

  /** The value of {@code instr}, an instruction of this computation emitted earlier. */
  List<ArrayValue> valueOf(Instruction instr) {
    List<ArrayValue> v = values.get(instr);
    if (v == null) {
      throw new IllegalStateException("%" + instr.name() + " is used before it is emitted");
    }
    return v;
  }

  /** The value of array-shaped {@code instr}. */
  ArrayValue arrayOf(Instruction instr) {
    List<ArrayValue> v = valueOf(instr);
    if (v.size() != 1 || !instr.shape().isArray()) {
      throw new CompilationException("%" + instr.name() + " has shape " + instr.shape() + " where an array is needed");
    }
    return v.get(0);
  }

  /** The operands' values, one list per operand: the arguments of a called computation. */
  List<List<ArrayValue>> operandValues(Instruction instr) {
    List<List<ArrayValue>> args = new ArrayList<>();
    for (Instruction operand : instr.operands()) {
      args.add(valueOf(operand));
    }
    return args;
  }

  /** A buffer for leaf {@code leaf} of materialized {@code instr}: the caller's destination, or a temporary. */
  IrArray output(Instruction instr, int leaf) {
    Shape shape = leafShapes(instr.shape()).get(leaf);
    IrArray destination = destinations.forOutput(instr, leaf);
    if (destination != null) {
      if (!destination.shape().sameDimensions(shape) || destination.elementType() != shape.elementType()) {
        throw new IllegalStateException("destination " + destination.shape() + " for %" + instr.name() + " " + shape);
      }
      return destination;
    }
    return temp(instr.name(), shape);
  }

  /** Buffers for every leaf of materialized {@code instr}. */
  List<IrArray> outputs(Instruction instr) {
    List<IrArray> out = new ArrayList<>();
    int n = leafCount(instr.shape());
    for (int k = 0; k < n; k++) {
      out.add(output(instr, k));
    }
    return out;
  }

  /** A temporary buffer of {@code shape} from the scratch memory. */
  IrArray temp(String hint, Shape shape) {
    return scratch.allocate(hint, shape.withoutLayout());
  }

  /**
   * {@code value} in memory: its buffer, a constant's global, or a temporary it is computed into
   * once per computation (dot and convolution operands are read many times each). Callers ask at
   * the computation's top level, before opening loops, so the copy dominates all later uses.
   */
  IrArray inMemory(ArrayValue value) {
    if (value.inMemory()) {
      return value.buffer();
    }
    Instruction instr = value.instr();
    if (instr.opcode() == Opcode.CONSTANT) {
      Literal literal = instr.attr(Attr.LITERAL);
      if (literal == null) {
        throw new CompilationException("constant %" + instr.name() + " is elided ({...}) in the text; give its values");
      }
      String global = b.module().addConstantOnce(instr, instr.name(), () -> LiteralBytes.toBytes(literal));
      return new IrArray(new IrValue("ptr", global), literal.shape());
    }
    IrArray copy = copiesInMemory.get(value);
    if (copy == null) {
      copy = temp(instr.name(), value.shape());
      store(value, copy);
      copiesInMemory.put(value, copy);
    }
    return copy;
  }

  /** Writes every element of {@code from} into {@code to} (same dimensions): a memcpy from memory, else a loop. */
  void store(ArrayValue from, IrArray to) {
    if (from.inMemory()) {
      copy(b, from.buffer(), to);
      return;
    }
    LoopEmitter.forEachIndex(b, "store." + IrBuilder.sanitize(from.instr().name()), to.shape().dimensions(),
        index -> to.store(b, index, from.at(b, index)));
  }

  /** {@code memcpy(to, from)} over the whole array (nothing when they are the same buffer). */
  static void copy(IrBuilder b, IrArray from, IrArray to) {
    Shape shape = to.shape();
    if ((!shape.hasDynamicDimension() && shape.byteSize() == 0) || from.pointer().ref().equals(to.pointer().ref())) {
      return;
    }
    b.callExternal("void", "llvm.memcpy.p0.p0.i64", to.pointer(), from.pointer(), byteSize(b, shape), IrValue.bool(false));
  }

  /** The bytes of an array: a constant, or the row count times the bytes per row for a dynamic leading dimension. */
  static IrValue byteSize(IrBuilder b, Shape shape) {
    if (!shape.hasDynamicDimension()) {
      return IrValue.i64(shape.byteSize());
    }
    long perRow = shape.elementType().byteSize();
    for (int d = 1; d < shape.rank(); d++) {
      perRow *= shape.dimension(d);
    }
    return b.mul(b.dimensionSize(shape.dimension(0)), IrValue.i64(perRow));
  }

  // ---- the value of one instruction ------------------------------------------------------------

  private List<ArrayValue> emitInstruction(Instruction instr) {
    return switch (instr.opcode()) {
      case PARAMETER -> argument(instr);
      case TUPLE -> {
        List<ArrayValue> leaves = new ArrayList<>();
        for (Instruction operand : instr.operands()) {
          leaves.addAll(valueOf(operand));
        }
        yield leaves;
      }
      case GET_TUPLE_ELEMENT -> tupleElement(instr);
      case CALL -> emitCalled(instr.requireAttr(Attr.TO_APPLY), operandValues(instr));
      case FUSION -> {
        Instruction dot = OutputFusions.inPlaceDot(instr);
        yield dot != null ? outputFusion(instr, dot) : emitCalled(instr.requireAttr(Attr.CALLS), operandValues(instr));
      }
      case WHILE -> ControlFlowEmitter.emitWhile(this, instr);
      case CONDITIONAL -> ControlFlowEmitter.emitConditional(this, instr);
      case REDUCE -> {
        List<IrArray> outputs = outputs(instr);
        ReduceEmitter.emit(b, elemental, instr, outputs);
        yield buffersOf(outputs);
      }
      case DOT -> {
        IrArray lhs = inMemory(arrayOf(instr.operand(0)));
        IrArray rhs = inMemory(arrayOf(instr.operand(1)));
        IrArray out = output(instr, 0);
        boolean epilogue = DotEmitter.emit(b, instr, lhs, rhs, out, scratch.gemmPacking(),
            instr == epilogueDot ? dotEpilogue : null);
        dotEpilogueEmitted |= epilogue;
        yield List.of(ArrayValue.inMemory(out));
      }
      case CONVOLUTION -> emitConvolution(instr);
      case SORT -> buffersOf(SortEmitter.emit(this, instr));
      case SCATTER -> buffersOf(ScatterEmitter.emit(this, instr));
      case REDUCE_WINDOW -> buffersOf(WindowEmitter.reduceWindow(this, instr));
      case SELECT_AND_SCATTER -> buffersOf(List.of(WindowEmitter.selectAndScatter(this, instr)));
      case BATCH_NORM_TRAINING -> buffersOf(BatchNormEmitter.training(this, instr));
      case CUSTOM_CALL -> throw CpuSupport.customCall(instr);
      case CONSTANT -> instr.shape().isTuple() ? tupleConstant(instr) : List.of(ArrayValue.elemental(elemental, instr));
      default -> {
        if (!instr.shape().isArray()) {
          throw new CompilationException("%" + instr.name() + " (" + instr.opcode() + ") has shape " + instr.shape()
              + "; only arrays are computed elementally");
        }
        yield List.of(ArrayValue.elemental(elemental, instr));
      }
    };
  }

  /**
   * A {@code kOutput} fusion computed in one buffer ({@link OutputFusions}): its dot writes the
   * fusion's output buffer, and the epilogue is computed over it in place: inside the GEMM, on
   * each block of the output as it is finished and still in cache, when the GEMM takes it
   * ({@link GemmEmitter#takesBlockEpilogue}) and the epilogue is purely elemental; else in a second
   * pass over the buffer.
   */
  private List<ArrayValue> outputFusion(Instruction fusion, Instruction dot) {
    Computation fused = fusion.requireAttr(Attr.CALLS);
    IrArray out = output(fusion, 0);
    List<List<ArrayValue>> args = operandValues(fusion);
    ComputationEmitter emitter = new ComputationEmitter(b, scratch, (instr, leaf) -> instr == dot ? out : null, fused,
        args);
    if (OutputFusions.epilogueIsElemental(fused, dot)) { // DotEmitter decides whether the GEMM takes it
      emitter.epilogueDot = dot;
      emitter.dotEpilogue = (bb, row0, rows, col0, cols) -> {
        // The epilogue's instructions are elemental: binding the dot to its buffer and emitting
        // them emits no code, only the value of the root at any index.
        ArrayValue root = new ComputationEmitter(b, scratch, NONE, fused, args)
            .bind(dot, List.of(ArrayValue.inMemory(out))).emit().get(0);
        IrValue n = IrValue.i64(out.shape().dimension(1));
        LoopEmitter.forRange(b, "epilogue.i", rows, i -> {
          IrValue row = b.add(row0, i);
          IrValue rowStart = b.mul(row, n);
          LoopEmitter.forRange(b, "epilogue.j", cols, j -> {
            IrValue col = b.add(col0, j);
            IrIndex index = new IrIndex(new IrValue[] {row, col}, out.shape().dimensions(), b.add(rowStart, col));
            out.store(b, index, root.at(b, index));
          });
        });
      };
    }
    List<ArrayValue> root = emitter.emit();
    if (root.get(0).inMemory() && root.get(0).buffer() == out) {
      return root; // no epilogue
    }
    if (!emitter.dotEpilogueEmitted) {
      store(root.get(0), out);
    }
    return List.of(ArrayValue.inMemory(out));
  }

  /**
   * A convolution; with its consumer when that is elementwise ({@link ElementwiseEpilogue}, a
   * bias and activation) and the convolution runs in tiles: the consumer is computed from each
   * tile as soon as it is written, into the same buffer (the consumer's), so the convolution's
   * output never makes a round trip through memory. The consumer is then done ahead of its turn.
   */
  private List<ArrayValue> emitConvolution(Instruction conv) {
    Instruction consumer = ConvolutionEmitter.usesImplicitGemm(conv)
        ? ElementwiseEpilogue.find(computation, conv, this::availableNow) : null;
    if (consumer == null) {
      IrArray out = output(conv, 0);
      ConvolutionEmitter.emit(this, conv, out, null);
      return List.of(ArrayValue.inMemory(out));
    }
    for (Instruction operand : consumer.operands()) {
      if (operand != conv) {
        emitAhead(operand);
      }
    }
    IrArray out = output(consumer, 0);
    // What the consumer reads of the convolution: the element just written, before it overwrites it.
    // The consumer is the convolution's only user, so nothing reads this buffer as the convolution later.
    List<ArrayValue> convolution = List.of(ArrayValue.inMemory(out));
    values.put(conv, convolution);
    ArrayValue epilogue = emitInstruction(consumer).get(0);
    if (epilogue.inMemory()) {
      throw new IllegalStateException("%" + consumer.name() + " is not elemental; it cannot be a convolution's epilogue");
    }
    ConvolutionEmitter.emit(this, conv, out, index -> out.store(b, index, epilogue.at(b, index)));
    values.put(consumer, List.of(ArrayValue.inMemory(out)));
    return convolution;
  }

  /**
   * Whether {@code instr}'s value can be had at this point without emitting a loop: it is emitted
   * already, a parameter, or elemental (not materialized) over such values.
   */
  private boolean availableNow(Instruction instr) {
    if (values.containsKey(instr)) {
      return true;
    }
    Opcode op = instr.opcode();
    if (op == Opcode.PARAMETER) {
      return true; // bound by the caller
    }
    if (op == Opcode.TUPLE || op == Opcode.GET_TUPLE_ELEMENT || writesMemory(op)
        || op.callsComputations() || !instr.shape().isArray() || policy.materializes(instr)) {
      return false;
    }
    return instr.operands().stream().allMatch(this::availableNow);
  }

  /** Emits an instruction {@link #availableNow} (elemental: no code) and its operands before their turn. */
  private void emitAhead(Instruction instr) {
    if (values.containsKey(instr) || !availableNow(instr)) {
      return;
    }
    instr.operands().forEach(this::emitAhead);
    values.put(instr, emitInstruction(instr));
  }

  /**
   * Opcodes whose emitters write their output to memory where they are defined; every other
   * instruction with an array value is elemental unless {@link MaterializationPolicy} says otherwise.
   */
  static boolean writesMemory(Opcode op) {
    return switch (op) {
      case REDUCE, DOT, CONVOLUTION, SORT, SCATTER, REDUCE_WINDOW, SELECT_AND_SCATTER, BATCH_NORM_TRAINING, WHILE,
          CONDITIONAL, CUSTOM_CALL -> true;
      default -> false;
    };
  }

  /**
   * Computes elemental {@code value} of {@code instr} once, here, into its output buffer (the
   * caller's result buffer when it is a result, else a temporary), for its readers to load.
   */
  private List<ArrayValue> materialize(Instruction instr, List<ArrayValue> value) {
    if (value.size() != 1 || value.get(0).inMemory()) {
      return value;
    }
    // Its last reader, when it reads it in place, takes over the buffer (and will overwrite it).
    Instruction heir = ElementwiseEpilogue.inPlaceLastReader(computation, instr);
    IrArray out = heir == null ? output(instr, 0) : output(heir, 0);
    if (heir != null) {
      inPlaceOutputs.put(heir, out);
    }
    Instruction reduce = reduceReading(instr);
    if (reduce == null) {
      store(value.get(0), out);
      return List.of(ArrayValue.inMemory(out));
    }
    // The reduce's loops compute every element of instr once: they store it as they go, so the
    // reduce does not read back what a loop of its own just wrote (softmax's row sum of exp(x - max)).
    values.put(instr, value); // elemental, for the reduce's loops; the caller then records the buffer
    reduce.operands().forEach(this::emitAhead);
    List<IrArray> reduced = outputs(reduce);
    ReduceEmitter.emit(b, elemental, reduce, reduced, (index, v) -> out.store(b, index, v));
    values.put(reduce, buffersOf(reduced));
    return List.of(ArrayValue.inMemory(out));
  }

  /**
   * A single-input reduce of {@code instr} (about to be materialized) whose init value is
   * {@link #availableNow}: it can be emitted here, writing {@code instr} as it reads it; or null.
   */
  private Instruction reduceReading(Instruction instr) {
    for (Instruction user : computation.users(instr)) {
      if (user.opcode() == Opcode.REDUCE && user.operandCount() == 2 && user.operand(0) == instr
          && user.operand(1) != instr && user.shape().isArray() && availableNow(user.operand(1))) {
        return user;
      }
    }
    return null;
  }

  private static List<ArrayValue> buffersOf(List<IrArray> buffers) {
    return buffers.stream().map(ArrayValue::inMemory).toList();
  }

  private List<ArrayValue> argument(Instruction param) {
    int number = param.parameterNumber();
    if (number < 0 || number >= arguments.size()) {
      throw new CompilationException("parameter %" + param.name() + " has number " + number + " in computation "
          + computation.name() + " of " + arguments.size() + " parameter(s)");
    }
    List<ArrayValue> value = arguments.get(number);
    List<Shape> expected = leafShapes(param.shape());
    if (value.size() != expected.size()) {
      throw new CompilationException("parameter %" + param.name() + " of shape " + param.shape() + " is passed "
          + value.size() + " array(s)");
    }
    for (int k = 0; k < expected.size(); k++) {
      Shape got = value.get(k).shape();
      if (!got.sameDimensions(expected.get(k)) || got.elementType() != expected.get(k).elementType()) {
        throw new CompilationException("parameter %" + param.name() + " of shape " + param.shape() + " is passed "
            + got.toStringWithoutLayout() + " as leaf " + k);
      }
    }
    return value;
  }

  /** A tuple-shaped constant: one array constant per leaf of its literal. */
  private List<ArrayValue> tupleConstant(Instruction instr) {
    Literal literal = instr.attr(Attr.LITERAL);
    if (literal == null) {
      throw new CompilationException("constant %" + instr.name() + " is elided ({...}) in the text; give its values");
    }
    List<Literal> leaves = new ArrayList<>();
    addLeaves(literal, leaves);
    List<ArrayValue> value = new ArrayList<>();
    for (int k = 0; k < leaves.size(); k++) {
      value.add(ArrayValue.elemental(elemental, Instruction.constant(instr.name() + "." + k, leaves.get(k))));
    }
    return value;
  }

  private static void addLeaves(Literal literal, List<Literal> out) {
    if (literal.isTuple()) {
      literal.tupleElements().forEach(e -> addLeaves(e, out));
    } else {
      out.add(literal);
    }
  }

  private List<ArrayValue> tupleElement(Instruction gte) {
    Instruction tuple = gte.operand(0);
    Shape shape = tuple.shape();
    int k = Math.toIntExact(gte.requireAttr(Attr.INDEX));
    if (!shape.isTuple() || k < 0 || k >= shape.tupleShapes().size()) {
      throw new CompilationException("%" + gte.name() + " takes element " + k + " of %" + tuple.name() + " of shape "
          + shape);
    }
    int first = 0;
    for (int i = 0; i < k; i++) {
      first += leafCount(shape.tupleShape(i));
    }
    return valueOf(tuple).subList(first, first + leafCount(shape.tupleShape(k)));
  }

  /** What the elemental emitter cannot compute itself: values bound, forwarded or in memory. */
  private IrValue source(Instruction instr, IrIndex index) {
    List<ArrayValue> v = values.get(instr);
    if (v == null || v.size() != 1) {
      return null;
    }
    ArrayValue a = v.get(0);
    if (!a.inMemory() && a.emitter() == elemental && a.instr() == instr) {
      return null; // this emitter computes it
    }
    return a.at(b, index);
  }

  // ---- shapes and leaves -------------------------------------------------------------------

  /** Leaf {@code leaf} of instruction {@code instr}'s value, before emission. */
  record LeafRef(Instruction instr, int leaf) {}

  /**
   * The leaves of {@code instr}'s value as (instruction, leaf) pairs, looking through tuple and
   * get-tuple-element: what a value will be before it is emitted.
   */
  static List<LeafRef> resolveLeaves(Instruction instr) {
    List<LeafRef> out = new ArrayList<>();
    if (instr.opcode() == Opcode.TUPLE) {
      for (Instruction operand : instr.operands()) {
        out.addAll(resolveLeaves(operand));
      }
      return out;
    }
    if (instr.opcode() == Opcode.GET_TUPLE_ELEMENT && instr.operand(0).shape().isTuple()) {
      Shape tuple = instr.operand(0).shape();
      int k = Math.toIntExact(instr.requireAttr(Attr.INDEX));
      if (k >= 0 && k < tuple.tupleShapes().size()) {
        int first = 0;
        for (int i = 0; i < k; i++) {
          first += leafCount(tuple.tupleShape(i));
        }
        List<LeafRef> all = resolveLeaves(instr.operand(0));
        return all.subList(first, first + leafCount(tuple.tupleShape(k)));
      }
    }
    int count = leafCount(instr.shape());
    for (int k = 0; k < count; k++) {
      out.add(new LeafRef(instr, k));
    }
    return out;
  }


  /** Number of array leaves of {@code shape}. */
  static int leafCount(Shape shape) {
    return leafShapes(shape).size();
  }

  /** The array leaves of {@code shape}, depth first. */
  static List<Shape> leafShapes(Shape shape) {
    List<Shape> out = new ArrayList<>();
    addLeaves(shape, out);
    return out;
  }

  private static void addLeaves(Shape shape, List<Shape> out) {
    if (shape.isTuple()) {
      for (Shape s : shape.tupleShapes()) {
        addLeaves(s, out);
      }
    } else if (shape.isArray()) {
      out.add(shape);
    } else {
      throw new CompilationException("the cpu backend has no buffers for " + shape + " values");
    }
  }

  /** Instructions the root depends on, and every parameter, in definition order. */
  static List<Instruction> reachableInOrder(Computation computation) {
    Set<Instruction> seen = new HashSet<>();
    Deque<Instruction> work = new ArrayDeque<>();
    work.push(computation.root());
    while (!work.isEmpty()) {
      Instruction i = work.pop();
      if (seen.add(i)) {
        i.operands().forEach(work::push);
      }
    }
    seen.addAll(computation.parameters());
    return computation.instructions().stream().filter(seen::contains).toList();
  }
}
