package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
  private static final String NEGATE_CHAIN = """
      HloModule m
      ENTRY e {
        p = f32[2] parameter(0)
        a = f32[2] negate(p)
        b = f32[2] negate(a)
        ROOT c = f32[2] negate(b)
      }
      """;

  @TempDir
  Path dir;

  /** Removes one {@code negate} whose operand is a negate per run (so it needs several rounds). */
  private static final class PeelOneNegatePair implements Pass {
    final List<String> log;

    PeelOneNegatePair(List<String> log) {
      this.log = log;
    }

    @Override
    public String name() {
      return "peel";
    }

    @Override
    public boolean run(Module module) {
      Computation c = module.entry();
      for (Instruction i : c.instructions()) {
        if (i.opcode() == Opcode.NEGATE && i.operand(0).opcode() == Opcode.NEGATE) {
          c.replaceAllUses(i, i.operand(0).operand(0));
          c.remove(i);
          log.add("peel:true");
          return true;
        }
      }
      log.add("peel:false");
      return false;
    }
  }

  /** Records that it ran; never changes anything. */
  private record Noop(String name, List<String> log) implements Pass {
    @Override
    public boolean run(Module module) {
      log.add(name + ":false");
      return false;
    }
  }

  @Test
  void passesRunInOrderAndReportWhetherAnythingChanged() {
    List<String> log = new ArrayList<>();
    Pipeline p = Pipeline.builder("t").add(new Noop("a", log)).add(new PeelOneNegatePair(log)).add(new Noop("b", log))
        .build();
    assertTrue(p.run(HloParser.parse(NEGATE_CHAIN)));
    assertEquals(List.of("a:false", "peel:true", "b:false"), log);
    assertFalse(Pipeline.builder("t").add(new Noop("a", log)).build().run(HloParser.parse(NEGATE_CHAIN)));
  }

  @Test
  void aFixedPointGroupRepeatsUntilARoundChangesNothing() {
    List<String> log = new ArrayList<>();
    Module m = HloParser.parse(NEGATE_CHAIN);
    Pipeline p = Pipeline.builder("t").fixedPoint("peeling", 10, new PeelOneNegatePair(log), new Noop("n", log))
        .build();
    assertTrue(p.run(m));
    // Round 1 turns c = -(-(-p)) into -p; round 2 finds nothing and ends the group.
    assertEquals(List.of("peel:true", "n:false", "peel:false", "n:false"), log);
    assertEquals(Opcode.PARAMETER, m.entry().root().operand(0).opcode(), HloPrinter.print(m));
  }

  @Test
  void aFixedPointGroupStopsAtItsRoundCap() {
    List<String> log = new ArrayList<>();
    Pass alwaysChanges = new Pass() {
      @Override
      public String name() {
        return "restless";
      }

      @Override
      public boolean run(Module module) {
        log.add("ran");
        return true;
      }
    };
    assertTrue(Pipeline.builder("t").fixedPoint("g", 3, alwaysChanges).build().run(HloParser.parse(NEGATE_CHAIN)));
    assertEquals(3, log.size());
    assertThrows(IllegalArgumentException.class, () -> Pipeline.builder("t").fixedPoint("g", 0, alwaysChanges));
  }

  @Test
  void theVerifierBlamesThePassThatBrokeTheModule() {
    Pass breaker = new Pass() {
      @Override
      public String name() {
        return "breaker";
      }

      @Override
      public boolean run(Module module) {
        Computation c = module.entry();
        Instruction bad = Instruction.createWithShape("bad", Opcode.NEGATE, Shape.array(ElementType.F32, 3),
            List.of(c.parameter(0)), Attributes.EMPTY);
        c.add(bad);
        c.setRoot(bad);
        return true;
      }
    };
    Pipeline checked = Pipeline.builder("t").add(breaker).verifyBetweenPasses(true).build();
    PassException e = assertThrows(PassException.class, () -> checked.run(HloParser.parse(NEGATE_CHAIN)));
    assertTrue(e.getMessage().contains("after pass breaker") && e.getMessage().contains("%bad"), e.getMessage());
    // Without the option the broken module goes through unnoticed.
    assertTrue(Pipeline.builder("t").add(breaker).build().run(HloParser.parse(NEGATE_CHAIN)));
  }

  @Test
  void dumpsTheInputAndTheModuleAfterEachChangingPass() throws IOException {
    List<String> log = new ArrayList<>();
    Module m = HloParser.parse(NEGATE_CHAIN);
    Pipeline.builder("t").add(new Noop("quiet", log)).fixedPoint("g", 5, new PeelOneNegatePair(log))
        .dumpTo(dir.resolve("dump")).build().run(m);
    List<String> files;
    try (Stream<Path> s = Files.list(dir.resolve("dump"))) {
      files = s.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("000.input.hlo", "001.peel.hlo"), files);
    assertEquals(HloPrinter.print(HloParser.parse(NEGATE_CHAIN)), Files.readString(dir.resolve("dump/000.input.hlo")));
    assertEquals(HloPrinter.print(m), Files.readString(dir.resolve("dump/001.peel.hlo")));
  }

  @Test
  void passesListsEveryPassOnce() {
    List<String> log = new ArrayList<>();
    Pass a = new Noop("a", log);
    Pass b = new Noop("b", log);
    Pass c = new Noop("c", log);
    assertEquals(List.of(a, b, c), Pipeline.builder("t").add(a).fixedPoint("g", 2, b, c).build().passes());
  }
}
