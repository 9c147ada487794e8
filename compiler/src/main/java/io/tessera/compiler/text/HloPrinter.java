package io.tessera.compiler.text;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes modules in XLA's HLO text format, as {@code HloModule::ToString()} does: the header with
 * its attributes, then every computation with its signature, callees before callers and the
 * entry last; instructions as {@code %name = shape opcode(shape %operand, ...), attr=value} with
 * attributes in their stored order. {@link HloParser} reads the output back to an equal module.
 *
 * <p>Like XLA, operand lists and tuple shapes longer than five get {@code /*index=5*}{@code /}
 * markers every five entries, and signatures show shapes without layouts.
 */
public final class HloPrinter {
  /** XLA's {@code print_operand_index_annotation_interval}. */
  private static final int INDEX_ANNOTATION_INTERVAL = 5;

  private HloPrinter() {}

  /** The module as HLO text. */
  public static String print(Module module) {
    StringBuilder sb = new StringBuilder("HloModule ").append(module.name());
    appendTextAttributes(sb, module.headerAttributes());
    sb.append('\n');
    Computation entry = module.entry();
    for (Computation computation : postOrder(module)) {
      sb.append('\n');
      printComputation(sb, computation, computation == entry);
    }
    return sb.toString();
  }

  /** One instruction on one line, without the {@code ROOT} prefix. */
  public static String print(Instruction instruction) {
    StringBuilder sb = new StringBuilder();
    printInstruction(sb, instruction);
    return sb.toString();
  }

  /** Callees before their callers (XLA's post order), the entry last. */
  private static List<Computation> postOrder(Module module) {
    List<Computation> order = new ArrayList<>();
    Set<Computation> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Computation computation : module.computations()) {
      if (computation != module.entry()) {
        visit(computation, visited, order);
      }
    }
    visit(module.entry(), visited, order);
    return order;
  }

  private static void visit(Computation computation, Set<Computation> visited, List<Computation> order) {
    if (!visited.add(computation)) {
      return;
    }
    for (Instruction instruction : computation.instructions()) {
      for (Computation callee : instruction.calledComputations()) {
        visit(callee, visited, order);
      }
    }
    order.add(computation);
  }

  private static void printComputation(StringBuilder sb, Computation computation, boolean isEntry) {
    if (isEntry) {
      sb.append("ENTRY ");
    }
    sb.append('%').append(computation.name()).append(" (");
    List<Instruction> parameters = computation.parameters();
    for (int i = 0; i < parameters.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(parameters.get(i).name()).append(": ");
      appendShape(sb, parameters.get(i).shape(), false);
    }
    sb.append(") -> ");
    appendShape(sb, computation.resultShape(), false);
    sb.append(" {\n");
    for (Instruction instruction : computation.instructions()) {
      sb.append(instruction == computation.root() ? "  ROOT " : "  ");
      printInstruction(sb, instruction);
      sb.append('\n');
    }
    sb.append('}');
    appendTextAttributes(sb, computation.textAttributes());
    sb.append('\n');
  }

  /** {@code , name=value} for each attribute kept as text. */
  private static void appendTextAttributes(StringBuilder sb, Map<String, String> attributes) {
    for (Map.Entry<String, String> a : attributes.entrySet()) {
      sb.append(", ").append(a.getKey()).append('=').append(a.getValue());
    }
  }

  private static void printInstruction(StringBuilder sb, Instruction instruction) {
    sb.append('%').append(instruction.name()).append(" = ");
    appendShape(sb, instruction.shape(), true);
    sb.append(' ').append(instruction.opcode().mnemonic()).append('(');
    if (instruction.opcode() == Opcode.PARAMETER) {
      sb.append(instruction.parameterNumber());
    } else if (instruction.opcode() == Opcode.CONSTANT) {
      Literal literal = instruction.attr(Attr.LITERAL);
      sb.append(literal == null ? "{...}" : literalValues(literal));
    } else {
      for (int i = 0; i < instruction.operandCount(); i++) {
        Instruction operand = instruction.operand(i);
        appendSeparator(sb, i);
        appendShape(sb, operand.shape(), true);
        sb.append(" %").append(operand.name());
      }
    }
    sb.append(')');
    for (Attr<?> attr : instruction.attributes().keys()) {
      if (!attr.isOperandPosition()) {
        sb.append(", ").append(attr.name()).append('=')
            .append(AttributeFormat.format(attr, instruction.attributes().get(attr)));
      }
    }
  }

  /** {@code ", "} before entry {@code i > 0} of a list, with XLA's index marker every five. */
  private static void appendSeparator(StringBuilder sb, int i) {
    if (i > 0) {
      sb.append(", ");
      if (i % INDEX_ANNOTATION_INTERVAL == 0) {
        sb.append("/*index=").append(i).append("*/");
      }
    }
  }

  /** A shape as {@link Shape#toString()} writes it, with index markers inside long tuples. */
  private static void appendShape(StringBuilder sb, Shape shape, boolean withLayout) {
    if (!shape.isTuple()) {
      sb.append(withLayout ? shape.toString() : shape.toStringWithoutLayout());
      return;
    }
    sb.append('(');
    List<Shape> elements = shape.tupleShapes();
    for (int i = 0; i < elements.size(); i++) {
      appendSeparator(sb, i);
      appendShape(sb, elements.get(i), withLayout);
    }
    sb.append(')');
  }

  /** The values of a literal as written inside {@code constant(...)}; tuples parenthesized. */
  static String literalValues(Literal literal) {
    if (!literal.isTuple()) {
      return literal.valuesToString();
    }
    StringBuilder sb = new StringBuilder("(");
    List<Literal> elements = literal.tupleElements();
    for (int i = 0; i < elements.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(literalValues(elements.get(i)));
    }
    return sb.append(')').toString();
  }
}
