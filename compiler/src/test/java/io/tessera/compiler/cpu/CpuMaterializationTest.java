package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU emitter's materialization policy ({@link MaterializationPolicy}): an expensive elemental
 * value read by several loops is computed once into memory (by the loop of a reduce that reads it,
 * when there is one; into the buffer of its last reader when that reads it elementwise and may
 * overwrite it), one read by a single loop stays inline. The emitted IR shows it by the number of calls of the f32 {@code exp} approximation
 * (one per place it is computed, before LLVM's optimizations); the results must still match the
 * interpreter.
 */
class CpuMaterializationTest {
  private static final String EXP_CALL = "call float @tessera.math.exp.f32(";
  private static final Oracle.Tolerance SUMS = Oracle.Tolerance.sums(1e-5, 1e-6);

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

  /** Softmax over rows: exp(x - max) feeds both the row sum and the division. */
  private static final String SOFTMAX = "HloModule softmax\n" + REDUCERS + """
      ENTRY e {
        x = f32[6,40] parameter(0)
        ninf = f32[] constant(-inf)
        rowmax = f32[6] reduce(x, ninf), dimensions={1}, to_apply=max
        mb = f32[6,40] broadcast(rowmax), dimensions={0}
        s = f32[6,40] subtract(x, mb)
        ex = f32[6,40] exponential(s)
        zero = f32[] constant(0)
        sum = f32[6] reduce(ex, zero), dimensions={1}, to_apply=add
        sb = f32[6,40] broadcast(sum), dimensions={0}
        ROOT p = f32[6,40] divide(ex, sb)
      }
      """;

  /** A 6 x 40 f32 temporary in the kernel's signature. */
  private static final String SOFTMAX_TEMPORARY = "dereferenceable(960) %s";

  @Test
  void softmaxComputesTheExponentialOnce() {
    Module module = parse(SOFTMAX);
    assertEquals(1, count(ir(module), EXP_CALL), "exp(x - max) is read by the row sum and the division");
    assertMatchesInterpreter(SOFTMAX, false);
  }

  @Test
  void softmaxAfterTheDefaultPipelineComputesTheExponentialOnce() {
    // Fusion puts exp(x - max) in a loop fusion read by the reduce and by the division's fusion.
    Module module = parse(SOFTMAX);
    Pipelines.cpuDefault().run(module);
    assertEquals(1, count(ir(module), EXP_CALL), module.toString());
    assertMatchesInterpreter(SOFTMAX, true);
  }

  @Test
  void softmaxWithDynamicRowsComputesTheExponentialOnce() {
    // The temporary has a dynamic leading dimension (its size is per row); CpuDynamicRowsTest runs it.
    assertEquals(1, count(ir(parse(CpuDynamicRowsTest.DENSE)), EXP_CALL));
  }

  @Test
  void anExpensiveValueReadByOneLoopStaysInline() {
    String hlo = "HloModule one\n" + REDUCERS + """
        ENTRY e {
          x = f32[6,40] parameter(0)
          ex = f32[6,40] exponential(x)
          two = f32[] constant(2)
          tb = f32[6,40] broadcast(two), dimensions={}
          a = f32[6,40] multiply(ex, tb)
          b = f32[6,40] add(ex, a)
          zero = f32[] constant(0)
          ROOT sum = f32[6] reduce(b, zero), dimensions={1}, to_apply=add
        }
        """;
    String ir = ir(parse(hlo));
    assertFalse(ir.contains("store."), "no temporary is written:\n" + ir);
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void theRowSumWritesTheExponentialAsItReadsIt() {
    // No loop of its own stores exp(x - max): the row sum's loop does, so the sum reads no temporary back.
    for (boolean pipeline : new boolean[] {false, true}) {
      Module module = parse(SOFTMAX);
      if (pipeline) {
        Pipelines.cpuDefault().run(module);
      }
      String ir = ir(module);
      assertFalse(storesOnItsOwn(ir, exponential(module)), "no loop only stores exp(x - max):\n" + ir);
      assertEquals(1, count(ir, EXP_CALL));
    }
  }

  @Test
  void theDivisionOverwritesTheExponentialInTheResultBuffer() {
    // exp(x - max) goes straight to the result buffer; the division, its last reader, rewrites it there.
    for (boolean pipeline : new boolean[] {false, true}) {
      Module module = parse(SOFTMAX);
      if (pipeline) {
        Pipelines.cpuDefault().run(module);
      }
      String ir = ir(module);
      assertFalse(ir.contains(SOFTMAX_TEMPORARY), "no temporary for the 6 x 40 exponential:\n" + ir);
    }
  }

  @Test
  void aValueReadAgainAfterItsElementwiseReaderKeepsItsOwnBuffer() {
    // The second sum reads ex after the division: the division must not overwrite it.
    String hlo = "HloModule later\n" + REDUCERS + """
        ENTRY e {
          x = f32[6,40] parameter(0)
          ex = f32[6,40] exponential(x)
          zero = f32[] constant(0)
          sum = f32[6] reduce(ex, zero), dimensions={1}, to_apply=add
          sb = f32[6,40] broadcast(sum), dimensions={0}
          p = f32[6,40] divide(ex, sb)
          total = f32[40] reduce(ex, zero), dimensions={0}, to_apply=add
          ROOT r = (f32[6,40], f32[40]) tuple(p, total)
        }
        """;
    assertTrue(ir(parse(hlo)).contains(SOFTMAX_TEMPORARY), "ex needs a temporary of its own");
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void aValueThatIsAResultIsNotOverwrittenByItsReader() {
    String hlo = "HloModule both\n" + REDUCERS + """
        ENTRY e {
          x = f32[6,40] parameter(0)
          ex = f32[6,40] exponential(x)
          zero = f32[] constant(0)
          sum = f32[6] reduce(ex, zero), dimensions={1}, to_apply=add
          sb = f32[6,40] broadcast(sum), dimensions={0}
          p = f32[6,40] divide(ex, sb)
          ROOT r = (f32[6,40], f32[6,40]) tuple(ex, p)
        }
        """;
    assertMatchesInterpreter(hlo, false);
    assertMatchesInterpreter(hlo, true);
  }

  @Test
  void aColumnSumWritesItsExpensiveInputAsItReadsIt() {
    // Reducing the leading dimension walks the input in the other loop order; the division reads it again.
    String hlo = "HloModule columns\n" + REDUCERS + """
        ENTRY e {
          x = f32[7,33] parameter(0)
          ex = f32[7,33] exponential(x)
          zero = f32[] constant(0)
          sum = f32[33] reduce(ex, zero), dimensions={0}, to_apply=add
          sb = f32[7,33] broadcast(sum), dimensions={1}
          ROOT p = f32[7,33] divide(ex, sb)
        }
        """;
    String ir = ir(parse(hlo));
    assertFalse(storesOnItsOwn(ir, exponential(parse(hlo))), "no loop only stores ex:\n" + ir);
    assertEquals(1, count(ir, EXP_CALL));
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void aCheapValueReadByTwoLoopsStaysInline() {
    String hlo = "HloModule cheap\n" + REDUCERS + """
        ENTRY e {
          x = f32[6,40] parameter(0)
          n = f32[6,40] negate(x)
          zero = f32[] constant(0)
          sum = f32[6] reduce(n, zero), dimensions={1}, to_apply=add
          sb = f32[6,40] broadcast(sum), dimensions={0}
          ROOT r = f32[6,40] add(n, sb)
        }
        """;
    String ir = ir(parse(hlo));
    assertFalse(ir.contains("store."), "no temporary is written:\n" + ir);
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void anExpensiveResultReadAgainIsWrittenToTheResultBufferOnce() {
    String hlo = "HloModule result\n" + REDUCERS + """
        ENTRY e {
          x = f32[6,40] parameter(0)
          t = f32[6,40] tanh(x)
          zero = f32[] constant(0)
          sum = f32[6] reduce(t, zero), dimensions={1}, to_apply=add
          ROOT r = (f32[6,40], f32[6]) tuple(t, sum)
        }
        """;
    String ir = ir(parse(hlo));
    assertEquals(1, count(ir, "call float @tessera.math.tanh.f32("), "tanh is computed once:\n" + ir);
    assertFalse(ir.contains("store.t."), "by the row sum's loop, which stores it as it goes:\n" + ir);
    assertFalse(ir.contains("%t0"), "into the result buffer, not a temporary:\n" + ir);
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void anExpensiveValueBroadcastAlongALeadingDimensionIsComputedOnce() {
    // Without materialization, exp(p) would be recomputed for each of the 5 rows.
    String hlo = "HloModule bcast\n" + REDUCERS + """
        ENTRY e {
          x = f32[5,40] parameter(0)
          p = f32[40] parameter(1)
          ex = f32[40] exponential(p)
          eb = f32[5,40] broadcast(ex), dimensions={1}
          ROOT r = f32[5,40] multiply(x, eb)
        }
        """;
    String ir = ir(parse(hlo));
    assertTrue(ir.contains("store.ex."), ir);
    assertEquals(1, count(ir, EXP_CALL));
    assertMatchesInterpreter(hlo, false);
  }

  @Test
  void softmaxInsideAWhileBodyAndAConditionalBranchMatchesTheInterpreter() {
    String hlo = "HloModule loops\n" + REDUCERS + """
        softmax {
          x = f32[4,16] parameter(0)
          ninf = f32[] constant(-inf)
          rowmax = f32[4] reduce(x, ninf), dimensions={1}, to_apply=max
          mb = f32[4,16] broadcast(rowmax), dimensions={0}
          s = f32[4,16] subtract(x, mb)
          ex = f32[4,16] exponential(s)
          zero = f32[] constant(0)
          sum = f32[4] reduce(ex, zero), dimensions={1}, to_apply=add
          sb = f32[4,16] broadcast(sum), dimensions={0}
          ROOT p = f32[4,16] divide(ex, sb)
        }
        body {
          st = (s32[], f32[4,16]) parameter(0)
          i = s32[] get-tuple-element(st), index=0
          v = f32[4,16] get-tuple-element(st), index=1
          one = s32[] constant(1)
          j = s32[] add(i, one)
          w = f32[4,16] call(v), to_apply=softmax
          ROOT nt = (s32[], f32[4,16]) tuple(j, w)
        }
        cond {
          cs = (s32[], f32[4,16]) parameter(0)
          k = s32[] get-tuple-element(cs), index=0
          three = s32[] constant(3)
          ROOT lt = pred[] compare(k, three), direction=LT
        }
        same {
          a = f32[4,16] parameter(0)
          ROOT sa = f32[4,16] call(a), to_apply=softmax
        }
        tanh_twice {
          b = f32[4,16] parameter(0)
          tb = f32[4,16] tanh(b)
          zero = f32[] constant(0)
          rs = f32[4] reduce(tb, zero), dimensions={1}, to_apply=add
          rb = f32[4,16] broadcast(rs), dimensions={0}
          ROOT q = f32[4,16] multiply(tb, rb)
        }
        ENTRY e {
          x = f32[4,16] parameter(0)
          flag = pred[] parameter(1)
          zero = s32[] constant(0)
          init = (s32[], f32[4,16]) tuple(zero, x)
          loop = (s32[], f32[4,16]) while(init), condition=cond, body=body
          y = f32[4,16] get-tuple-element(loop), index=1
          ROOT c = f32[4,16] conditional(flag, y, y), true_computation=same, false_computation=tanh_twice
        }
        """;
    assertEquals(2, count(ir(parse(hlo)), EXP_CALL), "once in the loop body, once in the branch");
    for (boolean flag : new boolean[] {true, false}) {
      Module module = parse(hlo);
      List<Literal> args = List.of(Oracle.values(module.entry().parameter(0).shape().elementType(),
          new int[] {4, 16}, new Random(7)), Literal.pred(flag));
      Oracle.assertClose(Oracle.INTERPRETER.run(module, args), Oracle.runCpu(module, args), SUMS, "flag " + flag);
    }
  }

  private static void assertMatchesInterpreter(String hlo, boolean pipeline) {
    Module module = parse(hlo);
    if (pipeline) {
      Pipelines.cpuDefault().run(module);
    }
    Random random = new Random(hlo.hashCode());
    List<Literal> args = new ArrayList<>();
    for (var p : module.entry().parameters()) {
      args.add(Oracle.values(p.shape().elementType(), p.shape().dimensions(), random));
    }
    Literal expected = Oracle.INTERPRETER.run(parse(hlo), args);
    Oracle.assertClose(expected, Oracle.runCpu(module, args), SUMS, module.name());
  }

  /** Parses a test module, local names made unique ({@link HloText#uniqueNames}). */
  private static Module parse(String hlo) {
    return HloParser.parse(HloText.uniqueNames(hlo));
  }

  private static String ir(Module module) {
    return Oracle.CPU.emitLlvmIr(module, BackendOptions.defaults(), false);
  }

  /** Whether a loop of its own ({@link ComputationEmitter#store}) writes {@code instr} to memory. */
  private static boolean storesOnItsOwn(String ir, String instr) {
    return ir.contains("store." + IrBuilder.sanitize(instr) + ".");
  }

  /** The name of the instruction that computes the exponential: the input of the sum (a fusion after the pipeline). */
  private static String exponential(Module module) {
    return module.entry().instructions().stream()
        .filter(i -> i.opcode() == Opcode.REDUCE && i.operand(0).opcode() != Opcode.PARAMETER)
        .map(i -> i.operand(0).name()).findFirst().orElseThrow();
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
