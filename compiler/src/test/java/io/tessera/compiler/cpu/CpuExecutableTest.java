package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.CompileCache;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * The executable contract: buffers are checked before native code runs (count, size, alignment,
 * overlap), calls from many threads agree with serial ones, a closed executable refuses calls,
 * unsupported modules fail at compile time with a message naming the instruction, and the
 * compile cache compiles each module once.
 */
class CpuExecutableTest {
  private static final CpuBackend CPU = new CpuBackend();

  private static final String AXPY = """
      HloModule axpy
      ENTRY e {
        a = f32[] parameter(0)
        x = f32[1000] parameter(1)
        y = f32[1000] parameter(2)
        ab = f32[1000] broadcast(a), dimensions={}
        m = f32[1000] multiply(ab, x)
        ROOT r = f32[1000] add(m, y)
      }
      """;

  @Test
  void executesInPlaceOnCallerBuffers() {
    try (Executable exe = CPU.compile(HloParser.parse(AXPY));
         FloatPointer a = new FloatPointer(1);
         FloatPointer x = new FloatPointer(1000);
         FloatPointer y = new FloatPointer(1000);
         FloatPointer r = new FloatPointer(1000)) {
      a.put(0, 2f);
      for (int i = 0; i < 1000; i++) {
        x.put(i, i);
        y.put(i, 1);
      }
      exe.execute(Buffers.host(new long[] {a.address(), x.address(), y.address()}, new long[] {4, 4000, 4000}),
          Buffers.host(new long[] {r.address()}, new long[] {4000}));
      for (int i = 0; i < 1000; i++) {
        assertEquals(2f * i + 1, r.get(i));
      }
    }
  }

  @Test
  void rejectsBuffersThatDoNotFitBeforeRunningNativeCode() {
    try (Executable exe = CPU.compile(HloParser.parse(AXPY));
         FloatPointer mem = new FloatPointer(4000)) {
      long base = mem.address();
      Buffers goodParams = Buffers.host(new long[] {base, base + 16, base + 4016}, new long[] {4, 4000, 4000});
      Buffers goodResult = Buffers.host(new long[] {base + 8016}, new long[] {4000});
      exe.execute(goodParams, goodResult); // sanity: the layout itself is fine

      IllegalArgumentException shortBuffer = assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {base, base + 16, base + 4016}, new long[] {4, 3996, 4000}), goodResult));
      assertTrue(shortBuffer.getMessage().contains("parameter 1 (%x)"), shortBuffer.getMessage());
      assertTrue(shortBuffer.getMessage().contains("needs 4000 bytes"), shortBuffer.getMessage());

      assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {base, base + 16}, new long[] {4, 4000}), goodResult));
      IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {base, base + 18, base + 4016}, new long[] {4, 4000, 4000}), goodResult));
      assertTrue(misaligned.getMessage().contains("not aligned"), misaligned.getMessage());
      IllegalArgumentException nullAddress = assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.host(new long[] {0, base + 16, base + 4016}, new long[] {4, 4000, 4000}), goodResult));
      assertTrue(nullAddress.getMessage().contains("null address"), nullAddress.getMessage());
      IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> exe.execute(goodParams,
          Buffers.host(new long[] {base + 4016}, new long[] {4000})));
      assertTrue(overlap.getMessage().contains("overlaps parameter 2 (%y)"), overlap.getMessage());
      assertThrows(IllegalArgumentException.class, () -> exe.execute(goodParams,
          Buffers.host(new long[] {base + 8016}, new long[] {100})));
      assertThrows(IllegalArgumentException.class, () -> exe.execute(
          Buffers.of(Buffers.MemorySpace.DEVICE, new long[] {base, base + 16, base + 4016}, new long[] {4, 4000, 4000}),
          goodResult));
      assertThrows(IllegalArgumentException.class, () -> exe.execute(7, goodParams, goodResult));
    }
  }

  @Test
  void runChecksArgumentShapes() {
    try (Executable exe = CPU.compile(HloParser.parse(AXPY))) {
      Shape wrong = Shape.array(ElementType.F32, 999);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exe.run(List.of(
          Literal.scalar(ElementType.F32, 1.0), Literal.zeros(wrong), Literal.zeros(wrong))));
      assertTrue(e.getMessage().contains("%x"), e.getMessage());
    }
  }

  @Test
  void closedExecutableRefusesCalls() {
    Executable exe = CPU.compile(HloParser.parse(AXPY));
    Shape v = Shape.array(ElementType.F32, 1000);
    List<Literal> args = List.of(Literal.scalar(ElementType.F32, 1.0), Literal.zeros(v), Literal.zeros(v));
    exe.run(args);
    exe.close();
    exe.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> exe.run(args));
  }

  @Test
  void concurrentCallsMatchSerialOnes() throws Exception {
    Module m = HloParser.parse("""
        HloModule conc
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT c = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[64,33] parameter(0)
          w = f32[33,16] parameter(1)
          t = f32[64,33] tanh(x)
          d = f32[64,16] dot(t, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          z = f32[] constant(0)
          s = f32[64] reduce(d, z), dimensions={1}, to_apply=add
          ROOT r = (f32[64,16], f32[64]) tuple(d, s)
        }
        """);
    try (Executable exe = CPU.compile(m)) {
      assertTrue(exe.scratchBytes(Executable.STATIC_SHAPES) > 0,
          "the dot's operand and output live in scratch memory");
      List<List<Literal>> inputs = new ArrayList<>();
      List<Literal> serial = new ArrayList<>();
      Random random = new Random(42);
      for (int i = 0; i < 16; i++) {
        List<Literal> args = List.of(Oracle.values(ElementType.F32, new int[] {64, 33}, random),
            Oracle.values(ElementType.F32, new int[] {33, 16}, random));
        inputs.add(args);
        serial.add(exe.run(args));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Literal>> futures = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
          for (List<Literal> args : inputs) {
            Callable<Literal> call = () -> exe.run(args);
            futures.add(pool.submit(call));
          }
        }
        for (int k = 0; k < futures.size(); k++) {
          assertEquals(serial.get(k % inputs.size()), futures.get(k).get(), "call " + k);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void unsupportedOpcodesFailAtCompileTimeNamingTheInstruction() {
    Module m = HloParser.parse("""
        HloModule s
        ENTRY e {
          x = f32[8,32] parameter(0)
          ROOT topk = (f32[8,5], s32[8,5]) custom-call(x), custom_call_target="TopK"
        }
        """);
    CompilationException e = assertThrows(CompilationException.class, () -> CPU.compile(m));
    assertEquals("not supported by the cpu backend: custom-call %topk calls target \"TopK\", an XLA runtime routine"
        + " Tessera does not implement", e.getMessage());

    Module tupleParam = HloParser.parse("""
        HloModule t
        ENTRY e {
          p = (f32[2], f32[2]) parameter(0)
          ROOT g = f32[2] get-tuple-element(p), index=0
        }
        """);
    CompilationException e2 = assertThrows(CompilationException.class, () -> CPU.compile(tupleParam));
    assertTrue(e2.getMessage().startsWith("not supported by the cpu backend yet: a tuple-shaped parameter at %p"),
        e2.getMessage());
  }

  @Test
  void malformedModulesAreCompileErrorsNotCrashes() {
    Module badSlice = HloParser.parse("""
        HloModule b
        ENTRY e {
          x = f32[4] parameter(0)
          ROOT s = f32[8] slice(x), slice={[0:8]}
        }
        """);
    CompilationException e = assertThrows(CompilationException.class, () -> CPU.compile(badSlice));
    assertTrue(e.getMessage().contains("%s"), e.getMessage());
  }

  @Test
  void compileCacheCompilesEachModuleOnceAndOwnsItsExecutables() throws Exception {
    try (CompileCache cache = new CompileCache()) {
      Executable first = cache.get(CPU, HloParser.parse(AXPY), BackendOptions.defaults());
      Executable again = cache.get(CPU, HloParser.parse(AXPY), BackendOptions.defaults());
      assertSame(first, again);
      Executable fast = cache.get(CPU, HloParser.parse(AXPY), BackendOptions.defaults().withFastMath(true));
      assertNotSame(first, fast);
      assertEquals(2, cache.compilations());
      first.close(); // ignored: the cache owns it
      assertEquals(0, again.scratchBytes(Executable.STATIC_SHAPES), "the cached executable reports the kernel's"
          + " scratch memory (none for a fused elementwise module), not the interface's 'unknown'");
      Shape v = Shape.array(ElementType.F32, 1000);
      List<Literal> args = List.of(Literal.scalar(ElementType.F32, 1.0), Literal.zeros(v), Literal.zeros(v));
      again.run(args);

      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Executable>> futures = new ArrayList<>();
        String other = AXPY.replace("axpy", "other");
        for (int i = 0; i < 8; i++) {
          futures.add(pool.submit(() -> cache.get(CPU, HloParser.parse(other), BackendOptions.defaults())));
        }
        Executable shared = futures.get(0).get();
        for (Future<Executable> f : futures) {
          assertSame(shared, f.get());
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(3, cache.compilations());
    }
  }

  @Test
  void compileCacheDoesNotKeepFailures() {
    Module unsupported = HloParser.parse("""
        HloModule u
        ENTRY e {
          x = f32[8] parameter(0)
          ROOT d = f32[8] custom-call(x), custom_call_target="Unknown"
        }
        """);
    try (CompileCache cache = new CompileCache()) {
      assertThrows(CompilationException.class, () -> cache.get(CPU, unsupported, BackendOptions.defaults()));
      assertThrows(CompilationException.class, () -> cache.get(CPU, unsupported, BackendOptions.defaults()));
      assertEquals(2, cache.compilations());
      assertEquals(0, cache.size());
    }
  }

  @Test
  void optimizedIrIsVectorizedForTheHostCpu() {
    String ir = CPU.emitLlvmIr(HloParser.parse(AXPY), BackendOptions.defaults(), true);
    assertTrue(ir.contains("<8 x float>"), "expected the axpy loop vectorized 8 wide (AVX2):\n" + ir);
  }
}
