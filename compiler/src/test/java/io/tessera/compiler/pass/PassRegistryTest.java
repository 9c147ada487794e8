package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PassRegistryTest {

  @Test
  void everyNameMakesThePassOfThatName() {
    for (String name : PassRegistry.names()) {
      assertEquals(name, PassRegistry.create(name).name());
    }
    assertInstanceOf(Cse.class, PassRegistry.create(" cse "));
  }

  @Test
  void anUnknownNameListsTheAvailablePasses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassRegistry.create("fold"));
    assertTrue(e.getMessage().startsWith("unknown pass 'fold' (available: simplify, constant-fold, cse, dce"),
        e.getMessage());
  }

  @Test
  void aPassWithoutParametersRefusesAnArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassRegistry.create("dce:1"));
    assertEquals("pass 'dce' takes no argument, got '1'", e.getMessage());
  }

  @Test
  void rebatchTakesOneDimensionOrOnePerParameter() {
    assertInstanceOf(RebatchingPass.class, PassRegistry.create("rebatch:1"));
    assertInstanceOf(RebatchingPass.class, PassRegistry.create("rebatch:0/-/2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassRegistry.create("rebatch:x"));
    assertTrue(e.getMessage().startsWith("rebatch takes a dimension (rebatch:0) or one per parameter"), e.getMessage());
  }

  @Test
  void aPipelineRunsTheNamedPassesInOrder() {
    Pipeline p = PassRegistry.pipeline("simplify,cse,dce", null);
    assertEquals(List.of("simplify", "cse", "dce"), p.passes().stream().map(Pass::name).toList());
    assertThrows(IllegalArgumentException.class, () -> PassRegistry.pipeline("cse,,dce", null));
  }

  @Test
  void describeHasALinePerPass() {
    assertEquals(PassRegistry.names().size(), PassRegistry.describe().lines().count());
  }
}
