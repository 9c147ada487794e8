package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a whole module is well formed, as XLA's {@code HloVerifier} does: an entry
 * computation; in every computation a root and parameters numbered {@code 0..n-1}; instruction
 * names unique in the module; operands defined earlier in the same computation; called
 * computations in the module and no recursion; each instruction's attributes as its opcode takes
 * them ({@link AttributeRules}) and its declared shape equal to the inferred one, layouts aside
 * ({@link ShapeInference#checkDeclared}; a constant's literal must have the declared shape).
 *
 * <p>It reports every problem it finds, not just the first, so one run shows all that is wrong
 * with a dump. An instruction whose operands or attributes are already wrong is not shape-checked
 * as well, so each mistake is reported once.
 */
public final class Verifier {
  private final Module module;
  private final List<String> problems = new ArrayList<>();
  private final Set<Computation> members = Collections.newSetFromMap(new IdentityHashMap<>());

  private Verifier(Module module) {
    this.module = module;
    members.addAll(module.computations());
  }

  /**
   * Verifies {@code module}.
   *
   * @throws VerificationException listing every problem found
   */
  public static void verify(Module module) {
    List<String> problems = problems(module);
    if (!problems.isEmpty()) {
      throw new VerificationException(module.name(), problems);
    }
  }

  /** Every problem with {@code module}, in module order; empty when it is well formed. */
  public static List<String> problems(Module module) {
    Verifier v = new Verifier(module);
    v.run();
    return List.copyOf(v.problems);
  }

  private void run() {
    checkEntry();
    Map<String, Instruction> names = new HashMap<>();
    for (Computation c : module.computations()) {
      if (c.root() == null) {
        problems.add("computation %" + c.name() + " has no root");
      }
      checkParameterNumbers(c);
      Set<Instruction> defined = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Instruction instr : c.instructions()) {
        Instruction other = names.putIfAbsent(instr.name(), instr);
        if (other != null) {
          report(instr, "the name is also used in computation %" + other.parent().name());
        }
        checkInstruction(instr, defined);
        defined.add(instr);
      }
    }
    checkNoRecursion();
  }

  private void checkEntry() {
    try {
      module.entry();
    } catch (IllegalStateException e) {
      problems.add("module " + module.name() + " has no entry computation");
    }
  }

  /** Parameters must be numbered 0..n-1, each number used once. */
  private void checkParameterNumbers(Computation c) {
    Map<Long, Instruction> byNumber = new TreeMap<>();
    int count = 0;
    for (Instruction instr : c.instructions()) {
      Long number = instr.opcode() == Opcode.PARAMETER ? instr.attr(Attr.PARAMETER_NUMBER) : null;
      if (number == null) {
        continue; // a parameter without a number is reported with its attributes
      }
      count++;
      Instruction other = byNumber.putIfAbsent(number, instr);
      if (other != null) {
        report(instr, "parameter number " + number + " is also used by %" + other.name());
      }
    }
    for (long expected = 0; expected < count; expected++) {
      if (!byNumber.containsKey(expected)) {
        problems.add("computation %" + c.name() + " has " + count + " parameter(s) but none numbered " + expected
            + " (numbers must be 0.." + (count - 1) + ")");
        return;
      }
    }
  }

  private void checkInstruction(Instruction instr, Set<Instruction> defined) {
    boolean wellFormed = true;
    for (Instruction operand : instr.operands()) {
      if (!defined.contains(operand)) {
        report(instr, "operand %" + operand.name() + " is not defined before it in the same computation");
        wellFormed = false;
      }
    }
    for (Computation callee : instr.calledComputations()) {
      if (!members.contains(callee)) {
        report(instr, "calls computation %" + callee.name() + ", which is not in module " + module.name());
        wellFormed = false;
      }
    }
    String attributeProblem = AttributeRules.problem(instr.opcode(), instr.attributes());
    if (attributeProblem != null) {
      report(instr, attributeProblem);
      wellFormed = false;
    }
    if (wellFormed) {
      checkShape(instr);
    }
  }

  private void checkShape(Instruction instr) {
    Literal literal = instr.attr(Attr.LITERAL);
    if (instr.opcode() == Opcode.CONSTANT && literal != null
        && !literal.shape().equalsIgnoringLayout(instr.shape())) {
      report(instr, "constant: literal shape " + literal.shape().toStringWithoutLayout()
          + " differs from the declared shape " + instr.shape().toStringWithoutLayout());
      return;
    }
    List<Shape> operandShapes = instr.operands().stream().map(Instruction::shape).toList();
    try {
      ShapeInference.checkDeclared(instr.opcode(), operandShapes, instr.attributes(), instr.shape());
    } catch (ShapeException e) {
      report(instr, e.getMessage());
    }
  }

  /** Computations may not call themselves, directly or through others. */
  private void checkNoRecursion() {
    List<Computation> cycle = CallGraph.findCycle(module);
    if (!cycle.isEmpty()) {
      problems.add("computations call each other recursively: " + CallGraph.describe(cycle));
    }
  }

  private void report(Instruction instr, String detail) {
    problems.add("%" + instr.name() + " in computation %" + instr.parent().name() + ": " + detail);
  }
}
