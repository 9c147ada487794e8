package io.tessera.compiler.pass;

import io.tessera.compiler.eval.EvaluationException;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates instructions whose operands are all constants, with the reference interpreter (so a
 * folded value is exactly what running the module would give), and replaces them by constants,
 * as XLA's {@code HloConstantFolding}.
 *
 * <p>Not folded, as in XLA: {@code broadcast} (the broadcast of a small constant is cheaper than
 * the big constant it would become), leaves ({@code iota} included, for the same reason),
 * {@code while} (it may run long), {@code custom-call}, tuple and dynamic shapes, and any result
 * of more than {@link #DEFAULT_MAX_ELEMENTS} elements (or the cap given), so that folding never
 * materializes a huge constant. An instruction the interpreter cannot evaluate is left as it is.
 */
public final class ConstantFolding implements Pass {
  /** The default cap on the elements of a folded result. */
  public static final long DEFAULT_MAX_ELEMENTS = 1024;

  private final long maxElements;

  public ConstantFolding() {
    this(DEFAULT_MAX_ELEMENTS);
  }

  /** Folds only results of at most {@code maxElements} elements. */
  public ConstantFolding(long maxElements) {
    if (maxElements < 0) {
      throw new IllegalArgumentException("the element cap must be non-negative, got " + maxElements);
    }
    this.maxElements = maxElements;
  }

  @Override
  public String name() {
    return "constant-fold";
  }

  @Override
  public boolean run(Module module) {
    Interpreter interpreter = new Interpreter();
    boolean changed = false;
    for (Computation c : module.computations()) {
      for (Instruction i : List.copyOf(c.instructions())) {
        if (isFoldable(i)) {
          Literal value = evaluate(interpreter, i);
          if (value != null) {
            c.replaceInstruction(i, constant(i, value));
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private boolean isFoldable(Instruction i) {
    if (i.operandCount() == 0 || !i.shape().isArray() || i.shape().hasDynamicDimension()
        || i.shape().elementCount() > maxElements) {
      return false;
    }
    switch (i.opcode()) {
      case BROADCAST, WHILE, CUSTOM_CALL -> {
        return false;
      }
      default -> { }
    }
    for (Instruction op : i.operands()) {
      if (!ConstantValues.isKnownConstant(op)) {
        return false;
      }
    }
    return true;
  }

  /** The value of {@code i} on its constant operands, or {@code null} when it cannot be evaluated. */
  private static Literal evaluate(Interpreter interpreter, Instruction i) {
    Computation scratch = new Computation("fold");
    List<Instruction> parameters = new ArrayList<>();
    List<Literal> arguments = new ArrayList<>();
    for (int k = 0; k < i.operandCount(); k++) {
      Instruction operand = i.operand(k);
      parameters.add(scratch.add(Instruction.parameter("operand." + k, k, operand.shape())));
      arguments.add(operand.literal());
    }
    Instruction copy = scratch.add(Instruction.createWithShape(i.name(), i.opcode(), i.shape(), parameters,
        i.attributes()));
    scratch.setRoot(copy);
    try {
      return interpreter.call(scratch, arguments);
    } catch (EvaluationException e) {
      return null; // e.g. an opcode the interpreter refuses: keep the instruction
    }
  }

  /** A constant holding {@code value} under {@code i}'s name, keeping its metadata. */
  private static Instruction constant(Instruction i, Literal value) {
    Attributes.Builder attributes = Attributes.builder().put(Attr.LITERAL, value.reshaped(i.shape()));
    Attr<?> metadata = Attr.forName("metadata");
    if (i.attributes().has(metadata)) {
      attributes.put(Attr.raw("metadata"), String.valueOf(i.attributes().get(metadata)));
    }
    return Instruction.createWithShape(i.name(), Opcode.CONSTANT, i.shape(), List.of(),
        attributes.build());
  }
}
