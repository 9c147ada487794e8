package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.CallGraph;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: evaluates a module on literals with XLA's operation semantics. It is
 * the ground truth every backend is tested against, so it favours clarity over speed.
 *
 * <p>Opcode families are evaluated by small package-private classes; this class walks
 * computations in definition order and evaluates structure and control flow itself.
 * Thread-safe: it holds no state between calls.
 *
 * <p>Modules should be verified first ({@link io.tessera.compiler.hlo.Verifier}): the evaluators
 * check what they rely on and report a mismatch naming the instruction, but the verifier's
 * messages are the complete ones. Only static shapes can be evaluated ({@link
 * #checkStaticShapes}); a {@code while} whose condition never turns false runs forever, as in XLA.
 */
public final class Interpreter {

  /**
   * Evaluates the entry computation of {@code module} on {@code arguments}.
   *
   * @throws EvaluationException when the arguments do not match the entry's parameters, or an
   *     instruction cannot be evaluated; the message names the instruction
   */
  public Literal run(Module module, List<Literal> arguments) {
    // The parser and the verifier refuse recursion; a module assembled by hand is checked here so
    // that it fails with a message rather than a StackOverflowError.
    List<Computation> cycle = CallGraph.findCycle(module);
    if (!cycle.isEmpty()) {
      throw new EvaluationException("computations call each other recursively: " + CallGraph.describe(cycle));
    }
    return call(module.entry(), arguments);
  }

  /** Evaluates {@code computation} on {@code arguments} (one per parameter, in number order). */
  public Literal call(Computation computation, List<Literal> arguments) {
    checkStaticShapes(computation);
    List<Instruction> params = computation.parameters();
    if (arguments.size() != params.size()) {
      throw new EvaluationException("computation " + computation.name() + " takes " + params.size()
          + " argument(s), got " + arguments.size());
    }
    for (int i = 0; i < params.size(); i++) {
      if (!arguments.get(i).shape().equalsIgnoringLayout(params.get(i).shape())) {
        throw new EvaluationException("argument " + i + " of computation " + computation.name() + " has shape "
            + arguments.get(i).shape().toStringWithoutLayout() + ", parameter %" + params.get(i).name()
            + " expects " + params.get(i).shape().toStringWithoutLayout());
      }
    }
    Map<Instruction, Literal> values = new IdentityHashMap<>();
    for (Instruction instr : computation.instructions()) {
      List<Literal> operands = new ArrayList<>(instr.operandCount());
      for (Instruction op : instr.operands()) {
        operands.add(values.get(op));
      }
      Literal result;
      try {
        result = evaluate(instr, operands, arguments);
      } catch (EvaluationException e) {
        throw e;
      } catch (RuntimeException e) {
        throw EvaluationException.error(instr, e.getMessage(), e);
      }
      values.put(instr, result);
    }
    return values.get(computation.root());
  }

  /**
   * Checks that every instruction of {@code module} has a static shape. A dimension written
   * {@code ?} gets its size only at run time, from a compiled backend's batch; the interpreter
   * allocates every value up front and so evaluates static shapes only.
   *
   * @throws EvaluationException naming the first instruction with a dynamic dimension
   */
  public static void checkStaticShapes(Module module) {
    for (Computation computation : module.computations()) {
      checkStaticShapes(computation);
    }
  }

  private static void checkStaticShapes(Computation computation) {
    for (Instruction instr : computation.instructions()) {
      if (instr.shape().hasDynamicDimension()) {
        throw new EvaluationException("%" + instr.name() + " (" + instr.opcode() + ") in computation "
            + computation.name() + " has the dynamic shape " + instr.shape().toStringWithoutLayout()
            + "; the interpreter evaluates static shapes only");
      }
    }
  }

  private Literal evaluate(Instruction instr, List<Literal> operands, List<Literal> arguments) {
    return switch (instr.opcode().family()) {
      case UNARY, BINARY, TERNARY -> ElementwiseEvaluator.evaluate(instr, operands, this);
      case DATA_MOVEMENT -> switch (instr.opcode()) {
        case GATHER, SCATTER -> GatherScatterEvaluator.evaluate(instr, operands, this);
        default -> ShapeOpEvaluator.evaluate(instr, operands, this);
      };
      case REDUCTION -> instr.opcode() == Opcode.SORT
          ? SortEvaluator.evaluate(instr, operands, this)
          : ReductionEvaluator.evaluate(instr, operands, this);
      case CONTRACTION -> instr.opcode() == Opcode.DOT
          ? DotEvaluator.evaluate(instr, operands, this)
          : ConvolutionEvaluator.evaluate(instr, operands, this);
      case LEAF -> switch (instr.opcode()) {
        case PARAMETER -> arguments.get(instr.parameterNumber());
        case CONSTANT -> constant(instr);
        default -> ShapeOpEvaluator.evaluate(instr, operands, this); // iota
      };
      case STRUCTURE -> switch (instr.opcode()) {
        case TUPLE -> Literal.tuple(operands);
        default -> operands.get(0).tupleElement(Math.toIntExact(instr.requireAttr(Attr.INDEX)));
      };
      case CONTROL -> control(instr, operands);
    };
  }

  private static Literal constant(Instruction instr) {
    Literal literal = instr.attr(Attr.LITERAL);
    if (literal == null) {
      throw new EvaluationException("constant %" + instr.name() + " is elided ({...}) in the text; "
          + "give its values, or fill elided constants with a seeded generator (run-hlo does)");
    }
    return literal;
  }

  private Literal control(Instruction instr, List<Literal> operands) {
    return switch (instr.opcode()) {
      case CALL -> call(instr.requireAttr(Attr.TO_APPLY), operands);
      case FUSION -> call(instr.requireAttr(Attr.CALLS), operands);
      case MAP -> ElementwiseEvaluator.evaluate(instr, operands, this);
      case WHILE -> whileLoop(instr, operands.get(0));
      case CONDITIONAL -> conditional(instr, operands);
      case CUSTOM_CALL -> throw new EvaluationException("custom-call %" + instr.name() + " has target \""
          + instr.attr(Attr.CUSTOM_CALL_TARGET) + "\", which Tessera does not implement");
      default -> throw new EvaluationException("unexpected control opcode " + instr.opcode());
    };
  }

  private Literal whileLoop(Instruction instr, Literal init) {
    Computation condition = instr.requireAttr(Attr.CONDITION);
    Computation body = instr.requireAttr(Attr.BODY);
    Literal state = init;
    while (call(condition, List.of(state)).getLong(0) != 0) {
      state = call(body, List.of(state));
    }
    return state;
  }

  /**
   * {@code conditional(pred, t_arg, f_arg)} with true/false computations, or
   * {@code conditional(s32 index, args...)} with {@code branch_computations}; an index out of
   * range runs the last branch, as XLA specifies.
   */
  private Literal conditional(Instruction instr, List<Literal> operands) {
    Literal selector = operands.get(0);
    Computation branch;
    int argument;
    List<Computation> branches = instr.attr(Attr.BRANCH_COMPUTATIONS);
    if (branches != null) {
      long index = selector.getLong(0);
      int b = (index < 0 || index >= branches.size()) ? branches.size() - 1 : (int) index;
      branch = branches.get(b);
      argument = 1 + b;
    } else {
      boolean taken = selector.getLong(0) != 0;
      branch = taken ? instr.requireAttr(Attr.TRUE_COMPUTATION) : instr.requireAttr(Attr.FALSE_COMPUTATION);
      argument = taken ? 1 : 2;
    }
    return call(branch, List.of(operands.get(argument)));
  }
}
