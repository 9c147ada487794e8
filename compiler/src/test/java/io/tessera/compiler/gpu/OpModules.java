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

  /**
   * Reductions that are not in the row form, and dots: the kernels that compute one output
   * element per thread, over shapes that are not multiples of the emulated grid, with 0- and
   * 1-size dimensions; and the temporaries that chains of them need (softmax, an MLP).
   */
  static List<Family> reductionsAndDots() {
    return List.of(
        numeric("column sums: a reduce over dimension 0", """
            p0 = f32[7,13] parameter(0)
            z = f32[] constant(0)
            ROOT r = f32[13] reduce(p0, z), dimensions={0}, to_apply=scalar_add"""),
        numeric("max over a middle dimension, and over the first and last", """
            p0 = f64[3,5,4] parameter(0)
            ninf = f64[] constant(-inf)
            m = f64[3,4] reduce(p0, ninf), dimensions={1}, to_apply=scalar_max
            o = f64[5] reduce(p0, ninf), dimensions={0,2}, to_apply=scalar_max
            ROOT t = (f64[3,4], f64[5]) tuple(m, o)"""),
        numeric("integer column sums of 0 and 1 rows, and of 0 columns", """
            p0 = s32[0,5] parameter(0)
            p1 = s32[1,6] parameter(1)
            p2 = s32[4,0] parameter(2)
            z = s32[] constant(0)
            a = s32[5] reduce(p0, z), dimensions={0}, to_apply=scalar_add_s32
            b = s32[6] reduce(p1, z), dimensions={0}, to_apply=scalar_add_s32
            c = s32[0] reduce(p2, z), dimensions={0}, to_apply=scalar_add_s32
            d = s32[4] reduce(p2, z), dimensions={1}, to_apply=scalar_add_s32
            ROOT t = (s32[5], s32[6], s32[0], s32[4]) tuple(a, b, c, d)"""),
        numeric("an input fusion of a column reduce: sums of squares", """
            p0 = f32[9,6] parameter(0)
            ROOT f = f32[6] fusion(p0), kind=kInput, calls=fused_column_squares"""),
        numeric("argmax: a variadic reduce of values and their indices", Oracle.Tolerance.EXACT, """
            p0 = f32[6,9] parameter(0)
            i = s32[6,9] iota(), iota_dimension=1
            ninf = f32[] constant(-inf)
            zero = s32[] constant(0)
            r = (f32[6], s32[6]) reduce(p0, i, ninf, zero), dimensions={1}, to_apply=argmax
            v = f32[6] get-tuple-element(r), index=0
            k = s32[6] get-tuple-element(r), index=1
            ROOT t = (f32[6], s32[6]) tuple(v, k)"""),
        numeric("softmax: row reductions into temporaries, broadcast back", """
            p0 = f32[5,11] parameter(0)
            ninf = f32[] constant(-inf)
            z = f32[] constant(0)
            top = f32[5] reduce(p0, ninf), dimensions={1}, to_apply=scalar_max_f32
            topb = f32[5,11] broadcast(top), dimensions={0}
            shifted = f32[5,11] subtract(p0, topb)
            ex = f32[5,11] exponential(shifted)
            total = f32[5] reduce(ex, z), dimensions={1}, to_apply=scalar_add
            totalb = f32[5,11] broadcast(total), dimensions={0}
            ROOT r = f32[5,11] divide(ex, totalb)"""),
        numeric("dot: matrix product", """
            p0 = f32[5,7] parameter(0)
            p1 = f32[7,9] parameter(1)
            ROOT d = f32[5,9] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}"""),
        numeric("dot: both operands transposed, f64", """
            p0 = f64[7,5] parameter(0)
            p1 = f64[9,7] parameter(1)
            ROOT d = f64[5,9] dot(p0, p1), lhs_contracting_dims={0}, rhs_contracting_dims={1}"""),
        numeric("dot: batched, and with two contracting dimensions", """
            p0 = f32[2,3,4] parameter(0)
            p1 = f32[2,4,6] parameter(1)
            p2 = f32[3,4,2] parameter(2)
            b = f32[2,3,6] dot(p0, p1), lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2},
                rhs_contracting_dims={1}
            c = f32[3,3] dot(p0, p2), lhs_contracting_dims={0,2}, rhs_contracting_dims={2,1}
            ROOT t = (f32[2,3,6], f32[3,3]) tuple(b, c)"""),
        numeric("dot: tiles past the edges, several k steps, more tiles than blocks, a fused operand", """
            p0 = f32[2,37,45] parameter(0)
            p1 = f32[21,45] parameter(1)
            p2 = f64[33,17] parameter(2)
            p3 = f64[17,40] parameter(3)
            p4 = f32[3,20,18] parameter(4)
            p5 = f32[3,18,19] parameter(5)
            n1 = f32[21,45] negate(p1)
            f = f32[2,37,21] dot(p0, n1), lhs_contracting_dims={2}, rhs_contracting_dims={1}
            d = f64[33,40] dot(p2, p3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            b = f32[3,20,19] dot(p4, p5), lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2},
                rhs_contracting_dims={1}
            ROOT t = (f32[2,37,21], f64[33,40], f32[3,20,19]) tuple(f, d, b)"""),
        numeric("dot: matrix-vector, vector-vector, outer product, an empty contraction", """
            p0 = f32[6,8] parameter(0)
            p1 = f32[8] parameter(1)
            p2 = f32[3,0] parameter(2)
            p3 = f32[0,4] parameter(3)
            p4 = f32[1,1] parameter(4)
            mv = f32[6] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            vv = f32[] dot(p1, p1), lhs_contracting_dims={0}, rhs_contracting_dims={0}
            op = f32[8,8] dot(p1, p1)
            ez = f32[3,4] dot(p2, p3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            one = f32[1,1] dot(p4, p4), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            ROOT t = (f32[6], f32[], f32[8,8], f32[3,4], f32[1,1]) tuple(mv, vv, op, ez, one)"""),
        numeric("dot: integers, f16 and bf16 inputs, pred", Oracle.Tolerance.sums(1e-2, 1e-2), """
            p0 = s32[4,5] parameter(0)
            p1 = s32[5,3] parameter(1)
            p2 = f16[4,5] parameter(2)
            p3 = f16[5,3] parameter(3)
            p4 = bf16[4,5] parameter(4)
            p5 = bf16[5,3] parameter(5)
            p6 = pred[4,5] parameter(6)
            p7 = pred[5,3] parameter(7)
            i = s32[4,3] dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            h = f16[4,3] dot(p2, p3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            w = f32[4,3] dot(p4, p5), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            b = pred[4,3] dot(p6, p7), lhs_contracting_dims={1}, rhs_contracting_dims={0}
            ROOT t = (s32[4,3], f16[4,3], f32[4,3], pred[4,3]) tuple(i, h, w, b)"""),
        numeric("an MLP: three dense layers with bias and relu, a hidden layer also a result", MLP));
  }

  /** Three dense layers, x[batch, 6] to [batch, 3], relu between; the first hidden layer is also a result. */
  static final String MLP = """
      x = f32[9,6] parameter(0)
      w1 = f32[6,10] parameter(1)
      b1 = f32[10] parameter(2)
      w2 = f32[10,4] parameter(3)
      b2 = f32[4] parameter(4)
      w3 = f32[4,3] parameter(5)
      zero = f32[] constant(0)
      d1 = f32[9,10] dot(x, w1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
      bb1 = f32[9,10] broadcast(b1), dimensions={1}
      a1 = f32[9,10] add(d1, bb1)
      z1 = f32[9,10] broadcast(zero), dimensions={}
      h1 = f32[9,10] maximum(a1, z1)
      d2 = f32[9,4] dot(h1, w2), lhs_contracting_dims={1}, rhs_contracting_dims={0}
      bb2 = f32[9,4] broadcast(b2), dimensions={1}
      a2 = f32[9,4] add(d2, bb2)
      z2 = f32[9,4] broadcast(zero), dimensions={}
      h2 = f32[9,4] maximum(a2, z2)
      d3 = f32[9,3] dot(h2, w3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
      ROOT t = (f32[9,3], f32[9,10]) tuple(d3, d1)""";

  /** Arguments uniform in [-1, 1] for float parameters (sums then err by rounding only), the usual values otherwise. */
  private static Family numeric(String name, String body) {
    return numeric(name, SUMS, body);
  }

  private static Family numeric(String name, Oracle.Tolerance tolerance, String body) {
    Module module = HloParser.parse("HloModule m\n" + SCALAR_ADD + "ENTRY e {\n" + body + "\n}\n");
    Random random = new Random(name.hashCode());
    List<Literal> arguments = new ArrayList<>();
    for (var p : module.entry().parameters()) {
      arguments.add(uniform(p.shape().elementType(), p.shape().dimensions(), random));
    }
    Literal expected = Oracle.INTERPRETER.run(module, arguments);
    return new Family(name, module, arguments, List.of(new Op("whole result", expected, tolerance)), false);
  }

  /** Values uniform in [-1, 1] for a float type, {@link Oracle#values} otherwise. */
  static Literal uniform(ElementType type, int[] dims, Random random) {
    if (!type.isFloat()) {
      return Oracle.values(type, dims, random);
    }
    Literal values = Literal.zeros(io.tessera.compiler.hlo.Shape.array(type, dims));
    for (int i = 0; i < values.elementCount(); i++) {
      values.setDouble(i, random.nextDouble() * 2 - 1);
    }
    return values;
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
      scalar_max_f32 {
        fa32 = f32[] parameter(0)
        fb32 = f32[] parameter(1)
        ROOT fc32 = f32[] maximum(fa32, fb32)
      }
      argmax {
        av = f32[] parameter(0)
        ai = s32[] parameter(1)
        bv = f32[] parameter(2)
        bi = s32[] parameter(3)
        agt = pred[] compare(av, bv), direction=GT
        aeq = pred[] compare(av, bv), direction=EQ
        alt = pred[] compare(ai, bi), direction=LT
        atie = pred[] and(aeq, alt)
        akeep = pred[] or(agt, atie)
        avalue = f32[] select(akeep, av, bv)
        aindex = s32[] select(akeep, ai, bi)
        ROOT amax = (f32[], s32[]) tuple(avalue, aindex)
      }
      fused_column_squares {
        cp = f32[9,6] parameter(0)
        cq = f32[9,6] multiply(cp, cp)
        cz = f32[] constant(0)
        ROOT cr = f32[6] reduce(cq, cz), dimensions={0}, to_apply=scalar_add
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
