package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;

/** Convolutions and pooling, NHWC as TensorFlow runs them on the CPU. */
final class ConvGraphs {
  private ConvGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("conv2d_same", "Conv2D 3x3, stride 1, SAME padding, bias, ReLU",
            (tf, in) -> List.of(tf.nn.relu(tf.nn.biasAdd(conv(tf, in, 3, 3, 3, 8, 1, "SAME", 1), in.constF32(-0.1, 0.1, 8))))),
        GraphCase.of("conv2d_valid_stride2", "Conv2D 3x3, stride 2, VALID padding",
            (tf, in) -> List.of(conv(tf, in, 3, 3, 3, 6, 2, "VALID", 1))),
        GraphCase.of("conv2d_dilated", "Conv2D 3x3, dilation 2, SAME padding (window dilation)",
            (tf, in) -> List.of(conv(tf, in, 3, 3, 3, 4, 1, "SAME", 2))),
        GraphCase.of("conv2d_1x1", "pointwise Conv2D 1x1 (a dot over channels)",
            (tf, in) -> List.of(conv(tf, in, 1, 1, 3, 8, 1, "VALID", 1))),
        GraphCase.of("depthwise_conv2d", "DepthwiseConv2dNative 3x3, channel multiplier 2, SAME (feature groups)",
            ConvGraphs::depthwise),
        GraphCase.of("max_pool", "MaxPool 2x2 stride 2 VALID (reduce-window max)",
            (tf, in) -> List.of(tf.nn.maxPool(image(in, 2, 8, 8, 4), tf.constant(new int[] {1, 2, 2, 1}),
                tf.constant(new int[] {1, 2, 2, 1}), "VALID"))),
        GraphCase.of("max_pool_same", "MaxPool 3x3 stride 2 SAME (padding with -inf)",
            (tf, in) -> List.of(tf.nn.maxPool(image(in, 2, 7, 7, 3), tf.constant(new int[] {1, 3, 3, 1}),
                tf.constant(new int[] {1, 2, 2, 1}), "SAME"))),
        GraphCase.of("avg_pool", "AvgPool 2x2 stride 2 VALID (reduce-window sum, divide)",
            (tf, in) -> List.of(tf.nn.avgPool(image(in, 2, 8, 8, 4), List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID"))),
        GraphCase.of("avg_pool_same", "AvgPool 3x3 stride 2 SAME (divides by the count of real elements)",
            (tf, in) -> List.of(tf.nn.avgPool(image(in, 2, 7, 7, 3), List.of(1L, 3L, 3L, 1L), List.of(1L, 2L, 2L, 1L), "SAME"))),
        GraphCase.of("small_cnn", "conv, ReLU, max pool, conv, global average pool, dense, softmax",
            ConvGraphs::smallCnn));
  }

  private static Operand<TFloat32> image(Inputs in, long n, long h, long w, long c) {
    return in.f32("image", -1, 1, n, h, w, c);
  }

  private static Operand<TFloat32> conv(Ops tf, Inputs in, long kh, long kw, long cin, long cout, long stride,
      String padding, long dilation) {
    Operand<TFloat32> x = image(in, 2, 9, 9, cin);
    Operand<TFloat32> filter = in.weights(kh * kw * cin, cout, kh, kw, cin, cout);
    return tf.nn.conv2d(x, filter, List.of(1L, stride, stride, 1L), padding,
        Conv2d.dilations(List.of(1L, dilation, dilation, 1L)));
  }

  private static List<Operand<?>> depthwise(Ops tf, Inputs in) {
    Operand<TFloat32> x = image(in, 2, 8, 8, 4);
    Operand<TFloat32> filter = in.weights(9, 2, 3, 3, 4, 2);
    return List.of(tf.nn.depthwiseConv2dNative(x, filter, List.of(1L, 1L, 1L, 1L), "SAME"));
  }

  private static List<Operand<?>> smallCnn(Ops tf, Inputs in) {
    Operand<TFloat32> x = image(in, 2, 12, 12, 3);
    Operand<TFloat32> c1 = tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, in.weights(27, 8, 3, 3, 3, 8),
        List.of(1L, 1L, 1L, 1L), "SAME"), in.constF32(-0.1, 0.1, 8)));
    Operand<TFloat32> p1 = tf.nn.maxPool(c1, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    Operand<TFloat32> c2 = tf.nn.relu(tf.nn.conv2d(p1, in.weights(72, 8, 3, 3, 8, 8), List.of(1L, 1L, 1L, 1L), "VALID"));
    Operand<TFloat32> pooled = Layers.mean(tf, c2, false, 1, 2);
    return List.of(tf.nn.softmax(Layers.dense(tf, in, pooled, 8, 5)));
  }
}
