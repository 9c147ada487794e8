package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One HLO instruction: {@code %name = shape opcode(operands), attributes}.
 *
 * <p>Instructions are made only through the factories here. {@link #create(String, Opcode, List,
 * Attributes)} infers the result shape from the operands and attributes ({@link ShapeInference})
 * and fails with a message naming the instruction when they do not fit together; {@link
 * #create(String, Opcode, Shape, List, Attributes)} checks a given shape the same way (and is the
 * one to use for opcodes whose shape must be declared, such as {@code broadcast}). {@link
 * #createWithShape} keeps a shape given by the caller unchecked, as XLA's parser does with the
 * shape written in the text; {@link Verifier} then checks it against the inferred one.
 *
 * <p>Operands may be replaced (passes rewrite the graph); opcode and attributes are fixed for
 * the life of the instruction.
 */
public final class Instruction {
  private String name;
  private final Opcode opcode;
  private final Shape shape;
  private final List<Instruction> operands;
  private final Attributes attributes;
  private Computation parent;

  private Instruction(String name, Opcode opcode, Shape shape, List<Instruction> operands, Attributes attributes) {
    this.name = name;
    this.opcode = opcode;
    this.shape = shape;
    this.operands = new ArrayList<>(operands);
    this.attributes = attributes;
  }

  /**
   * Creates an instruction whose shape is inferred from its operands and attributes.
   *
   * @throws ShapeException naming {@code name} when the operands or attributes do not fit, or when
   *     the opcode's result shape must be declared ({@link ShapeInference#needsDeclaredShape}:
   *     use {@link #create(String, Opcode, Shape, List, Attributes)})
   */
  public static Instruction create(String name, Opcode opcode, List<Instruction> operands, Attributes attributes) {
    checkArity(name, opcode, operands);
    Shape shape;
    try {
      shape = ShapeInference.infer(opcode, shapesOf(operands), attributes);
    } catch (ShapeException e) {
      throw new ShapeException("%" + name + ": " + e.getMessage(), e);
    }
    return new Instruction(name, opcode, shape, operands, attributes);
  }

  /**
   * Creates an instruction of the given shape, which must equal the inferred one (layouts aside;
   * the given layout is kept). For opcodes whose result cannot be inferred the shape is checked
   * against the operands instead ({@link ShapeInference#checkDeclared}).
   *
   * @throws ShapeException naming {@code name} when the shape, operands or attributes do not fit
   */
  public static Instruction create(String name, Opcode opcode, Shape shape, List<Instruction> operands,
                                   Attributes attributes) {
    Objects.requireNonNull(shape, "shape");
    checkArity(name, opcode, operands);
    try {
      ShapeInference.checkDeclared(opcode, shapesOf(operands), attributes, shape);
    } catch (ShapeException e) {
      throw new ShapeException("%" + name + ": " + e.getMessage(), e);
    }
    return new Instruction(name, opcode, shape, operands, attributes);
  }

  private static List<Shape> shapesOf(List<Instruction> operands) {
    List<Shape> shapes = new ArrayList<>(operands.size());
    for (Instruction op : operands) {
      shapes.add(op.shape());
    }
    return shapes;
  }

  /**
   * Creates an instruction with the shape the caller declares (the parser's path; layouts are
   * kept). The shape is checked against inference by {@code Verifier}, not here, so that a module
   * can be loaded and then reported on as a whole.
   */
  public static Instruction createWithShape(String name, Opcode opcode, Shape shape, List<Instruction> operands,
                                            Attributes attributes) {
    Objects.requireNonNull(shape, "shape");
    checkArity(name, opcode, operands);
    return new Instruction(name, opcode, shape, operands, attributes);
  }

  /** {@code parameter(number)} of the given shape. */
  public static Instruction parameter(String name, int number, Shape shape) {
    return new Instruction(name, Opcode.PARAMETER, shape, List.of(),
        Attributes.builder().put(Attr.PARAMETER_NUMBER, (long) number).build());
  }

  /** {@code constant(literal)}; the shape is the literal's. */
  public static Instruction constant(String name, Literal literal) {
    return new Instruction(name, Opcode.CONSTANT, literal.shape(), List.of(),
        Attributes.builder().put(Attr.LITERAL, literal).build());
  }

  private static void checkArity(String name, Opcode opcode, List<Instruction> operands) {
    for (Instruction op : operands) {
      Objects.requireNonNull(op, () -> "%" + name + " has a null operand");
    }
    if (!opcode.isVariadic() && operands.size() != opcode.arity()) {
      throw new ShapeException("%" + name + ": " + opcode + " takes " + opcode.arity() + " operand"
          + (opcode.arity() == 1 ? "" : "s") + ", got " + operands.size());
    }
  }

  public String name() {
    return name;
  }

  /** Renames this instruction; the caller keeps names unique within the module. */
  public void setName(String name) {
    this.name = Objects.requireNonNull(name);
  }

  public Opcode opcode() {
    return opcode;
  }

  public Shape shape() {
    return shape;
  }

  public List<Instruction> operands() {
    return Collections.unmodifiableList(operands);
  }

  public Instruction operand(int i) {
    return operands.get(i);
  }

  public int operandCount() {
    return operands.size();
  }

  /** Replaces operand {@code i}; the new operand must have the same shape (layouts aside). */
  public void replaceOperand(int i, Instruction replacement) {
    if (!replacement.shape().equalsIgnoringLayout(operands.get(i).shape())) {
      throw new ShapeException("%" + name + ": cannot replace operand " + i + " of shape "
          + operands.get(i).shape() + " with %" + replacement.name() + " of shape " + replacement.shape());
    }
    operands.set(i, replacement);
  }

  public Attributes attributes() {
    return attributes;
  }

  /** The value of {@code attr}, or {@code null} when absent. */
  public <T> T attr(Attr<T> attr) {
    return attributes.get(attr);
  }

  /** The value of {@code attr}; throws naming this instruction when absent. */
  public <T> T requireAttr(Attr<T> attr) {
    T value = attributes.get(attr);
    if (value == null) {
      throw new ShapeException("%" + name + " (" + opcode + ") needs attribute " + attr.name());
    }
    return value;
  }

  /** The computations this instruction calls, in attribute order. */
  public List<Computation> calledComputations() {
    return attributes.calledComputations();
  }

  /** {@code parameter(N)}'s N. */
  public int parameterNumber() {
    return Math.toIntExact(requireAttr(Attr.PARAMETER_NUMBER));
  }

  /** {@code constant}'s value. */
  public Literal literal() {
    return requireAttr(Attr.LITERAL);
  }

  /** The computation holding this instruction, or {@code null} before it is added to one. */
  public Computation parent() {
    return parent;
  }

  void setParent(Computation parent) {
    this.parent = parent;
  }

  /** A one-line description: {@code %name = shape opcode(%a, %b)}, for messages. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("%").append(name).append(" = ").append(shape).append(' ').append(opcode).append('(');
    for (int i = 0; i < operands.size(); i++) {
      sb.append(i > 0 ? ", %" : "%").append(operands.get(i).name());
    }
    return sb.append(')').toString();
  }
}
