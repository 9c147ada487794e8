package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.DynamicRows;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * Modules with a dynamic leading dimension ({@code f32[?,16]}, as the batching pass makes them):
 * compiled once, run on any row count, with the same results as the interpreter on the module
 * bound to that count. The interpreter runs through {@link InterpreterBackend}, which binds the
 * rows per call ({@link DynamicRows#bind(Module, long)}), so both backends take the same calls.
 */
class CpuDynamicRowsTest {
  private static final CpuBackend CPU = new CpuBackend();
  private static final InterpreterBackend INTERPRETER = new InterpreterBackend();
  private static final Oracle.Tolerance SUMS = Oracle.Tolerance.sums(2e-5, 1e-5);
  private static final long[] ROWS = {0, 1, 7, 1000};

  private static final String REDUCERS = """
      add {
        a = f32[] parameter(0)
        b = f32[] parameter(1)
        ROOT c = f32[] add(a, b)
      }
      max {
        u = f32[] parameter(0)
        v = f32[] parameter(1)
        ROOT m = f32[] maximum(u, v)
      }
      """;

  /** A dense layer with a constant bias, relu, and a numerically stable softmax per row. */
  static final String DENSE = "HloModule dense\n" + REDUCERS + """
      ENTRY e {
        x = f32[?,16] parameter(0)
        w = f32[16,8] parameter(1)
        d = f32[?,8] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bias = f32[8] constant({0.5, -0.25, 0, 1, -1, 2, 0.125, -3})
        bb = f32[?,8] broadcast(bias), dimensions={1}
        z = f32[?,8] add(d, bb)
        zero = f32[] constant(0)
        zb = f32[?,8] broadcast(zero), dimensions={}
        h = f32[?,8] maximum(z, zb)
        ninf = f32[] constant(-inf)
        rowmax = f32[?] reduce(h, ninf), dimensions={1}, to_apply=max
        rm = f32[?,8] broadcast(rowmax), dimensions={0}
        s = f32[?,8] subtract(h, rm)
        ex = f32[?,8] exponential(s)
        sum = f32[?] reduce(ex, zero), dimensions={1}, to_apply=add
        sb = f32[?,8] broadcast(sum), dimensions={0}
        p = f32[?,8] divide(ex, sb)
        ROOT out = (f32[?,8], f32[?]) tuple(p, rowmax)
      }
      """;

  /** Reductions and a dot over the rows themselves: static results from dynamic inputs. */
  static final String OVER_ROWS = "HloModule over_rows\n" + REDUCERS + """
      ENTRY e {
        x = f32[?,5] parameter(0)
        zero = f32[] constant(0)
        colsum = f32[5] reduce(x, zero), dimensions={0}, to_apply=add
        total = f32[] reduce(x, zero), dimensions={0,1}, to_apply=add
        gram = f32[5,5] dot(x, x), lhs_contracting_dims={0}, rhs_contracting_dims={0}
        ROOT out = (f32[5], f32[], f32[5,5]) tuple(colsum, total, gram)
      }
      """;

  /** Data movement that keeps the rows whole, integers, iota and conversions. */
  static final String MOVEMENT = """
      HloModule movement
      ENTRY e {
        x = s32[?,4,3] parameter(0)
        y = s32[?,12] parameter(1)
        r = s32[?,12] reshape(x)
        t = s32[?,3,4] transpose(x), dimensions={0,2,1}
        tr = s32[?,12] reshape(t)
        rev = s32[?,12] reverse(y), dimensions={0,1}
        zero = s32[] constant(-9)
        pd = s32[?,10,3] pad(x, zero), padding=0_0x1_2_1x0_0
        pr = s32[?,30] reshape(pd)
        cat = s32[?,42] concatenate(r, pr), dimensions={1}
        io = s32[?,12] iota(), iota_dimension=0
        sum = s32[?,12] add(tr, rev)
        m = s32[?,12] multiply(sum, io)
        f = f32[?,12] convert(m)
        ROOT out = (s32[?,42], f32[?,12]) tuple(cat, f)
      }
      """;

  @Test
  void denseLayerMatchesTheInterpreterOnEveryRowCountWithOneCompile() {
    Random random = new Random(1);
    Literal w = Oracle.values(ElementType.F32, new int[] {16, 8}, random);
    compareOnRowCounts(DENSE, rows -> List.of(uniform(new int[] {(int) rows, 16}, random), w), SUMS);
  }

  @Test
  void reductionsAndDotsOverTheRowsMatchTheInterpreter() {
    Random random = new Random(2);
    compareOnRowCounts(OVER_ROWS, rows -> List.of(uniform(new int[] {(int) rows, 5}, random)),
        Oracle.Tolerance.sums(1e-4, 1e-4));
  }

  @Test
  void dataMovementAlongTheRowsMatchesTheInterpreter() {
    Random random = new Random(3);
    compareOnRowCounts(MOVEMENT, rows -> List.of(
        Oracle.values(ElementType.S32, new int[] {(int) rows, 4, 3}, random),
        Oracle.values(ElementType.S32, new int[] {(int) rows, 12}, random)), Oracle.Tolerance.EXACT);
  }

  private interface Arguments {
    List<Literal> forRows(long rows);
  }

  /** Compiles {@code hlo} once per backend and compares the results on each of {@link #ROWS}. */
  private static void compareOnRowCounts(String hlo, Arguments arguments, Oracle.Tolerance tolerance) {
    Module module = HloParser.parse(hlo);
    try (Executable cpu = CPU.compile(module); Executable interpreter = INTERPRETER.compile(module)) {
      assertTrue(cpu.signature().hasDynamicRows());
      for (long rows : ROWS) {
        List<Literal> args = arguments.forRows(rows);
        Literal expected = interpreter.run(args);
        Literal actual = cpu.run(args);
        Oracle.assertClose(expected, actual, tolerance, module.name() + " with " + rows + " rows");
      }
    }
  }

  @Test
  void bindingGivesTheStaticModuleOfARowCount() {
    Module bound = DynamicRows.bind(HloParser.parse(DENSE), 7);
    assertEquals(Shape.array(ElementType.F32, 7, 16), bound.entry().parameter(0).shape().withoutLayout());
    assertEquals("(f32[7,8], f32[7])", bound.entry().resultShape().toStringWithoutLayout());
    assertEquals(Shape.array(ElementType.F32, 16, 8), bound.entry().parameter(1).shape().withoutLayout());
    // The static copy and the dynamic module agree on the CPU as well.
    Random random = new Random(4);
    List<Literal> args = List.of(uniform(new int[] {7, 16}, random), uniform(new int[] {16, 8}, random));
    Oracle.assertClose(Oracle.runCpu(bound, args), Oracle.runCpu(HloParser.parse(DENSE), args), SUMS, "bound vs dynamic");
  }

  @Test
  void callsWithDifferentRowCountsRunConcurrently() throws Exception {
    Module module = HloParser.parse(DENSE);
    Random random = new Random(5);
    Literal w = uniform(new int[] {16, 8}, random);
    List<List<Literal>> inputs = new ArrayList<>();
    List<Literal> expected = new ArrayList<>();
    try (Executable cpu = CPU.compile(module); Executable interpreter = INTERPRETER.compile(module)) {
      for (int i = 0; i < 12; i++) {
        int rows = new int[] {0, 1, 3, 64, 257, 1000}[i % 6] + i / 6;
        List<Literal> args = List.of(uniform(new int[] {rows, 16}, random), w);
        inputs.add(args);
        expected.add(interpreter.run(args));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Literal>> futures = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
          for (List<Literal> args : inputs) {
            futures.add(pool.submit(() -> cpu.run(args)));
          }
        }
        for (int k = 0; k < futures.size(); k++) {
          Oracle.assertClose(expected.get(k % inputs.size()), futures.get(k).get(), SUMS, "concurrent call " + k);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void rowCountsAndBufferSizesAreChecked() {
    Module module = HloParser.parse("""
        HloModule neg
        ENTRY e {
          x = f32[?,4] parameter(0)
          ROOT r = f32[?,4] negate(x)
        }
        """);
    try (Executable exe = CPU.compile(module);
         FloatPointer x = new FloatPointer(40);
         FloatPointer r = new FloatPointer(40)) {
      for (int i = 0; i < 40; i++) {
        x.put(i, i);
      }
      Buffers params = Buffers.host(new long[] {x.address()}, new long[] {160});
      Buffers results = Buffers.host(new long[] {r.address()}, new long[] {160});
      exe.execute(10, params, results);
      assertEquals(-39f, r.get(39));
      exe.execute(3, params, results); // smaller counts use part of the buffers
      exe.execute(0, Buffers.host(new long[] {0}, new long[] {0}), Buffers.host(new long[] {0}, new long[] {0}));

      IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
          () -> exe.execute(11, params, results));
      assertEquals("parameter 0 (%x) of shape f32[?,4] with 11 rows needs 176 bytes, the buffer has 160",
          tooMany.getMessage());
      IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
          () -> exe.execute(-3, params, results));
      assertTrue(negative.getMessage().contains("pass a row count of at least 0, got -3"), negative.getMessage());
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
          () -> exe.execute(params, results));
      assertTrue(missing.getMessage().contains("(STATIC_SHAPES)"), missing.getMessage());
      IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
          () -> exe.execute(Long.MAX_VALUE / 2, params, results));
      assertTrue(huge.getMessage().contains("more than 2^63 bytes"), huge.getMessage());
    }
    try (Executable exe = CPU.compile(HloParser.parse("""
        HloModule static_neg
        ENTRY e {
          x = f32[4] parameter(0)
          ROOT r = f32[4] negate(x)
        }
        """))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exe.execute(4,
          Buffers.host(new long[] {8}, new long[] {16}), Buffers.host(new long[] {64}, new long[] {16})));
      assertEquals("the module has static shapes; pass STATIC_SHAPES, not a row count of 4", e.getMessage());
    }
  }

  @Test
  void whatRowsCannotDoFailsAtCompileTimeNamingTheInstruction() {
    assertCompileError("not supported by the cpu backend yet: a dynamic dimension other than the leading one "
        + "(f32[4,?]) at %x", """
        HloModule m
        ENTRY e {
          x = f32[4,?] parameter(0)
          ROOT r = f32[4,?] negate(x)
        }
        """);
    assertCompileError("%s (slice): slicing along the dynamic dimension 0 of f32[?,4] is not supported", """
        HloModule m
        ENTRY e {
          x = f32[?,4] parameter(0)
          ROOT s = f32[2,2] slice(x), slice={[0:2], [1:3]}
        }
        """);
    assertCompileError("%c (concatenate): concatenating along the dynamic dimension 0 of f32[?,4] is not supported", """
        HloModule m
        ENTRY e {
          x = f32[?,4] parameter(0)
          ROOT c = f32[?,4] concatenate(x, x), dimensions={0}
        }
        """);
    assertCompileError("not supported by the cpu backend yet: batch-norm-training with a dynamic dimension at %bn",
        """
        HloModule m
        ENTRY e {
          x = f32[?,3] parameter(0)
          s = f32[3] parameter(1)
          ROOT bn = (f32[?,3], f32[3], f32[3]) batch-norm-training(x, s, s), epsilon=0.001, feature_index=1
        }
        """);
  }

  private static void assertCompileError(String message, String hlo) {
    CompilationException e = assertThrows(CompilationException.class, () -> CPU.compile(HloParser.parse(hlo)));
    assertEquals(message, e.getMessage());
  }

  /** Uniform values in [-2, 2): finite, so relative comparisons of sums stay meaningful. */
  private static Literal uniform(int[] dims, Random random) {
    Literal lit = Literal.zeros(Shape.array(ElementType.F32, dims));
    for (int i = 0; i < lit.elementCount(); i++) {
      lit.setDouble(i, (float) (random.nextDouble() * 4 - 2));
    }
    return lit;
  }
}
