package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes HLO in Java: one {@code Builder} adds instructions to one computation of a module being
 * built, inferring every shape as it goes ({@link Instruction#create}), so a mistake fails at the
 * line that makes it, with a message naming the instruction. Instructions are named as XLA names
 * them ({@code add.3}, unique in the module); {@link #name} gives one a name of your choosing.
 *
 * <pre>{@code
 * Builder b = new Builder("mlp");
 * Instruction x = b.parameter("x", Shape.array(F32, 8, 784));
 * Instruction w = b.parameter("w", Shape.array(F32, 784, 10));
 * Instruction logits = b.matmul(x, w);
 * Instruction relu = b.maximum(logits, b.fill(logits.shape(), 0));
 * Module module = b.build(relu); // verified
 * }</pre>
 *
 * <p>Called computations are built by nested builders that share the module and its names:
 * {@link #computation(String, Function)}, or the ready-made {@link #reducer} and
 * {@link #comparator}. A computation is added to the module when it is finished, so callees
 * precede their callers, as XLA prints them.
 */
public final class Builder {

  /** Gather's dimension numbers (see XLA's operation semantics); batching lists may be empty. */
  public record GatherDimensions(int[] offsetDims, int[] collapsedSliceDims, int[] startIndexMap,
                                 int[] operandBatchingDims, int[] startIndicesBatchingDims, int indexVectorDim) {
    /** Without batching dimensions. */
    public GatherDimensions(int[] offsetDims, int[] collapsedSliceDims, int[] startIndexMap, int indexVectorDim) {
      this(offsetDims, collapsedSliceDims, startIndexMap, new int[0], new int[0], indexVectorDim);
    }
  }

  /** Scatter's dimension numbers (see XLA's operation semantics); batching lists may be empty. */
  public record ScatterDimensions(int[] updateWindowDims, int[] insertedWindowDims, int[] scatterDimsToOperandDims,
                                  int[] inputBatchingDims, int[] scatterIndicesBatchingDims, int indexVectorDim) {
    /** Without batching dimensions. */
    public ScatterDimensions(int[] updateWindowDims, int[] insertedWindowDims, int[] scatterDimsToOperandDims,
                             int indexVectorDim) {
      this(updateWindowDims, insertedWindowDims, scatterDimsToOperandDims, new int[0], new int[0], indexVectorDim);
    }
  }

  /** What the builders of one module share: the module, the names in use, the reducers made. */
  private static final class ModuleState {
    final Module module;
    final Set<String> instructionNames = new HashSet<>();
    final Set<String> computationNames = new HashSet<>();
    final Map<String, Computation> sharedComputations = new HashMap<>();
    long nextId = 1;
    boolean built;

    ModuleState(Module module) {
      this.module = module;
    }

    /** {@code base} if free, else {@code base.N} for the first free N. */
    String unique(Set<String> used, String base) {
      String name = base;
      while (used.contains(name)) {
        name = base + "." + nextId++;
      }
      used.add(name);
      return name;
    }
  }

  private final ModuleState state;
  private final Computation computation;
  private int nextParameter;
  private boolean finished;

  /** Starts module {@code moduleName} with an entry computation named {@code main}. */
  public Builder(String moduleName) {
    this(moduleName, "main");
  }

  /** Starts module {@code moduleName} with an entry computation named {@code entryName}. */
  public Builder(String moduleName, String entryName) {
    this(new ModuleState(new Module(moduleName)), entryName);
  }

  private Builder(ModuleState state, String computationName) {
    this.state = state;
    this.computation = new Computation(state.unique(state.computationNames, computationName));
  }

  // ---------------------------------------------------------------------------------------------
  // Finishing

  /**
   * Makes {@code root} the result of the entry computation and returns the verified module.
   *
   * @throws VerificationException when the module is not well formed
   */
  public Module build(Instruction root) {
    if (state.built) {
      throw new IllegalStateException("module " + state.module.name() + " is already built");
    }
    finish(root);
    state.module.setEntry(computation);
    state.built = true;
    Verifier.verify(state.module);
    return state.module;
  }

  /**
   * Builds a computation called {@code name} (made unique) with a nested builder: {@code body}
   * adds its parameters and instructions and returns its root.
   */
  public Computation computation(String name, Function<Builder, Instruction> body) {
    checkOpen();
    Builder nested = new Builder(state, name);
    nested.finish(body.apply(nested));
    return nested.computation;
  }

  /**
   * The scalar computation {@code (T a, T b) -> op(a, b)}, e.g. the {@code add} that a sum
   * reduces with; one per opcode and type in the module.
   */
  public Computation reducer(Opcode op, ElementType type) {
    String key = op.mnemonic() + "_" + type.mnemonic();
    Computation cached = state.sharedComputations.get(key);
    if (cached != null) {
      return cached;
    }
    Computation c = computation(key, r -> r.binary(op, r.parameter("lhs", Shape.scalar(type)),
        r.parameter("rhs", Shape.scalar(type))));
    state.sharedComputations.put(key, c);
    return c;
  }

  /**
   * A sort comparator for operands of {@code types}: it takes a pair of scalars per operand and
   * orders by the first operand's pair in {@code direction} ({@code LT} sorts ascending).
   */
  public Computation comparator(ComparisonDirection direction, ElementType... types) {
    if (types.length == 0) {
      throw new IllegalArgumentException("a comparator needs the type of at least one operand");
    }
    return computation("compare_" + direction.name().toLowerCase() + "_" + types[0].mnemonic(), c -> {
      List<Instruction> params = new ArrayList<>();
      for (ElementType t : types) {
        params.add(c.parameter(Shape.scalar(t)));
        params.add(c.parameter(Shape.scalar(t)));
      }
      return c.compare(params.get(0), params.get(1), direction);
    });
  }

  /** The computation this builder adds to (finished, and in the module, once built). */
  public Computation currentComputation() {
    return computation;
  }

  /**
   * Renames {@code instruction}, just made by this builder, to {@code name} (made unique in the
   * module), and returns it: {@code Instruction logits = b.name("logits", b.add(z, bias));}.
   */
  public Instruction name(String name, Instruction instruction) {
    checkOpen();
    computation.rename(instruction, state.unique(state.instructionNames, name));
    return instruction;
  }

  private void finish(Instruction root) {
    checkOpen();
    computation.setRoot(root);
    state.module.add(computation);
    finished = true;
  }

  private void checkOpen() {
    if (finished || state.built) {
      throw new IllegalStateException("computation " + computation.name() + " is already finished");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The one place instructions are made

  /**
   * Any instruction: {@code shape} is the declared result shape, or {@code null} to infer it
   * (opcodes listed by {@link ShapeInference#needsDeclaredShape} require one).
   */
  public Instruction instruction(Opcode opcode, Shape shape, List<Instruction> operands, Attributes attributes) {
    checkOpen();
    String name = autoName(opcode.mnemonic());
    Instruction instr = shape == null
        ? Instruction.create(name, opcode, operands, attributes)
        : Instruction.create(name, opcode, shape, operands, attributes);
    return computation.add(instr);
  }

  private Instruction add(Opcode opcode, List<Instruction> operands, Attributes attributes) {
    return instruction(opcode, null, operands, attributes);
  }

  /** {@code base.N}, N the module's next free number, as XLA numbers instructions. */
  private String autoName(String base) {
    String name;
    do {
      name = base + "." + state.nextId++;
    } while (state.instructionNames.contains(name));
    state.instructionNames.add(name);
    return name;
  }

  private static Attributes attrs() {
    return Attributes.EMPTY;
  }

  private static <T> Attributes attrs(Attr<T> attr, T value) {
    return Attributes.builder().put(attr, value).build();
  }

  private static long[] longs(int... values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Leaves

  /** The next parameter (numbered in call order), named {@code parameter.N}. */
  public Instruction parameter(Shape shape) {
    return parameter(null, shape);
  }

  /** The next parameter (numbered in call order), named {@code name} (made unique in the module). */
  public Instruction parameter(String name, Shape shape) {
    checkOpen();
    String unique = name == null ? autoName("parameter") : state.unique(state.instructionNames, name);
    return computation.add(Instruction.parameter(unique, nextParameter++, shape));
  }

  public Instruction constant(Literal literal) {
    checkOpen();
    return computation.add(Instruction.constant(autoName("constant"), literal));
  }

  /** A scalar constant of {@code type}; integer and pred values must be whole numbers. */
  public Instruction scalar(ElementType type, double value) {
    if (type.isFloat()) {
      return constant(Literal.scalar(type, value));
    }
    if (value != Math.rint(value)) {
      throw new IllegalArgumentException(value + " is not a value of type " + type);
    }
    return constant(Literal.scalar(type, (long) value));
  }

  /** An array of {@code shape} holding {@code value} everywhere: a broadcast scalar constant. */
  public Instruction fill(Shape shape, double value) {
    return broadcast(scalar(shape.elementType(), value), shape);
  }

  /** {@code iota}: an array of {@code shape} counting 0, 1, ... along {@code dimension}. */
  public Instruction iota(Shape shape, int dimension) {
    return instruction(Opcode.IOTA, shape, List.of(), attrs(Attr.IOTA_DIMENSION, (long) dimension));
  }

  // ---------------------------------------------------------------------------------------------
  // Elementwise

  /** Any unary elementwise opcode but {@code convert}, {@code bitcast-convert} and {@code reduce-precision}. */
  public Instruction unary(Opcode opcode, Instruction x) {
    return add(opcode, List.of(x), attrs());
  }

  /** Any binary elementwise opcode but {@code compare}. */
  public Instruction binary(Opcode opcode, Instruction lhs, Instruction rhs) {
    return add(opcode, List.of(lhs, rhs), attrs());
  }

  public Instruction abs(Instruction x) {
    return unary(Opcode.ABS, x);
  }

  public Instruction negate(Instruction x) {
    return unary(Opcode.NEGATE, x);
  }

  public Instruction sign(Instruction x) {
    return unary(Opcode.SIGN, x);
  }

  public Instruction floor(Instruction x) {
    return unary(Opcode.FLOOR, x);
  }

  public Instruction ceil(Instruction x) {
    return unary(Opcode.CEIL, x);
  }

  public Instruction exp(Instruction x) {
    return unary(Opcode.EXPONENTIAL, x);
  }

  public Instruction log(Instruction x) {
    return unary(Opcode.LOG, x);
  }

  public Instruction sqrt(Instruction x) {
    return unary(Opcode.SQRT, x);
  }

  public Instruction rsqrt(Instruction x) {
    return unary(Opcode.RSQRT, x);
  }

  public Instruction tanh(Instruction x) {
    return unary(Opcode.TANH, x);
  }

  public Instruction logistic(Instruction x) {
    return unary(Opcode.LOGISTIC, x);
  }

  public Instruction not(Instruction x) {
    return unary(Opcode.NOT, x);
  }

  public Instruction isFinite(Instruction x) {
    return unary(Opcode.IS_FINITE, x);
  }

  public Instruction add(Instruction lhs, Instruction rhs) {
    return binary(Opcode.ADD, lhs, rhs);
  }

  public Instruction subtract(Instruction lhs, Instruction rhs) {
    return binary(Opcode.SUBTRACT, lhs, rhs);
  }

  public Instruction multiply(Instruction lhs, Instruction rhs) {
    return binary(Opcode.MULTIPLY, lhs, rhs);
  }

  public Instruction divide(Instruction lhs, Instruction rhs) {
    return binary(Opcode.DIVIDE, lhs, rhs);
  }

  public Instruction remainder(Instruction lhs, Instruction rhs) {
    return binary(Opcode.REMAINDER, lhs, rhs);
  }

  public Instruction maximum(Instruction lhs, Instruction rhs) {
    return binary(Opcode.MAXIMUM, lhs, rhs);
  }

  public Instruction minimum(Instruction lhs, Instruction rhs) {
    return binary(Opcode.MINIMUM, lhs, rhs);
  }

  public Instruction power(Instruction lhs, Instruction rhs) {
    return binary(Opcode.POWER, lhs, rhs);
  }

  public Instruction and(Instruction lhs, Instruction rhs) {
    return binary(Opcode.AND, lhs, rhs);
  }

  public Instruction or(Instruction lhs, Instruction rhs) {
    return binary(Opcode.OR, lhs, rhs);
  }

  public Instruction xor(Instruction lhs, Instruction rhs) {
    return binary(Opcode.XOR, lhs, rhs);
  }

  /** {@code compare(lhs, rhs), direction=...} with the default comparison type of the operands. */
  public Instruction compare(Instruction lhs, Instruction rhs, ComparisonDirection direction) {
    return add(Opcode.COMPARE, List.of(lhs, rhs), attrs(Attr.DIRECTION, direction));
  }

  /** {@code compare} with an explicit {@code type=} (e.g. {@code TOTALORDER} for floats). */
  public Instruction compare(Instruction lhs, Instruction rhs, ComparisonDirection direction, ComparisonType type) {
    return add(Opcode.COMPARE, List.of(lhs, rhs),
        Attributes.builder().put(Attr.DIRECTION, direction).put(Attr.COMPARISON_TYPE, type).build());
  }

  /** {@code select(pred, onTrue, onFalse)}; {@code pred} may be a scalar. */
  public Instruction select(Instruction pred, Instruction onTrue, Instruction onFalse) {
    return add(Opcode.SELECT, List.of(pred, onTrue, onFalse), attrs());
  }

  /** {@code clamp(min, x, max)}; the bounds may be scalars. */
  public Instruction clamp(Instruction min, Instruction x, Instruction max) {
    return add(Opcode.CLAMP, List.of(min, x, max), attrs());
  }

  /** Converts each element to {@code type}. */
  public Instruction convert(Instruction x, ElementType type) {
    return instruction(Opcode.CONVERT, x.shape().withElementType(type).withoutLayout(), List.of(x), attrs());
  }

  /**
   * Reinterprets the bits of each element as {@code type}: a narrower type adds a minor dimension,
   * a wider one consumes it (XLA's rule).
   */
  public Instruction bitcastConvert(Instruction x, ElementType type) {
    int from = x.shape().elementType().bitWidth();
    int to = type.bitWidth();
    int[] dims = x.shape().dimensions();
    if (from > to && to > 0) {
      dims = Arrays.copyOf(dims, dims.length + 1);
      dims[dims.length - 1] = from / to;
    } else if (from < to && dims.length > 0) {
      dims = Arrays.copyOf(dims, dims.length - 1);
    }
    return instruction(Opcode.BITCAST_CONVERT, Shape.array(type, dims), List.of(x), attrs());
  }

  public Instruction reducePrecision(Instruction x, int exponentBits, int mantissaBits) {
    return add(Opcode.REDUCE_PRECISION, List.of(x), Attributes.builder()
        .put(Attr.EXPONENT_BITS, (long) exponentBits).put(Attr.MANTISSA_BITS, (long) mantissaBits).build());
  }

  // ---------------------------------------------------------------------------------------------
  // Shapes and data movement

  /** Broadcasts {@code x} into {@code shape}: operand dimension i becomes result dimension {@code dimensions[i]}. */
  public Instruction broadcast(Instruction x, Shape shape, int... dimensions) {
    return instruction(Opcode.BROADCAST, shape, List.of(x), attrs(Attr.DIMENSIONS, longs(dimensions)));
  }

  /** Reshapes {@code x} to {@code dimensions}, keeping its element type. */
  public Instruction reshape(Instruction x, int... dimensions) {
    return instruction(Opcode.RESHAPE, Shape.array(x.shape().elementType(), dimensions), List.of(x), attrs());
  }

  /** {@code result.dimension(i) = x.dimension(permutation[i])}. */
  public Instruction transpose(Instruction x, int... permutation) {
    return add(Opcode.TRANSPOSE, List.of(x), attrs(Attr.DIMENSIONS, longs(permutation)));
  }

  public Instruction slice(Instruction x, SliceSpec spec) {
    return add(Opcode.SLICE, List.of(x), attrs(Attr.SLICE, spec));
  }

  /** {@code x[starts[d]:limits[d]]} in every dimension, stride 1. */
  public Instruction slice(Instruction x, int[] starts, int[] limits) {
    int[] strides = new int[starts.length];
    Arrays.fill(strides, 1);
    return slice(x, starts, limits, strides);
  }

  public Instruction slice(Instruction x, int[] starts, int[] limits, int[] strides) {
    return slice(x, new SliceSpec(longs(starts), longs(limits), longs(strides)));
  }

  /** A {@code sizes} slice of {@code x} starting at the scalar {@code starts} (one per dimension). */
  public Instruction dynamicSlice(Instruction x, List<Instruction> starts, int... sizes) {
    List<Instruction> operands = new ArrayList<>();
    operands.add(x);
    operands.addAll(starts);
    return add(Opcode.DYNAMIC_SLICE, operands, attrs(Attr.DYNAMIC_SLICE_SIZES, longs(sizes)));
  }

  /** {@code x} with {@code update} written at the scalar {@code starts} (one per dimension). */
  public Instruction dynamicUpdateSlice(Instruction x, Instruction update, List<Instruction> starts) {
    List<Instruction> operands = new ArrayList<>();
    operands.add(x);
    operands.add(update);
    operands.addAll(starts);
    return add(Opcode.DYNAMIC_UPDATE_SLICE, operands, attrs());
  }

  public Instruction concatenate(int dimension, Instruction... operands) {
    return add(Opcode.CONCATENATE, List.of(operands), attrs(Attr.DIMENSIONS, new long[] {dimension}));
  }

  public Instruction pad(Instruction x, Instruction paddingValue, PaddingConfig padding) {
    return add(Opcode.PAD, List.of(x, paddingValue), attrs(Attr.PADDING, padding));
  }

  public Instruction reverse(Instruction x, int... dimensions) {
    return add(Opcode.REVERSE, List.of(x), attrs(Attr.DIMENSIONS, longs(dimensions)));
  }

  public Instruction copy(Instruction x) {
    return add(Opcode.COPY, List.of(x), attrs());
  }

  /** Reinterprets the bytes of {@code x} as {@code shape} (same size in bytes). */
  public Instruction bitcast(Instruction x, Shape shape) {
    return instruction(Opcode.BITCAST, shape, List.of(x), attrs());
  }

  public Instruction gather(Instruction operand, Instruction startIndices, GatherDimensions dims, int... sliceSizes) {
    Attributes.Builder a = Attributes.builder()
        .put(Attr.OFFSET_DIMS, longs(dims.offsetDims()))
        .put(Attr.COLLAPSED_SLICE_DIMS, longs(dims.collapsedSliceDims()))
        .put(Attr.START_INDEX_MAP, longs(dims.startIndexMap()));
    if (dims.operandBatchingDims().length > 0 || dims.startIndicesBatchingDims().length > 0) {
      a.put(Attr.OPERAND_BATCHING_DIMS, longs(dims.operandBatchingDims()))
          .put(Attr.START_INDICES_BATCHING_DIMS, longs(dims.startIndicesBatchingDims()));
    }
    a.put(Attr.INDEX_VECTOR_DIM, (long) dims.indexVectorDim()).put(Attr.SLICE_SIZES, longs(sliceSizes));
    return add(Opcode.GATHER, List.of(operand, startIndices), a.build());
  }

  public Instruction scatter(Instruction operand, Instruction indices, Instruction updates, ScatterDimensions dims,
                             Computation combiner) {
    return scatter(List.of(operand), indices, List.of(updates), dims, combiner);
  }

  /** Variadic scatter: the result is a tuple when there is more than one operand. */
  public Instruction scatter(List<Instruction> operands, Instruction indices, List<Instruction> updates,
                             ScatterDimensions dims, Computation combiner) {
    List<Instruction> all = new ArrayList<>(operands);
    all.add(indices);
    all.addAll(updates);
    Attributes.Builder a = Attributes.builder()
        .put(Attr.UPDATE_WINDOW_DIMS, longs(dims.updateWindowDims()))
        .put(Attr.INSERTED_WINDOW_DIMS, longs(dims.insertedWindowDims()))
        .put(Attr.SCATTER_DIMS_TO_OPERAND_DIMS, longs(dims.scatterDimsToOperandDims()));
    if (dims.inputBatchingDims().length > 0 || dims.scatterIndicesBatchingDims().length > 0) {
      a.put(Attr.INPUT_BATCHING_DIMS, longs(dims.inputBatchingDims()))
          .put(Attr.SCATTER_INDICES_BATCHING_DIMS, longs(dims.scatterIndicesBatchingDims()));
    }
    a.put(Attr.INDEX_VECTOR_DIM, (long) dims.indexVectorDim()).put(Attr.TO_APPLY, combiner);
    return add(Opcode.SCATTER, all, a.build());
  }

  public Instruction tuple(Instruction... elements) {
    return add(Opcode.TUPLE, List.of(elements), attrs());
  }

  public Instruction getTupleElement(Instruction tuple, int index) {
    return add(Opcode.GET_TUPLE_ELEMENT, List.of(tuple), attrs(Attr.INDEX, (long) index));
  }

  // ---------------------------------------------------------------------------------------------
  // Reductions

  /** Reduces {@code dimensions} of {@code x} with {@code reducer}, starting from {@code init}. */
  public Instruction reduce(Instruction x, Instruction init, Computation reducer, int... dimensions) {
    return reduce(List.of(x), List.of(init), reducer, dimensions);
  }

  /** Variadic reduce: the result is a tuple when there is more than one input. */
  public Instruction reduce(List<Instruction> inputs, List<Instruction> inits, Computation reducer,
                            int... dimensions) {
    List<Instruction> all = new ArrayList<>(inputs);
    all.addAll(inits);
    return add(Opcode.REDUCE, all,
        Attributes.builder().put(Attr.DIMENSIONS, longs(dimensions)).put(Attr.TO_APPLY, reducer).build());
  }

  public Instruction reduceWindow(Instruction x, Instruction init, Computation reducer, Window window) {
    return reduceWindow(List.of(x), List.of(init), reducer, window);
  }

  public Instruction reduceWindow(List<Instruction> inputs, List<Instruction> inits, Computation reducer,
                                  Window window) {
    List<Instruction> all = new ArrayList<>(inputs);
    all.addAll(inits);
    return add(Opcode.REDUCE_WINDOW, all,
        Attributes.builder().put(Attr.WINDOW, window).put(Attr.TO_APPLY, reducer).build());
  }

  /**
   * For each window of {@code operand}, {@code select} picks an element, to which the matching
   * {@code source} value is combined by {@code scatter}, starting from {@code init}.
   */
  public Instruction selectAndScatter(Instruction operand, Computation select, Window window, Instruction source,
                                     Instruction init, Computation scatter) {
    return add(Opcode.SELECT_AND_SCATTER, List.of(operand, source, init), Attributes.builder()
        .put(Attr.WINDOW, window).put(Attr.SELECT, select).put(Attr.SCATTER, scatter).build());
  }

  public Instruction sort(Instruction x, int dimension, Computation comparator) {
    return sort(List.of(x), dimension, comparator, false);
  }

  /** Sorts {@code operands} together along {@code dimension}; the result is a tuple for several. */
  public Instruction sort(List<Instruction> operands, int dimension, Computation comparator, boolean stable) {
    Attributes.Builder a = Attributes.builder()
        .put(Attr.DIMENSIONS, new long[] {dimension}).put(Attr.TO_APPLY, comparator);
    if (stable) {
      a.put(Attr.IS_STABLE, true);
    }
    return add(Opcode.SORT, operands, a.build());
  }

  // ---------------------------------------------------------------------------------------------
  // Contractions

  /** General dot; the result type is the operands'. */
  public Instruction dot(Instruction lhs, Instruction rhs, int[] lhsBatch, int[] rhsBatch, int[] lhsContracting,
                         int[] rhsContracting) {
    return dot(lhs, rhs, lhsBatch, rhsBatch, lhsContracting, rhsContracting, null);
  }

  /** General dot with a preferred result type (e.g. {@code f32} for {@code bf16} operands); {@code null} for none. */
  public Instruction dot(Instruction lhs, Instruction rhs, int[] lhsBatch, int[] rhsBatch, int[] lhsContracting,
                         int[] rhsContracting, ElementType resultType) {
    Attributes.Builder a = Attributes.builder();
    if (lhsBatch.length > 0 || rhsBatch.length > 0) {
      a.put(Attr.LHS_BATCH_DIMS, longs(lhsBatch)).put(Attr.RHS_BATCH_DIMS, longs(rhsBatch));
    }
    a.put(Attr.LHS_CONTRACTING_DIMS, longs(lhsContracting)).put(Attr.RHS_CONTRACTING_DIMS, longs(rhsContracting));
    Attributes attributes = a.build();
    Shape declared = null;
    if (resultType != null) {
      try {
        declared = ShapeInference.infer(Opcode.DOT, List.of(lhs.shape(), rhs.shape()), attributes)
            .withElementType(resultType);
      } catch (ShapeException e) {
        declared = null; // reported below, with the instruction's name
      }
    }
    return instruction(Opcode.DOT, declared, List.of(lhs, rhs), attributes);
  }

  /**
   * Matrix product as numpy's {@code matmul} without broadcasting: contracts the last dimension
   * of {@code lhs} with the second-to-last of {@code rhs} (its only one when it is a vector);
   * operands of equal rank above 2 share their leading dimensions as batch dimensions.
   */
  public Instruction matmul(Instruction lhs, Instruction rhs) {
    int lr = lhs.shape().rank();
    int rr = rhs.shape().rank();
    int batch = lr > 2 && lr == rr ? lr - 2 : 0;
    int[] batchDims = new int[batch];
    for (int i = 0; i < batch; i++) {
      batchDims[i] = i;
    }
    return dot(lhs, rhs, batchDims, batchDims, new int[] {lr - 1}, new int[] {rr == 1 ? 0 : rr - 2});
  }

  public Instruction convolution(Instruction lhs, Instruction rhs, Window window, ConvDimensionNumbers dimLabels) {
    return convolution(lhs, rhs, window, dimLabels, 1, 1);
  }

  public Instruction convolution(Instruction lhs, Instruction rhs, Window window, ConvDimensionNumbers dimLabels,
                                 int featureGroupCount, int batchGroupCount) {
    Attributes.Builder a = Attributes.builder().put(Attr.WINDOW, window).put(Attr.DIM_LABELS, dimLabels);
    if (featureGroupCount != 1) {
      a.put(Attr.FEATURE_GROUP_COUNT, (long) featureGroupCount);
    }
    if (batchGroupCount != 1) {
      a.put(Attr.BATCH_GROUP_COUNT, (long) batchGroupCount);
    }
    return add(Opcode.CONVOLUTION, List.of(lhs, rhs), a.build());
  }

  // ---------------------------------------------------------------------------------------------
  // Calls and control flow

  public Instruction call(Computation callee, Instruction... args) {
    return add(Opcode.CALL, List.of(args), attrs(Attr.TO_APPLY, callee));
  }

  /** Applies the scalar computation {@code f} elementwise to {@code args}. */
  public Instruction map(Computation f, Instruction... args) {
    return add(Opcode.MAP, List.of(args), attrs(Attr.TO_APPLY, f));
  }

  /** Runs {@code body} on the state while {@code condition} holds, starting from {@code init}. */
  public Instruction whileLoop(Computation condition, Computation body, Instruction init) {
    return add(Opcode.WHILE, List.of(init),
        Attributes.builder().put(Attr.CONDITION, condition).put(Attr.BODY, body).build());
  }

  /** {@code pred ? onTrue(trueArg) : onFalse(falseArg)}. */
  public Instruction conditional(Instruction pred, Instruction trueArg, Computation onTrue, Instruction falseArg,
                                 Computation onFalse) {
    return add(Opcode.CONDITIONAL, List.of(pred, trueArg, falseArg), Attributes.builder()
        .put(Attr.TRUE_COMPUTATION, onTrue).put(Attr.FALSE_COMPUTATION, onFalse).build());
  }

  /** Runs {@code branches[index]} on {@code args[index]} (the last branch for an out-of-range index). */
  public Instruction conditional(Instruction index, List<Computation> branches, List<Instruction> args) {
    List<Instruction> all = new ArrayList<>();
    all.add(index);
    all.addAll(args);
    return add(Opcode.CONDITIONAL, all, attrs(Attr.BRANCH_COMPUTATIONS, List.copyOf(branches)));
  }

  /** {@code fusion(args), kind=kind, calls=fused}. */
  public Instruction fusion(String kind, Computation fused, Instruction... args) {
    return add(Opcode.FUSION, List.of(args),
        Attributes.builder().put(Attr.FUSION_KIND, kind).put(Attr.CALLS, fused).build());
  }

  /** An opaque call of {@code target}, whose result shape only the caller knows. */
  public Instruction customCall(String target, Shape shape, Instruction... args) {
    return instruction(Opcode.CUSTOM_CALL, shape, List.of(args), attrs(Attr.CUSTOM_CALL_TARGET, target));
  }
}
