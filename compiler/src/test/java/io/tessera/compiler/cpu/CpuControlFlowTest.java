package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential tests of while, conditional, call, fusion and map on the CPU backend against the
 * interpreter: loops with fixed and data-dependent trip counts, zero trips, swapped and
 * pass-through state, nested loops, reductions and dots inside bodies and conditions, in-place
 * dynamic-update-slice (and the cases where it must not be in place), predicated and indexed
 * conditionals (out-of-range indices take the last branch), calls of one computation from two
 * sites, loop, input and multi-output fusions, and map.
 */
class CpuControlFlowTest {

  private record Case(String name, Oracle.Tolerance tolerance, String text) {}

  private static final String ADD = """
      add {
        add_a = f32[] parameter(0)
        add_b = f32[] parameter(1)
        ROOT add_c = f32[] add(add_a, add_b)
      }
      addi {
        addi_a = s32[] parameter(0)
        addi_b = s32[] parameter(1)
        ROOT addi_c = s32[] add(addi_a, addi_b)
      }
      """;

  private static final List<Case> CASES = List.of(
      new Case("counted loop with a pass-through weight", Oracle.Tolerance.EXACT, """
          cond {
            p = (s32[], f32[4,3], f32[4,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(5)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], f32[4,3], f32[4,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = f32[4,3] get-tuple-element(p), index=1
            w = f32[4,3] get-tuple-element(p), index=2
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            h = f32[] constant(0.5)
            hb = f32[4,3] broadcast(h), dimensions={}
            xm = f32[4,3] multiply(x, hb)
            x1 = f32[4,3] add(xm, w)
            ROOT t = (s32[], f32[4,3], f32[4,3]) tuple(i1, x1, w)
          }
          ENTRY e {
            a = f32[4,3] parameter(0)
            b = f32[4,3] parameter(1)
            z = s32[] constant(0)
            t = (s32[], f32[4,3], f32[4,3]) tuple(z, a, b)
            w = (s32[], f32[4,3], f32[4,3]) while(t), condition=cond, body=body
            ROOT r = f32[4,3] get-tuple-element(w), index=1
          }"""),
      new Case("data-dependent trip count, zero trips included, whole state returned", Oracle.Tolerance.EXACT, """
          cond {
            p = (s32[], s32[], u16[5], pred[5]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] get-tuple-element(p), index=1
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], s32[], u16[5], pred[5]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] get-tuple-element(p), index=1
            x = u16[5] get-tuple-element(p), index=2
            f = pred[5] get-tuple-element(p), index=3
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            c = u16[] constant(3)
            cb = u16[5] broadcast(c), dimensions={}
            x1 = u16[5] multiply(x, cb)
            f1 = pred[5] not(f)
            ROOT t = (s32[], s32[], u16[5], pred[5]) tuple(i1, n, x1, f1)
          }
          ENTRY e {
            n0 = s32[] parameter(0)
            x = u16[5] parameter(1)
            f = pred[5] parameter(2)
            lo = s32[] constant(-3)
            hi = s32[] constant(7)
            n = s32[] clamp(lo, n0, hi)
            z = s32[] constant(0)
            t = (s32[], s32[], u16[5], pred[5]) tuple(z, n, x, f)
            ROOT w = (s32[], s32[], u16[5], pred[5]) while(t), condition=cond, body=body
          }"""),
      new Case("swapped state elements", Oracle.Tolerance.EXACT, """
          cond {
            p = (s32[], f16[3,2], f16[3,2]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(3)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], f16[3,2], f16[3,2]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = f16[3,2] get-tuple-element(p), index=1
            y = f16[3,2] get-tuple-element(p), index=2
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            y1 = f16[3,2] add(x, y)
            ROOT t = (s32[], f16[3,2], f16[3,2]) tuple(i1, y, y1)
          }
          ENTRY e {
            a = f16[3,2] parameter(0)
            b = f16[3,2] parameter(1)
            z = s32[] constant(0)
            t = (s32[], f16[3,2], f16[3,2]) tuple(z, a, b)
            ROOT w = (s32[], f16[3,2], f16[3,2]) while(t), condition=cond, body=body
          }"""),
      new Case("nested loops with a dot in the inner body and a reduce in the outer condition",
          Oracle.Tolerance.sums(1e-5, 1e-5), """
          inner_cond {
            p = (s32[], f32[4,4], f32[4,4]) parameter(0)
            j = s32[] get-tuple-element(p), index=0
            n = s32[] constant(2)
            ROOT lt = pred[] compare(j, n), direction=LT
          }
          inner_body {
            p = (s32[], f32[4,4], f32[4,4]) parameter(0)
            j = s32[] get-tuple-element(p), index=0
            x = f32[4,4] get-tuple-element(p), index=1
            w = f32[4,4] get-tuple-element(p), index=2
            one = s32[] constant(1)
            j1 = s32[] add(j, one)
            d = f32[4,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            x1 = f32[4,4] tanh(d)
            ROOT t = (s32[], f32[4,4], f32[4,4]) tuple(j1, x1, w)
          }
          outer_cond {
            p = (s32[], f32[4,4], f32[4,4]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = f32[4,4] get-tuple-element(p), index=1
            z = f32[] constant(0)
            s = f32[] reduce(x, z), dimensions={0,1}, to_apply=add
            lim = f32[] constant(1000)
            small = pred[] compare(s, lim), direction=LT
            three = s32[] constant(3)
            few = pred[] compare(i, three), direction=LT
            ROOT both = pred[] and(small, few)
          }
          outer_body {
            p = (s32[], f32[4,4], f32[4,4]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = f32[4,4] get-tuple-element(p), index=1
            w = f32[4,4] get-tuple-element(p), index=2
            zero = s32[] constant(0)
            t0 = (s32[], f32[4,4], f32[4,4]) tuple(zero, x, w)
            inner = (s32[], f32[4,4], f32[4,4]) while(t0), condition=inner_cond, body=inner_body
            x1 = f32[4,4] get-tuple-element(inner), index=1
            two = f32[] constant(2)
            tb = f32[4,4] broadcast(two), dimensions={}
            x2 = f32[4,4] add(x1, tb)
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            ROOT t = (s32[], f32[4,4], f32[4,4]) tuple(i1, x2, w)
          }
          ENTRY e {
            a = f32[4,4] parameter(0)
            w = f32[4,4] parameter(1)
            z = s32[] constant(0)
            t = (s32[], f32[4,4], f32[4,4]) tuple(z, a, w)
            r = (s32[], f32[4,4], f32[4,4]) while(t), condition=outer_cond, body=outer_body
            i = s32[] get-tuple-element(r), index=0
            x = f32[4,4] get-tuple-element(r), index=1
            ROOT out = (s32[], f32[4,4]) tuple(i, x)
          }"""),
      new Case("scan writing one row per trip in place, start clamped on the last trips", Oracle.Tolerance.EXACT, """
          cond {
            p = (s32[], s64[6,3], s64[6,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(8)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], s64[6,3], s64[6,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = s64[6,3] get-tuple-element(p), index=1
            ys = s64[6,3] get-tuple-element(p), index=2
            zero = s32[] constant(0)
            row = s64[1,3] dynamic-slice(x, i, zero), dynamic_slice_sizes={1,3}
            old = s64[1,3] dynamic-slice(ys, i, zero), dynamic_slice_sizes={1,3}
            k = s64[] constant(3)
            kb = s64[1,3] broadcast(k), dimensions={}
            m = s64[1,3] multiply(row, kb)
            upd = s64[1,3] add(m, old)
            ys1 = s64[6,3] dynamic-update-slice(ys, upd, i, zero)
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            ROOT t = (s32[], s64[6,3], s64[6,3]) tuple(i1, x, ys1)
          }
          ENTRY e {
            x = s64[6,3] parameter(0)
            y = s64[6,3] parameter(1)
            z = s32[] constant(0)
            t = (s32[], s64[6,3], s64[6,3]) tuple(z, x, y)
            w = (s32[], s64[6,3], s64[6,3]) while(t), condition=cond, body=body
            ROOT r = s64[6,3] get-tuple-element(w), index=2
          }"""),
      new Case("scatter lowered to a loop, XLA's fused in-place form", Oracle.Tolerance.EXACT, """
          fused_update {
            param_0 = f32[5,4] parameter(0)
            param_1 = f32[7,4] parameter(1)
            param_2 = s32[] parameter(2)
            param_3 = s32[7] parameter(3)
            ds_i = s32[1] dynamic-slice(param_3, param_2), dynamic_slice_sizes={1}
            target = s32[] bitcast(ds_i)
            zero = s32[] constant(0)
            old = f32[1,4] dynamic-slice(param_0, target, zero), dynamic_slice_sizes={1,4}
            row = f32[1,4] dynamic-slice(param_1, param_2, zero), dynamic_slice_sizes={1,4}
            sum = f32[1,4] add(old, row)
            ROOT dus = f32[5,4] dynamic-update-slice(param_0, sum, target, zero)
          }
          cond {
            p = (s32[], f32[5,4], f32[7,4], s32[7]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(7)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], f32[5,4], f32[7,4], s32[7]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            acc = f32[5,4] get-tuple-element(p), index=1
            rows = f32[7,4] get-tuple-element(p), index=2
            ids = s32[7] get-tuple-element(p), index=3
            f = f32[5,4] fusion(acc, rows, i, ids), kind=kLoop, calls=fused_update
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            ROOT t = (s32[], f32[5,4], f32[7,4], s32[7]) tuple(i1, f, rows, ids)
          }
          ENTRY e {
            rows = f32[7,4] parameter(0)
            ids = s32[7] parameter(1)
            z = f32[] constant(0)
            acc = f32[5,4] broadcast(z), dimensions={}
            i = s32[] constant(0)
            t = (s32[], f32[5,4], f32[7,4], s32[7]) tuple(i, acc, rows, ids)
            w = (s32[], f32[5,4], f32[7,4], s32[7]) while(t), condition=cond, body=body
            ROOT r = f32[5,4] get-tuple-element(w), index=1
          }"""),
      new Case("dynamic-update-slice in a loop that also reads the old state (not in place)", Oracle.Tolerance.EXACT, """
          cond {
            p = (s32[], s32[4], s32[]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(4)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], s32[4], s32[]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            v = s32[4] get-tuple-element(p), index=1
            z = s32[] constant(0)
            total = s32[] reduce(v, z), dimensions={0}, to_apply=addi
            r = s32[4] reverse(v), dimensions={0}
            u = s32[1] slice(r), slice={[0:1]}
            v1 = s32[4] dynamic-update-slice(v, u, i)
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            ROOT t = (s32[], s32[4], s32[]) tuple(i1, v1, total)
          }
          ENTRY e {
            v = s32[4] parameter(0)
            z = s32[] constant(0)
            t = (s32[], s32[4], s32[]) tuple(z, v, z)
            ROOT w = (s32[], s32[4], s32[]) while(t), condition=cond, body=body
          }"""),
      new Case("predicated conditional with tuple operands, both outcomes", Oracle.Tolerance.EXACT, """
          on_true {
            p = (f32[3], s8[3]) parameter(0)
            x = f32[3] get-tuple-element(p), index=0
            y = s8[3] get-tuple-element(p), index=1
            n = f32[3] negate(x)
            ROOT t = (f32[3], s8[3]) tuple(n, y)
          }
          on_false {
            p = f32[3] parameter(0)
            e = f32[3] exponential(p)
            c = s8[3] convert(p)
            ROOT t = (f32[3], s8[3]) tuple(e, c)
          }
          ENTRY e {
            x = f32[3] parameter(0)
            y = s8[3] parameter(1)
            z = f32[] constant(0)
            s = f32[] reduce(x, z), dimensions={0}, to_apply=add
            pos = pred[] compare(s, z), direction=GT
            neg = pred[] not(pos)
            tx = (f32[3], s8[3]) tuple(x, y)
            c1 = (f32[3], s8[3]) conditional(pos, tx, x), true_computation=on_true, false_computation=on_false
            c2 = (f32[3], s8[3]) conditional(neg, tx, x), true_computation=on_true, false_computation=on_false
            ROOT r = ((f32[3], s8[3]), (f32[3], s8[3])) tuple(c1, c2)
          }"""),
      new Case("indexed conditional, out-of-range indices take the last branch", Oracle.Tolerance.EXACT, """
          b0 {
            p = bf16[2,2] parameter(0)
            ROOT n = bf16[2,2] negate(p)
          }
          b1 {
            p = bf16[2,2] parameter(0)
            ROOT a = bf16[2,2] add(p, p)
          }
          b2 {
            p = bf16[2,2] parameter(0)
            ROOT t = bf16[2,2] transpose(p), dimensions={1,0}
          }
          ENTRY e {
            x = bf16[2,2] parameter(0)
            m1 = s32[] constant(-1)
            c0 = s32[] constant(0)
            c1 = s32[] constant(1)
            c2 = s32[] constant(2)
            c9 = s32[] constant(9)
            r0 = bf16[2,2] conditional(m1, x, x, x), branch_computations={b0, b1, b2}
            r1 = bf16[2,2] conditional(c0, x, x, x), branch_computations={b0, b1, b2}
            r2 = bf16[2,2] conditional(c1, x, x, x), branch_computations={b0, b1, b2}
            r3 = bf16[2,2] conditional(c2, x, x, x), branch_computations={b0, b1, b2}
            r4 = bf16[2,2] conditional(c9, x, x, x), branch_computations={b0, b1, b2}
            ROOT r = (bf16[2,2], bf16[2,2], bf16[2,2], bf16[2,2], bf16[2,2]) tuple(r0, r1, r2, r3, r4)
          }"""),
      new Case("conditional on the loop counter inside a loop, result feeding a dot", Oracle.Tolerance.sums(1e-5, 1e-5),
          """
          even {
            p = f32[3,3] parameter(0)
            h = f32[] constant(0.5)
            hb = f32[3,3] broadcast(h), dimensions={}
            ROOT m = f32[3,3] multiply(p, hb)
          }
          odd {
            p = f32[3,3] parameter(0)
            ROOT t = f32[3,3] transpose(p), dimensions={1,0}
          }
          cond {
            p = (s32[], f32[3,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            n = s32[] constant(5)
            ROOT lt = pred[] compare(i, n), direction=LT
          }
          body {
            p = (s32[], f32[3,3]) parameter(0)
            i = s32[] get-tuple-element(p), index=0
            x = f32[3,3] get-tuple-element(p), index=1
            two = s32[] constant(2)
            r = s32[] remainder(i, two)
            c = f32[3,3] conditional(r, x, x), branch_computations={even, odd}
            d = f32[3,3] dot(c, x), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            s = f32[3,3] tanh(d)
            one = s32[] constant(1)
            i1 = s32[] add(i, one)
            ROOT t = (s32[], f32[3,3]) tuple(i1, s)
          }
          ENTRY e {
            x = f32[3,3] parameter(0)
            z = s32[] constant(0)
            t = (s32[], f32[3,3]) tuple(z, x)
            w = (s32[], f32[3,3]) while(t), condition=cond, body=body
            ROOT r = f32[3,3] get-tuple-element(w), index=1
          }"""),
      new Case("one computation called from two sites, with a tuple result", Oracle.Tolerance.EXACT, """
          f {
            a = s32[4] parameter(0)
            b = s32[4] parameter(1)
            s = s32[4] add(a, b)
            d = s32[4] subtract(a, b)
            ROOT t = (s32[4], s32[4]) tuple(s, d)
          }
          ENTRY e {
            x = s32[4] parameter(0)
            y = s32[4] parameter(1)
            c1 = (s32[4], s32[4]) call(x, y), to_apply=f
            s1 = s32[4] get-tuple-element(c1), index=0
            c2 = (s32[4], s32[4]) call(s1, x), to_apply=f
            d2 = s32[4] get-tuple-element(c2), index=1
            s2 = s32[4] get-tuple-element(c2), index=0
            ROOT r = (s32[4], s32[4], s32[4]) tuple(d2, s2, s1)
          }"""),
      new Case("loop, input and multi-output fusions", Oracle.Tolerance.sums(1e-5, 1e-6), """
          fused_loop {
            p0 = f32[4,5] parameter(0)
            p1 = f32[5] parameter(1)
            b = f32[4,5] broadcast(p1), dimensions={1}
            ROOT m = f32[4,5] multiply(p0, b)
          }
          fused_input {
            p0 = f32[4,5] parameter(0)
            e = f32[4,5] exponential(p0)
            z = f32[] constant(0)
            ROOT s = f32[4] reduce(e, z), dimensions={1}, to_apply=add
          }
          fused_multi {
            p0 = f32[4,5] parameter(0)
            p1 = f32[4] parameter(1)
            b = f32[4,5] broadcast(p1), dimensions={0}
            d = f32[4,5] divide(p0, b)
            n = f32[4,5] negate(d)
            ROOT t = (f32[4,5], f32[4,5]) tuple(d, n)
          }
          ENTRY e {
            x = f32[4,5] parameter(0)
            v = f32[5] parameter(1)
            l = f32[4,5] fusion(x, v), kind=kLoop, calls=fused_loop
            s = f32[4] fusion(l), kind=kInput, calls=fused_input
            m = (f32[4,5], f32[4,5]) fusion(l, s), kind=kLoop, calls=fused_multi
            a = f32[4,5] get-tuple-element(m), index=0
            b = f32[4,5] get-tuple-element(m), index=1
            ROOT r = (f32[4,5], f32[4,5], f32[4]) tuple(a, b, s)
          }"""),
      new Case("map of a two-operand computation with a constant, on s32 and f64", Oracle.Tolerance.EXACT, """
          fi {
            a = s32[] parameter(0)
            b = s32[] parameter(1)
            m = s32[] multiply(a, b)
            k = s32[] constant(7)
            ROOT r = s32[] add(m, k)
          }
          fd {
            a = f64[] parameter(0)
            b = f64[] parameter(1)
            ROOT r = f64[] maximum(a, b)
          }
          ENTRY e {
            x = s32[2,3] parameter(0)
            y = s32[2,3] parameter(1)
            u = f64[6] parameter(2)
            v = f64[6] parameter(3)
            mi = s32[2,3] map(x, y), dimensions={0,1}, to_apply=fi
            md = f64[6] map(u, v), dimensions={0}, to_apply=fd
            ROOT r = (s32[2,3], f64[6]) tuple(mi, md)
          }"""));

  @TestFactory
  Stream<DynamicTest> controlFlowMatchesTheInterpreter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : CASES) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c, 0)));
    }
    // Data-dependent trip counts: -1 (no trip), 0, 3 and 9 (clamped to 7).
    for (long n : new long[] {-1, 0, 3, 9}) {
      tests.add(DynamicTest.dynamicTest("trip count " + n, () -> check(CASES.get(1), n)));
    }
    return tests.stream();
  }

  private static void check(Case c, long firstScalar) {
    Module module = HloParser.parse(HloText.uniqueNames("HloModule m\n" + ADD + c.text() + "\n"));
    Random random = new Random(c.name().hashCode());
    List<Literal> args = new ArrayList<>();
    for (var p : module.entry().parameters()) {
      ElementType t = p.shape().elementType();
      Literal v = Oracle.values(t, p.shape().dimensions(), random);
      if (p.shape().rank() == 0 && t == ElementType.S32) {
        v = Literal.ofLongs(p.shape(), new long[] {firstScalar});
      }
      args.add(v);
    }
    Literal expected = Oracle.INTERPRETER.run(module, args);
    Oracle.assertClose(expected, Oracle.runCpu(module, args), c.tolerance(), c.name());
  }

  @Test
  void loopUpdatesWriteTheirSliceInPlaceOnlyWhenNothingElseReadsTheOldState() {
    assertTrue(ir(CASES.get(4)).contains("dus.inplace"), "the scan's row update should be in place");
    assertTrue(ir(CASES.get(5)).contains("dus.inplace"), "XLA's fused scatter loop should update in place");
    assertFalse(ir(CASES.get(6)).contains("dus.inplace"), "the old state is reduced and reversed: no in-place update");
  }

  @Test
  void passThroughStateIsNeverCopied() {
    // The weight (parameter 1) of the first loop stays in the caller's buffer: no copy of it, ever.
    String text = ir(CASES.get(0));
    assertEquals(1, count(text, "i64(ptr %r0, ptr %p0, i64 48"), "the changing state is copied in, once:\n" + text);
    assertEquals(0, count(text, ", ptr %p1, i64 48"), "the pass-through weight is not copied:\n" + text);
  }

  @Test
  void recursionInAHandBuiltModuleIsACompileError() {
    // The parser refuses this text, so the cycle is built in Java: %a calls %b, %b calls %a.
    Shape f32 = Shape.scalar(ElementType.F32);
    Module module = new Module("m");
    Computation a = new Computation("a");
    Computation b = new Computation("b");
    for (Computation[] pair : new Computation[][] {{a, b}, {b, a}}) {
      Instruction p = pair[0].add(Instruction.parameter(pair[0].name() + ".p", 0, f32));
      pair[0].setRoot(pair[0].add(Instruction.createWithShape(pair[0].name() + ".call", Opcode.CALL, f32, List.of(p),
          Attributes.builder().put(Attr.TO_APPLY, pair[1]).build())));
    }
    module.add(a);
    module.add(b);
    module.setEntry(a);
    CompilationException e = assertThrows(CompilationException.class, () -> Oracle.CPU.compile(module));
    assertEquals("computations call each other recursively: %a -> %b -> %a", e.getMessage());
  }

  private static String ir(Case c) {
    Module module = HloParser.parse(HloText.uniqueNames("HloModule m\n" + ADD + c.text() + "\n"));
    return Oracle.CPU.emitLlvmIr(module, BackendOptions.defaults(), false);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
