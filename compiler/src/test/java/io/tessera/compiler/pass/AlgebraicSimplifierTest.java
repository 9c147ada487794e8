package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.PassTesting.assertRewrites;
import static io.tessera.compiler.pass.PassTesting.assertUnchanged;

import org.junit.jupiter.api.Test;

/** Each rule on HLO text in, the expected text out, and the same numbers before and after. */
class AlgebraicSimplifierTest {
  private final AlgebraicSimplifier simplify = new AlgebraicSimplifier();

  private static String entry(String body) {
    return "HloModule m\nENTRY e {\n" + body + "}\n";
  }

  @Test
  void addingZeroOnEitherSideGivesTheOtherOperand() {
    assertRewrites(simplify, entry("""
          p = f32[3] parameter(0)
          z = f32[] constant(-0)
          zs = f32[3] broadcast(z), dimensions={}
          a = f32[3] add(p, zs)
          b = f32[3] add(zs, a)
          ROOT n = f32[3] negate(b)
        """), entry("""
          p = f32[3] parameter(0)
          z = f32[] constant(-0)
          zs = f32[3] broadcast(z), dimensions={}
          ROOT n = f32[3] negate(p)
        """));
  }

  @Test
  void floatZerosThatWouldFlipTheSignOfZeroStay() {
    // -0 + +0 is +0 and -0 - -0 is +0: neither x + +0 nor x - -0 is x for every float x.
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          plus = f32[2] constant({0, 0})
          minus = f32[2] constant({-0, -0})
          a = f32[2] add(p, plus)
          b = f32[2] add(plus, a)
          ROOT s = f32[2] subtract(b, minus)
        """));
  }

  @Test
  void subtractingZeroMultiplyingAndDividingByOneGiveTheOperand() {
    assertRewrites(simplify, entry("""
          p = f32[2] parameter(0)
          zero = f32[2] constant({0, 0})
          one = f32[2] constant({1, 1})
          a = f32[2] subtract(p, zero)
          b = f32[2] multiply(one, a)
          c = f32[2] multiply(b, one)
          ROOT d = f32[2] divide(c, one)
        """), entry("""
          ROOT p = f32[2] parameter(0)
          zero = f32[2] constant({0, 0})
          one = f32[2] constant({1, 1})
        """));
  }

  @Test
  void zeroMinusXAndXDividedByZeroStay() {
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          zero = f32[2] constant({0, 0})
          a = f32[2] subtract(zero, p)
          ROOT d = f32[2] divide(a, zero)
        """));
  }

  @Test
  void timesZeroIsZeroForIntegersOnly() {
    assertRewrites(simplify, entry("""
          p = s32[2] parameter(0)
          z = s32[] constant(0)
          zs = s32[2] broadcast(z), dimensions={}
          m = s32[2] multiply(p, zs)
          ROOT n = s32[2] negate(m)
        """), entry("""
          p = s32[2] parameter(0)
          z = s32[] constant(0)
          zs = s32[2] broadcast(z), dimensions={}
          ROOT n = s32[2] negate(zs)
        """));
    // NaN * 0 is NaN, inf * 0 is NaN, -1 * 0 is -0: not a rewrite for floats.
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          z = f32[] constant(0)
          zs = f32[2] broadcast(z), dimensions={}
          ROOT m = f32[2] multiply(p, zs)
        """));
  }

  @Test
  void aConstantThatIsNotAllZerosOrOnesIsNoIdentity() {
    assertUnchanged(simplify, entry("""
          p = s32[2] parameter(0)
          c = s32[2] constant({0, 1})
          a = s32[2] add(p, c)
          ROOT m = s32[2] multiply(a, c)
        """));
  }

  @Test
  void doubleNegationAndDoubleNotCancel() {
    assertRewrites(simplify, entry("""
          p = s32[2] parameter(0)
          a = s32[2] negate(p)
          b = s32[2] negate(a)
          c = s32[2] not(b)
          d = s32[2] not(c)
          ROOT t = (s32[2], s32[2]) tuple(b, d)
        """), entry("""
          p = s32[2] parameter(0)
          a = s32[2] negate(p)
          c = s32[2] not(p)
          ROOT t = (s32[2], s32[2]) tuple(p, p)
        """));
  }

  @Test
  void reshapeChainsCollapseAndReshapeToTheSameShapeDisappears() {
    assertRewrites(simplify, entry("""
          p = f32[2,3] parameter(0)
          a = f32[6] reshape(p)
          b = f32[3,2] reshape(a)
          c = f32[3,2] reshape(b)
          ROOT d = f32[2,3] reshape(c)
        """), entry("""
          ROOT p = f32[2,3] parameter(0)
          a = f32[6] reshape(p)
          b = f32[3,2] reshape(p)
        """));
  }

  @Test
  void transposeOfTransposeComposesAndTheIdentityDisappears() {
    assertRewrites(simplify, entry("""
          p = f32[2,3,4] parameter(0)
          a = f32[3,4,2] transpose(p), dimensions={1,2,0}
          b = f32[4,2,3] transpose(a), dimensions={1,2,0}
          c = f32[2,3,4] transpose(b), dimensions={1,2,0}
          i = f32[2,3,4] transpose(p), dimensions={0,1,2}
          ROOT t = (f32[4,2,3], f32[2,3,4], f32[2,3,4]) tuple(b, c, i)
        """), entry("""
          p = f32[2,3,4] parameter(0)
          a = f32[3,4,2] transpose(p), dimensions={1,2,0}
          b = f32[4,2,3] transpose(p), dimensions={2,0,1}
          ROOT t = (f32[4,2,3], f32[2,3,4], f32[2,3,4]) tuple(b, p, p)
        """));
  }

  @Test
  void broadcastOfBroadcastBecomesOneBroadcast() {
    assertRewrites(simplify, entry("""
          p = f32[3] parameter(0)
          a = f32[3,2] broadcast(p), dimensions={0}
          b = f32[2,4,3] broadcast(a), dimensions={2,0}
          s = f32[] constant(1.5)
          s1 = f32[4] broadcast(s), dimensions={}
          s2 = f32[2,4] broadcast(s1), dimensions={1}
          same = f32[2,4] broadcast(s2), dimensions={0,1}
          ROOT t = (f32[2,4,3], f32[2,4]) tuple(b, same)
        """), entry("""
          p = f32[3] parameter(0)
          a = f32[3,2] broadcast(p), dimensions={0}
          b = f32[2,4,3] broadcast(p), dimensions={2}
          s = f32[] constant(1.5)
          s1 = f32[4] broadcast(s), dimensions={}
          s2 = f32[2,4] broadcast(s), dimensions={}
          ROOT t = (f32[2,4,3], f32[2,4]) tuple(b, s2)
        """));
  }

  @Test
  void sliceOfSliceComposesStartsAndStrides() {
    // p[1:9:2] = p[1,3,5,7]; of that [1:4:2] = p[3,7]: one slice p[3:8:4].
    assertRewrites(simplify, entry("""
          p = f32[10,4] parameter(0)
          a = f32[4,4] slice(p), slice={[1:9:2], [0:4]}
          b = f32[2,2] slice(a), slice={[1:4:2], [1:3]}
          ROOT c = f32[2,2] negate(b)
        """), entry("""
          p = f32[10,4] parameter(0)
          a = f32[4,4] slice(p), slice={[1:9:2], [0:4]}
          b = f32[2,2] slice(p), slice={[3:8:4], [1:3]}
          ROOT c = f32[2,2] negate(b)
        """));
  }

  @Test
  void aSliceThatKeepsEverythingDisappears() {
    assertRewrites(simplify, entry("""
          p = f32[3,2] parameter(0)
          a = f32[3,2] slice(p), slice={[0:3], [0:2:1]}
          ROOT n = f32[3,2] negate(a)
        """), entry("""
          p = f32[3,2] parameter(0)
          ROOT n = f32[3,2] negate(p)
        """));
    // A strided slice keeps only part of its operand.
    assertUnchanged(simplify, entry("""
          p = f32[4] parameter(0)
          ROOT a = f32[2] slice(p), slice={[0:4:2]}
        """));
  }

  @Test
  void convertToTheSameTypeConcatenateOfOneAndPadByNothingDisappear() {
    assertRewrites(simplify, entry("""
          p = f32[2] parameter(0)
          a = f32[2] convert(p)
          b = f32[2] concatenate(a), dimensions={0}
          z = f32[] constant(0)
          c = f32[2] pad(b, z), padding=0_0_0
          d = f32[2] reverse(c), dimensions={}
          ROOT n = f32[2] negate(d)
        """), entry("""
          p = f32[2] parameter(0)
          z = f32[] constant(0)
          ROOT n = f32[2] negate(p)
        """));
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          ROOT a = f64[2] convert(p)
        """));
  }

  @Test
  void selectWithAConstantPredicatePicksAnOperand() {
    assertRewrites(simplify, entry("""
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          t = pred[] constant(true)
          ts = pred[2] broadcast(t), dimensions={}
          f = pred[2] constant({false, false})
          a = f32[2] select(ts, p, q)
          b = f32[2] select(f, p, q)
          c = f32[2] select(f, a, a)
          ROOT r = (f32[2], f32[2], f32[2]) tuple(a, b, c)
        """), entry("""
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          t = pred[] constant(true)
          ts = pred[2] broadcast(t), dimensions={}
          f = pred[2] constant({false, false})
          ROOT r = (f32[2], f32[2], f32[2]) tuple(p, q, p)
        """));
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          q = f32[2] parameter(1)
          m = pred[2] constant({true, false})
          ROOT a = f32[2] select(m, p, q)
        """));
  }

  @Test
  void elidedConstantsAreUnknown() {
    assertUnchanged(simplify, entry("""
          p = f32[2] parameter(0)
          c = f32[2] constant({...})
          ROOT a = f32[2] add(p, c)
        """));
  }

  @Test
  void rulesApplyInsideCalledComputationsToo() {
    assertRewrites(simplify, """
        HloModule m
        sum {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          one = f32[] constant(1)
          bb = f32[] multiply(b, one)
          ROOT s = f32[] add(a, bb)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=sum
        }
        """, """
        HloModule m
        sum {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          one = f32[] constant(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=sum
        }
        """);
  }
}
