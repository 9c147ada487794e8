package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.PassTesting.assertRewrites;
import static io.tessera.compiler.pass.PassTesting.assertUnchanged;

import org.junit.jupiter.api.Test;

class CseTest {
  private final Cse cse = new Cse();

  @Test
  void mergesIdenticalInstructionsAndTheirUsersInOneSweep() {
    // b2 only matches b1 once a2 has become a1: one sweep in definition order does both.
    assertRewrites(cse, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          a1 = f32[2] exponential(p)
          a2 = f32[2] exponential(p)
          b1 = f32[2] negate(a1)
          b2 = f32[2] negate(a2), metadata={op_name="other"}
          ROOT r = f32[2] add(b1, b2)
        }
        """, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          a1 = f32[2] exponential(p)
          b1 = f32[2] negate(a1)
          ROOT r = f32[2] add(b1, b1)
        }
        """);
  }

  @Test
  void commutativeOperandsMatchInEitherOrder() {
    assertRewrites(cse, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          a = f32[2] add(p, q)
          b = f32[2] add(q, p)
          c = f32[2] maximum(q, p)
          d = f32[2] maximum(p, q)
          ROOT r = (f32[2], f32[2], f32[2], f32[2]) tuple(a, b, c, d)
        }
        """, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          a = f32[2] add(p, q)
          c = f32[2] maximum(q, p)
          ROOT r = (f32[2], f32[2], f32[2], f32[2]) tuple(a, a, c, c)
        }
        """);
  }

  @Test
  void nonCommutativeOperandOrderMatters() {
    assertUnchanged(cse, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          a = f32[2] subtract(p, q)
          b = f32[2] subtract(q, p)
          ROOT r = (f32[2], f32[2]) tuple(a, b)
        }
        """);
  }

  @Test
  void aCompareWithSwappedOperandsMatchesTheSwappedDirection() {
    assertRewrites(cse, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          lt = pred[2] compare(p, q), direction=LT
          gt = pred[2] compare(q, p), direction=GT
          ge = pred[2] compare(q, p), direction=GE
          ROOT r = (pred[2], pred[2], pred[2]) tuple(lt, gt, ge)
        }
        """, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          lt = pred[2] compare(p, q), direction=LT
          ge = pred[2] compare(q, p), direction=GE
          ROOT r = (pred[2], pred[2], pred[2]) tuple(lt, lt, ge)
        }
        """);
  }

  @Test
  void constantsMergeByValueButMinusZeroIsNotZero() {
    assertRewrites(cse, """
        HloModule m
        ENTRY e {
          a = f32[2] constant({1, 2})
          b = f32[2] constant({1, 2})
          z = f32[] constant(0)
          nz = f32[] constant(-0)
          ROOT r = (f32[2], f32[2], f32[], f32[]) tuple(a, b, z, nz)
        }
        """, """
        HloModule m
        ENTRY e {
          a = f32[2] constant({1, 2})
          z = f32[] constant(0)
          nz = f32[] constant(-0)
          ROOT r = (f32[2], f32[2], f32[], f32[]) tuple(a, a, z, nz)
        }
        """);
  }

  @Test
  void attributesAndShapesMustMatch() {
    assertUnchanged(cse, """
        HloModule m
        ENTRY e {
          p = f32[2,3] parameter(0)
          a = f32[2,1] slice(p), slice={[0:2], [0:1]}
          b = f32[2,1] slice(p), slice={[0:2], [1:2]}
          c = f32[3,2] transpose(p), dimensions={1,0}
          d = f32[6] reshape(p)
          e = f32[3,2] reshape(p)
          ROOT r = (f32[2,1], f32[2,1], f32[3,2], f32[6], f32[3,2]) tuple(a, b, c, d, e)
        }
        """);
  }

  @Test
  void parametersElidedConstantsAndCustomCallsNeverMerge() {
    assertUnchanged(cse, """
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          a = f32[2] constant({...})
          b = f32[2] constant({...})
          c = f32[2] custom-call(p), custom_call_target="rng"
          d = f32[2] custom-call(p), custom_call_target="rng"
          ROOT r = (f32[2], f32[2], f32[2], f32[2], f32[2], f32[2]) tuple(p, q, a, b, c, d)
        }
        """);
  }

  @Test
  void callsOfOneComputationMerge() {
    assertRewrites(cse, """
        HloModule m
        add {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          ROOT s = f32[] add(x, y)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          r1 = f32[] reduce(p, z), dimensions={0}, to_apply=add
          r2 = f32[] reduce(p, z), dimensions={0}, to_apply=add
          ROOT r = f32[] add(r1, r2)
        }
        """, """
        HloModule m
        add {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          ROOT s = f32[] add(x, y)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          r1 = f32[] reduce(p, z), dimensions={0}, to_apply=add
          ROOT r = f32[] add(r1, r1)
        }
        """);
  }
}
