package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The graphs timed by {@link XlaBenchmark}: the corpus's kinds of graph at sizes where the work,
 * not the per-run overhead, dominates (and one tiny graph that measures that overhead). The
 * XLA_CLASSIC run also exports each graph's module and inputs for Tessera's side of the table
 * ({@code io.tessera.benchmarks.XlaComparison}).
 */
final class BenchmarkGraphs {
  private BenchmarkGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("mlp_64k_rows", "3-layer MLP 64 -> 128 -> 64 -> 10, ReLU, over 65536 rows",
            BenchmarkGraphs::mlp),
        GraphCase.of("elementwise_chain_16m", "12 elementwise ops over two f32[16M] arrays",
            BenchmarkGraphs::elementwiseChain),
        GraphCase.of("softmax_4k_x_1k", "softmax over the last axis of f32[4096,1024]",
            (tf, in) -> List.of(tf.nn.softmax(in.f32("logits", -4, 4, 4096, 1024)))),
        GraphCase.of("layer_norm_16k_x_256", "layer normalization of f32[16384,256]",
            (tf, in) -> List.of(Layers.layerNorm(tf, in, in.f32("x", -3, 3, 16384, 256), 256))),
        GraphCase.of("conv2d_32x64x64x16", "Conv2D 3x3 SAME, 16 -> 32 channels, bias, ReLU, on f32[32,64,64,16]",
            BenchmarkGraphs::conv2d),
        GraphCase.of("dense_relu_16k_256x256", "one dense layer x @ W + b, ReLU: f32[16384,256] x [256,256]",
            (tf, in) -> List.of(tf.nn.relu(Layers.dense(tf, in, in.f32("x", -2, 2, 16384, 256), 256, 256)))),
        GraphCase.of("gemm_1024", "f32[1024,1024] x f32[1024,1024], both fed",
            (tf, in) -> List.of(tf.linalg.matMul(in.f32("a", -1, 1, 1024, 1024), in.f32("b", -1, 1, 1024, 1024)))),
        GraphCase.of("row_sum_4k_x_4k", "sum over the last axis of f32[4096,4096]",
            (tf, in) -> List.of(Layers.sum(tf, in.f32("x", -1, 1, 4096, 4096), false, 1))),
        GraphCase.of("sum_sq_diff_16m", "reduction after elementwise: sum((x - y)^2 * 0.5) over two f32[16M]",
            BenchmarkGraphs::sumSquaredDifference),
        GraphCase.of("tiny_add_4", "x + y over f32[4]: what one call costs beyond its work",
            (tf, in) -> List.of(tf.math.add(in.f32("x", -1, 1, 4), in.f32("y", -1, 1, 4)))));
  }

  private static List<Operand<?>> sumSquaredDifference(Ops tf, Inputs in) {
    long n = 16L << 20;
    Operand<TFloat32> d = tf.math.sub(in.f32("x", -2, 2, n), in.f32("y", -2, 2, n));
    return List.of(Layers.sum(tf, tf.math.mul(tf.math.mul(d, d), tf.constant(0.5f)), false, 0));
  }

  private static List<Operand<?>> mlp(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 65536, 64);
    Operand<TFloat32> h1 = tf.nn.relu(Layers.dense(tf, in, x, 64, 128));
    Operand<TFloat32> h2 = tf.nn.relu(Layers.dense(tf, in, h1, 128, 64));
    return List.of(Layers.dense(tf, in, h2, 64, 10));
  }

  private static List<Operand<?>> elementwiseChain(Ops tf, Inputs in) {
    long n = 16L << 20;
    Operand<TFloat32> x = in.f32("x", -2, 2, n);
    Operand<TFloat32> y = in.f32("y", -2, 2, n);
    Operand<TFloat32> t = tf.math.add(tf.math.mul(x, tf.constant(1.5f)), y);
    t = tf.math.sub(tf.math.tanh(t), tf.math.mul(tf.math.sigmoid(y), tf.constant(0.25f)));
    t = tf.math.maximum(t, tf.math.neg(tf.math.abs(x)));
    t = tf.math.div(t, tf.math.add(tf.math.square(y), tf.constant(1f)));
    return List.of(tf.math.sqrt(tf.math.add(tf.math.mul(t, t), tf.constant(1e-3f))));
  }

  private static List<Operand<?>> conv2d(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("image", -1, 1, 32, 64, 64, 16);
    Operand<TFloat32> conv = tf.nn.conv2d(x, in.weights(144, 32, 3, 3, 16, 32), List.of(1L, 1L, 1L, 1L), "SAME");
    return List.of(tf.nn.relu(tf.nn.biasAdd(conv, in.constF32(-0.1, 0.1, 32))));
  }
}
