package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A chain of elementwise and data-movement ops over a million elements: checks values at the ends
 * and in the middle, and that whole-array evaluation copes with the size (the loops are over the
 * storage arrays; no per-element objects).
 */
class ElementwiseLargeArrayTest {

  private static final int N = 1 << 20;

  @Test
  void millionElementAddThenExponential() {
    String hlo = """
        HloModule m
        ENTRY e {
          p = f32[1048576] parameter(0)
          q = f32[1048576] parameter(1)
          s = f32[1048576] add(p, q)
          ROOT r = f32[1048576] exponential(s)
        }
        """;
    Shape shape = Shape.array(ElementType.F32, N);
    Literal p = Literal.zeros(shape);
    Literal q = Literal.zeros(shape);
    for (int i = 0; i < N; i++) {
      p.setDouble(i, i * 1e-6);
      q.setDouble(i, -0.5);
    }
    Literal r = new Interpreter().run(HloParser.parse(hlo), List.of(p, q));
    for (int i : new int[] {0, 1, 500_000, N - 1}) {
      float sum = (float) (i * 1e-6) + -0.5f; // f32 addition
      assertEquals((float) StrictMath.exp(sum), r.getDouble(i), 0, "element " + i);
    }
    assertEquals(Math.exp(-0.5), r.getDouble(0), 1e-7);
  }

  @Test
  void millionElementIntegerChainWithBroadcastAndCompare() {
    String hlo = """
        HloModule m
        ENTRY e {
          i = s32[1024,1024] iota(), iota_dimension=1
          c = s32[] constant(3)
          b = s32[1024,1024] broadcast(c), dimensions={}
          m = s32[1024,1024] multiply(i, b)
          t = s32[1024,1024] transpose(m), dimensions={1,0}
          ROOT lt = pred[1024,1024] compare(t, m), direction=LT
        }
        """;
    Literal r = new Interpreter().run(HloParser.parse(hlo), List.of());
    // t[a][b] = 3a and m[a][b] = 3b: t < m exactly when a < b.
    assertEquals(1, r.getLong(r.linearIndex(0, 1)));
    assertEquals(0, r.getLong(r.linearIndex(1, 0)));
    assertEquals(0, r.getLong(r.linearIndex(1023, 1023)));
    assertEquals(1, r.getLong(r.linearIndex(511, 512)));
  }
}
