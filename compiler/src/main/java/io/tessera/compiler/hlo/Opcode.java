package io.tessera.compiler.hlo;

import java.util.HashMap;
import java.util.Map;

/**
 * Every HLO opcode Tessera knows, in ONE table: the mnemonic XLA prints, the operand count
 * ({@link #VARIADIC} when it varies) and the family the opcode belongs to. Properties are derived
 * from the family by the small predicates below, as XLA's {@code HLO_OPCODE_LIST} does.
 */
public enum Opcode {
  // Leaves and structure.
  PARAMETER("parameter", 0, Family.LEAF),
  CONSTANT("constant", 0, Family.LEAF),
  IOTA("iota", 0, Family.LEAF),
  TUPLE("tuple", Arity.VARIADIC, Family.STRUCTURE),
  GET_TUPLE_ELEMENT("get-tuple-element", 1, Family.STRUCTURE),

  // Calls and control flow.
  CALL("call", Arity.VARIADIC, Family.CONTROL),
  MAP("map", Arity.VARIADIC, Family.CONTROL),
  WHILE("while", 1, Family.CONTROL),
  CONDITIONAL("conditional", Arity.VARIADIC, Family.CONTROL),
  FUSION("fusion", Arity.VARIADIC, Family.CONTROL),
  CUSTOM_CALL("custom-call", Arity.VARIADIC, Family.CONTROL),

  // Elementwise unary.
  ABS("abs", 1, Family.UNARY),
  NEGATE("negate", 1, Family.UNARY),
  SIGN("sign", 1, Family.UNARY),
  FLOOR("floor", 1, Family.UNARY),
  CEIL("ceil", 1, Family.UNARY),
  ROUND_NEAREST_AFZ("round-nearest-afz", 1, Family.UNARY),
  ROUND_NEAREST_EVEN("round-nearest-even", 1, Family.UNARY),
  EXPONENTIAL("exponential", 1, Family.UNARY),
  EXPONENTIAL_MINUS_ONE("exponential-minus-one", 1, Family.UNARY),
  LOG("log", 1, Family.UNARY),
  LOG_PLUS_ONE("log-plus-one", 1, Family.UNARY),
  SQRT("sqrt", 1, Family.UNARY),
  RSQRT("rsqrt", 1, Family.UNARY),
  CBRT("cbrt", 1, Family.UNARY),
  TANH("tanh", 1, Family.UNARY),
  LOGISTIC("logistic", 1, Family.UNARY),
  ERF("erf", 1, Family.UNARY),
  SINE("sine", 1, Family.UNARY),
  COSINE("cosine", 1, Family.UNARY),
  TAN("tan", 1, Family.UNARY),
  IS_FINITE("is-finite", 1, Family.UNARY),
  NOT("not", 1, Family.UNARY),
  POPCNT("popcnt", 1, Family.UNARY),
  COUNT_LEADING_ZEROS("count-leading-zeros", 1, Family.UNARY),
  REDUCE_PRECISION("reduce-precision", 1, Family.UNARY),
  CONVERT("convert", 1, Family.UNARY),
  BITCAST_CONVERT("bitcast-convert", 1, Family.UNARY),

  // Elementwise binary.
  ADD("add", 2, Family.BINARY),
  SUBTRACT("subtract", 2, Family.BINARY),
  MULTIPLY("multiply", 2, Family.BINARY),
  DIVIDE("divide", 2, Family.BINARY),
  REMAINDER("remainder", 2, Family.BINARY),
  POWER("power", 2, Family.BINARY),
  ATAN2("atan2", 2, Family.BINARY),
  MAXIMUM("maximum", 2, Family.BINARY),
  MINIMUM("minimum", 2, Family.BINARY),
  AND("and", 2, Family.BINARY),
  OR("or", 2, Family.BINARY),
  XOR("xor", 2, Family.BINARY),
  SHIFT_LEFT("shift-left", 2, Family.BINARY),
  SHIFT_RIGHT_ARITHMETIC("shift-right-arithmetic", 2, Family.BINARY),
  SHIFT_RIGHT_LOGICAL("shift-right-logical", 2, Family.BINARY),
  COMPARE("compare", 2, Family.BINARY),

  // Elementwise ternary.
  SELECT("select", 3, Family.TERNARY),
  CLAMP("clamp", 3, Family.TERNARY),

  // Data movement: each output element is one input element (or a padding value).
  BROADCAST("broadcast", 1, Family.DATA_MOVEMENT),
  RESHAPE("reshape", 1, Family.DATA_MOVEMENT),
  TRANSPOSE("transpose", 1, Family.DATA_MOVEMENT),
  SLICE("slice", 1, Family.DATA_MOVEMENT),
  DYNAMIC_SLICE("dynamic-slice", Arity.VARIADIC, Family.DATA_MOVEMENT),
  DYNAMIC_UPDATE_SLICE("dynamic-update-slice", Arity.VARIADIC, Family.DATA_MOVEMENT),
  CONCATENATE("concatenate", Arity.VARIADIC, Family.DATA_MOVEMENT),
  PAD("pad", 2, Family.DATA_MOVEMENT),
  REVERSE("reverse", 1, Family.DATA_MOVEMENT),
  COPY("copy", 1, Family.DATA_MOVEMENT),
  BITCAST("bitcast", 1, Family.DATA_MOVEMENT),
  GATHER("gather", 2, Family.DATA_MOVEMENT),
  /** Marks a dimension's runtime size (XLA's dynamic padder); the data pass through unchanged. */
  SET_DIMENSION_SIZE("set-dimension-size", 2, Family.DATA_MOVEMENT),
  SCATTER("scatter", Arity.VARIADIC, Family.DATA_MOVEMENT),

  // Reductions and windows.
  REDUCE("reduce", Arity.VARIADIC, Family.REDUCTION),
  REDUCE_WINDOW("reduce-window", Arity.VARIADIC, Family.REDUCTION),
  SELECT_AND_SCATTER("select-and-scatter", 3, Family.REDUCTION),
  SORT("sort", Arity.VARIADIC, Family.REDUCTION),
  // Normalizations over every dimension but the feature one (TF's fused batch norm).
  BATCH_NORM_TRAINING("batch-norm-training", 3, Family.REDUCTION),
  BATCH_NORM_INFERENCE("batch-norm-inference", 5, Family.REDUCTION),

  // Contractions.
  DOT("dot", 2, Family.CONTRACTION),
  CONVOLUTION("convolution", 2, Family.CONTRACTION);

  /** The opcode families; a family decides how passes and emitters treat an opcode. */
  public enum Family { LEAF, STRUCTURE, CONTROL, UNARY, BINARY, TERNARY, DATA_MOVEMENT, REDUCTION, CONTRACTION }

  /** Operand count of opcodes that take a varying number of operands. */
  public static final int VARIADIC = Arity.VARIADIC;

  // Enum constants may not name a static field of their own enum (a forward reference).
  private static final class Arity {
    static final int VARIADIC = -1;
  }

  private static final Map<String, Opcode> BY_MNEMONIC = new HashMap<>();

  static {
    for (Opcode op : values()) {
      BY_MNEMONIC.put(op.mnemonic, op);
    }
  }

  private final String mnemonic;
  private final int arity;
  private final Family family;

  Opcode(String mnemonic, int arity, Family family) {
    this.mnemonic = mnemonic;
    this.arity = arity;
    this.family = family;
  }

  /** The name XLA prints, e.g. {@code get-tuple-element}. */
  public String mnemonic() {
    return mnemonic;
  }

  /** Number of operands, or {@link #VARIADIC}. */
  public int arity() {
    return arity;
  }

  public boolean isVariadic() {
    return arity == VARIADIC;
  }

  public Family family() {
    return family;
  }

  /**
   * Each output element depends only on the operand elements at the same index (XLA's
   * {@code IsElementwise}). {@code map} is elementwise too.
   */
  public boolean isElementwise() {
    return family == Family.UNARY || family == Family.BINARY || family == Family.TERNARY || this == MAP;
  }

  /** {@code op(a, b) == op(b, a)} for every a, b: CSE canonicalizes the operands of these. */
  public boolean isCommutative() {
    return switch (this) {
      case ADD, MULTIPLY, MAXIMUM, MINIMUM, AND, OR, XOR -> true;
      default -> false;
    };
  }

  /**
   * Elementwise opcodes that cost many instructions per element (XLA's {@code IsExpensive} among
   * elementwise ops): transcendental functions, roots, division and powers. Fusion never copies
   * these into a second consumer, and the CPU emitter computes them once into memory rather than
   * in each of several loops that read them.
   */
  public boolean isExpensiveElementwise() {
    return switch (this) {
      case EXPONENTIAL, EXPONENTIAL_MINUS_ONE, LOG, LOG_PLUS_ONE, TANH, LOGISTIC, ERF, SINE, COSINE, TAN, ATAN2, POWER,
          SQRT, RSQRT, CBRT, DIVIDE, REMAINDER -> true;
      default -> false;
    };
  }

  /** Opcodes that call other computations through attributes. */
  public boolean callsComputations() {
    return switch (this) {
      case CALL, MAP, WHILE, CONDITIONAL, FUSION, REDUCE, REDUCE_WINDOW, SELECT_AND_SCATTER, SORT, SCATTER -> true;
      default -> false;
    };
  }

  /** The opcode XLA prints as {@code mnemonic}, or {@code null} when there is none. */
  public static Opcode fromMnemonic(String mnemonic) {
    return BY_MNEMONIC.get(mnemonic);
  }

  @Override
  public String toString() {
    return mnemonic;
  }
}
