package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces every {@code call} by the body of the computation it calls, as XLA's
 * {@code CallInliner}: JAX exports wrap helpers ({@code relu}, {@code _where}) in calls, and
 * passes that work on one computation (batching, fusion) then see the whole program. Inlined
 * instructions get fresh names; callees nothing calls any more are removed.
 */
public final class CallInliner implements Pass {

  @Override
  public String name() {
    return "inline";
  }

  @Override
  public boolean run(Module module) {
    NameUniquer names = new NameUniquer(module);
    Set<Computation> inlined = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean changed = false;
    boolean again = true;
    while (again) { // an inlined body may hold calls of its own
      again = false;
      for (Computation c : List.copyOf(module.computations())) {
        for (Instruction i : List.copyOf(c.instructions())) {
          if (i.opcode() == Opcode.CALL) {
            inlined.add(i.requireAttr(Attr.TO_APPLY));
            inline(c, i, names);
            again = true;
            changed = true;
          }
        }
      }
    }
    Set<Computation> reachable = DeadCodeElimination.reachableFromEntry(module);
    for (Computation c : inlined) {
      if (!reachable.contains(c)) {
        module.remove(c);
      }
    }
    return changed;
  }

  private static void inline(Computation caller, Instruction call, NameUniquer names) {
    Computation callee = call.requireAttr(Attr.TO_APPLY);
    Map<Instruction, Instruction> copies = new IdentityHashMap<>();
    for (Instruction i : callee.instructions()) {
      if (i.opcode() == Opcode.PARAMETER) {
        copies.put(i, call.operand(i.parameterNumber()));
        continue;
      }
      List<Instruction> operands = i.operands().stream().map(copies::get).toList();
      Instruction copy = Instruction.createWithShape(names.instruction(i.name()), i.opcode(), i.shape(), operands,
          i.attributes());
      copies.put(i, caller.insertBefore(call, copy));
    }
    caller.replaceAllUses(call, copies.get(callee.root()));
    caller.remove(call);
  }
}
