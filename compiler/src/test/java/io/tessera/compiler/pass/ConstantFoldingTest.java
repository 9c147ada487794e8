package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.PassTesting.assertRewrites;
import static io.tessera.compiler.pass.PassTesting.assertUnchanged;

import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
  private final ConstantFolding fold = new ConstantFolding();

  @Test
  void foldsChainsOfConstantArithmeticWithTheInterpretersValues() {
    assertRewrites(fold, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          a = f32[2] constant({1, 4})
          b = f32[2] sqrt(a)
          c = f32[2] add(b, a)
          ROOT r = f32[2] multiply(p, c)
        }
        """, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          a = f32[2] constant({1, 4})
          b = f32[2] constant({1, 2})
          c = f32[2] constant({2, 6})
          ROOT r = f32[2] multiply(p, c)
        }
        """);
  }

  @Test
  void foldsReductionsDotsAndIntegerSemantics() {
    assertRewrites(fold, """
        HloModule m
        add {
          x = s32[] parameter(0)
          y = s32[] parameter(1)
          ROOT s = s32[] add(x, y)
        }
        ENTRY e {
          a = s32[2,2] constant({{1, 2}, {3, 4}})
          z = s32[] constant(0)
          r = s32[2] reduce(a, z), dimensions={1}, to_apply=add
          d = s32[2] dot(r, a), lhs_contracting_dims={0}, rhs_contracting_dims={0}
          m = s32[] constant(-7)
          k = s32[] constant(2)
          q = s32[] divide(m, k)
          ROOT t = (s32[2], s32[]) tuple(d, q)
        }
        """, """
        HloModule m
        add {
          x = s32[] parameter(0)
          y = s32[] parameter(1)
          ROOT s = s32[] add(x, y)
        }
        ENTRY e {
          a = s32[2,2] constant({{1, 2}, {3, 4}})
          z = s32[] constant(0)
          r = s32[2] constant({3, 7})
          d = s32[2] constant({24, 34})
          m = s32[] constant(-7)
          k = s32[] constant(2)
          q = s32[] constant(-3)
          ROOT t = (s32[2], s32[]) tuple(d, q)
        }
        """);
  }

  @Test
  void broadcastsIotaAndResultsOverTheCapStay() {
    assertUnchanged(fold, """
        HloModule m
        ENTRY e {
          c = f32[] constant(2)
          b = f32[4] broadcast(c), dimensions={}
          i = s32[4] iota(), iota_dimension=0
          ROOT t = (f32[4], s32[4]) tuple(b, i)
        }
        """);
    assertUnchanged(new ConstantFolding(3), """
        HloModule m
        ENTRY e {
          c = f32[4] constant({1, 2, 3, 4})
          ROOT n = f32[4] negate(c)
        }
        """);
  }

  @Test
  void elidedConstantsAndParametersAreNotConstants() {
    assertUnchanged(fold, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          c = f32[2] constant({...})
          d = f32[2] constant({1, 2})
          a = f32[2] negate(c)
          ROOT b = f32[2] add(p, d)
        }
        """);
  }
}
