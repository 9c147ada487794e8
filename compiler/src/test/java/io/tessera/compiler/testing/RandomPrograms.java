package io.tessera.compiler.testing;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.hlo.Builder;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random HLO programs for property tests: a few parameters, then a chain of operations
 * drawn from {@link Kind}s (elementwise math, broadcasts, reshapes, transposes, slices,
 * concatenations, pads, reversals, reductions, dots, compare/select, conversions), each taking
 * earlier values as operands; values are brought to the shapes an operation needs by converting,
 * broadcasting, reshaping or reducing them. Shapes stay small (at most {@link #MAX_ELEMENTS}
 * elements) so the interpreter runs a program in milliseconds.
 *
 * <p>The same seed and options always give the same module (named {@code random_<seed>}), so a
 * failure message that includes the seed reproduces the failure:
 *
 * <pre>{@code
 * Module m = RandomPrograms.generate(seed);
 * List<Literal> args = RandomPrograms.arguments(m, seed);
 * }</pre>
 *
 * <p>Every program is a valid per-row module too (no dynamic slices, gathers or control flow), so
 * the batching tests use the same generator.
 */
public final class RandomPrograms {

  /** The families of operations a program may contain. */
  public enum Kind {
    UNARY, BINARY, COMPARE_SELECT, CONVERT, BROADCAST, RESHAPE, TRANSPOSE, SLICE, CONCATENATE, PAD, REVERSE,
    REDUCE, DOT
  }

  /**
   * What to generate: how many operations, which kinds, which element types (the first is the
   * most common), and whether expensive unary functions ({@code exp}, {@code log}, {@code tanh}...)
   * may appear.
   */
  public record Options(int operations, Set<Kind> kinds, List<ElementType> types, boolean transcendentals) {
    public Options {
      kinds = Set.copyOf(kinds);
      types = List.copyOf(types);
      if (operations < 1 || kinds.isEmpty() || types.isEmpty()) {
        throw new IllegalArgumentException("a program needs at least one operation, kind and type");
      }
      for (ElementType t : types) {
        if (t != ElementType.F32 && t != ElementType.F64 && t != ElementType.S32 && t != ElementType.S64) {
          throw new IllegalArgumentException("element type " + t + " is not generated (f32, f64, s32, s64)");
        }
      }
    }

    /** Every kind, 12 operations, mostly f32 with some s32. */
    public static Options defaults() {
      return new Options(12, EnumSet.allOf(Kind.class), List.of(ElementType.F32, ElementType.S32), true);
    }

    public Options withOperations(int n) {
      return new Options(n, kinds, types, transcendentals);
    }

    public Options withKinds(Set<Kind> k) {
      return new Options(operations, k, types, transcendentals);
    }

    public Options withTypes(List<ElementType> t) {
      return new Options(operations, kinds, t, transcendentals);
    }

    public Options withTranscendentals(boolean on) {
      return new Options(operations, kinds, types, on);
    }
  }

  /** The largest element count of any generated value. */
  public static final int MAX_ELEMENTS = 64;

  private static final Opcode[] FLOAT_UNARY = {Opcode.NEGATE, Opcode.ABS, Opcode.FLOOR, Opcode.CEIL, Opcode.SIGN,
      Opcode.ROUND_NEAREST_EVEN};
  private static final Opcode[] TRANSCENDENTAL = {Opcode.EXPONENTIAL, Opcode.LOG, Opcode.TANH, Opcode.SQRT,
      Opcode.LOGISTIC, Opcode.SINE, Opcode.RSQRT, Opcode.LOG_PLUS_ONE};
  private static final Opcode[] INT_UNARY = {Opcode.NEGATE, Opcode.ABS, Opcode.NOT, Opcode.SIGN};
  private static final Opcode[] FLOAT_BINARY = {Opcode.ADD, Opcode.SUBTRACT, Opcode.MULTIPLY, Opcode.DIVIDE,
      Opcode.MAXIMUM, Opcode.MINIMUM};
  private static final Opcode[] INT_BINARY = {Opcode.ADD, Opcode.SUBTRACT, Opcode.MULTIPLY, Opcode.MAXIMUM,
      Opcode.MINIMUM, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.DIVIDE, Opcode.REMAINDER};

  private final Random random;
  private final Options options;
  private final Builder b;
  private final List<Instruction> values = new ArrayList<>();

  private RandomPrograms(long seed, Options options) {
    this.random = new Random(seed);
    this.options = options;
    this.b = new Builder("random_" + seed);
  }

  /** A program with {@link Options#defaults()}. */
  public static Module generate(long seed) {
    return generate(seed, Options.defaults());
  }

  /** A verified program drawn from {@code seed}. */
  public static Module generate(long seed, Options options) {
    return new RandomPrograms(seed, options).build();
  }

  /** Arguments for the entry parameters of {@code module}, drawn from {@code seed} as run-hlo draws them. */
  public static List<Literal> arguments(Module module, long seed) {
    Random r = new Random(seed ^ 0x5DEECE66DL);
    List<Literal> args = new ArrayList<>();
    for (Instruction p : module.entry().parameters()) {
      args.add(ElidedConstants.randomLiteral(p.shape(), r));
    }
    return args;
  }

  private Module build() {
    int parameters = 1 + random.nextInt(3);
    for (int i = 0; i < parameters; i++) {
      values.add(b.parameter("p" + i, randomShape(mainType())));
    }
    List<Kind> kinds = new ArrayList<>(options.kinds());
    kinds.sort(null); // a set's order is unspecified; the draw must not depend on it
    for (int i = 0; i < options.operations(); i++) {
      values.add(operation(kinds.get(random.nextInt(kinds.size()))));
    }
    return b.build(root());
  }

  /** The last value, with up to three other values nothing uses, as a tuple when there are several. */
  private Instruction root() {
    Instruction last = values.get(values.size() - 1);
    List<Instruction> outputs = new ArrayList<>(List.of(last));
    for (int i = values.size() - 2; i >= 0 && outputs.size() < 4; i--) {
      Instruction v = values.get(i);
      if (v.opcode() != Opcode.PARAMETER && v.opcode() != Opcode.CONSTANT && unused(v) && random.nextBoolean()) {
        outputs.add(v);
      }
    }
    return outputs.size() == 1 ? last : b.tuple(outputs.toArray(Instruction[]::new));
  }

  private boolean unused(Instruction v) {
    return b.currentComputation().users(v).isEmpty();
  }

  private Instruction operation(Kind kind) {
    Instruction x = pick();
    return switch (kind) {
      case UNARY -> unary(x);
      case BINARY -> {
        Instruction y = coerce(pick(), x.shape());
        Opcode[] ops = x.shape().elementType().isFloat() ? FLOAT_BINARY : INT_BINARY;
        yield b.binary(ops[random.nextInt(ops.length)], x, y);
      }
      case COMPARE_SELECT -> {
        Instruction y = coerce(pick(), x.shape());
        ComparisonDirection d = ComparisonDirection.values()[random.nextInt(ComparisonDirection.values().length)];
        Instruction pred = b.compare(x, y, d);
        yield random.nextBoolean() ? b.select(pred, x, y) : b.select(pred, y, b.negate(x));
      }
      case CONVERT -> b.convert(x, x.shape().elementType().isFloat() ? ElementType.S32 : ElementType.F32);
      case BROADCAST -> broadcast(x);
      case RESHAPE -> b.reshape(x, factorization(x.shape().elementCount()));
      case TRANSPOSE -> b.transpose(x, permutation(x.shape().rank()));
      case SLICE -> slice(x);
      case CONCATENATE -> concatenate(x);
      case PAD -> pad(x);
      case REVERSE -> x.shape().rank() == 0 ? b.negate(x) : b.reverse(x, someDimensions(x.shape().rank(), 1));
      case REDUCE -> reduce(x);
      case DOT -> dot(x);
    };
  }

  private Instruction unary(Instruction x) {
    if (!x.shape().elementType().isFloat()) {
      return b.unary(INT_UNARY[random.nextInt(INT_UNARY.length)], x);
    }
    if (options.transcendentals() && random.nextInt(3) == 0) {
      return b.unary(TRANSCENDENTAL[random.nextInt(TRANSCENDENTAL.length)], x);
    }
    return b.unary(FLOAT_UNARY[random.nextInt(FLOAT_UNARY.length)], x);
  }

  private Instruction broadcast(Instruction x) {
    int[] dims = x.shape().dimensions();
    int budget = MAX_ELEMENTS / (int) Math.max(1, x.shape().elementCount());
    if (dims.length >= 4 || budget < 2) {
      return b.negate(x);
    }
    int size = 1 + random.nextInt(Math.min(4, budget));
    int at = random.nextInt(dims.length + 1);
    int[] out = new int[dims.length + 1];
    int[] map = new int[dims.length];
    for (int i = 0, j = 0; j < out.length; j++) {
      if (j == at) {
        out[j] = size;
      } else {
        map[i] = j;
        out[j] = dims[i++];
      }
    }
    return b.broadcast(x, Shape.array(x.shape().elementType(), out), map);
  }

  private Instruction slice(Instruction x) {
    int rank = x.shape().rank();
    int[] starts = new int[rank];
    int[] limits = new int[rank];
    int[] strides = new int[rank];
    for (int d = 0; d < rank; d++) {
      int size = x.shape().dimension(d);
      starts[d] = random.nextInt(size);
      limits[d] = starts[d] + 1 + random.nextInt(size - starts[d]);
      strides[d] = 1 + random.nextInt(2);
    }
    return b.slice(x, starts, limits, strides);
  }

  private Instruction concatenate(Instruction x) {
    if (x.shape().rank() == 0 || 2 * x.shape().elementCount() > MAX_ELEMENTS) {
      return b.abs(x);
    }
    int d = random.nextInt(x.shape().rank());
    return b.concatenate(d, x, random.nextBoolean() ? x : unary(x));
  }

  private Instruction pad(Instruction x) {
    int rank = x.shape().rank();
    if (rank == 0) {
      return b.abs(x); // a scalar pad prints "padding=" with nothing after it, which does not parse back
    }
    List<PaddingConfig.Dim> dims = new ArrayList<>();
    long elements = 1;
    for (int d = 0; d < rank; d++) {
      int size = x.shape().dimension(d);
      long low = random.nextInt(3) - 1;
      long high = random.nextInt(3) - 1;
      long interior = random.nextInt(4) == 0 ? 1 : 0;
      long padded = low + high + size + Math.max(size - 1, 0) * interior;
      if (padded < 1) {
        low = 0;
        high = 0;
        padded = size + Math.max(size - 1, 0) * interior;
      }
      elements *= padded;
      dims.add(new PaddingConfig.Dim(low, high, interior));
    }
    if (elements > MAX_ELEMENTS) {
      return b.negate(x);
    }
    return b.pad(x, scalar(x.shape().elementType()), new PaddingConfig(dims));
  }

  private Instruction reduce(Instruction x) {
    ElementType type = x.shape().elementType();
    Opcode op = random.nextBoolean() ? Opcode.ADD : Opcode.MAXIMUM;
    double init = op == Opcode.ADD ? 0 : -1e30;
    Instruction initValue = type.isFloat() ? b.scalar(type, init) : b.scalar(type, op == Opcode.ADD ? 0 : -1000);
    return b.reduce(x, initValue, b.reducer(op, type), someDimensions(x.shape().rank(), 0));
  }

  /** {@code x} (made a vector or a matrix) times a constant matrix: a matrix-vector or matrix-matrix product. */
  private Instruction dot(Instruction x) {
    Instruction lhs = x.shape().rank() == 1 || x.shape().rank() == 2 ? x : b.reshape(x, (int) x.shape().elementCount());
    int k = lhs.shape().dimension(lhs.shape().rank() - 1);
    int rows = lhs.shape().rank() == 2 ? lhs.shape().dimension(0) : 1;
    int m = 1 + random.nextInt(Math.max(1, Math.min(5, MAX_ELEMENTS / Math.max(rows, k))));
    ElementType type = lhs.shape().elementType();
    Literal weights = ElidedConstants.randomLiteral(Shape.array(type, k, m), random);
    return b.matmul(lhs, b.constant(weights));
  }

  /** A value of {@code target}'s type and dimensions made from {@code v}. */
  private Instruction coerce(Instruction v, Shape target) {
    ElementType type = target.elementType();
    Instruction x = v.shape().elementType() == type ? v : b.convert(v, type);
    if (x.shape().sameDimensions(target)) {
      return x;
    }
    if (x.shape().rank() == 0) {
      return b.broadcast(x, target);
    }
    int[] map = embedding(x.shape().dimensions(), target.dimensions());
    if (map != null) {
      return b.broadcast(x, target, map);
    }
    if (x.shape().elementCount() == target.elementCount()) {
      return b.reshape(x, target.dimensions());
    }
    Instruction total = b.reduce(x, b.scalar(type, 0), b.reducer(Opcode.ADD, type),
        allDimensions(x.shape().rank()));
    return b.broadcast(total, target);
  }

  /** Target dimensions the source dimensions can broadcast into, in order and by size; null when none. */
  private static int[] embedding(int[] source, int[] target) {
    int[] map = new int[source.length];
    int j = 0;
    for (int i = 0; i < source.length; i++) {
      while (j < target.length && target[j] != source[i]) {
        j++;
      }
      if (j == target.length) {
        return null;
      }
      map[i] = j++;
    }
    return map;
  }

  private Instruction pick() {
    // Recent values are likelier, so programs are chains more than fans.
    int n = values.size();
    int i = random.nextInt(3) == 0 ? random.nextInt(n) : Math.max(0, n - 1 - random.nextInt(Math.min(n, 3)));
    return values.get(i);
  }

  private Instruction scalar(ElementType type) {
    return type.isFloat() ? b.scalar(type, random.nextInt(5) - 2) : b.scalar(type, random.nextInt(5) - 2);
  }

  private ElementType mainType() {
    List<ElementType> types = options.types();
    return random.nextInt(4) != 0 ? types.get(0) : types.get(random.nextInt(types.size()));
  }

  private Shape randomShape(ElementType type) {
    int rank = random.nextInt(4);
    int[] dims = new int[rank];
    int elements = 1;
    for (int d = 0; d < rank; d++) {
      dims[d] = 1 + random.nextInt(Math.max(1, Math.min(5, MAX_ELEMENTS / elements)));
      elements *= dims[d];
    }
    return Shape.array(type, dims);
  }

  /** Dimensions whose product is {@code count}, in a random factorization. */
  private int[] factorization(long count) {
    List<Integer> dims = new ArrayList<>();
    long rest = count;
    for (int f = 2; f <= rest && dims.size() < 3; ) {
      if (rest % f == 0 && random.nextBoolean()) {
        dims.add(f);
        rest /= f;
      } else {
        f++;
      }
    }
    if (rest > 1 || dims.isEmpty() && random.nextBoolean()) {
      dims.add((int) rest);
    }
    Collections.shuffle(dims, random);
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  private int[] permutation(int rank) {
    List<Integer> p = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      p.add(i);
    }
    Collections.shuffle(p, random);
    return p.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A sorted random subset of {@code 0..rank-1} with at least {@code min} members (when rank allows). */
  private int[] someDimensions(int rank, int min) {
    List<Integer> dims = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      if (random.nextBoolean()) {
        dims.add(d);
      }
    }
    if (dims.size() < min && rank > 0) {
      dims.add(random.nextInt(rank));
    }
    return dims.stream().sorted().distinct().mapToInt(Integer::intValue).toArray();
  }

  private static int[] allDimensions(int rank) {
    int[] dims = new int[rank];
    Arrays.setAll(dims, d -> d);
    return dims;
  }
}
