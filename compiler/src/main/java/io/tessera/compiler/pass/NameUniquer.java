package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import java.util.HashSet;
import java.util.Set;

/**
 * Fresh instruction and computation names for a module, as XLA's {@code NameUniquer}: a base name
 * when it is free, else {@code base.N}. Instruction names must be unique across the whole module
 * (the verifier checks it), so passes that add instructions take their names from here.
 */
final class NameUniquer {
  private final Set<String> instructions = new HashSet<>();
  private final Set<String> computations = new HashSet<>();
  private int next = 1;

  NameUniquer(Module module) {
    for (Computation c : module.computations()) {
      computations.add(c.name());
      for (Instruction i : c.instructions()) {
        instructions.add(i.name());
      }
    }
  }

  /** A new instruction name based on {@code base}, reserved from now on. */
  String instruction(String base) {
    return unique(instructions, base);
  }

  /** A new computation name based on {@code base}, reserved from now on. */
  String computation(String base) {
    return unique(computations, base);
  }

  /** Marks {@code name} as used (an instruction added under a name chosen elsewhere). */
  void reserveInstruction(String name) {
    instructions.add(name);
  }

  private String unique(Set<String> used, String base) {
    String name = base;
    while (!used.add(name)) {
      name = base + "." + next++;
    }
    return name;
  }
}
