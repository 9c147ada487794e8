package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named HLO computation: instructions in definition order (every operand is defined before its
 * users, as in XLA's text), numbered parameters and one root whose value is the result.
 */
public final class Computation {
  private final String name;
  private final List<Instruction> instructions = new ArrayList<>();
  private final Map<String, Instruction> byName = new HashMap<>();
  private final Map<String, String> textAttributes = new LinkedHashMap<>();
  private Instruction root;

  public Computation(String name) {
    this.name = Objects.requireNonNull(name);
  }

  public String name() {
    return name;
  }

  /**
   * Appends {@code instruction}; its operands must already be in this computation.
   *
   * @return the instruction, for chaining
   * @throws IllegalArgumentException on a duplicate name or an operand from elsewhere
   */
  public Instruction add(Instruction instruction) {
    if (instruction.parent() != null) {
      throw new IllegalArgumentException("%" + instruction.name() + " already belongs to " + instruction.parent().name());
    }
    if (byName.containsKey(instruction.name())) {
      throw new IllegalArgumentException("computation " + name + " already has an instruction named %" + instruction.name());
    }
    for (Instruction op : instruction.operands()) {
      if (op.parent() != this) {
        throw new IllegalArgumentException("%" + instruction.name() + " uses %" + op.name()
            + ", which is not defined before it in computation " + name);
      }
    }
    instruction.setParent(this);
    instructions.add(instruction);
    byName.put(instruction.name(), instruction);
    return instruction;
  }

  /**
   * Inserts {@code instruction} just before {@code anchor} in definition order; its operands must
   * be defined before {@code anchor}.
   *
   * @return the instruction, for chaining
   * @throws IllegalArgumentException when the anchor is elsewhere, on a duplicate name, or an
   *     operand not defined before the anchor
   */
  public Instruction insertBefore(Instruction anchor, Instruction instruction) {
    int index = instructions.indexOf(anchor);
    if (index < 0 || anchor.parent() != this) {
      throw new IllegalArgumentException("%" + anchor.name() + " is not in computation " + name);
    }
    if (instruction.parent() != null) {
      throw new IllegalArgumentException("%" + instruction.name() + " already belongs to " + instruction.parent().name());
    }
    if (byName.containsKey(instruction.name())) {
      throw new IllegalArgumentException("computation " + name + " already has an instruction named %" + instruction.name());
    }
    for (Instruction op : instruction.operands()) {
      if (op.parent() != this || instructions.indexOf(op) >= index) {
        throw new IllegalArgumentException("%" + instruction.name() + " uses %" + op.name()
            + ", which is not defined before %" + anchor.name() + " in computation " + name);
      }
    }
    instruction.setParent(this);
    instructions.add(index, instruction);
    byName.put(instruction.name(), instruction);
    return instruction;
  }

  /** Removes an instruction nothing uses (and that is not the root). */
  public void remove(Instruction instruction) {
    if (instruction == root) {
      throw new IllegalArgumentException("cannot remove the root %" + instruction.name());
    }
    if (!users(instruction).isEmpty()) {
      throw new IllegalArgumentException("cannot remove %" + instruction.name() + ": it still has users");
    }
    instructions.remove(instruction);
    byName.remove(instruction.name());
    instruction.setParent(null);
  }

  /**
   * Puts {@code replacement} where {@code old} is: at the same place in definition order, with
   * every use and the root switched over; {@code old} leaves the computation. The replacement may
   * take {@code old}'s name. Its operands must be defined before {@code old}.
   *
   * @throws IllegalArgumentException when the replacement already belongs to a computation, takes
   *     a name another instruction has, or uses an operand not defined before {@code old}
   */
  public void replaceInstruction(Instruction old, Instruction replacement) {
    int index = instructions.indexOf(old);
    if (index < 0 || old.parent() != this) {
      throw new IllegalArgumentException("%" + old.name() + " is not in computation " + name);
    }
    if (replacement.parent() != null) {
      throw new IllegalArgumentException("%" + replacement.name() + " already belongs to " + replacement.parent().name());
    }
    Instruction named = byName.get(replacement.name());
    if (named != null && named != old) {
      throw new IllegalArgumentException("computation " + name + " already has an instruction named %" + replacement.name());
    }
    for (Instruction op : replacement.operands()) {
      if (op.parent() != this || instructions.indexOf(op) >= index) {
        throw new IllegalArgumentException("%" + replacement.name() + " uses %" + op.name()
            + ", which is not defined before %" + old.name() + " in computation " + name);
      }
    }
    replaceAllUses(old, replacement);
    instructions.set(index, replacement);
    byName.remove(old.name());
    byName.put(replacement.name(), replacement);
    replacement.setParent(this);
    old.setParent(null);
  }

  /**
   * Renames {@code instruction}, keeping {@link #instruction(String)} lookups right (use this, not
   * {@link Instruction#setName}, once the instruction is in a computation). Uniqueness across the
   * module is the caller's to keep.
   *
   * @throws IllegalArgumentException when the instruction is elsewhere or the name is taken here
   */
  public void rename(Instruction instruction, String newName) {
    if (instruction.parent() != this) {
      throw new IllegalArgumentException("%" + instruction.name() + " is not in computation " + name);
    }
    Instruction named = byName.get(newName);
    if (named != null && named != instruction) {
      throw new IllegalArgumentException("computation " + name + " already has an instruction named %" + newName);
    }
    byName.remove(instruction.name());
    instruction.setName(newName);
    byName.put(newName, instruction);
  }

  public void setRoot(Instruction root) {
    if (root.parent() != this) {
      throw new IllegalArgumentException("root %" + root.name() + " is not in computation " + name);
    }
    this.root = root;
  }

  /**
   * Attributes written after the computation's closing brace ({@code execution_thread="host"}),
   * kept as their text so that dumps round-trip; Tessera does not interpret them. Mutable.
   */
  public Map<String, String> textAttributes() {
    return textAttributes;
  }

  /** The instruction whose value the computation returns; {@code null} only while building. */
  public Instruction root() {
    return root;
  }

  /** Instructions in definition order. */
  public List<Instruction> instructions() {
    return Collections.unmodifiableList(instructions);
  }

  /** The instruction named {@code name}, or {@code null}. */
  public Instruction instruction(String name) {
    return byName.get(name);
  }

  /** Parameters ordered by parameter number. */
  public List<Instruction> parameters() {
    List<Instruction> params = new ArrayList<>();
    for (Instruction i : instructions) {
      if (i.opcode() == Opcode.PARAMETER) {
        params.add(i);
      }
    }
    params.sort((a, b) -> Integer.compare(a.parameterNumber(), b.parameterNumber()));
    return params;
  }

  /** The parameter numbered {@code number}; throws when there is none. */
  public Instruction parameter(int number) {
    for (Instruction i : instructions) {
      if (i.opcode() == Opcode.PARAMETER && i.parameterNumber() == number) {
        return i;
      }
    }
    throw new IllegalArgumentException("computation " + name + " has no parameter " + number);
  }

  public int parameterCount() {
    int n = 0;
    for (Instruction i : instructions) {
      if (i.opcode() == Opcode.PARAMETER) {
        n++;
      }
    }
    return n;
  }

  /** Shapes of the parameters in number order. */
  public List<Shape> parameterShapes() {
    return parameters().stream().map(Instruction::shape).toList();
  }

  /** The shape of the root, i.e. of the result. */
  public Shape resultShape() {
    if (root == null) {
      throw new IllegalStateException("computation " + name + " has no root");
    }
    return root.shape();
  }

  /** Instructions of this computation that use {@code instruction} as an operand. */
  public List<Instruction> users(Instruction instruction) {
    List<Instruction> users = new ArrayList<>();
    for (Instruction i : instructions) {
      if (i.operands().contains(instruction)) {
        users.add(i);
      }
    }
    return users;
  }

  /** Makes every use of {@code old} (and the root, if it is {@code old}) use {@code replacement}. */
  public void replaceAllUses(Instruction old, Instruction replacement) {
    for (Instruction user : instructions) {
      for (int k = 0; k < user.operandCount(); k++) {
        if (user.operand(k) == old) {
          user.replaceOperand(k, replacement);
        }
      }
    }
    if (root == old) {
      root = replacement;
    }
  }

  @Override
  public String toString() {
    return "%" + name;
  }
}
