package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Deep copies of modules: new computations and instructions with the same names, attributes and
 * order, calls pointing at the copies. Literals are shared (they are values once built). Passes
 * rewrite modules in place, so tests and tools that want the module before and after copy it first.
 */
public final class ModuleCopy {
  private ModuleCopy() {}

  /** An independent copy of {@code module}. */
  public static Module copy(Module module) {
    return copy(module, UnaryOperator.identity());
  }

  /**
   * A copy of {@code module} whose instruction shapes are {@code shapes} applied to the originals
   * (the copy is not verified: the caller knows whether the new shapes still fit together).
   */
  public static Module copy(Module module, UnaryOperator<Shape> shapes) {
    Module copy = new Module(module.name());
    copy.headerAttributes().putAll(module.headerAttributes());
    Map<Computation, Computation> computations = new IdentityHashMap<>();
    for (Computation c : module.computations()) {
      Computation twin = new Computation(c.name());
      twin.textAttributes().putAll(c.textAttributes());
      computations.put(c, twin);
    }
    for (Computation c : module.computations()) {
      Computation target = computations.get(c);
      Map<Instruction, Instruction> instructions = new IdentityHashMap<>();
      for (Instruction i : c.instructions()) {
        List<Instruction> operands = new ArrayList<>(i.operandCount());
        for (Instruction op : i.operands()) {
          operands.add(instructions.get(op));
        }
        Instruction clone = Instruction.createWithShape(i.name(), i.opcode(), shapes.apply(i.shape()), operands,
            withCalls(i.attributes(), computations));
        instructions.put(i, target.add(clone));
      }
      if (c.root() != null) {
        target.setRoot(instructions.get(c.root()));
      }
      copy.add(target);
    }
    copy.setEntry(computations.get(module.entry()));
    return copy;
  }

  /** {@code attributes} with every called computation replaced by its image in {@code mapping}. */
  @SuppressWarnings("unchecked")
  static Attributes withCalls(Attributes attributes, Map<Computation, Computation> mapping) {
    Attributes result = attributes;
    for (Attr<?> attr : attributes.keys()) {
      switch (attr.kind()) {
        case COMPUTATION -> {
          Computation c = (Computation) attributes.get(attr);
          result = result.with((Attr<Computation>) attr, mapping.getOrDefault(c, c));
        }
        case COMPUTATION_LIST -> {
          List<Computation> mapped = new ArrayList<>();
          for (Computation c : (List<Computation>) attributes.get(attr)) {
            mapped.add(mapping.getOrDefault(c, c));
          }
          result = result.with((Attr<List<Computation>>) attr, List.copyOf(mapped));
        }
        default -> { }
      }
    }
    return result;
  }
}
