package io.tessera.compiler.gpu;

import io.tessera.compiler.cpu.Oracle;
import io.tessera.compiler.eval.EvaluationException;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The GPU tests' modules, one per element type and op family: every elementwise opcode the
 * interpreter defines on the type, each a result of its own in one tuple, so that one compile
 * covers a family and a mismatch still names its opcode. Arguments are seeded (special values
 * first, then random ones) and the interpreter's answer for each opcode is computed alone.
 */
final class OpModules {
  private OpModules() {}

  static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};
  /** Elements per array: several times the emulated grid's threads, so every thread strides. */
  static final int N = 48;

  /** One opcode's result in a family module: its name, the interpreter's answer, the tolerance. */
  record Op(String name, Literal expected, Oracle.Tolerance tolerance) {}

  /**
   * A module with its arguments and expected results: with {@code perElement}, its tuple result
   * holds one element per {@link Op}; otherwise its whole result is the one op's.
   */
  record Family(String name, Module module, List<Literal> arguments, List<Op> ops, boolean perElement) {
    /** Asserts that {@code actual}, this module's result on another backend, matches the interpreter's. */
    void assertMatches(Literal actual, String context) {
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        Oracle.assertClose(op.expected(), perElement ? actual.tupleElement(i) : actual, op.tolerance(),
            context + ": " + name + ", " + op.name());
      }
    }
  }

  /**
   * Whole modules: data movement, constants, tuple results of different dimensions (a kernel
   * each), f16 chains, map, and row reductions (alone, beside an elementwise result, and as an
   * input fusion).
   */
  static List<Family> modules() {
    return List.of(
        whole("broadcast, transpose, reshape, slice, reverse", """
            p0 = f32[4,6] parameter(0)
            p1 = f32[6] parameter(1)
            b = f32[4,6] broadcast(p1), dimensions={1}
            a = f32[4,6] add(p0, b)
            t = f32[6,4] transpose(a), dimensions={1,0}
            r = f32[3,8] reshape(t)
            s = f32[3,3] slice(r), slice={[0:3], [1:8:3]}
            ROOT v = f32[3,3] reverse(s), dimensions={0,1}"""),
        whole("pad with negative edge and interior padding, concatenate", """
            p0 = s32[3,4] parameter(0)
            p1 = s32[3,2] parameter(1)
            v = s32[] constant(-1)
            c = s32[3,6] concatenate(p0, p1), dimensions={1}
            ROOT r = s32[8,5] pad(c, v), padding=1_2_1x-1_0_0"""),
        whole("iota, array constant, a scalar and a tuple of different dimensions", """
            p0 = f64[5] parameter(0)
            i = f64[5] iota(), iota_dimension=0
            c = f64[5] constant({1, -2, 3.5, 0, 7})
            a = f64[5] multiply(p0, i)
            s = f64[] constant(2.5)
            m = f64[2,5] broadcast(c), dimensions={1}
            ROOT t = (f64[5], f64[], f64[2,5], f64[5]) tuple(a, s, m, p0)"""),
        whole("dynamic-slice and gather", """
            p0 = f32[8,3] parameter(0)
            p1 = s32[] parameter(1)
            z = s32[] constant(0)
            d = f32[4,3] dynamic-slice(p0, p1, z), dynamic_slice_sizes={4,3}
            idx = s32[2,1] constant({{6}, {1}})
            g = f32[2,3] gather(p0, idx), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0},
                index_vector_dim=1, slice_sizes={1,3}
            ROOT t = (f32[4,3], f32[2,3]) tuple(d, g)"""),
        whole("f16 and bf16 chains", """
            p0 = f16[16] parameter(0)
            p1 = bf16[16] parameter(1)
            a = f16[16] multiply(p0, p0)
            b = f16[16] convert(p1)
            c = f16[16] subtract(a, b)
            ROOT t = (f16[16], bf16[16]) tuple(c, p1)"""),
        whole("map", """
            p0 = f32[10] parameter(0)
            p1 = f32[10] parameter(1)
            ROOT m = f32[10] map(p0, p1), dimensions={0}, to_apply=scalar_add"""),
        whole("row sums of more columns than a warp has lanes", SUMS, """
            p0 = f32[6,70] parameter(0)
            z = f32[] constant(0)
            ROOT r = f32[6] reduce(p0, z), dimensions={1}, to_apply=scalar_add"""),
        whole("max over the two trailing dimensions, beside an elementwise result", Oracle.Tolerance.EXACT, """
            p0 = f64[3,5,7] parameter(0)
            ninf = f64[] constant(-inf)
            m = f64[3] reduce(p0, ninf), dimensions={1,2}, to_apply=scalar_max
            n = f64[3,5,7] negate(p0)
            ROOT t = (f64[3], f64[3,5,7]) tuple(m, n)"""),
        whole("an input fusion: integer sum of a fused product, to a scalar", Oracle.Tolerance.EXACT, """
            p0 = s32[100] parameter(0)
            p1 = s32[100] parameter(1)
            ROOT f = s32[] fusion(p0, p1), kind=kInput, calls=fused_product_sum"""));
  }

  private static final Oracle.Tolerance SUMS = Oracle.Tolerance.sums(1e-5, 1e-5);

  /** The computations that map, reduces and fusions in {@link #modules()} call. */
  static final String SCALAR_ADD = """
      scalar_add {
        sa = f32[] parameter(0)
        sb = f32[] parameter(1)
        ROOT sc = f32[] add(sa, sb)
      }
      scalar_max {
        ma = f64[] parameter(0)
        mb = f64[] parameter(1)
        ROOT mc = f64[] maximum(ma, mb)
      }
      scalar_add_s32 {
        ia = s32[] parameter(0)
        ib = s32[] parameter(1)
        ROOT ic = s32[] add(ia, ib)
      }
      fused_product_sum {
        fa = s32[100] parameter(0)
        fb = s32[100] parameter(1)
        fp = s32[100] multiply(fa, fb)
        fz = s32[] constant(0)
        ROOT fr = s32[] reduce(fp, fz), dimensions={0}, to_apply=scalar_add_s32
      }
      """;

  private static Family whole(String name, String body) {
    return whole(name, Oracle.Tolerance.EXACT, body);
  }

  private static Family whole(String name, Oracle.Tolerance tolerance, String body) {
    Module module = HloParser.parse("HloModule m\n" + SCALAR_ADD + "ENTRY e {\n" + body + "\n}\n");
    Random random = new Random(name.hashCode());
    List<Literal> arguments = new ArrayList<>();
    for (var p : module.entry().parameters()) {
      Literal values = Oracle.values(p.shape().elementType(), p.shape().dimensions(), random);
      if (p.shape().elementType() == ElementType.S32 && p.shape().rank() == 0) {
        values.setLong(0, random.nextInt(12) - 2); // a start index, clamped into range by dynamic-slice
      }
      arguments.add(values);
    }
    Literal expected = Oracle.INTERPRETER.run(module, arguments);
    return new Family(name, module, arguments, List.of(new Op("whole result", expected, tolerance)), false);
  }

  /** Every family: unary, binary, comparisons with select and clamp, conversions; one per element type. */
  static List<Family> all() {
    List<Family> families = new ArrayList<>();
    for (ElementType t : TYPES) {
      families.add(unary(t));
      families.add(binary(t));
      families.add(comparisons(t));
      families.add(conversionsFrom(t));
    }
    families.removeIf(f -> f.ops().isEmpty());
    return families;
  }

  static Family unary(ElementType t) {
    Builder f = new Builder("unary " + t, List.of(t));
    for (Opcode op : Opcode.values()) {
      if (op.family() == Opcode.Family.UNARY && op != Opcode.CONVERT && op != Opcode.BITCAST_CONVERT
          && op != Opcode.REDUCE_PRECISION) {
        ElementType result = op == Opcode.IS_FINITE ? ElementType.PRED : t;
        f.add(op.mnemonic(), result + "[" + N + "] " + op.mnemonic() + "(p0)", Oracle.elementwiseTolerance(op, t));
      }
    }
    return f.build();
  }

  static Family binary(ElementType t) {
    Builder f = new Builder("binary " + t, List.of(t, t));
    for (Opcode op : Opcode.values()) {
      if (op.family() == Opcode.Family.BINARY && op != Opcode.COMPARE) {
        f.add(op.mnemonic(), t + "[" + N + "] " + op.mnemonic() + "(p0, p1)", Oracle.elementwiseTolerance(op, t));
      }
    }
    return f.build();
  }

  static Family comparisons(ElementType t) {
    Builder f = new Builder("compare, select and clamp " + t, List.of(t, t, ElementType.PRED));
    for (ComparisonDirection d : ComparisonDirection.values()) {
      f.add("compare " + d, "pred[" + N + "] compare(p0, p1), direction=" + d, Oracle.Tolerance.EXACT);
      if (t.isFloat()) {
        f.add("compare " + d + " total order", "pred[" + N + "] compare(p0, p1), direction=" + d + ", type=TOTALORDER",
            Oracle.Tolerance.EXACT);
      }
    }
    f.add("select", t + "[" + N + "] select(p2, p0, p1)", Oracle.Tolerance.EXACT);
    f.add("clamp", t + "[" + N + "] clamp(p0, p1, p0)", Oracle.Tolerance.EXACT);
    return f.build();
  }

  static Family conversionsFrom(ElementType from) {
    Builder f = new Builder("conversions from " + from, List.of(from));
    for (ElementType to : TYPES) {
      f.add("convert to " + to, to + "[" + N + "] convert(p0)", Oracle.Tolerance.EXACT);
      if (from.bitWidth() == to.bitWidth() && from != ElementType.PRED) {
        f.add("bitcast-convert to " + to, to + "[" + N + "] bitcast-convert(p0)", Oracle.Tolerance.EXACT);
      }
    }
    return f.build();
  }

  /** Collects the opcodes the interpreter defines on the family's arguments. */
  private static final class Builder {
    private final String name;
    private final String parameters;
    private final List<Literal> arguments = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();

    Builder(String name, List<ElementType> types) {
      this.name = name;
      Random random = new Random(name.hashCode());
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < types.size(); i++) {
        sb.append("p").append(i).append(" = ").append(types.get(i)).append("[").append(N).append("] parameter(")
            .append(i).append(")\n");
        arguments.add(Oracle.values(types.get(i), new int[] {N}, random));
      }
      this.parameters = sb.toString();
    }

    /** Adds {@code shapeAndOp} (e.g. {@code f32[48] exponential(p0)}) when the interpreter defines it. */
    void add(String opName, String shapeAndOp, Oracle.Tolerance tolerance) {
      Module alone = HloParser.parse("HloModule m\nENTRY e {\n" + parameters + "ROOT r = " + shapeAndOp + "\n}\n");
      try {
        ops.add(new Op(opName, Oracle.INTERPRETER.run(alone, arguments), tolerance));
        lines.add("r" + lines.size() + " = " + shapeAndOp);
      } catch (EvaluationException e) {
        // not defined on this type: no test
      }
    }

    Family build() {
      StringBuilder body = new StringBuilder(parameters);
      List<String> results = new ArrayList<>();
      for (String line : lines) {
        body.append(line).append('\n');
        results.add(line.substring(0, line.indexOf(' ')));
      }
      List<String> shapes = lines.stream().map(l -> l.substring(l.indexOf("= ") + 2, l.indexOf(']') + 1)).toList();
      body.append("ROOT t = (").append(String.join(", ", shapes)).append(") tuple(").append(String.join(", ", results))
          .append(")\n");
      Module module = ops.isEmpty() ? null : HloParser.parse("HloModule m\nENTRY e {\n" + body + "}\n");
      return new Family(name, module, arguments, ops, true);
    }
  }
}
