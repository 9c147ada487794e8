package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import java.util.ArrayList;
import java.util.List;

/** Structural comparison of two modules parsed from different text (computations by name). */
final class ModuleAssertions {
  private ModuleAssertions() {}

  static void assertSameModule(Module expected, Module actual) {
    assertEquals(expected.name(), actual.name(), "module name");
    assertEquals(expected.headerAttributes(), actual.headerAttributes(), "header attributes");
    assertEquals(names(expected.computations()).stream().sorted().toList(),
        names(actual.computations()).stream().sorted().toList(), "computations");
    assertEquals(expected.entry().name(), actual.entry().name(), "entry");
    for (Computation e : expected.computations()) {
      Computation a = actual.computation(e.name());
      assertNotNull(a, e.name());
      assertEquals(e.instructions().size(), a.instructions().size(), "instruction count of " + e.name());
      for (int i = 0; i < e.instructions().size(); i++) {
        assertSameInstruction(e.instructions().get(i), a.instructions().get(i));
      }
      assertEquals(e.root().name(), a.root().name(), "root of " + e.name());
      assertEquals(e.textAttributes(), a.textAttributes(), "attributes of " + e.name());
    }
  }

  static void assertSameInstruction(Instruction e, Instruction a) {
    String where = "%" + e.name();
    assertEquals(e.name(), a.name());
    assertEquals(e.opcode(), a.opcode(), where);
    assertEquals(e.shape(), a.shape(), where);
    assertEquals(e.operands().stream().map(Instruction::name).toList(),
        a.operands().stream().map(Instruction::name).toList(), where + " operands");
    assertEquals(new ArrayList<>(e.attributes().keys()), new ArrayList<>(a.attributes().keys()), where + " attributes");
    for (Attr<?> attr : e.attributes().keys()) {
      assertSameValue(e.attributes().get(attr), a.attributes().get(attr), where + " " + attr.name());
    }
  }

  private static void assertSameValue(Object e, Object a, String where) {
    if (e instanceof long[] x) {
      assertArrayEquals(x, (long[]) a, where);
    } else if (e instanceof Computation c) {
      assertEquals(c.name(), ((Computation) a).name(), where);
    } else if (e instanceof List<?> list) {
      List<String> en = new ArrayList<>();
      List<String> an = new ArrayList<>();
      list.forEach(c -> en.add(((Computation) c).name()));
      ((List<?>) a).forEach(c -> an.add(((Computation) c).name()));
      assertEquals(en, an, where);
    } else {
      assertEquals(e, a, where);
    }
  }

  private static List<String> names(List<Computation> computations) {
    return computations.stream().map(Computation::name).toList();
  }
}
