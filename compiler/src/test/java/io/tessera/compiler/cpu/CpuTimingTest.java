package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.text.HloParser;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * Compile time and per-call overhead, printed for the record and checked against generous
 * bounds (a regression of an order of magnitude fails). Run alone for the first-compile time of
 * a fresh JVM: {@code -Dtest=CpuTimingTest}.
 */
class CpuTimingTest {
  private static final String SMALL = """
      HloModule small
      ENTRY e {
        x = f32[4] parameter(0)
        ROOT r = f32[4] negate(x)
      }
      """;

  @Test
  void compileTimeAndCallOverhead() {
    CpuBackend cpu = new CpuBackend();
    long t0 = System.nanoTime();
    Executable first = cpu.compile(HloParser.parse(SMALL));
    long firstNanos = System.nanoTime() - t0;
    first.close();
    long t1 = System.nanoTime();
    int compiles = 10;
    for (int i = 0; i < compiles; i++) {
      cpu.compile(HloParser.parse(SMALL.replace("small", "small" + i))).close();
    }
    long laterNanos = (System.nanoTime() - t1) / compiles;

    try (Executable exe = cpu.compile(HloParser.parse(SMALL));
         FloatPointer x = new FloatPointer(4);
         FloatPointer r = new FloatPointer(4)) {
      Buffers params = Buffers.host(new long[] {x.address()}, new long[] {16});
      Buffers results = Buffers.host(new long[] {r.address()}, new long[] {16});
      for (int i = 0; i < 20_000; i++) {
        exe.execute(params, results);
      }
      int calls = 100_000;
      long t2 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        exe.execute(params, results);
      }
      double callMicros = (System.nanoTime() - t2) / 1e3 / calls;
      System.out.printf("cpu backend: first compile %.1f ms (includes LLVM init), later compiles %.1f ms, "
          + "call overhead %.2f us%n", firstNanos / 1e6, laterNanos / 1e6, callMicros);
      assertTrue(callMicros < 50, "call overhead " + callMicros + " us");
      assertTrue(laterNanos < 2_000_000_000L, "compile time " + laterNanos / 1e6 + " ms");
    }
  }
}
