package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls between the computations of a module. HLO has no recursion: a computation may not
 * call itself, directly or through others ({@link Verifier} and the text parser both reject it).
 */
public final class CallGraph {
  private CallGraph() {}

  /**
   * A chain of computations of {@code module} that call each other in a cycle, its first
   * computation repeated at the end ({@code [a, b, a]} when a calls b and b calls a), or an empty
   * list when there is none. Callees outside the module are not followed.
   */
  public static List<Computation> findCycle(Module module) {
    Set<Computation> members = Collections.newSetFromMap(new IdentityHashMap<>());
    members.addAll(module.computations());
    Map<Computation, Boolean> done = new IdentityHashMap<>(); // false: on the current path
    for (Computation c : module.computations()) {
      List<Computation> path = new ArrayList<>();
      if (findCycle(c, members, done, path)) {
        return List.copyOf(path);
      }
    }
    return List.of();
  }

  /** Depth-first search; on a cycle, {@code path} is left holding just the cycle. */
  private static boolean findCycle(Computation c, Set<Computation> members, Map<Computation, Boolean> done,
                                   List<Computation> path) {
    Boolean state = done.get(c);
    if (state != null && state) {
      return false;
    }
    if (state != null) {
      path.subList(0, path.indexOf(c)).clear();
      path.add(c);
      return true;
    }
    done.put(c, false);
    path.add(c);
    for (Instruction instr : c.instructions()) {
      for (Computation callee : instr.calledComputations()) {
        if (members.contains(callee) && findCycle(callee, members, done, path)) {
          return true;
        }
      }
    }
    path.remove(path.size() - 1);
    done.put(c, true);
    return false;
  }

  /** {@code %a -> %b -> %a}: a cycle as messages show it. */
  public static String describe(List<Computation> cycle) {
    StringBuilder chain = new StringBuilder();
    for (Computation step : cycle) {
      chain.append(chain.length() > 0 ? " -> %" : "%").append(step.name());
    }
    return chain.toString();
  }
}
