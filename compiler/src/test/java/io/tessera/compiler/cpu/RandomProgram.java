package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A seeded random HLO program for differential testing: parameters of one element type, then a
 * chain of elementwise ops, broadcasts, transposes, slices, reverses, reshapes, concatenates,
 * pads, reductions, dots, dynamic slices and updates, gathers, windowed reductions, sorts and
 * while loops over small random shapes, returning one to three of the values. Run-time indices
 * are constants chosen partly out of range, so the clamping rules are exercised too.
 *
 * <p>Values computed with rounding that legitimately differs between backends (transcendental
 * functions, float sums in another order) are marked inexact; only continuous operations are
 * applied to them afterwards (no compare, floor or division), so a tiny difference stays tiny and
 * a tolerance can judge the results.
 */
final class RandomProgram {
  final long seed;
  final ElementType type;
  final String text;
  final List<Literal> arguments = new ArrayList<>();

  private record Value(String name, int[] dims, boolean inexact) {}

  private final Random random;
  private final StringBuilder body = new StringBuilder();
  private final List<Value> pool = new ArrayList<>();
  private final List<Shape> parameterShapes = new ArrayList<>();
  private final StringBuilder computations = new StringBuilder();
  private int counter;

  private RandomProgram(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    ElementType[] types = {ElementType.F32, ElementType.F32, ElementType.F32, ElementType.F64, ElementType.S32,
        ElementType.S32, ElementType.F16, ElementType.BF16, ElementType.U8};
    this.type = types[random.nextInt(types.length)];
    int rank = 1 + random.nextInt(3);
    int[] base = new int[rank];
    for (int d = 0; d < rank; d++) {
      base[d] = random.nextInt(20) == 0 ? 0 : 1 + random.nextInt(6);
    }
    int params = 1 + random.nextInt(3);
    for (int i = 0; i < params; i++) {
      pool.add(parameter(base));
    }
    int steps = 3 + random.nextInt(9);
    for (int s = 0; s < steps; s++) {
      step();
    }
    Value last = pool.get(pool.size() - 1);
    List<Value> roots = new ArrayList<>(List.of(last));
    int extra = random.nextInt(3);
    for (int i = 0; i < extra; i++) {
      Value v = pool.get(random.nextInt(pool.size()));
      if (!roots.contains(v)) {
        roots.add(v);
      }
    }
    if (roots.size() == 1) {
      body.append("  ROOT root = ").append(shape(last.dims())).append(" copy(").append(last.name()).append(")\n");
    } else {
      body.append("  ROOT root = (").append(roots.stream().map(v -> shape(v.dims())).collect(Collectors.joining(", ")))
          .append(") tuple(").append(roots.stream().map(Value::name).collect(Collectors.joining(", "))).append(")\n");
    }
    this.text = "HloModule random_" + seed + "\n" + reducers() + computations + "ENTRY e {\n" + body + "}\n";
  }

  static RandomProgram generate(long seed) {
    return new RandomProgram(seed);
  }

  /** Whether any value was computed inexactly (then results are compared with a tolerance). */
  boolean anyInexact() {
    return pool.stream().anyMatch(Value::inexact);
  }

  private String shape(int[] dims) {
    return shape(type, dims);
  }

  private static String shape(ElementType t, int[] dims) {
    return t + Arrays.toString(dims).replace(" ", "");
  }

  private String fresh() {
    return "v" + (counter++);
  }

  private Value emit(int[] dims, boolean inexact, String rhs) {
    Value v = new Value(fresh(), dims, inexact);
    body.append("  ").append(v.name()).append(" = ").append(shape(dims)).append(' ').append(rhs).append('\n');
    pool.add(v);
    return v;
  }

  private Value parameter(int[] dims) {
    int number = parameterShapes.size();
    Shape s = Shape.array(type, dims);
    parameterShapes.add(s);
    arguments.add(values(s));
    return emit(dims, false, "parameter(" + number + ")");
  }

  private Literal values(Shape s) {
    Literal lit = Literal.zeros(s);
    for (int i = 0; i < lit.elementCount(); i++) {
      if (type.isFloat()) {
        double[] specials = {0, -0.0, 1, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        lit.setDouble(i, random.nextInt(30) == 0 ? specials[random.nextInt(specials.length)] : random.nextDouble() * 4 - 2);
      } else {
        long[] specials = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 31, 32, 33};
        lit.setLong(i, random.nextInt(20) == 0 ? specials[random.nextInt(specials.length)] : random.nextInt(101) - 50);
      }
    }
    return lit;
  }

  private Value pick() {
    return pool.get(random.nextInt(pool.size()));
  }

  private void step() {
    Value v = pick();
    switch (random.nextInt(20)) {
      case 0, 1, 2 -> unary(v);
      case 3, 4, 5 -> binary(v);
      case 6 -> broadcast(v);
      case 7 -> transpose(v);
      case 8 -> sliceOrReverse(v);
      case 9 -> reshape(v);
      case 10 -> reduce(v);
      case 11 -> dot(v);
      case 12 -> concatenate(v);
      case 13 -> pad(v);
      case 14 -> dynamicSliceOrUpdate(v);
      case 15 -> gather(v);
      case 16 -> reduceWindow(v);
      case 17 -> sort(v);
      case 18 -> loop(v);
      default -> unary(v);
    }
  }

  /** An s32 scalar constant, returned by name: a start index, possibly out of range. */
  private String index(int dim) {
    String c = fresh();
    int value = random.nextInt(4) == 0 ? random.nextInt(7) - 3 + (random.nextBoolean() ? 0 : dim) : random.nextInt(dim + 1);
    body.append("  ").append(c).append(" = s32[] constant(").append(value).append(")\n");
    return c;
  }

  private void dynamicSliceOrUpdate(Value v) {
    int[] in = v.dims();
    if (in.length == 0) {
      return;
    }
    int[] sizes = new int[in.length];
    List<String> starts = new ArrayList<>();
    for (int d = 0; d < in.length; d++) {
      sizes[d] = in[d] == 0 ? 0 : 1 + random.nextInt(in[d]);
      starts.add(index(in[d]));
    }
    String sizeList = Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(","));
    if (random.nextBoolean()) {
      emit(sizes, v.inexact(), "dynamic-slice(" + v.name() + ", " + String.join(", ", starts)
          + "), dynamic_slice_sizes={" + sizeList + "}");
      return;
    }
    Value w = sameDims(v);
    List<String> zeros = new ArrayList<>();
    for (int d = 0; d < in.length; d++) {
      zeros.add(index(0));
    }
    Value update = emit(sizes, w.inexact(), "dynamic-slice(" + w.name() + ", " + String.join(", ", zeros)
        + "), dynamic_slice_sizes={" + sizeList + "}");
    emit(in, v.inexact() || w.inexact(), "dynamic-update-slice(" + v.name() + ", " + update.name() + ", "
        + String.join(", ", starts) + ")");
  }

  /** An embedding lookup: rows of v (along dimension 0) at constant ids, some out of range (clamped). */
  private void gather(Value v) {
    int[] in = v.dims();
    if (in.length == 0 || in[0] == 0) {
      return;
    }
    int k = 1 + random.nextInt(5);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      ids.add(Integer.toString(random.nextInt(in[0] + 3) - 1));
    }
    String c = fresh();
    body.append("  ").append(c).append(" = s32[").append(k).append("] constant({").append(String.join(", ", ids))
        .append("})\n");
    int[] out = new int[in.length];
    out[0] = k;
    System.arraycopy(in, 1, out, 1, in.length - 1);
    String offsets = IntStream.range(1, in.length).mapToObj(String::valueOf).collect(Collectors.joining(","));
    String sizes = "1" + Arrays.stream(in, 1, in.length).mapToObj(d -> "," + d).collect(Collectors.joining());
    emit(out, v.inexact(), "gather(" + v.name() + ", " + c + "), offset_dims={" + offsets + "}, collapsed_slice_dims={0},"
        + " start_index_map={0}, index_vector_dim=1, slice_sizes={" + sizes + "}");
  }

  private void reduceWindow(Value v) {
    int[] in = v.dims();
    if (in.length == 0) {
      return;
    }
    int[] out = new int[in.length];
    List<String> size = new ArrayList<>();
    List<String> stride = new ArrayList<>();
    List<String> pad = new ArrayList<>();
    for (int d = 0; d < in.length; d++) {
      int w = 1 + random.nextInt(3);
      int s = 1 + random.nextInt(2);
      int lo = random.nextInt(2);
      int hi = random.nextInt(2);
      int padded = in[d] + lo + hi;
      out[d] = padded < w ? 0 : (padded - w) / s + 1;
      size.add(Integer.toString(w));
      stride.add(Integer.toString(s));
      pad.add(lo + "_" + hi);
    }
    boolean max = random.nextBoolean();
    String init = fresh();
    String initValue = max ? (type.isFloat() ? "-inf" : type.isSigned() ? "-2147483648" : "0") : "0";
    body.append("  ").append(init).append(" = ").append(type).append("[] constant(").append(initValue).append(")\n");
    emit(out, v.inexact() || (!max && type.isFloat()), "reduce-window(" + v.name() + ", " + init + "), window={size="
        + String.join("x", size) + " stride=" + String.join("x", stride) + " pad=" + String.join("x", pad) + "}, to_apply="
        + (max ? "max" : "add"));
  }

  private void sort(Value v) {
    if (v.dims().length == 0 || v.inexact()) {
      return; // a tiny difference may reorder elements
    }
    int d = random.nextInt(v.dims().length);
    emit(v.dims(), false, "sort(" + v.name() + "), dimensions={" + d + "}, to_apply=less");
  }

  /** A while loop applying {@code x = op(x, v)} a constant number of times (zero included). */
  private void loop(Value v) {
    if (v.inexact() && type.isFloat()) {
      return;
    }
    String n = "loop" + counter++;
    String s = "(s32[], " + shape(v.dims()) + ", " + shape(v.dims()) + ")";
    String[] ops = type.isFloat() ? new String[] {"add", "maximum", "subtract"} : new String[] {"add", "xor", "multiply"};
    String op = ops[random.nextInt(ops.length)];
    int trips = random.nextInt(4);
    computations.append(n).append("_cond {\n  ").append(n).append(".p = ").append(s).append(" parameter(0)\n  ")
        .append(n).append(".i = s32[] get-tuple-element(").append(n).append(".p), index=0\n  ")
        .append(n).append(".n = s32[] constant(").append(trips).append(")\n  ROOT ")
        .append(n).append(".lt = pred[] compare(").append(n).append(".i, ").append(n).append(".n), direction=LT\n}\n");
    String b = n + "b";
    computations.append(n).append("_body {\n  ").append(b).append(".p = ").append(s).append(" parameter(0)\n  ")
        .append(b).append(".i = s32[] get-tuple-element(").append(b).append(".p), index=0\n  ")
        .append(b).append(".x = ").append(shape(v.dims())).append(" get-tuple-element(").append(b).append(".p), index=1\n  ")
        .append(b).append(".y = ").append(shape(v.dims())).append(" get-tuple-element(").append(b).append(".p), index=2\n  ")
        .append(b).append(".one = s32[] constant(1)\n  ")
        .append(b).append(".i1 = s32[] add(").append(b).append(".i, ").append(b).append(".one)\n  ")
        .append(b).append(".x1 = ").append(shape(v.dims())).append(' ').append(op).append('(').append(b).append(".x, ")
        .append(b).append(".y)\n  ROOT ").append(b).append(".t = ").append(s).append(" tuple(").append(b).append(".i1, ")
        .append(b).append(".x1, ").append(b).append(".y)\n}\n");
    String zero = fresh();
    body.append("  ").append(zero).append(" = s32[] constant(0)\n");
    String init = fresh();
    body.append("  ").append(init).append(" = ").append(s).append(" tuple(").append(zero).append(", ").append(v.name())
        .append(", ").append(v.name()).append(")\n");
    String w = fresh();
    body.append("  ").append(w).append(" = ").append(s).append(" while(").append(init).append("), condition=")
        .append(n).append("_cond, body=").append(n).append("_body\n");
    emit(v.dims(), v.inexact(), "get-tuple-element(" + w + "), index=1");
  }

  private void unary(Value v) {
    String[] ops;
    boolean transcendental = false;
    if (!type.isFloat()) {
      ops = new String[] {"negate", "abs", "not", "popcnt", "count-leading-zeros", "sign"};
    } else if (v.inexact()) {
      ops = new String[] {"negate", "abs", "tanh", "logistic"};
    } else if (random.nextBoolean()) {
      ops = new String[] {"negate", "abs", "floor", "ceil", "round-nearest-even", "round-nearest-afz", "sign", "sqrt"};
    } else {
      ops = new String[] {"exponential", "log", "tanh", "sine", "cosine", "logistic", "exponential-minus-one",
          "log-plus-one", "cbrt", "rsqrt"};
      transcendental = true;
    }
    String op = ops[random.nextInt(ops.length)];
    emit(v.dims(), v.inexact() || transcendental || (op.equals("tanh") || op.equals("logistic")),
        op + "(" + v.name() + ")");
  }

  private Value sameDims(Value v) {
    List<Value> candidates = pool.stream().filter(w -> Arrays.equals(w.dims(), v.dims())).toList();
    Value w = candidates.get(random.nextInt(candidates.size()));
    if (w == v && random.nextBoolean()) {
      String c = fresh();
      double k = type.isFloat() ? Math.round(random.nextDouble() * 8 - 4) / 2.0
          : type.isUnsigned() ? random.nextInt(4) : random.nextInt(7) - 3;
      body.append("  ").append(c).append(" = ").append(type).append("[] constant(")
          .append(type.isFloat() ? Double.toString(k) : Long.toString((long) k)).append(")\n");
      return emit(v.dims(), false, "broadcast(" + c + "), dimensions={}");
    }
    return w;
  }

  private void binary(Value v) {
    Value w = sameDims(v);
    boolean inexact = v.inexact() || w.inexact();
    if (!inexact && random.nextInt(4) == 0) {
      String[] dirs = {"EQ", "NE", "LT", "LE", "GT", "GE"};
      String p = fresh();
      body.append("  ").append(p).append(" = ").append(shape(ElementType.PRED, v.dims())).append(" compare(")
          .append(v.name()).append(", ").append(w.name()).append("), direction=").append(dirs[random.nextInt(6)]).append('\n');
      emit(v.dims(), false, "select(" + p + ", " + v.name() + ", " + w.name() + ")");
      return;
    }
    String[] ops;
    if (!type.isFloat()) {
      ops = new String[] {"add", "subtract", "multiply", "maximum", "minimum", "divide", "remainder", "and", "or", "xor",
          "shift-left", "shift-right-logical", "shift-right-arithmetic"};
    } else if (inexact) {
      ops = new String[] {"add", "subtract", "multiply", "maximum", "minimum"};
    } else {
      ops = new String[] {"add", "subtract", "multiply", "divide", "maximum", "minimum", "remainder", "power", "atan2"};
    }
    String op = ops[random.nextInt(ops.length)];
    boolean transcendental = op.equals("power") || op.equals("atan2");
    emit(v.dims(), inexact || transcendental, op + "(" + v.name() + ", " + w.name() + ")");
  }

  private void broadcast(Value v) {
    if (v.dims().length >= 3) {
      return;
    }
    int at = random.nextInt(v.dims().length + 1);
    int[] dims = new int[v.dims().length + 1];
    List<String> map = new ArrayList<>();
    for (int d = 0, k = 0; d < dims.length; d++) {
      if (d == at) {
        dims[d] = 1 + random.nextInt(4);
      } else {
        dims[d] = v.dims()[k++];
        map.add(Integer.toString(d));
      }
    }
    emit(dims, v.inexact(), "broadcast(" + v.name() + "), dimensions={" + String.join(",", map) + "}");
  }

  private void transpose(Value v) {
    List<Integer> perm = IntStream.range(0, v.dims().length).boxed().collect(Collectors.toList());
    java.util.Collections.shuffle(perm, random);
    int[] dims = perm.stream().mapToInt(p -> v.dims()[p]).toArray();
    emit(dims, v.inexact(), "transpose(" + v.name() + "), dimensions={"
        + perm.stream().map(String::valueOf).collect(Collectors.joining(",")) + "}");
  }

  private void sliceOrReverse(Value v) {
    int[] in = v.dims();
    if (random.nextBoolean()) {
      List<String> dims = IntStream.range(0, in.length).filter(d -> random.nextBoolean()).mapToObj(String::valueOf).toList();
      emit(in, v.inexact(), "reverse(" + v.name() + "), dimensions={" + String.join(",", dims) + "}");
      return;
    }
    int[] out = new int[in.length];
    List<String> ranges = new ArrayList<>();
    for (int d = 0; d < in.length; d++) {
      int start = in[d] == 0 ? 0 : random.nextInt(in[d]);
      int limit = start + (in[d] - start == 0 ? 0 : 1 + random.nextInt(in[d] - start));
      int stride = 1 + random.nextInt(2);
      out[d] = (limit - start + stride - 1) / stride;
      ranges.add("[" + start + ":" + limit + (stride != 1 ? ":" + stride : "") + "]");
    }
    emit(out, v.inexact(), "slice(" + v.name() + "), slice={" + String.join(", ", ranges) + "}");
  }

  private void reshape(Value v) {
    int n = Arrays.stream(v.dims()).reduce(1, (a, b) -> a * b);
    int[] dims = random.nextBoolean() || n == 0 ? new int[] {n} : new int[] {1, n};
    if (n % 2 == 0 && n > 0 && random.nextBoolean()) {
      dims = new int[] {2, n / 2};
    }
    emit(dims, v.inexact(), "reshape(" + v.name() + ")");
  }

  private void reduce(Value v) {
    int[] in = v.dims();
    if (in.length == 0) {
      return;
    }
    List<Integer> reduced = IntStream.range(0, in.length).filter(d -> random.nextBoolean()).boxed().toList();
    if (reduced.isEmpty()) {
      reduced = List.of(random.nextInt(in.length));
    }
    List<Integer> finalReduced = reduced;
    int[] out = IntStream.range(0, in.length).filter(d -> !finalReduced.contains(d)).map(d -> in[d]).toArray();
    boolean max = random.nextBoolean();
    String init = fresh();
    String initValue = max ? (type.isFloat() ? "-inf" : type.isSigned() ? "-2147483648" : "0") : "0";
    body.append("  ").append(init).append(" = ").append(type).append("[] constant(").append(initValue).append(")\n");
    emit(out, v.inexact() || (!max && type.isFloat()), "reduce(" + v.name() + ", " + init + "), dimensions={"
        + reduced.stream().map(String::valueOf).collect(Collectors.joining(",")) + "}, to_apply=" + (max ? "max" : "add"));
  }

  private void dot(Value v) {
    if (v.dims().length == 0 || v.dims().length > 2) {
      return;
    }
    int k = v.dims()[v.dims().length - 1];
    int n = 1 + random.nextInt(5);
    Value w = parameter(new int[] {k, n});
    int[] out = v.dims().length == 2 ? new int[] {v.dims()[0], n} : new int[] {n};
    emit(out, v.inexact() || type.isFloat(), "dot(" + v.name() + ", " + w.name() + "), lhs_contracting_dims={"
        + (v.dims().length - 1) + "}, rhs_contracting_dims={0}");
  }

  private void concatenate(Value v) {
    if (v.dims().length == 0) {
      return;
    }
    Value w = sameDims(v);
    int d = random.nextInt(v.dims().length);
    int[] dims = v.dims().clone();
    dims[d] *= 2;
    emit(dims, v.inexact() || w.inexact(), "concatenate(" + v.name() + ", " + w.name() + "), dimensions={" + d + "}");
  }

  private void pad(Value v) {
    int[] in = v.dims();
    if (in.length == 0) {
      return;
    }
    int[] out = new int[in.length];
    List<String> config = new ArrayList<>();
    for (int d = 0; d < in.length; d++) {
      int interior = in[d] > 1 ? random.nextInt(2) : 0;
      int span = in[d] + Math.max(0, in[d] - 1) * interior;
      int low = random.nextInt(3) - (span > 1 ? 1 : 0);
      int high = random.nextInt(3) - (span > 2 ? 1 : 0);
      out[d] = low + high + span;
      config.add(low + "_" + high + (interior != 0 ? "_" + interior : ""));
    }
    String c = fresh();
    body.append("  ").append(c).append(" = ").append(type).append("[] constant(").append(type.isFloat() ? "0.5" : "9")
        .append(")\n");
    emit(out, v.inexact(), "pad(" + v.name() + ", " + c + "), padding=" + String.join("x", config));
  }

  private String reducers() {
    String t = type.toString();
    String low = "maximum";
    return "add {\n  add.a = " + t + "[] parameter(0)\n  add.b = " + t + "[] parameter(1)\n  ROOT add.c = " + t
        + "[] add(add.a, add.b)\n}\n"
        + "max {\n  max.a = " + t + "[] parameter(0)\n  max.b = " + t + "[] parameter(1)\n  ROOT max.c = " + t + "[] "
        + low + "(max.a, max.b)\n}\n"
        + "less {\n  less.a = " + t + "[] parameter(0)\n  less.b = " + t + "[] parameter(1)\n  ROOT less.c = pred[]"
        + " compare(less.a, less.b), direction=LT\n}\n";
  }
}
