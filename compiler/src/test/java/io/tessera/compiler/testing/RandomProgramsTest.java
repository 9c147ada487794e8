package io.tessera.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloPrinter;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomProgramsTest {

  @Test
  void theSameSeedGivesTheSameProgramAndArguments() {
    for (long seed = 0; seed < 20; seed++) {
      Module a = RandomPrograms.generate(seed);
      Module b = RandomPrograms.generate(seed);
      assertEquals(HloPrinter.print(a), HloPrinter.print(b), "seed " + seed);
      assertEquals(RandomPrograms.arguments(a, seed), RandomPrograms.arguments(b, seed), "seed " + seed);
    }
    assertNotEquals(HloPrinter.print(RandomPrograms.generate(1)), HloPrinter.print(RandomPrograms.generate(2)));
  }

  @Test
  void programsVerifyRunAndCoverEveryKind() {
    Set<Opcode> seen = new HashSet<>();
    Interpreter interpreter = new Interpreter();
    for (long seed = 0; seed < 300; seed++) {
      Module m = RandomPrograms.generate(seed);
      assertEquals(List.of(), Verifier.problems(m), "seed " + seed);
      interpreter.run(m, RandomPrograms.arguments(m, seed));
      for (Instruction i : m.entry().instructions()) {
        seen.add(i.opcode());
        if (i.shape().isArray()) {
          assertTrue(i.shape().elementCount() <= 2L * RandomPrograms.MAX_ELEMENTS, "seed " + seed + ": " + i);
        }
      }
    }
    for (Opcode op : List.of(Opcode.BROADCAST, Opcode.RESHAPE, Opcode.TRANSPOSE, Opcode.SLICE, Opcode.CONCATENATE,
        Opcode.PAD, Opcode.REVERSE, Opcode.REDUCE, Opcode.DOT, Opcode.SELECT, Opcode.COMPARE, Opcode.CONVERT,
        Opcode.EXPONENTIAL, Opcode.ADD, Opcode.NOT)) {
      assertTrue(seen.contains(op), "no " + op + " in 300 programs");
    }
  }

  @Test
  void optionsRestrictKindsTypesAndTranscendentals() {
    RandomPrograms.Options elementwiseOnly = RandomPrograms.Options.defaults()
        .withKinds(EnumSet.of(RandomPrograms.Kind.UNARY, RandomPrograms.Kind.BINARY))
        .withTypes(List.of(ElementType.F64)).withTranscendentals(false).withOperations(20);
    for (long seed = 0; seed < 50; seed++) {
      Module m = RandomPrograms.generate(seed, elementwiseOnly);
      for (Instruction i : m.entry().instructions()) {
        assertTrue(i.opcode().isElementwise() || Set.of(Opcode.PARAMETER, Opcode.CONSTANT, Opcode.BROADCAST,
            Opcode.RESHAPE, Opcode.REDUCE, Opcode.TUPLE).contains(i.opcode()), "seed " + seed + ": " + i);
        assertFalse(Set.of(Opcode.EXPONENTIAL, Opcode.LOG, Opcode.TANH).contains(i.opcode()), "seed " + seed);
        if (i.shape().isArray()) {
          assertEquals(ElementType.F64, i.shape().elementType(), "seed " + seed + ": " + i);
        }
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> RandomPrograms.Options.defaults().withTypes(List.of(ElementType.F16)));
  }
}
