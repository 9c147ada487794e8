package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.DynamicRows;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.pass.BatchingNumerics;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The opcodes the batching pass produces beyond elementwise work, on a dynamic leading (row)
 * dimension: sort, reduce-window, select-and-scatter, gather, dynamic-update-slice, scatter, map,
 * while and conditional. Each is checked twice: a batched module written out, compiled once and compared
 * with the interpreter on 0, 1, 5 and 200 rows; and end to end, a per-row module (a median and
 * top-k by sort, a moving sum by reduce-window, lookups by gather and dynamic-slice) run through
 * the batching pass, compiled once on the CPU and compared, row by row, with the per-row module
 * interpreted on each row alone. What needs the row count at compile time fails naming the
 * instruction.
 */
class CpuDynamicRowOpsTest {
  private static final CpuBackend CPU = new CpuBackend();
  private static final InterpreterBackend INTERPRETER = new InterpreterBackend();
  private static final long[] ROWS = {0, 1, 5, 200};

  private static final String SCALAR_FUNCTIONS = """
      add {
        add.a = f32[] parameter(0)
        add.b = f32[] parameter(1)
        ROOT add.c = f32[] add(add.a, add.b)
      }
      max {
        max.a = f32[] parameter(0)
        max.b = f32[] parameter(1)
        ROOT max.c = f32[] maximum(max.a, max.b)
      }
      less {
        less.a = f32[] parameter(0)
        less.b = f32[] parameter(1)
        ROOT less.c = pred[] compare(less.a, less.b), direction=LT
      }
      ge {
        ge.a = f32[] parameter(0)
        ge.b = f32[] parameter(1)
        ROOT ge.c = pred[] compare(ge.a, ge.b), direction=GE
      }
      greater_with_index {
        gt.a = f32[] parameter(0)
        gt.b = f32[] parameter(1)
        gt.i = s32[] parameter(2)
        gt.j = s32[] parameter(3)
        ROOT gt.c = pred[] compare(gt.a, gt.b), direction=GT
      }
      """;

  // ---- batched modules against the interpreter ------------------------------------------------

  @Test
  void sortOfEachRowMatchesTheInterpreter() {
    compareOnRowCounts("HloModule sort_rows\n" + SCALAR_FUNCTIONS + """
        ENTRY e {
          x = f32[?,8] parameter(0)
          y = f32[?,3,5] parameter(1)
          io = s32[?,8] iota(), iota_dimension=1
          s = (f32[?,8], s32[?,8]) sort(x, io), dimensions={1}, to_apply=greater_with_index
          v = f32[?,8] get-tuple-element(s), index=0
          k = s32[?,8] get-tuple-element(s), index=1
          t = f32[?,3,5] sort(y), dimensions={1}, to_apply=less
          ROOT out = (f32[?,8], s32[?,8], f32[?,3,5]) tuple(v, k, t)
        }
        """);
  }

  @Test
  void windowsOverEachRowMatchTheInterpreter() {
    compareOnRowCounts("HloModule windows\n" + SCALAR_FUNCTIONS + """
        ENTRY e {
          x = f32[?,16] parameter(0)
          y = f32[?,4,6] parameter(1)
          g = f32[?,8] parameter(2)
          zero = f32[] constant(0)
          ninf = f32[] constant(-inf)
          moving = f32[?,14] reduce-window(x, zero), window={size=1x3}, to_apply=add
          pool = f32[?,8] reduce-window(x, ninf), window={size=1x4 stride=1x2 pad=0_0x1_1}, to_apply=max
          pool2 = f32[?,2,3] reduce-window(y, ninf), window={size=1x2x2 stride=1x2x2}, to_apply=max
          grad = f32[?,16] select-and-scatter(x, g, zero), window={size=1x3 stride=1x2 pad=0_0x1_1}, select=ge, scatter=add
          ROOT out = (f32[?,14], f32[?,8], f32[?,2,3], f32[?,16]) tuple(moving, pool, pool2, grad)
        }
        """);
  }

  @Test
  void gathersAndUpdatesOfEachRowMatchTheInterpreter() {
    compareOnRowCounts("HloModule lookups\n" + """
        ENTRY e {
          table = f32[10,4] parameter(0)
          ids = s32[?,3] parameter(1)
          embed = f32[?,3,4] gather(table, ids), offset_dims={2}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=2, slice_sizes={1,4}
          x = f32[?,12] parameter(2)
          at = s32[?,1] parameter(3)
          own = f32[?,4] gather(x, at), offset_dims={1}, collapsed_slice_dims={}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=1, slice_sizes={1,4}
          u = f32[?,3] parameter(4)
          r = s32[] parameter(5)
          c = s32[] parameter(6)
          put = f32[?,12] dynamic-update-slice(x, u, r, c)
          ROOT out = (f32[?,3,4], f32[?,4], f32[?,12]) tuple(embed, own, put)
        }
        """);
  }

  @Test
  void scattersIntoTheRowsMatchTheInterpreter() {
    compareOnRowCounts("HloModule scatters\n" + SCALAR_FUNCTIONS + """
        ENTRY e {
          x = f32[?,8] parameter(0)
          at = s32[?,1] parameter(1)
          v = f32[?] parameter(2)
          each = f32[?,8] scatter(x, at, v), update_window_dims={}, inserted_window_dims={1}, scatter_dims_to_operand_dims={1}, input_batching_dims={0}, scatter_indices_batching_dims={0}, index_vector_dim=1, to_apply=add
          rows = s32[3,1] parameter(3)
          u = f32[3,8] parameter(4)
          some = f32[?,8] scatter(x, rows, u), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
          ROOT out = (f32[?,8], f32[?,8]) tuple(each, some)
        }
        """);
  }

  @Test
  void loopsAndConditionalsOverTheRowsMatchTheInterpreter() {
    compareOnRowCounts("HloModule control\n" + SCALAR_FUNCTIONS + """
        cond {
          cs = (s32[], f32[?,6], f32[?,6], f32[?,6]) parameter(0)
          ci = s32[] get-tuple-element(cs), index=0
          cn = s32[] constant(4)
          ROOT more = pred[] compare(ci, cn), direction=LT
        }
        body {
          s = (s32[], f32[?,6], f32[?,6], f32[?,6]) parameter(0)
          i = s32[] get-tuple-element(s), index=0
          acc = f32[?,6] get-tuple-element(s), index=1
          marks = f32[?,6] get-tuple-element(s), index=2
          x = f32[?,6] get-tuple-element(s), index=3
          half = f32[] constant(0.5)
          hb = f32[?,6] broadcast(half), dimensions={}
          scaled = f32[?,6] multiply(acc, hb)
          acc2 = f32[?,6] add(scaled, x)
          fi = f32[] convert(i)
          mark = f32[?,1] broadcast(fi), dimensions={}
          zero = s32[] constant(0)
          marks2 = f32[?,6] dynamic-update-slice(marks, mark, zero, i)
          one = s32[] constant(1)
          i2 = s32[] add(i, one)
          ROOT t = (s32[], f32[?,6], f32[?,6], f32[?,6]) tuple(i2, acc2, marks2, x)
        }
        neg {
          na = f32[?,6] parameter(0)
          ROOT nn = f32[?,6] negate(na)
        }
        twice {
          ta = f32[?,6] parameter(0)
          ROOT tt = f32[?,6] add(ta, ta)
        }
        ENTRY e {
          ex = f32[?,6] parameter(0)
          em = f32[?,6] parameter(1)
          ezero = s32[] constant(0)
          init = (s32[], f32[?,6], f32[?,6], f32[?,6]) tuple(ezero, ex, em, ex)
          w = (s32[], f32[?,6], f32[?,6], f32[?,6]) while(init), condition=cond, body=body
          wacc = f32[?,6] get-tuple-element(w), index=1
          wmarks = f32[?,6] get-tuple-element(w), index=2
          fzero = f32[] constant(0)
          sum = f32[] reduce(ex, fzero), dimensions={0,1}, to_apply=add
          positive = pred[] compare(sum, fzero), direction=GT
          c = f32[?,6] conditional(positive, wacc, wmarks), true_computation=neg, false_computation=twice
          ROOT out = (f32[?,6], f32[?,6], f32[?,6]) tuple(wacc, wmarks, c)
        }
        """);
  }

  /**
   * Compiles {@code hlo} once per backend and compares the results, bit for bit, on each of
   * {@link #ROWS}, with arguments of {@link Oracle#values} (special values, out-of-range indices).
   * On 0 rows the interpreter refuses a gather or scatter with the rows as batching dimension
   * (their slice size 1 exceeds the empty dimension); the CPU's result then has the empty shapes.
   */
  private static void compareOnRowCounts(String hlo) {
    Module module = HloParser.parse(hlo);
    try (Executable cpu = CPU.compile(module); Executable interpreter = INTERPRETER.compile(module)) {
      assertTrue(cpu.signature().hasDynamicRows());
      Random random = new Random(hlo.hashCode());
      for (long rows : ROWS) {
        List<Literal> args = new ArrayList<>();
        for (Instruction p : module.entry().parameters()) {
          Shape shape = DynamicRows.bind(p.shape(), rows);
          args.add(Oracle.values(shape.elementType(), shape.dimensions(), random));
        }
        Literal actual = cpu.run(args);
        if (rows == 0 && rowsAreBatchingDimensions(module)) {
          assertEquals(DynamicRows.bind(module.entry().resultShape(), 0).toStringWithoutLayout(),
              actual.shape().toStringWithoutLayout());
          continue;
        }
        Oracle.assertClose(interpreter.run(args), actual, Oracle.Tolerance.EXACT,
            module.name() + " with " + rows + " rows");
      }
    }
  }

  private static boolean rowsAreBatchingDimensions(Module module) {
    return module.entry().instructions().stream().anyMatch(i -> i.attributes().has(Attr.OPERAND_BATCHING_DIMS)
        || i.attributes().has(Attr.INPUT_BATCHING_DIMS));
  }

  // ---- per-row modules, batched, against the per-row module row by row -------------------------

  @Test
  void medianAndTopKOfEachRowBySort() {
    assertBatchedMatchesRowByRow("HloModule median_topk\n" + SCALAR_FUNCTIONS + """
        ENTRY e {
          x = f32[9] parameter(0)
          sorted = f32[9] sort(x), dimensions={0}, to_apply=less
          mid = f32[1] slice(sorted), slice={[4:5]}
          median = f32[] reshape(mid)
          io = s32[9] iota(), iota_dimension=0
          desc = (f32[9], s32[9]) sort(x, io), dimensions={0}, to_apply=greater_with_index
          values = f32[9] get-tuple-element(desc), index=0
          indices = s32[9] get-tuple-element(desc), index=1
          top = f32[3] slice(values), slice={[0:3]}
          at = s32[3] slice(indices), slice={[0:3]}
          ROOT out = (f32[], f32[3], s32[3]) tuple(median, top, at)
        }
        """, Set.of(Opcode.SORT));
  }

  @Test
  void movingSumAndPoolingGradientOfEachRowByWindowsAndMap() {
    assertBatchedMatchesRowByRow("HloModule moving\n" + SCALAR_FUNCTIONS + """
        ENTRY e {
          x = f32[12] parameter(0)
          g = f32[6] parameter(1)
          zero = f32[] constant(0)
          sum = f32[10] reduce-window(x, zero), window={size=3}, to_apply=add
          peak = f32[10] reduce-window(x, zero), window={size=3}, to_apply=max
          spread = f32[10] map(peak, sum), dimensions={0}, to_apply=add
          grad = f32[12] select-and-scatter(x, g, zero), window={size=2 stride=2}, select=ge, scatter=add
          ROOT out = (f32[10], f32[10], f32[12]) tuple(sum, spread, grad)
        }
        """, Set.of(Opcode.REDUCE_WINDOW, Opcode.SELECT_AND_SCATTER, Opcode.MAP));
  }

  @Test
  void lookupsOfEachRowByGatherAndDynamicSlice() {
    assertBatchedMatchesRowByRow("HloModule lookup\n" + """
        ENTRY e {
          ids = s32[3] parameter(0)
          i = s32[] parameter(1)
          x = f32[12] parameter(2)
          u = f32[4] parameter(3)
          table = f32[6,2] constant({{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}})
          embed = f32[3,2] gather(table, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,2}
          zero = s32[] constant(0)
          picked = f32[1,2] dynamic-slice(table, i, zero), dynamic_slice_sizes={1,2}
          window = f32[4] dynamic-slice(x, i), dynamic_slice_sizes={4}
          three = s32[] constant(3)
          put = f32[12] dynamic-update-slice(x, u, three)
          ROOT out = (f32[3,2], f32[1,2], f32[4], f32[12]) tuple(embed, picked, window, put)
        }
        """, Set.of(Opcode.GATHER, Opcode.DYNAMIC_UPDATE_SLICE));
  }

  /**
   * Batches {@code perRowHlo}, checks the batched module has the opcodes under test, compiles it
   * once and compares it on {@link #ROWS} with the per-row module interpreted row by row.
   */
  private static void assertBatchedMatchesRowByRow(String perRowHlo, Set<Opcode> expected) {
    Module perRow = HloParser.parse(perRowHlo);
    Module batched = BatchingNumerics.batched(perRow);
    Set<Opcode> opcodes = batched.entry().instructions().stream().map(Instruction::opcode).collect(Collectors.toSet());
    assertTrue(opcodes.containsAll(expected), () -> "batched opcodes " + opcodes);
    try (Executable cpu = CPU.compile(batched)) {
      assertTrue(cpu.signature().hasDynamicRows());
      for (long rows : ROWS) {
        BatchingNumerics.assertRowByRow(perRow, (int) rows, rows, perRow.name() + " on the cpu", cpu::run);
      }
    }
  }

  // ---- what needs the row count at compile time -------------------------------------------------

  @Test
  void whatNeedsTheRowCountFailsAtCompileTimeNamingTheInstruction() {
    assertCompileError("%s (sort): sorting along the dynamic dimension 0 of f32[?,4] is not supported: the merge "
        + "passes need the length of the sorted dimension", """
        ENTRY e {
          x = f32[?,4] parameter(0)
          ROOT s = f32[?,4] sort(x), dimensions={0}, to_apply=less
        }
        """);
    assertCompileError("%w (reduce-window): a window of {size=2x1} along the dynamic dimension 0 is not supported: "
        + "only size 1, stride 1, no padding or dilation there", """
        ENTRY e {
          x = f32[?,4] parameter(0)
          zero = f32[] constant(0)
          ROOT w = f32[?,4] reduce-window(x, zero), window={size=2x1}, to_apply=add
        }
        """);
    assertCompileError("%d (dynamic-slice): a start index along the dynamic dimension 0 of f32[?,4] is not "
        + "supported: a window of 1 row(s) would move along the runtime rows", """
        ENTRY e {
          x = f32[?,4] parameter(0)
          i = s32[] parameter(1)
          ROOT d = f32[1,4] dynamic-slice(x, i, i), dynamic_slice_sizes={1,4}
        }
        """);
    assertCompileError("%d (dynamic-update-slice): a start index along the dynamic dimension 0 of f32[?,4] is not "
        + "supported: a window of 1 row(s) would move along the runtime rows", """
        ENTRY e {
          x = f32[?,4] parameter(0)
          u = f32[1,4] parameter(1)
          i = s32[] parameter(2)
          ROOT d = f32[?,4] dynamic-update-slice(x, u, i, i)
        }
        """);
    assertCompileError("%g (gather): gathering along the dynamic dimension 0 of f32[?,4] is not supported: it may "
        + "only be a batching dimension paired with the indices' rows", """
        ENTRY e {
          x = f32[?,4] parameter(0)
          ids = s32[3] parameter(1)
          ROOT g = f32[3,4] gather(x, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,4}
        }
        """);
  }

  private static void assertCompileError(String message, String entry) {
    Module module = HloParser.parse("HloModule refused\n" + SCALAR_FUNCTIONS + entry);
    CompilationException e = assertThrows(CompilationException.class, () -> CPU.compile(module));
    assertEquals(message, e.getMessage());
  }
}
