package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;

/** The interpreter behind the Backend SPI: same calls, same buffers as a compiled backend. */
class InterpreterBackendTest {
  private static final String TUPLE_MODULE = """
      HloModule m
      ENTRY e {
        x = f32[3] parameter(0)
        y = f32[3] parameter(1)
        s = f32[3] add(x, y)
        p = f32[3] multiply(x, y)
        ROOT t = (f32[3], f32[3]) tuple(s, p)
      }
      """;

  @Test
  void executesOnNativeBuffersInPlace() {
    try (Executable exe = Backends.byName("interpreter").compile(HloParser.parse(TUPLE_MODULE));
         FloatPointer x = new FloatPointer(1f, 2f, 3f);
         FloatPointer y = new FloatPointer(10f, 20f, 30f);
         FloatPointer sum = new FloatPointer(3);
         FloatPointer product = new FloatPointer(3)) {
      exe.execute(Buffers.host(new long[] {x.address(), y.address()}, new long[] {12, 12}),
          Buffers.host(new long[] {sum.address(), product.address()}, new long[] {12, 12}));
      assertEquals(33f, sum.get(2));
      assertEquals(40f, product.get(1));
    }
  }

  @Test
  void runsLiteralsThroughTheSameSignatureAsCompiledBackends() {
    try (Executable exe = Backends.byName("interpreter").compile(HloParser.parse(TUPLE_MODULE))) {
      Literal result = exe.run(List.of(HloParser.parseLiteral("f32[3] {1, 2, 3}"), HloParser.parseLiteral("f32[3] {4, 5, 6}")));
      assertEquals(HloParser.parseLiteral("f32[3] {5, 7, 9}"), result.tupleElement(0));
      assertEquals(List.of("x", "y"), exe.signature().parameterNames());
    }
  }

  @Test
  void rejectsBuffersThatDoNotFitBeforeRunning() {
    try (Executable exe = Backends.byName("interpreter").compile(HloParser.parse(TUPLE_MODULE));
         FloatPointer small = new FloatPointer(2)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {small.address(), small.address()}, new long[] {8, 8}),
          Buffers.host(new long[] {small.address(), small.address()}, new long[] {8, 8})));
      assertTrue(e.getMessage().contains("%x") || e.getMessage().contains("parameter 0"), e.getMessage());
    }
  }

  @Test
  void bindsADynamicLeadingDimensionToTheRowCountOfEachCall() {
    try (Executable exe = Backends.byName("interpreter").compile(
        HloParser.parse("HloModule m\nENTRY e {\n  x = f32[?,2] parameter(0)\n  ROOT n = f32[?,2] negate(x)\n}\n"));
         FloatPointer x = new FloatPointer(1f, 2f, 3f, 4f, 5f, 6f);
         FloatPointer r = new FloatPointer(6)) {
      Buffers params = Buffers.host(new long[] {x.address()}, new long[] {24});
      Buffers results = Buffers.host(new long[] {r.address()}, new long[] {24});
      exe.execute(3, params, results);
      assertEquals(-6f, r.get(5));
      r.put(5, 0f);
      exe.execute(2, params, results); // two rows: the third is left alone
      assertEquals(-4f, r.get(3));
      assertEquals(0f, r.get(5));
      assertEquals(HloParser.parseLiteral("f32[1,2] {{-7, 8}}"), exe.run(List.of(HloParser.parseLiteral("f32[1,2] {{7, -8}}"))));
      IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> exe.execute(4, params, results));
      assertTrue(tooMany.getMessage().contains("with 4 rows needs 32 bytes"), tooMany.getMessage());
      assertThrows(IllegalArgumentException.class, () -> exe.execute(params, results));
    }
  }

  @Test
  void rowsOnlyTheResultHasComeFromTheCall() {
    try (Executable exe = Backends.byName("interpreter").compile(
        HloParser.parse("HloModule m\nENTRY e {\n  ROOT i = s32[?,2] iota(), iota_dimension=0\n}\n"));
         IntPointer r = new IntPointer(6)) {
      exe.execute(3, Buffers.host(new long[0], new long[0]), Buffers.host(new long[] {r.address()}, new long[] {24}));
      assertEquals(2, r.get(5));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exe.run(List.of()));
      assertTrue(e.getMessage().contains("no parameter has a dynamic dimension"), e.getMessage());
    }
  }

  @Test
  void refusesADynamicShapeNoCallCanBind() {
    CompilationException e = assertThrows(CompilationException.class, () -> Backends.byName("interpreter").compile(
        HloParser.parse("HloModule m\nENTRY e {\n  x = f32[3] parameter(0)\n  i = s32[?] iota(), iota_dimension=0\n"
            + "  ROOT n = f32[3] negate(x)\n}\n")));
    assertEquals("%i (iota) in computation e has the dynamic shape s32[?]; the interpreter evaluates static "
        + "shapes only", e.getMessage());
  }

  @Test
  void tupleParametersRunFromLiteralsAndAreRefusedFromBuffers() {
    String hlo = """
        HloModule m
        ENTRY e {
          t = (f32[], f32[]) parameter(0)
          a = f32[] get-tuple-element(t), index=0
          b = f32[] get-tuple-element(t), index=1
          ROOT s = f32[] add(a, b)
        }
        """;
    try (Executable exe = Backends.byName("interpreter").compile(HloParser.parse(hlo));
         FloatPointer out = new FloatPointer(1)) {
      assertEquals(HloParser.parseLiteral("f32[] 3"), exe.run(List.of(HloParser.parseLiteral("(f32[] 1, f32[] 2)"))));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {out.address()}, new long[] {8}), Buffers.host(new long[] {out.address()}, new long[] {4})));
      assertTrue(e.getMessage().startsWith("parameter %t has the tuple shape"), e.getMessage());
    }
  }
}
