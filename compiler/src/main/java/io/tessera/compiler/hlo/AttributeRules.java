package io.tessera.compiler.hlo;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which known attributes each opcode requires and which it may carry, as XLA's text format defines
 * them. Attributes outside {@link Attr#known()} ({@code metadata}, {@code sharding}, ...) are kept
 * raw and allowed everywhere. {@link Verifier} reads this table; {@link ShapeInference} then
 * checks the attribute values.
 */
final class AttributeRules {
  private AttributeRules() {}

  /** The known attributes an opcode must have and those it may have. */
  record Rule(List<Attr<?>> required, List<Attr<?>> optional) {
    boolean allows(Attr<?> attr) {
      return required.contains(attr) || optional.contains(attr);
    }
  }

  private static final Rule NONE = new Rule(List.of(), List.of());
  private static final Map<Opcode, Rule> RULES = new EnumMap<>(Opcode.class);

  static {
    rule(Opcode.PARAMETER, List.of(Attr.PARAMETER_NUMBER), List.of());
    rule(Opcode.CONSTANT, List.of(), List.of(Attr.LITERAL)); // no literal: elided ({...}) in the text
    rule(Opcode.IOTA, List.of(Attr.IOTA_DIMENSION), List.of());
    rule(Opcode.GET_TUPLE_ELEMENT, List.of(Attr.INDEX), List.of());
    rule(Opcode.CALL, List.of(Attr.TO_APPLY), List.of());
    rule(Opcode.MAP, List.of(Attr.TO_APPLY), List.of(Attr.DIMENSIONS));
    rule(Opcode.WHILE, List.of(Attr.CONDITION, Attr.BODY), List.of());
    // Which of the two forms is given is checked by shape inference.
    rule(Opcode.CONDITIONAL, List.of(),
        List.of(Attr.TRUE_COMPUTATION, Attr.FALSE_COMPUTATION, Attr.BRANCH_COMPUTATIONS));
    rule(Opcode.FUSION, List.of(Attr.CALLS, Attr.FUSION_KIND), List.of());
    rule(Opcode.CUSTOM_CALL, List.of(Attr.CUSTOM_CALL_TARGET), List.of(Attr.CALLED_COMPUTATIONS));
    rule(Opcode.REDUCE_PRECISION, List.of(Attr.EXPONENT_BITS, Attr.MANTISSA_BITS), List.of());
    rule(Opcode.COMPARE, List.of(Attr.DIRECTION), List.of(Attr.COMPARISON_TYPE));
    rule(Opcode.BROADCAST, List.of(Attr.DIMENSIONS), List.of());
    rule(Opcode.TRANSPOSE, List.of(Attr.DIMENSIONS), List.of());
    rule(Opcode.SLICE, List.of(Attr.SLICE), List.of());
    rule(Opcode.DYNAMIC_SLICE, List.of(Attr.DYNAMIC_SLICE_SIZES), List.of());
    rule(Opcode.CONCATENATE, List.of(Attr.DIMENSIONS), List.of());
    rule(Opcode.PAD, List.of(Attr.PADDING), List.of());
    rule(Opcode.REVERSE, List.of(Attr.DIMENSIONS), List.of());
    rule(Opcode.GATHER,
        List.of(Attr.OFFSET_DIMS, Attr.COLLAPSED_SLICE_DIMS, Attr.START_INDEX_MAP, Attr.INDEX_VECTOR_DIM,
            Attr.SLICE_SIZES),
        List.of(Attr.OPERAND_BATCHING_DIMS, Attr.START_INDICES_BATCHING_DIMS, Attr.INDICES_ARE_SORTED));
    rule(Opcode.SCATTER,
        List.of(Attr.UPDATE_WINDOW_DIMS, Attr.INSERTED_WINDOW_DIMS, Attr.SCATTER_DIMS_TO_OPERAND_DIMS,
            Attr.INDEX_VECTOR_DIM, Attr.TO_APPLY),
        List.of(Attr.INPUT_BATCHING_DIMS, Attr.SCATTER_INDICES_BATCHING_DIMS, Attr.INDICES_ARE_SORTED,
            Attr.UNIQUE_INDICES));
    rule(Opcode.REDUCE, List.of(Attr.DIMENSIONS, Attr.TO_APPLY), List.of());
    // An absent window is the empty window, valid only for scalars (as in XLA's parser).
    rule(Opcode.REDUCE_WINDOW, List.of(Attr.TO_APPLY), List.of(Attr.WINDOW));
    rule(Opcode.SELECT_AND_SCATTER, List.of(Attr.SELECT, Attr.SCATTER), List.of(Attr.WINDOW));
    rule(Opcode.SORT, List.of(Attr.DIMENSIONS, Attr.TO_APPLY), List.of(Attr.IS_STABLE));
    rule(Opcode.BATCH_NORM_TRAINING, List.of(Attr.EPSILON, Attr.FEATURE_INDEX), List.of());
    rule(Opcode.BATCH_NORM_INFERENCE, List.of(Attr.EPSILON, Attr.FEATURE_INDEX), List.of());
    rule(Opcode.SET_DIMENSION_SIZE, List.of(Attr.DIMENSIONS), List.of());
    rule(Opcode.DOT, List.of(),
        List.of(Attr.LHS_BATCH_DIMS, Attr.RHS_BATCH_DIMS, Attr.LHS_CONTRACTING_DIMS, Attr.RHS_CONTRACTING_DIMS));
    rule(Opcode.CONVOLUTION, List.of(Attr.DIM_LABELS),
        List.of(Attr.WINDOW, Attr.FEATURE_GROUP_COUNT, Attr.BATCH_GROUP_COUNT));
  }

  private static void rule(Opcode opcode, List<Attr<?>> required, List<Attr<?>> optional) {
    RULES.put(opcode, new Rule(List.copyOf(required), List.copyOf(optional)));
  }

  /** The rule of {@code opcode}; opcodes absent from the table take no known attributes. */
  static Rule of(Opcode opcode) {
    return RULES.getOrDefault(opcode, NONE);
  }

  /**
   * What is wrong with the known attributes of an instruction of {@code opcode}, or {@code null}:
   * a required attribute missing, or one the opcode does not take.
   */
  static String problem(Opcode opcode, Attributes attributes) {
    Rule rule = of(opcode);
    for (Attr<?> attr : rule.required()) {
      if (!attributes.has(attr)) {
        return opcode.mnemonic() + ": needs attribute " + attr.name();
      }
    }
    for (Attr<?> attr : attributes.keys()) {
      if (attr.kind() != Attr.Kind.RAW && !rule.allows(attr)) {
        return opcode.mnemonic() + ": does not take attribute " + attr.name();
      }
    }
    return null;
  }
}
