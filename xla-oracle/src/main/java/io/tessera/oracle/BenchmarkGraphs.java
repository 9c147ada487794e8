package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The graphs timed by {@link XlaBenchmark}: the corpus's kinds of graph at sizes where the work,
 * not the per-run overhead, dominates.
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
            BenchmarkGraphs::conv2d));
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
