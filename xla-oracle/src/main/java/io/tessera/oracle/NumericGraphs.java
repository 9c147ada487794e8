package io.tessera.oracle;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/** Elementwise math, casts, integer arithmetic, select and clip, reductions. */
final class NumericGraphs {
  private NumericGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("unary_math", "exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tan, atan2, pow, reciprocal",
            NumericGraphs::unaryMath),
        GraphCase.of("rounding", "floor, ceil, round (half to even), rint, sign, abs on values with exact halves",
            NumericGraphs::rounding).withTolerance(Tolerance.EXACT),
        GraphCase.of("elementwise_chain", "a long chain of elementwise ops over one array (fusion material)",
            NumericGraphs::elementwiseChain),
        GraphCase.of("cast_float_int", "casts f32->s32 (truncation), s32->f32, f32->pred, pred->f32, s32->s64, f32->u8",
            NumericGraphs::castFloatInt).withTolerance(Tolerance.EXACT),
        GraphCase.of("cast_half_precision", "f32->f16->f32 and f32->bf16->f32 (round to nearest even), f16 arithmetic",
            NumericGraphs::castHalf).withTolerance(Tolerance.EXACT),
        GraphCase.of("cast_f64", "f32->f64, f64 arithmetic and exp, f64->f32",
            (tf, in) -> {
              Operand<TFloat64> x = tf.dtypes.cast(in.f32("x", -3, 3, 6, 8), TFloat64.class);
              Operand<TFloat64> y = tf.math.add(tf.math.exp(x), tf.math.mul(x, in.f64("y", -1, 1, 6, 8)));
              return List.of(y, tf.dtypes.cast(y, TFloat32.class));
            }),
        GraphCase.of("int_floordiv_floormod", "FloorDiv, FloorMod, TruncateDiv, TruncateMod of s32 with negative operands",
            NumericGraphs::intDivision),
        GraphCase.of("int_arithmetic_s64", "s64 add, sub, mul, neg, abs, sign, min, max, square",
            NumericGraphs::intArithmetic),
        GraphCase.of("int_bitwise", "bitwise and, or, xor, invert, shifts on s32 and u8",
            NumericGraphs::intBitwise),
        GraphCase.of("compare_logical", "comparisons of f32 and s32, logical and, or, not",
            NumericGraphs::compareLogical),
        GraphCase.of("select_where", "SelectV2 with a broadcast [8,1] condition, and where(x > 0, x, 0.1 x)",
            NumericGraphs::selectWhere).withTolerance(Tolerance.EXACT),
        GraphCase.of("clip_by_value", "ClipByValue of f32 with scalar and per-element bounds, and of s32",
            NumericGraphs::clip).withTolerance(Tolerance.EXACT),
        GraphCase.of("masked_softmax", "softmax with a -inf mask built by select (exp(-inf) = 0)",
            NumericGraphs::maskedSoftmax),
        GraphCase.of("reductions", "Sum over axes {0,2}, Max over 1, Min over all, Prod over 2, Mean keep_dims over {0,1}",
            NumericGraphs::reductions),
        GraphCase.of("reductions_int_bool", "s32 Sum, Max, Min, Prod over several axes; All and Any of pred",
            NumericGraphs::reductionsIntBool),
        GraphCase.of("logsumexp_l2norm", "stable logsumexp over axis 1 and L2 normalization",
            NumericGraphs::logsumexpL2));
  }

  /**
   * Stacks results of one shape into one: TensorFlow clusters each connected component of a graph
   * separately, so results computed independently would make several XLA modules.
   */
  @SafeVarargs
  private static <T extends TType> Operand<T> stack(Ops tf, Operand<T>... results) {
    List<Operand<T>> list = new ArrayList<>(results.length);
    for (Operand<T> result : results) {
      list.add(result);
    }
    return tf.stack(list);
  }

  private static List<Operand<?>> unaryMath(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 6, 16);
    Operand<TFloat32> p = in.f32("positive", 0.05, 4, 6, 16);
    return List.of(stack(tf, tf.math.exp(x), tf.math.log(p), tf.math.log1p(p), tf.math.expm1(x), tf.math.sqrt(p),
        tf.math.rsqrt(p), tf.math.sin(x), tf.math.cos(x), tf.math.tan(tf.math.mul(x, tf.constant(0.7f))),
        tf.math.atan2(x, tf.math.sub(p, tf.constant(1f))), tf.math.pow(p, x), tf.math.reciprocal(p)));
  }

  private static List<Operand<?>> rounding(Ops tf, Inputs in) {
    double[] values = new double[48];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i - 24) * 0.25; // ..., -2.5, -2.25, ..., 0, 0.25, 0.5, ...: exact halves included
    }
    Operand<TFloat32> x = in.feed("x", TFloat32.class, HostArray.ofDoubles(ElementKind.F32, new long[] {6, 8}, values));
    return List.of(stack(tf, tf.math.floor(x), tf.math.ceil(x), tf.math.round(x), tf.math.rint(x), tf.math.sign(x),
        tf.math.abs(x)));
  }

  private static List<Operand<?>> elementwiseChain(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 32, 32);
    Operand<TFloat32> y = in.f32("y", -2, 2, 32, 32);
    Operand<TFloat32> t = tf.math.add(tf.math.mul(x, tf.constant(1.5f)), y);
    t = tf.math.sub(tf.math.tanh(t), tf.math.mul(tf.math.sigmoid(y), tf.constant(0.25f)));
    t = tf.math.maximum(t, tf.math.neg(tf.math.abs(x)));
    t = tf.math.div(t, tf.math.add(tf.math.square(y), tf.constant(1f)));
    t = tf.math.minimum(tf.math.mul(t, t), tf.math.exp(tf.math.neg(tf.math.square(x))));
    return List.of(tf.math.sqrt(tf.math.add(t, tf.constant(1e-3f))));
  }

  private static List<Operand<?>> castFloatInt(Ops tf, Inputs in) {
    Operand<TFloat32> x = tf.math.mul(in.f32("x", -1.25, 1.25, 4, 12), tf.constant(8f)); // [-10, 10)
    Operand<TInt32> truncated = tf.dtypes.cast(x, TInt32.class);
    Operand<TInt32> i = tf.dtypes.cast(tf.math.mul(x, tf.constant(100f)), TInt32.class);
    Operand<TBool> nonzero = tf.dtypes.cast(tf.math.floor(x), TBool.class);
    return List.of(truncated, tf.dtypes.cast(tf.math.add(i, truncated), TFloat32.class), nonzero,
        tf.dtypes.cast(nonzero, TFloat32.class), tf.dtypes.cast(tf.math.mul(i, tf.constant(3_000_000)), TInt64.class),
        tf.dtypes.cast(tf.math.mul(tf.math.abs(x), tf.constant(25f)), TUint8.class));
  }

  private static List<Operand<?>> castHalf(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -70000, 70000, 4, 16); // beyond f16's range: overflows to inf
    Operand<TFloat32> small = in.f32("small", -1e-4, 1e-4, 4, 16); // f16 subnormals
    Operand<TFloat16> h = in.f16("h", -8, 8, 4, 16);
    Operand<TFloat16> smallHalf = tf.dtypes.cast(small, TFloat16.class);
    return List.of(stack(tf, tf.dtypes.cast(tf.dtypes.cast(x, TFloat16.class), TFloat32.class),
        tf.dtypes.cast(smallHalf, TFloat32.class),
        tf.dtypes.cast(tf.dtypes.cast(x, TBfloat16.class), TFloat32.class)),
        tf.math.add(tf.math.mul(h, h), smallHalf));
  }

  private static List<Operand<?>> intDivision(Ops tf, Inputs in) {
    Operand<TInt32> a = in.s32("a", -50, 50, 6, 8);
    long[] divisors = new long[48];
    for (int i = 0; i < divisors.length; i++) {
      divisors[i] = (i % 2 == 0 ? 1 : -1) * (1 + i % 7); // never zero: TF and XLA differ there
    }
    Operand<TInt32> b = in.feed("b", TInt32.class, HostArray.ofLongs(ElementKind.S32, new long[] {6, 8}, divisors));
    return List.of(stack(tf, tf.math.floorDiv(a, b), tf.math.floorMod(a, b), tf.math.truncateDiv(a, b),
        tf.math.truncateMod(a, b)));
  }

  private static List<Operand<?>> intArithmetic(Ops tf, Inputs in) {
    Operand<TInt64> a = in.s64("a", -3_000_000_000L, 3_000_000_000L, 5, 6);
    Operand<TInt64> b = in.s64("b", -1000, 1000, 5, 6);
    return List.of(stack(tf, tf.math.add(a, b), tf.math.sub(b, a), tf.math.mul(a, b), tf.math.neg(a), tf.math.abs(b),
        tf.math.sign(b), tf.math.minimum(a, b), tf.math.maximum(a, b), tf.math.square(b)));
  }

  private static List<Operand<?>> intBitwise(Ops tf, Inputs in) {
    Operand<TInt32> a = in.s32("a", Integer.MIN_VALUE, Integer.MAX_VALUE, 4, 8);
    Operand<TInt32> b = in.s32("b", Integer.MIN_VALUE, Integer.MAX_VALUE, 4, 8);
    Operand<TInt32> shift = in.s32("shift", 0, 32, 4, 8);
    Operand<TUint8> u = in.u8("u", 4, 8);
    return List.of(stack(tf, tf.bitwise.bitwiseAnd(a, b), tf.bitwise.bitwiseOr(a, b), tf.bitwise.bitwiseXor(a, b),
        tf.bitwise.invert(a), tf.bitwise.leftShift(a, shift), tf.bitwise.rightShift(a, shift),
        tf.dtypes.cast(tf.bitwise.invert(u), TInt32.class),
        tf.dtypes.cast(tf.bitwise.rightShift(u, tf.constantOfSameType(u, 3)), TInt32.class)));
  }

  private static List<Operand<?>> compareLogical(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -1, 1, 5, 8);
    Operand<TFloat32> y = in.f32("y", -1, 1, 5, 8);
    Operand<TInt32> i = in.s32("i", -3, 3, 5, 8);
    Operand<TBool> lt = tf.math.less(x, y);
    Operand<TBool> ge = tf.math.greaterEqual(i, tf.constant(0));
    return List.of(stack(tf, lt, ge, tf.math.equal(i, tf.constant(1)), tf.math.notEqual(x, y),
        tf.math.logicalAnd(lt, ge), tf.math.logicalOr(lt, tf.math.logicalNot(ge))));
  }

  private static List<Operand<?>> selectWhere(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -1, 1, 8, 6);
    Operand<TFloat32> y = in.f32("y", -1, 1, 8, 6);
    Operand<TBool> rows = in.pred("rows", 8, 1);
    return List.of(stack(tf, tf.select(rows, x, y),
        tf.select(tf.math.greater(x, tf.constant(0f)), x, tf.math.mul(x, tf.constant(0.1f)))));
  }

  private static List<Operand<?>> clip(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 6, 8);
    Operand<TFloat32> lo = in.f32("lo", -1, 0, 6, 8);
    Operand<TInt32> i = in.s32("i", -100, 100, 6, 8);
    return List.of(stack(tf, tf.clipByValue(x, tf.constant(-0.5f), tf.constant(0.75f)), tf.clipByValue(x, lo, tf.constant(1f)),
        tf.dtypes.cast(tf.clipByValue(i, tf.constant(-10), tf.constant(20)), TFloat32.class)));
  }

  private static List<Operand<?>> maskedSoftmax(Ops tf, Inputs in) {
    Operand<TFloat32> logits = in.f32("logits", -3, 3, 6, 10);
    Operand<TBool> keep = tf.math.logicalOr(in.pred("keep", 6, 10),
        tf.constant(new boolean[][] {{true}, {true}, {true}, {true}, {true}, {true}})); // no row fully masked
    Operand<TFloat32> masked = tf.select(keep, logits, tf.fill(tf.constant(new int[] {6, 10}), tf.constant(Float.NEGATIVE_INFINITY)));
    return List.of(tf.nn.softmax(masked));
  }

  private static List<Operand<?>> reductions(Ops tf, Inputs in) {
    Operand<TFloat32> x = tf.math.mul(in.f32("x", -1, 1, 4, 6, 8), in.f32("p", 0.8, 1.25, 4, 6, 8));
    Operand<TFloat32> nearOne = tf.math.add(tf.constant(1f), tf.math.mul(x, tf.constant(0.2f)));
    return List.of(Layers.sum(tf, x, false, 0, 2), tf.reduceMax(x, tf.constant(1)),
        tf.reduceMin(x, tf.constant(new int[] {0, 1, 2})), tf.reduceProd(nearOne, tf.constant(2)),
        Layers.mean(tf, x, true, 0, 1));
  }

  private static List<Operand<?>> reductionsIntBool(Ops tf, Inputs in) {
    Operand<TInt32> i = tf.math.mul(in.s32("i", -20, 20, 4, 5, 6), tf.constant(3));
    Operand<TBool> b = tf.math.logicalAnd(in.pred("b", 4, 5, 6), tf.math.greater(i, tf.constant(-50)));
    return List.of(tf.reduceSum(i, tf.constant(new int[] {0, 2})), tf.reduceMax(i, tf.constant(1), ReduceMax.keepDims(true)),
        tf.reduceMin(i, tf.constant(new int[] {0, 1, 2})), tf.reduceProd(tf.clipByValue(i, tf.constant(-2), tf.constant(2)),
            tf.constant(2)),
        tf.reduceAll(b, tf.constant(2)), tf.reduceAny(b, tf.constant(new int[] {0, 1})));
  }

  private static List<Operand<?>> logsumexpL2(Ops tf, Inputs in) {
    Operand<TFloat32> x = tf.math.mul(in.f32("x", -2.5, 2.5, 8, 12), tf.constant(2f));
    Operand<TFloat32> max = tf.stopGradient(tf.reduceMax(x, tf.constant(1), ReduceMax.keepDims(true)));
    Operand<TFloat32> lse = tf.math.add(tf.squeeze(max),
        tf.math.log(Layers.sum(tf, tf.math.exp(tf.math.sub(x, max)), false, 1)));
    Operand<TFloat32> norm = tf.math.rsqrt(tf.math.maximum(Layers.sum(tf, tf.math.square(x), true, 1), tf.constant(1e-12f)));
    return List.of(lse, tf.math.mul(x, norm));
  }
}
