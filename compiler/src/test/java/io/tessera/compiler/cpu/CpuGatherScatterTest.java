package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential tests of the run-time indexed instructions on the CPU backend against the
 * interpreter, bit for bit: dynamic-slice and dynamic-update-slice (starts clamped, both index
 * forms), gather (embedding lookups, gather-nd, batching dimensions, wide slices, index vectors
 * not last) and scatter (set, add, multiply with duplicate indices, window updates, scatter-nd,
 * batching dimensions, several operands; windows out of bounds skipped), over every element type
 * for the data and every integer type for the indices. Index arguments include out-of-range,
 * negative, extreme and (for u64) huge values.
 */
class CpuGatherScatterTest {
  private static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};
  private static final ElementType[] INDEX_TYPES = {ElementType.S8, ElementType.S16, ElementType.S32, ElementType.S64,
      ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64};

  @TestFactory
  Stream<DynamicTest> everyDataType() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      tests.add(test("dynamic-slice and dynamic-update-slice of " + t, combiners(t) + """
          ENTRY e {
            x = T[5,6] parameter(0)
            i = s32[] parameter(1)
            j = s32[] parameter(2)
            u = T[2,3] parameter(3)
            d = T[2,3] dynamic-slice(x, i, j), dynamic_slice_sizes={2,3}
            w = T[5,6] dynamic-update-slice(x, u, j, i)
            ROOT r = (T[2,3], T[5,6]) tuple(d, w)
          }""", t));
      tests.add(test("embedding gather, scatter set and scatter add of " + t, combiners(t) + """
          ENTRY e {
            table = T[7,3] parameter(0)
            ids = s32[4,2] parameter(1)
            g = T[4,2,3] gather(table, ids), offset_dims={2}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=2, slice_sizes={1,3}
            rows = s32[4] parameter(2)
            upd = T[4,3] parameter(3)
            s = T[7,3] scatter(table, rows, upd), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=set
            a = T[7,3] scatter(table, rows, upd), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=combine
            ROOT r = (T[4,2,3], T[7,3], T[7,3]) tuple(g, s, a)
          }""", t));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyIndexType() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType it : INDEX_TYPES) {
      tests.add(test("indices of type " + it, combiners(ElementType.F32) + """
          ENTRY e {
            x = T[9,4] parameter(0)
            i = I[] parameter(1)
            k = I[] constant(1)
            d = T[3,4] dynamic-slice(x, i, k), dynamic_slice_sizes={3,4}
            ids = I[5] parameter(2)
            g = T[5,2] gather(x, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,2}
            upd = T[5,4] parameter(3)
            s = T[9,4] scatter(x, ids, upd), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=combine
            ROOT r = (T[3,4], T[5,2], T[9,4]) tuple(d, g, s)
          }""".replace("I[", it + "["), ElementType.F32));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> gatherAndScatterForms() {
    String f32 = combiners(ElementType.F32);
    return Stream.of(
        test("gather-nd of [row, column] pairs", f32 + """
            ENTRY e {
              x = T[6,7,3] parameter(0)
              ids = s32[5,2] parameter(1)
              ROOT g = T[5,3] gather(x, ids), offset_dims={1}, collapsed_slice_dims={0,1}, start_index_map={0,1}, index_vector_dim=1, slice_sizes={1,1,3}
            }""", ElementType.F32),
        test("gather with batching dimensions (TF batch_dims=1)", f32 + """
            ENTRY e {
              x = T[4,10,3] parameter(0)
              ids = s32[4,6] parameter(1)
              ROOT g = T[4,6,3] gather(x, ids), offset_dims={2}, collapsed_slice_dims={1}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=2, slice_sizes={1,1,3}
            }""", ElementType.F32),
        test("gather of wide windows, clamped to fit", combiners(ElementType.S32) + """
            ENTRY e {
              x = T[8,5] parameter(0)
              ids = s32[3,1] parameter(1)
              ROOT g = T[3,3,5] gather(x, ids), offset_dims={1,2}, collapsed_slice_dims={}, start_index_map={0}, index_vector_dim=1, slice_sizes={3,5}
            }""", ElementType.S32),
        test("gather with the index vector in dimension 0", f32 + """
            ENTRY e {
              x = T[5,6] parameter(0)
              ids = s64[2,4] parameter(1)
              ROOT g = T[4,2,2] gather(x, ids), offset_dims={1,2}, collapsed_slice_dims={}, start_index_map={1,0}, index_vector_dim=0, slice_sizes={2,2}
            }""", ElementType.F32),
        test("scatter-nd add of scalars at [row, column]", f32 + """
            ENTRY e {
              x = T[5,4] parameter(0)
              ids = s32[6,2] parameter(1)
              u = T[6] parameter(2)
              ROOT s = T[5,4] scatter(x, ids, u), update_window_dims={}, inserted_window_dims={0,1}, scatter_dims_to_operand_dims={0,1}, index_vector_dim=1, to_apply=combine
            }""", ElementType.F32),
        test("scatter of two-row windows, windows out of bounds skipped", f32 + """
            ENTRY e {
              x = T[6,4] parameter(0)
              ids = s32[3,1] parameter(1)
              u = T[3,2,4] parameter(2)
              ROOT s = T[6,4] scatter(x, ids, u), update_window_dims={1,2}, inserted_window_dims={}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=combine
            }""", ElementType.F32),
        test("scatter with batching dimensions", f32 + """
            ENTRY e {
              x = T[3,5] parameter(0)
              ids = s32[3,2] parameter(1)
              u = T[3,2] parameter(2)
              ROOT s = T[3,5] scatter(x, ids, u), update_window_dims={}, inserted_window_dims={1}, input_batching_dims={0}, scatter_indices_batching_dims={0}, scatter_dims_to_operand_dims={1}, index_vector_dim=2, to_apply=combine
            }""", ElementType.F32),
        test("scatter multiply with duplicate indices (order kept)", """
            mul {
              a = T[] parameter(0)
              b = T[] parameter(1)
              ROOT m = T[] multiply(a, b)
            }
            ENTRY e {
              x = T[3] parameter(0)
              ids = s32[12] constant({0, 1, 0, 2, 0, 1, 0, 2, 1, 1, 0, 0})
              u = T[12] parameter(1)
              ROOT s = T[3] scatter(x, ids, u), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=mul
            }""", ElementType.F16),
        test("variadic scatter: value and argmax index together", """
            keep_max {
              av = T[] parameter(0)
              ai = s32[] parameter(1)
              bv = T[] parameter(2)
              bi = s32[] parameter(3)
              ge = pred[] compare(av, bv), direction=GE
              v = T[] select(ge, av, bv)
              i = s32[] select(ge, ai, bi)
              ROOT t = (T[], s32[]) tuple(v, i)
            }
            ENTRY e {
              x = T[4] parameter(0)
              xi = s32[4] parameter(1)
              ids = s32[6] parameter(2)
              u = T[6] parameter(3)
              ui = s32[6] iota(), iota_dimension=0
              ROOT s = (T[4], s32[4]) scatter(x, xi, ids, u, ui), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=keep_max
            }""", ElementType.F64),
        test("dynamic slices with the start indices as one vector", f32 + """
            ENTRY e {
              x = T[5,6] parameter(0)
              s = s32[2] parameter(1)
              u = T[3,2] parameter(2)
              d = T[3,2] dynamic-slice(x, s), dynamic_slice_sizes={3,2}
              w = T[5,6] dynamic-update-slice(x, u, s)
              ROOT r = (T[3,2], T[5,6]) tuple(d, w)
            }""", ElementType.F32),
        test("a chain through gather and dynamic-slice fused in one loop", f32 + """
            ENTRY e {
              x = T[10,4] parameter(0)
              ids = s32[6] parameter(1)
              t = T[10,4] tanh(x)
              g = T[6,4] gather(t, ids), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,4}
              i = s32[] parameter(2)
              z = s32[] constant(0)
              d = T[3,4] dynamic-slice(g, i, z), dynamic_slice_sizes={3,4}
              ROOT n = T[3,4] negate(d)
            }""", ElementType.F32));
  }

  /** {@code set} (the update replaces the value) and {@code combine} (add; or for pred) on T. */
  private static String combiners(ElementType t) {
    String op = t == ElementType.PRED ? "or" : "add";
    return """
        set {
          a = T[] parameter(0)
          ROOT b = T[] parameter(1)
        }
        combine {
          a = T[] parameter(0)
          b = T[] parameter(1)
          ROOT c = T[] OP(a, b)
        }
        """.replace("OP", op);
  }

  private static DynamicTest test(String name, String body, ElementType t) {
    return DynamicTest.dynamicTest(name, () -> {
      String text = HloText.uniqueNames("HloModule m\n" + body.replace("T[", t + "[") + "\n");
      Module module = HloParser.parse(text);
      Random random = new Random(name.hashCode());
      List<Literal> args = new ArrayList<>();
      for (var p : module.entry().parameters()) {
        ElementType pt = p.shape().elementType();
        Literal v = Oracle.values(pt, p.shape().dimensions(), random);
        if (pt.isInteger() && p.name().matches("(i|j|s|ids|rows)(_.*)?")) {
          v = indices(p.shape(), random);
        }
        args.add(v);
      }
      Literal expected = Oracle.INTERPRETER.run(module, args);
      Oracle.assertClose(expected, Oracle.runCpu(module, args), Oracle.Tolerance.EXACT, name);
    });
  }

  /** Mostly valid indices, some just out of range, negative or extreme (wrapped to the type). */
  private static Literal indices(io.tessera.compiler.hlo.Shape shape, Random random) {
    Literal lit = Literal.zeros(shape);
    long[] edges = {-1, -3, 6, 7, 9, 100, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 63 | 5, 255, 65535};
    for (int i = 0; i < lit.elementCount(); i++) {
      long v = random.nextInt(4) == 0 ? edges[random.nextInt(edges.length)] : random.nextInt(8);
      lit.setLong(i, v);
    }
    return lit;
  }
}
