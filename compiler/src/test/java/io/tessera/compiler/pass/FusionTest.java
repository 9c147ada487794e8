package io.tessera.compiler.pass;

import static io.tessera.compiler.pass.PassTesting.assertRewrites;
import static io.tessera.compiler.pass.PassTesting.assertUnchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FusionTest {
  private final Fusion fuse = new Fusion();

  @Test
  void anElementwiseChainBecomesOneLoopFusion() {
    assertRewrites(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          q = f32[4] parameter(1)
          a = f32[4] negate(p)
          b = f32[4] exponential(a)
          c = f32[] constant(2)
          cs = f32[4] broadcast(c), dimensions={}
          d = f32[4] multiply(b, cs)
          ROOT r = f32[4] add(d, q)
        }
        """, """
        HloModule m
        fused_computation {
          param_0 = f32[4] parameter(0)
          param_1 = f32[4] parameter(1)
          a = f32[4] negate(param_0)
          b = f32[4] exponential(a)
          c = f32[] constant(2)
          cs = f32[4] broadcast(c), dimensions={}
          d = f32[4] multiply(b, cs)
          ROOT r = f32[4] add(d, param_1)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          q = f32[4] parameter(1)
          ROOT fusion = f32[4] fusion(p, q), kind=kLoop, calls=fused_computation
        }
        """);
  }

  @Test
  void dataMovementFusesWithElementwiseOps() {
    assertRewrites(fuse, """
        HloModule m
        ENTRY e {
          p = f32[2,3] parameter(0)
          t = f32[3,2] transpose(p), dimensions={1,0}
          s = f32[3,1] slice(t), slice={[0:3], [1:2]}
          r = f32[3] reshape(s)
          z = f32[] constant(0)
          pd = f32[5] pad(r, z), padding=1_1
          ROOT n = f32[5] negate(pd)
        }
        """, """
        HloModule m
        fused_computation {
          param_0 = f32[2,3] parameter(0)
          t = f32[3,2] transpose(param_0), dimensions={1,0}
          s = f32[3,1] slice(t), slice={[0:3], [1:2]}
          r = f32[3] reshape(s)
          z = f32[] constant(0)
          pd = f32[5] pad(r, z), padding=1_1
          ROOT n = f32[5] negate(pd)
        }
        ENTRY e {
          p = f32[2,3] parameter(0)
          ROOT fusion = f32[5] fusion(p), kind=kLoop, calls=fused_computation
        }
        """);
  }

  @Test
  void aReduceFusesWithItsElementwiseInputs() {
    assertRewrites(fuse, """
        HloModule m
        add {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          ROOT s = f32[] add(x, y)
        }
        ENTRY e {
          p = f32[8,4] parameter(0)
          sq = f32[8,4] multiply(p, p)
          z = f32[] constant(0)
          ROOT r = f32[8] reduce(sq, z), dimensions={1}, to_apply=add
        }
        """, """
        HloModule m
        add {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          ROOT s = f32[] add(x, y)
        }
        fused_computation {
          param_0 = f32[8,4] parameter(0)
          sq = f32[8,4] multiply(param_0, param_0)
          z = f32[] constant(0)
          ROOT r = f32[8] reduce(sq, z), dimensions={1}, to_apply=add
        }
        ENTRY e {
          p = f32[8,4] parameter(0)
          ROOT fusion = f32[8] fusion(p), kind=kInput, calls=fused_computation
        }
        """);
  }

  @Test
  void aDotFusesWithItsBiasAddAndActivationButNotWithItsOperands() {
    assertRewrites(fuse, """
        HloModule m
        ENTRY e {
          x = f32[2,3] parameter(0)
          w = f32[3,4] parameter(1)
          bias = f32[4] parameter(2)
          nx = f32[2,3] negate(x)
          d = f32[2,4] dot(nx, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb = f32[2,4] broadcast(bias), dimensions={1}
          a = f32[2,4] add(d, bb)
          z = f32[] constant(0)
          zs = f32[2,4] broadcast(z), dimensions={}
          ROOT relu = f32[2,4] maximum(a, zs)
        }
        """, """
        HloModule m
        fused_computation {
          param_0 = f32[2,3] parameter(0)
          param_1 = f32[3,4] parameter(1)
          param_2 = f32[4] parameter(2)
          d = f32[2,4] dot(param_0, param_1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb = f32[2,4] broadcast(param_2), dimensions={1}
          a = f32[2,4] add(d, bb)
          z = f32[] constant(0)
          zs = f32[2,4] broadcast(z), dimensions={}
          ROOT relu = f32[2,4] maximum(a, zs)
        }
        ENTRY e {
          x = f32[2,3] parameter(0)
          w = f32[3,4] parameter(1)
          bias = f32[4] parameter(2)
          nx = f32[2,3] negate(x)
          ROOT fusion = f32[2,4] fusion(nx, w, bias), kind=kOutput, calls=fused_computation
        }
        """);
  }

  @Test
  void withoutDotEpiloguesTheDotStaysAlone() {
    Module m = PassTesting.run(new Fusion(false), """
        HloModule m
        ENTRY e {
          x = f32[2,3] parameter(0)
          w = f32[3,4] parameter(1)
          d = f32[2,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          z = f32[] constant(0)
          zs = f32[2,4] broadcast(z), dimensions={}
          ROOT relu = f32[2,4] maximum(d, zs)
        }
        """).after();
    assertEquals(Opcode.DOT, m.entry().root().operand(0).opcode());
    assertEquals("kLoop", m.entry().root().attr(Attr.FUSION_KIND));
  }

  @Test
  void aDotWhoseResultIsTransposedIsNoEpilogue() {
    Module m = PassTesting.run(fuse, """
        HloModule m
        ENTRY e {
          x = f32[2,3] parameter(0)
          w = f32[3,4] parameter(1)
          d = f32[2,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          t = f32[4,2] transpose(d), dimensions={1,0}
          ROOT n = f32[4,2] negate(t)
        }
        """).after();
    assertEquals(Opcode.DOT, m.entry().root().operand(0).opcode());
  }

  @Test
  void aCheapProducerIsDuplicatedIntoEachConsumerAnExpensiveOneIsNot() {
    Module m = PassTesting.run(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          cheap = f32[4] negate(p)
          pricey = f32[4] exponential(p)
          a = f32[4] add(cheap, pricey)
          b = f32[4] multiply(cheap, pricey)
          ra = f32[4] abs(a)
          rb = f32[4] abs(b)
          ROOT t = (f32[4], f32[4]) tuple(ra, rb)
        }
        """).after();
    // Both fusions hold a copy of the negate; the exponential is computed once, outside.
    List<Instruction> fusions = instructions(m.entry(), Opcode.FUSION);
    assertEquals(2, fusions.size());
    for (Instruction f : fusions) {
      Computation fused = f.attr(Attr.CALLS);
      assertEquals(1, instructions(fused, Opcode.NEGATE).size(), fused.name());
      assertEquals(0, instructions(fused, Opcode.EXPONENTIAL).size(), fused.name());
      assertTrue(f.operands().stream().anyMatch(o -> o.name().equals("pricey")), f.toString());
    }
    assertEquals(0, instructions(m.entry(), Opcode.NEGATE).size(), "no user of the original negate is left");
  }

  @Test
  void anExpensiveProducerIsNotRecomputedForEachElementOfABroadcast() {
    Module m = PassTesting.run(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          q = f32[8,4] parameter(1)
          x = f32[4] exponential(p)
          b = f32[8,4] broadcast(x), dimensions={1}
          ROOT a = f32[8,4] add(b, q)
        }
        """).after();
    assertEquals(1, instructions(m.entry(), Opcode.EXPONENTIAL).size());
  }

  @Test
  void theRootOfAComputationStaysAvailable() {
    Module m = PassTesting.run(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          a = f32[4] negate(p)
          ROOT b = f32[4] abs(a)
        }
        """).after();
    assertEquals(Opcode.FUSION, m.entry().root().opcode());
    Module t = PassTesting.run(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          a = f32[4] negate(p)
          b = f32[4] abs(a)
          ROOT t = (f32[4], f32[4]) tuple(a, b)
        }
        """).after();
    assertEquals(Opcode.NEGATE, t.entry().root().operand(0).opcode(), "a is still computed for the tuple");
  }

  @Test
  void lonelyInstructionsAndFusionsAreLeftAlone() {
    assertUnchanged(fuse, """
        HloModule m
        ENTRY e {
          p = f32[4] parameter(0)
          c = f32[] constant(1)
          b = f32[4] broadcast(c), dimensions={}
          n = f32[4] negate(p)
          ROOT t = (f32[4], f32[4]) tuple(n, b)
        }
        """);
  }

  @Test
  void runningTwiceChangesNothingTheSecondTime() throws IOException {
    Module m = HloParser.parse(Files.readString(Path.of("../examples/hlo/mlp.hlo")));
    assertTrue(fuse.run(m));
    assertFalse(fuse.run(m));
  }

  @Test
  void theMlpFusesIntoOutputLoopAndInputFusionsWithTheSameResults() throws IOException {
    String text = Files.readString(Path.of("../examples/hlo/mlp.hlo"));
    Module m = PassTesting.run(fuse, text).after();
    List<String> kinds = instructions(m.entry(), Opcode.FUSION).stream().map(f -> f.attr(Attr.FUSION_KIND)).toList();
    assertTrue(kinds.contains("kOutput") && kinds.contains("kInput") && kinds.contains("kLoop"), kinds.toString());
    PassTesting.assertSameResults(HloParser.parse(text), m, 3);
  }

  @Test
  void bodiesOfLoopsAreFusedTheirScalarComputationsAreNot() {
    Module m = PassTesting.run(fuse, """
        HloModule m
        add {
          x = s32[] parameter(0)
          y = s32[] parameter(1)
          n = s32[] negate(y)
          ROOT sum = s32[] subtract(x, n)
        }
        cond {
          c = (s32[], f32[4]) parameter(0)
          ci = s32[] get-tuple-element(c), index=0
          k = s32[] constant(3)
          ROOT lt = pred[] compare(ci, k), direction=LT
        }
        body {
          s = (s32[], f32[4]) parameter(0)
          i = s32[] get-tuple-element(s), index=0
          one = s32[] constant(1)
          j = s32[] add(i, one)
          v = f32[4] get-tuple-element(s), index=1
          w = f32[4] negate(v)
          u = f32[4] abs(w)
          ROOT t = (s32[], f32[4]) tuple(j, u)
        }
        ENTRY e {
          p = f32[4] parameter(0)
          z = s32[] constant(0)
          init = (s32[], f32[4]) tuple(z, p)
          loop = (s32[], f32[4]) while(init), condition=cond, body=body
          lv = f32[4] get-tuple-element(loop), index=1
          q = s32[4] parameter(1)
          zz = s32[] constant(0)
          r = s32[] reduce(q, zz), dimensions={0}, to_apply=add
          ROOT out = (s32[], f32[4]) tuple(r, lv)
        }
        """).after();
    assertEquals(1, instructions(m.computation("body"), Opcode.FUSION).size());
    assertEquals(0, instructions(m.computation("add"), Opcode.FUSION).size());
    assertEquals(0, instructions(m.computation("cond"), Opcode.FUSION).size(), "a scalar compare is one instruction");
  }

  private static List<Instruction> instructions(Computation c, Opcode opcode) {
    List<Instruction> found = new ArrayList<>();
    for (Instruction i : c.instructions()) {
      if (i.opcode() == opcode) {
        found.add(i);
      }
    }
    return found;
  }
}
