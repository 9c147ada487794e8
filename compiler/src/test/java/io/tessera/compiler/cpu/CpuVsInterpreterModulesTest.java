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
 * Differential tests of whole modules: data movement (broadcast, reshape, transpose, slice,
 * reverse, concatenate, pad, iota, copy, bitcast), tuple results, reductions (row, column, full,
 * variadic, integer, f16, pred) and dots (matrix, batched, vector, outer, transposed operands,
 * mixed types), alone and fused into elementwise chains. Each module runs on seeded values.
 */
class CpuVsInterpreterModulesTest {
  private static final Oracle.Tolerance F32_SUMS = Oracle.Tolerance.sums(1e-5, 1e-5);

  private record Case(String name, Oracle.Tolerance tolerance, String body) {}

  private static final List<Case> CASES = List.of(
      new Case("broadcast minor", Oracle.Tolerance.EXACT, """
          p0 = f32[3] parameter(0)
          ROOT r = f32[2,3] broadcast(p0), dimensions={1}"""),
      new Case("broadcast major and scalar", Oracle.Tolerance.EXACT, """
          p0 = s32[2] parameter(0)
          p1 = s32[] parameter(1)
          a = s32[2,3] broadcast(p0), dimensions={0}
          b = s32[2,3] broadcast(p1), dimensions={}
          ROOT r = s32[2,3] add(a, b)"""),
      new Case("broadcast transposing", Oracle.Tolerance.EXACT, """
          p0 = f64[4,3] parameter(0)
          ROOT r = f64[3,2,4] broadcast(p0), dimensions={2,0}"""),
      new Case("reshapes", Oracle.Tolerance.EXACT, """
          p0 = f32[2,3,4] parameter(0)
          a = f32[4,6] reshape(p0)
          b = f32[24] reshape(a)
          c = f32[1,24,1] reshape(b)
          d = f32[3,8] reshape(c)
          ROOT r = f32[3,8] negate(d)"""),
      new Case("transpose", Oracle.Tolerance.EXACT, """
          p0 = u16[2,3,4] parameter(0)
          ROOT r = u16[4,2,3] transpose(p0), dimensions={2,0,1}"""),
      new Case("strided slice", Oracle.Tolerance.EXACT, """
          p0 = f32[10,8] parameter(0)
          ROOT r = f32[3,4] slice(p0), slice={[1:9:3], [0:8:2]}"""),
      new Case("reverse", Oracle.Tolerance.EXACT, """
          p0 = s8[3,5] parameter(0)
          ROOT r = s8[3,5] reverse(p0), dimensions={0,1}"""),
      new Case("concatenate with an empty operand", Oracle.Tolerance.EXACT, """
          p0 = f32[2,3] parameter(0)
          p1 = f32[2,0] parameter(1)
          p2 = f32[2,2] parameter(2)
          e = f32[2,2] exponential(p2)
          ROOT r = f32[2,8] concatenate(p0, p1, e, p0), dimensions={1}"""),
      new Case("pad with negative edge and interior padding", Oracle.Tolerance.EXACT, """
          p0 = f32[3,4] parameter(0)
          v = f32[] constant(-1)
          ROOT r = f32[8,3] pad(p0, v), padding=1_2_1x-1_0_0"""),
      new Case("pad of an empty array", Oracle.Tolerance.EXACT, """
          p0 = bf16[0,2] parameter(0)
          v = bf16[] constant(7)
          ROOT r = bf16[2,4] pad(p0, v), padding=1_1x1_1"""),
      new Case("iotas", Oracle.Tolerance.EXACT, """
          i = s32[3,4] iota(), iota_dimension=1
          j = s32[3,4] iota(), iota_dimension=0
          k = s32[3,4] multiply(i, j)
          f = f16[3,4] convert(k)
          b = bf16[3,4] iota(), iota_dimension=1
          ROOT t = (s32[3,4], f16[3,4], bf16[3,4]) tuple(k, f, b)"""),
      new Case("copy and bitcast", Oracle.Tolerance.EXACT, """
          p0 = f32[2,6] parameter(0)
          c = f32[2,6] copy(p0)
          ROOT r = f32[12] bitcast(c)"""),
      new Case("tuple result with a parameter, a duplicate and a constant", Oracle.Tolerance.EXACT, """
          p0 = f32[4] parameter(0)
          p1 = s32[2,2] parameter(1)
          s = f32[4] sqrt(p0)
          c = s32[2] constant({5, -6})
          t = (f32[4], s32[2,2]) tuple(s, p1)
          g = f32[4] get-tuple-element(t), index=0
          ROOT r = (f32[4], s32[2,2], f32[4], s32[2], f32[4]) tuple(g, p1, s, c, p0)"""),
      new Case("row sum", F32_SUMS, """
          p0 = f32[5,37] parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[5] reduce(p0, z), dimensions={1}, to_apply=add"""),
      new Case("column sum of a fused chain", F32_SUMS, """
          p0 = f32[37,5] parameter(0)
          p1 = f32[5] parameter(1)
          b = f32[37,5] broadcast(p1), dimensions={1}
          m = f32[37,5] multiply(p0, b)
          z = f32[] constant(0)
          ROOT r = f32[5] reduce(m, z), dimensions={0}, to_apply=add"""),
      new Case("full max to a scalar", Oracle.Tolerance.EXACT, """
          p0 = f64[4,3,2] parameter(0)
          z = f64[] constant(-inf)
          ROOT r = f64[] reduce(p0, z), dimensions={0,1,2}, to_apply=max64"""),
      new Case("middle dimension of three", F32_SUMS, """
          p0 = f32[3,7,4] parameter(0)
          z = f32[] constant(1)
          ROOT r = f32[3,4] reduce(p0, z), dimensions={1}, to_apply=add"""),
      new Case("integer reduce", Oracle.Tolerance.EXACT, """
          p0 = s32[6,9] parameter(0)
          z = s32[] constant(0)
          ROOT r = s32[9] reduce(p0, z), dimensions={0}, to_apply=addi"""),
      new Case("f16 reduce", Oracle.Tolerance.EXACT, """
          p0 = f16[4,33] parameter(0)
          z = f16[] constant(0)
          ROOT r = f16[4] reduce(p0, z), dimensions={1}, to_apply=addh"""),
      new Case("pred all", Oracle.Tolerance.EXACT, """
          p0 = f32[3,5] parameter(0)
          z = f32[] constant(0)
          zb = f32[3,5] broadcast(z), dimensions={}
          c = pred[3,5] compare(p0, zb), direction=GT
          t = pred[] constant(true)
          ROOT r = pred[3] reduce(c, t), dimensions={1}, to_apply=andp"""),
      new Case("variadic argmax", Oracle.Tolerance.EXACT, """
          p0 = f32[4,6] parameter(0)
          i = s32[4,6] iota(), iota_dimension=1
          ninf = f32[] constant(-inf)
          zero = s32[] constant(0)
          ROOT r = (f32[4], s32[4]) reduce(p0, i, ninf, zero), dimensions={1}, to_apply=argmax"""),
      new Case("softmax", Oracle.Tolerance.sums(1e-5, 1e-6), """
          p0 = f32[3,10] parameter(0)
          ninf = f32[] constant(-inf)
          m = f32[3] reduce(p0, ninf), dimensions={1}, to_apply=max
          mb = f32[3,10] broadcast(m), dimensions={0}
          d = f32[3,10] subtract(p0, mb)
          e = f32[3,10] exponential(d)
          z = f32[] constant(0)
          s = f32[3] reduce(e, z), dimensions={1}, to_apply=add
          sb = f32[3,10] broadcast(s), dimensions={0}
          ROOT r = f32[3,10] divide(e, sb)"""),
      new Case("matrix product", F32_SUMS, """
          p0 = f32[3,4] parameter(0)
          p1 = f32[4,5] parameter(1)
          ROOT r = f32[3,5] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("batched product with transposed operands", F32_SUMS, """
          p0 = f32[4,2,3] parameter(0)
          p1 = f32[5,2,4] parameter(1)
          ROOT r = f32[2,3,5] dot(p0, p1), lhs_batch_dims={1}, rhs_batch_dims={1}, lhs_contracting_dims={0}, rhs_contracting_dims={2}"""),
      new Case("vector dot and outer product", Oracle.Tolerance.sums(1e-12, 1e-12), """
          p0 = f64[7] parameter(0)
          p1 = f64[7] parameter(1)
          d = f64[] dot(p0, p1), lhs_contracting_dims={0}, rhs_contracting_dims={0}
          o = f64[7,7] dot(p0, p1)
          ROOT r = (f64[], f64[7,7]) tuple(d, o)"""),
      new Case("integer dot", Oracle.Tolerance.EXACT, """
          p0 = s32[3,4] parameter(0)
          p1 = s32[4,2] parameter(1)
          ROOT r = s32[3,2] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("mixed-type dot s8 x s8 -> s32", Oracle.Tolerance.EXACT, """
          p0 = s8[3,4] parameter(0)
          p1 = s8[4,2] parameter(1)
          ROOT r = s32[3,2] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("bf16 dot to f32", F32_SUMS, """
          p0 = bf16[3,4] parameter(0)
          p1 = bf16[4,2] parameter(1)
          ROOT r = f32[3,2] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("f16 dot", Oracle.Tolerance.sums(2e-3, 2e-3), """
          p0 = f16[3,4] parameter(0)
          p1 = f16[4,2] parameter(1)
          ROOT r = f16[3,2] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("pred dot", Oracle.Tolerance.EXACT, """
          p0 = pred[3,4] parameter(0)
          p1 = pred[4,2] parameter(1)
          ROOT r = pred[3,2] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
      new Case("dense layer: dot of fused operands, bias, relu, then a reduce", F32_SUMS, """
          p0 = f32[4,6] parameter(0)
          w = f32[6,3] parameter(1)
          bias = f32[3] parameter(2)
          x = f32[4,6] tanh(p0)
          h = f32[4,3] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb = f32[4,3] broadcast(bias), dimensions={1}
          a = f32[4,3] add(h, bb)
          z = f32[] constant(0)
          zb = f32[4,3] broadcast(z), dimensions={}
          relu = f32[4,3] maximum(a, zb)
          s = f32[4] reduce(relu, z), dimensions={1}, to_apply=add
          ROOT t = (f32[4,3], f32[4]) tuple(relu, s)"""),
      new Case("dot with a constant operand", F32_SUMS, """
          p0 = f32[2,3] parameter(0)
          c = f32[3,2] constant({{1, 2}, {3, 4}, {5, 6}})
          ROOT r = f32[2,2] dot(p0, c), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""));

  private static final String REDUCERS = """
      add {
        add_a = f32[] parameter(0)
        add_b = f32[] parameter(1)
        ROOT add_c = f32[] add(add_a, add_b)
      }
      max {
        max_a = f32[] parameter(0)
        max_b = f32[] parameter(1)
        ROOT max_c = f32[] maximum(max_a, max_b)
      }
      max64 {
        max64_a = f64[] parameter(0)
        max64_b = f64[] parameter(1)
        ROOT max64_c = f64[] maximum(max64_a, max64_b)
      }
      addi {
        addi_a = s32[] parameter(0)
        addi_b = s32[] parameter(1)
        ROOT addi_c = s32[] add(addi_a, addi_b)
      }
      addh {
        addh_a = f16[] parameter(0)
        addh_b = f16[] parameter(1)
        ROOT addh_c = f16[] add(addh_a, addh_b)
      }
      andp {
        andp_a = pred[] parameter(0)
        andp_b = pred[] parameter(1)
        ROOT andp_c = pred[] and(andp_a, andp_b)
      }
      argmax {
        argmax_av = f32[] parameter(0)
        argmax_ai = s32[] parameter(1)
        argmax_bv = f32[] parameter(2)
        argmax_bi = s32[] parameter(3)
        argmax_gt = pred[] compare(argmax_av, argmax_bv), direction=GE
        argmax_v = f32[] select(argmax_gt, argmax_av, argmax_bv)
        argmax_i = s32[] select(argmax_gt, argmax_ai, argmax_bi)
        ROOT argmax_t = (f32[], s32[]) tuple(argmax_v, argmax_i)
      }
      """;

  @TestFactory
  Stream<DynamicTest> modules() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : CASES) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        Module module = HloParser.parse("HloModule m\n" + REDUCERS + "ENTRY e {\n" + c.body() + "\n}\n");
        Random random = new Random(c.name().hashCode());
        List<Literal> args = new ArrayList<>();
        for (var p : module.entry().parameters()) {
          ElementType t = p.shape().elementType();
          args.add(Oracle.values(t, p.shape().dimensions(), random));
        }
        Literal expected = Oracle.INTERPRETER.run(module, args);
        Oracle.assertClose(expected, Oracle.runCpu(module, args), c.tolerance(), c.name());
      }));
    }
    return tests.stream();
  }
}
