package io.tessera.compiler.hlo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed instruction attribute, named as XLA's text format names it ({@code dimensions={1,0}},
 * {@code direction=GT}, {@code to_apply=%add}, ...). This class is the ONE table of attributes:
 * the parser looks names up here to decide how to read a value, the printer writes values back
 * by {@link Kind}, and evaluators read them with {@link Instruction#attr(Attr)}.
 *
 * <p>Attributes Tessera does not interpret ({@code metadata}, {@code sharding},
 * {@code backend_config}, ...) are kept verbatim as {@link Kind#RAW} text so dumps round-trip.
 *
 * @param <T> the Java type of the value
 */
public final class Attr<T> {

  /** How a value is written in HLO text, and its Java type. */
  public enum Kind {
    /** {@code 3} → {@link Long}. */
    INT,
    /** {@code 0.001} → {@link Double}. */
    FLOAT,
    /** {@code true} → {@link Boolean}. */
    BOOL,
    /** {@code "text"} (quoted, escaped) → {@link String}. */
    STRING,
    /** A bare identifier such as {@code kLoop} → {@link String}. */
    IDENTIFIER,
    /** {@code {1,0}} → {@code long[]}. */
    INT_LIST,
    /** {@code {[0:4], [1:9:2]}} → {@link SliceSpec}. */
    SLICE,
    /** {@code 0_0x1_2_1} → {@link PaddingConfig}. */
    PADDING,
    /** {@code {size=3x3 stride=2x2 pad=1_1x1_1}} → {@link Window}. */
    WINDOW,
    /** {@code b01f_01io->b01f} → {@link ConvDimensionNumbers}. */
    CONV_DIM_LABELS,
    /** {@code GT} → {@link ComparisonDirection}. */
    DIRECTION,
    /** {@code TOTALORDER} → {@link ComparisonType}. */
    COMPARISON_TYPE,
    /** {@code %add} → {@link Computation}. */
    COMPUTATION,
    /** {@code {%a, %b}} → {@code List<Computation>}. */
    COMPUTATION_LIST,
    /** Written inside the parentheses of {@code parameter(0)} → {@link Long}. */
    PARAMETER_NUMBER,
    /** Written inside the parentheses of {@code constant(...)} → {@link Literal}. */
    LITERAL,
    /** Kept as the exact source text of the value → {@link String}. */
    RAW
  }

  private static final Map<String, Attr<?>> KNOWN = new LinkedHashMap<>();

  // Operand-position values (printed inside the parentheses, not as name=value).
  public static final Attr<Long> PARAMETER_NUMBER = known("parameter_number", Kind.PARAMETER_NUMBER);
  public static final Attr<Literal> LITERAL = known("literal", Kind.LITERAL);

  // Shape manipulation.
  public static final Attr<long[]> DIMENSIONS = known("dimensions", Kind.INT_LIST);
  public static final Attr<Long> INDEX = known("index", Kind.INT);
  public static final Attr<Long> IOTA_DIMENSION = known("iota_dimension", Kind.INT);
  public static final Attr<SliceSpec> SLICE = known("slice", Kind.SLICE);
  public static final Attr<long[]> DYNAMIC_SLICE_SIZES = known("dynamic_slice_sizes", Kind.INT_LIST);
  public static final Attr<PaddingConfig> PADDING = known("padding", Kind.PADDING);

  // Elementwise.
  public static final Attr<ComparisonDirection> DIRECTION = known("direction", Kind.DIRECTION);
  public static final Attr<ComparisonType> COMPARISON_TYPE = known("type", Kind.COMPARISON_TYPE);
  public static final Attr<Long> EXPONENT_BITS = known("exponent_bits", Kind.INT);
  public static final Attr<Long> MANTISSA_BITS = known("mantissa_bits", Kind.INT);

  // Batch normalization.
  public static final Attr<Double> EPSILON = known("epsilon", Kind.FLOAT);
  public static final Attr<Long> FEATURE_INDEX = known("feature_index", Kind.INT);

  // Dot and convolution.
  public static final Attr<long[]> LHS_BATCH_DIMS = known("lhs_batch_dims", Kind.INT_LIST);
  public static final Attr<long[]> LHS_CONTRACTING_DIMS = known("lhs_contracting_dims", Kind.INT_LIST);
  public static final Attr<long[]> RHS_BATCH_DIMS = known("rhs_batch_dims", Kind.INT_LIST);
  public static final Attr<long[]> RHS_CONTRACTING_DIMS = known("rhs_contracting_dims", Kind.INT_LIST);
  public static final Attr<Window> WINDOW = known("window", Kind.WINDOW);
  public static final Attr<ConvDimensionNumbers> DIM_LABELS = known("dim_labels", Kind.CONV_DIM_LABELS);
  public static final Attr<Long> FEATURE_GROUP_COUNT = known("feature_group_count", Kind.INT);
  public static final Attr<Long> BATCH_GROUP_COUNT = known("batch_group_count", Kind.INT);

  // Gather.
  public static final Attr<long[]> OFFSET_DIMS = known("offset_dims", Kind.INT_LIST);
  public static final Attr<long[]> COLLAPSED_SLICE_DIMS = known("collapsed_slice_dims", Kind.INT_LIST);
  public static final Attr<long[]> START_INDEX_MAP = known("start_index_map", Kind.INT_LIST);
  public static final Attr<long[]> OPERAND_BATCHING_DIMS = known("operand_batching_dims", Kind.INT_LIST);
  public static final Attr<long[]> START_INDICES_BATCHING_DIMS = known("start_indices_batching_dims", Kind.INT_LIST);
  public static final Attr<Long> INDEX_VECTOR_DIM = known("index_vector_dim", Kind.INT);
  public static final Attr<long[]> SLICE_SIZES = known("slice_sizes", Kind.INT_LIST);
  public static final Attr<Boolean> INDICES_ARE_SORTED = known("indices_are_sorted", Kind.BOOL);
  public static final Attr<Boolean> UNIQUE_INDICES = known("unique_indices", Kind.BOOL);

  // Scatter (shares index_vector_dim, indices_are_sorted, unique_indices with gather).
  public static final Attr<long[]> UPDATE_WINDOW_DIMS = known("update_window_dims", Kind.INT_LIST);
  public static final Attr<long[]> INSERTED_WINDOW_DIMS = known("inserted_window_dims", Kind.INT_LIST);
  public static final Attr<long[]> SCATTER_DIMS_TO_OPERAND_DIMS = known("scatter_dims_to_operand_dims", Kind.INT_LIST);
  public static final Attr<long[]> INPUT_BATCHING_DIMS = known("input_batching_dims", Kind.INT_LIST);
  public static final Attr<long[]> SCATTER_INDICES_BATCHING_DIMS = known("scatter_indices_batching_dims", Kind.INT_LIST);

  // Sort.
  public static final Attr<Boolean> IS_STABLE = known("is_stable", Kind.BOOL);

  // Called computations.
  public static final Attr<Computation> TO_APPLY = known("to_apply", Kind.COMPUTATION);
  public static final Attr<Computation> CONDITION = known("condition", Kind.COMPUTATION);
  public static final Attr<Computation> BODY = known("body", Kind.COMPUTATION);
  public static final Attr<Computation> SELECT = known("select", Kind.COMPUTATION);
  public static final Attr<Computation> SCATTER = known("scatter", Kind.COMPUTATION);
  public static final Attr<Computation> CALLS = known("calls", Kind.COMPUTATION);
  public static final Attr<Computation> TRUE_COMPUTATION = known("true_computation", Kind.COMPUTATION);
  public static final Attr<Computation> FALSE_COMPUTATION = known("false_computation", Kind.COMPUTATION);
  public static final Attr<List<Computation>> BRANCH_COMPUTATIONS = known("branch_computations", Kind.COMPUTATION_LIST);
  public static final Attr<List<Computation>> CALLED_COMPUTATIONS = known("called_computations", Kind.COMPUTATION_LIST);

  // Fusion and custom-call.
  public static final Attr<String> FUSION_KIND = known("kind", Kind.IDENTIFIER);
  public static final Attr<String> CUSTOM_CALL_TARGET = known("custom_call_target", Kind.STRING);

  private final String name;
  private final Kind kind;

  private Attr(String name, Kind kind) {
    this.name = name;
    this.kind = kind;
  }

  private static <T> Attr<T> known(String name, Kind kind) {
    Attr<T> attr = new Attr<>(name, kind);
    KNOWN.put(name, attr);
    return attr;
  }

  /**
   * The attribute XLA's text calls {@code name}: a known one, or a {@link Kind#RAW} attribute
   * that keeps its value text as written.
   */
  public static Attr<?> forName(String name) {
    Attr<?> attr = KNOWN.get(name);
    return attr != null ? attr : raw(name);
  }

  /** A {@link Kind#RAW} attribute named {@code name}, whose value is kept as source text. */
  public static Attr<String> raw(String name) {
    if (KNOWN.containsKey(name)) {
      throw new IllegalArgumentException("attribute " + name + " is not raw");
    }
    return new Attr<>(name, Kind.RAW);
  }

  /** True for attributes Tessera interprets (as opposed to kept raw). */
  public static boolean isKnown(String name) {
    return KNOWN.containsKey(name);
  }

  /** Every known attribute, in table order. */
  public static Map<String, Attr<?>> known() {
    return Collections.unmodifiableMap(KNOWN);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** Parameter numbers and constant literals are written inside the parentheses. */
  public boolean isOperandPosition() {
    return kind == Kind.PARAMETER_NUMBER || kind == Kind.LITERAL;
  }

  // Identity is the name: a raw attribute made twice is the same attribute.
  @Override
  public boolean equals(Object o) {
    return o instanceof Attr<?> other && name.equals(other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
