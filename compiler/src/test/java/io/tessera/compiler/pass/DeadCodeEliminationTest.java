package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.PassTesting.assertRewrites;
import static io.tessera.compiler.pass.PassTesting.assertUnchanged;

import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {
  private final DeadCodeElimination dce = new DeadCodeElimination();

  @Test
  void removesUnusedChainsButKeepsParametersAndTheRoot() {
    assertRewrites(dce, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          unused = f32[2] parameter(1)
          a = f32[2] negate(p)
          b = f32[2] exponential(a)
          c = f32[2] add(b, b)
          ROOT r = f32[2] abs(p)
        }
        """, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          unused = f32[2] parameter(1)
          ROOT r = f32[2] abs(p)
        }
        """);
  }

  @Test
  void removesComputationsTheEntryDoesNotReach() {
    assertRewrites(dce, """
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        orphan {
          x = f32[] parameter(0)
          ROOT y = f32[] negate(x)
        }
        only_called_by_dead_code {
          x2 = f32[] parameter(0)
          ROOT y2 = f32[] abs(x2)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          dead = f32[] call(z), to_apply=only_called_by_dead_code
          ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=add
        }
        """, """
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=add
        }
        """);
  }

  @Test
  void deadCodeInsideCalledComputationsGoesToo() {
    assertRewrites(dce, """
        HloModule m
        f {
          x = f32[] parameter(0)
          waste = f32[] exponential(x)
          ROOT y = f32[] negate(x)
        }
        ENTRY e {
          p = f32[] parameter(0)
          ROOT r = f32[] call(p), to_apply=f
        }
        """, """
        HloModule m
        f {
          x = f32[] parameter(0)
          ROOT y = f32[] negate(x)
        }
        ENTRY e {
          p = f32[] parameter(0)
          ROOT r = f32[] call(p), to_apply=f
        }
        """);
  }

  @Test
  void aCustomCallWithASideEffectStays() {
    assertUnchanged(dce, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          log = f32[2] custom-call(p), custom_call_target="print", custom_call_has_side_effect=true
          ROOT r = f32[2] negate(p)
        }
        """);
  }

  @Test
  void aLiveModuleIsUnchanged() {
    assertUnchanged(dce, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          a = f32[2] negate(p)
          ROOT r = (f32[2], f32[2]) tuple(a, p)
        }
        """);
  }
}
