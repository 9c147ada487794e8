package io.tessera.arrow;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Output column names from a module's results: the root instruction's name for an array result;
 * for a {@code tuple} root, the names of its operands, in order (a nested tuple operand
 * contributes its own elements). A tuple-shaped result that is not built by a {@code tuple}
 * instruction names its elements {@code name.0}, {@code name.1}, ... Repeated names get
 * {@code _1}, {@code _2}, ... appended so that every column name is unique.
 */
final class OutputNames {
  private OutputNames() {}

  static List<String> of(Module module) {
    List<String> names = new ArrayList<>();
    collect(module.entry().root(), names);
    return unique(names);
  }

  private static void collect(Instruction instruction, List<String> out) {
    if (!instruction.shape().isTuple()) {
      out.add(instruction.name());
    } else if (instruction.opcode() == Opcode.TUPLE) {
      for (Instruction operand : instruction.operands()) {
        collect(operand, out);
      }
    } else {
      collectShape(instruction.shape(), instruction.name(), out);
    }
  }

  private static void collectShape(Shape shape, String name, List<String> out) {
    if (!shape.isTuple()) {
      out.add(name);
      return;
    }
    for (int i = 0; i < shape.tupleShapes().size(); i++) {
      collectShape(shape.tupleShape(i), name + "." + i, out);
    }
  }

  private static List<String> unique(List<String> names) {
    Set<String> taken = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String name : names) {
      String candidate = name;
      for (int k = 1; !taken.add(candidate); k++) {
        candidate = name + "_" + k;
      }
      out.add(candidate);
    }
    return out;
  }
}
