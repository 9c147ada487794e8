package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.BufferAssignment.Buffer;
import io.tessera.compiler.pass.BufferAssignment.Kind;
import io.tessera.compiler.pass.BufferAssignment.Sharing;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferAssignmentTest {

  private static BufferAssignment assign(String hlo) {
    return BufferAssignment.assign(HloParser.parse(hlo));
  }

  private static Instruction named(BufferAssignment a, String name) {
    return a.module().entry().instruction(name);
  }

  private static Buffer bufferOf(BufferAssignment a, String name) {
    return a.bufferOf(named(a, name));
  }

  @Test
  void anElementwiseChainUpdatesOneBufferInPlaceIntoTheOutput() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[8] parameter(0)
          x = f32[8] exponential(p)
          y = f32[8] negate(x)
          z = f32[8] abs(y)
          ROOT r = f32[8] add(z, p)
        }
        """);
    Buffer out = bufferOf(a, "x");
    assertEquals(Kind.OUTPUT, out.kind());
    for (String name : List.of("y", "z", "r")) {
      assertSame(out, bufferOf(a, name), name);
    }
    assertEquals(List.of(Sharing.DEFINES, Sharing.IN_PLACE, Sharing.IN_PLACE, Sharing.IN_PLACE),
        out.members().stream().map(BufferAssignment.Member::sharing).toList());
    assertEquals(Kind.PARAMETER, bufferOf(a, "p").kind(), "a parameter is never overwritten");
    assertEquals(0, a.slots().size());
    assertEquals(0, a.temporaryBytes());
    assertFalse(a.outputs().get(0).copy());
  }

  @Test
  void temporariesWithDisjointLiveRangesShareASlot() {
    // Transposes read other indices than they write, so none is in place: a and c take turns in
    // one slot, b and d in another (a is still read while b is written, so they cannot share).
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[4,4] parameter(0)
          a = f32[4,4] transpose(p), dimensions={1,0}
          b = f32[4,4] transpose(a), dimensions={1,0}
          c = f32[4,4] transpose(b), dimensions={1,0}
          d = f32[4,4] transpose(c), dimensions={1,0}
          ROOT r = f32[4,4] transpose(d), dimensions={1,0}
        }
        """);
    assertEquals(2, a.slots().size());
    assertEquals(bufferOf(a, "a").number(), bufferOf(a, "c").number());
    assertEquals(bufferOf(a, "b").number(), bufferOf(a, "d").number());
    assertEquals(List.of(1, 2), List.of(bufferOf(a, "a").start(), bufferOf(a, "a").end()));
    assertEquals(128, a.temporaryBytes());
    assertEquals(256, a.unsharedTemporaryBytes(0));
    assertEquals(List.of(0L, 64L), List.of(a.slotOffsets(0)[0], a.slotOffsets(0)[1]));
    assertEquals(Kind.OUTPUT, bufferOf(a, "r").kind());
  }

  @Test
  void aFreeSlotIsChosenByTightestFitAndGrowsWhenNoneFits() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[16] parameter(0)
          big = f32[16] reverse(p), dimensions={0}
          small = f32[2] slice(p), slice={[0:2]}
          j = f32[18] concatenate(big, small), dimensions={0}
          k = f32[2] slice(j), slice={[0:2]}
          m = f32[12,2] broadcast(k), dimensions={1}
          ROOT r = f32[12,2] reverse(m), dimensions={0}
        }
        """);
    // When k (8 bytes) starts, big's 64-byte slot and small's 8-byte slot are free: the tight one.
    assertEquals(bufferOf(a, "small").number(), bufferOf(a, "k").number());
    // When m (96 bytes) starts, no free slot fits: the largest free one (j's, 72 bytes) grows.
    assertEquals(bufferOf(a, "j").number(), bufferOf(a, "m").number());
    assertEquals(96, a.slots().get(bufferOf(a, "m").number()).size().fixedBytes());
    assertEquals(3, a.slots().size());
    assertEquals(64 + 64 + 128, a.temporaryBytes());
  }

  @Test
  void theResultIsCopiedWhenItIsAParameterAConstantOrReturnedTwice() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          c = f32[2] constant({1, 2})
          n = f32[2] negate(p)
          ROOT t = (f32[2], f32[2], f32[2], f32[2]) tuple(p, c, n, n)
        }
        """);
    assertEquals(List.of(true, true, false, true), a.outputs().stream().map(BufferAssignment.Output::copy).toList());
    assertEquals(Kind.OUTPUT, a.outputs().get(2).buffer().kind());
    assertEquals(2, a.outputs().get(2).buffer().number());
    assertEquals(List.of(), a.slots());
  }

  @Test
  void tuplesGetTupleElementsBitcastsAndReshapesShareTheirOperandsStorage() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[6] parameter(0)
          x = f32[6] exponential(p)
          y = f32[6] sqrt(p)
          t = (f32[6], f32[6]) tuple(x, y)
          g = f32[6] get-tuple-element(t), index=1
          r = f32[2,3] reshape(g)
          b = f32[3,2] bitcast(r)
          ROOT o = f32[3,2] negate(b)
        }
        """);
    assertSame(bufferOf(a, "y"), bufferOf(a, "g"));
    assertSame(bufferOf(a, "y"), bufferOf(a, "r"));
    assertSame(bufferOf(a, "y"), bufferOf(a, "b"));
    assertEquals(List.of(a.valuesOf(named(a, "x")).get(0), a.valuesOf(named(a, "y")).get(0)),
        a.valuesOf(named(a, "t")));
    // x lives until the tuple reads it (the get-tuple-element reads only y); y, through its
    // aliases, until the negate writes over it.
    assertEquals(3, bufferOf(a, "x").end());
    assertSame(bufferOf(a, "y"), bufferOf(a, "o"), "the negate reads b only at the index it writes");
  }

  @Test
  void aDynamicUpdateSliceWritesIntoItsOperandWhenTheOperandDiesThere() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[8] parameter(0)
          u = f32[2] parameter(1)
          i = s32[] parameter(2)
          x = f32[8] negate(p)
          d = f32[8] dynamic-update-slice(x, u, i)
          ROOT r = f32[8] multiply(d, d)
        }
        """);
    assertSame(bufferOf(a, "x"), bufferOf(a, "d"));
    BufferAssignment stillNeeded = assign("""
        HloModule m
        ENTRY e {
          p = f32[8] parameter(0)
          u = f32[2] parameter(1)
          i = s32[] parameter(2)
          x = f32[8] negate(p)
          d = f32[8] dynamic-update-slice(x, u, i)
          ROOT r = f32[8] multiply(d, x)
        }
        """);
    assertNotSame(bufferOf(stillNeeded, "x"), bufferOf(stillNeeded, "d"), "x is read after the update");
  }

  @Test
  void aLoopFusionIsInPlaceOnlyForOperandsItReadsAtTheOutputIndex() {
    BufferAssignment a = assign("""
        HloModule m
        elementwise {
          a = f32[4,4] parameter(0)
          b = f32[4] parameter(1)
          bb = f32[4,4] broadcast(b), dimensions={1}
          ROOT s = f32[4,4] add(a, bb)
        }
        transposing {
          c = f32[4,4] parameter(0)
          t = f32[4,4] transpose(c), dimensions={1,0}
          ROOT n = f32[4,4] negate(t)
        }
        ENTRY e {
          p = f32[4,4] parameter(0)
          q = f32[4] parameter(1)
          x = f32[4,4] exponential(p)
          f = f32[4,4] fusion(x, q), kind=kLoop, calls=elementwise
          g = f32[4,4] fusion(f), kind=kLoop, calls=transposing
          ROOT r = f32[4,4] abs(g)
        }
        """);
    assertSame(bufferOf(a, "x"), bufferOf(a, "f"));
    assertNotSame(bufferOf(a, "f"), bufferOf(a, "g"));
    assertSame(bufferOf(a, "g"), bufferOf(a, "r"));
  }

  @Test
  void batchedModulesHaveSizesPerRow() {
    BufferAssignment a = assign("""
        HloModule m
        ENTRY e {
          p = f32[?,4] parameter(0)
          w = f32[4,3] parameter(1)
          d = f32[?,3] dot(p, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          t = f32[3,?] transpose(d), dimensions={1,0}
          ROOT n = f32[3,?] negate(t)
        }
        """);
    assertTrue(a.isDynamic());
    assertEquals(new BufferSize(0, 12), bufferOf(a, "d").size());
    assertEquals(BufferAssignment.align(12 * 5), a.temporaryBytes(5));
    assertEquals(1024 * 12, a.temporaryBytes(1024));
    assertThrows(IllegalStateException.class, a::temporaryBytes);
    assertTrue(a.report().contains("12 bytes/row"), a.report());
  }

  @Test
  void theMlpAfterTheCpuPipelineNeedsTwoSlots() throws IOException {
    Module m = HloParser.parse(Files.readString(Path.of("../examples/hlo/mlp.hlo")));
    Pipelines.cpuDefault().run(m);
    BufferAssignment a = BufferAssignment.assign(m);
    // Two f32[8] layer outputs alive at once (64-byte aligned slots); the scalars reuse slot 0;
    // the last dot's f32[3] is updated in place by the two softmax fusions into the output.
    assertEquals(128, a.temporaryBytes());
    assertEquals(384, a.unsharedTemporaryBytes(0));
    assertEquals(3, a.outputs().get(0).buffer().members().size());
    String report = a.report();
    assertTrue(report.startsWith("buffer assignment of module jit_mlp, entry computation main.50"), report);
    assertTrue(report.contains("temporaries: 2 slots, 128 bytes (384 bytes if no two values shared storage)"), report);
    assertTrue(report.contains("output 0: %fusion f32[3] computed in place"), report);
  }
}
