package io.tessera.oracle;

import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Building blocks the graphs share, written the way Keras lowers them to TensorFlow ops. */
final class Layers {
  private Layers() {}

  static Operand<TInt32> axes(Ops tf, int... axes) {
    return tf.constant(axes);
  }

  /** {@code x @ W + b} with seeded constant weights, as a frozen Keras Dense layer. */
  static Operand<TFloat32> dense(Ops tf, Inputs in, Operand<TFloat32> x, long inDim, long outDim) {
    Operand<TFloat32> w = in.weights(inDim, outDim, inDim, outDim);
    Operand<TFloat32> b = in.constF32(-0.1, 0.1, outDim);
    return tf.nn.biasAdd(tf.linalg.matMul(x, w), b);
  }

  /** A three-layer perceptron 16 -> 32 -> 16 -> 4 over 8 rows, {@code activation} after the hidden layers. */
  static Operand<TFloat32> mlp(Ops tf, Inputs in, UnaryOperator<Operand<TFloat32>> activation) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 8, 16);
    Operand<TFloat32> h1 = activation.apply(dense(tf, in, x, 16, 32));
    Operand<TFloat32> h2 = activation.apply(dense(tf, in, h1, 32, 16));
    return dense(tf, in, h2, 16, 4);
  }

  static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x, boolean keepDims, int... axes) {
    return tf.reduceSum(x, axes(tf, axes), ReduceSum.keepDims(keepDims));
  }

  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> x, boolean keepDims, int... axes) {
    return tf.math.mean(x, axes(tf, axes), Mean.keepDims(keepDims));
  }

  /** GELU as Keras computes it exactly: {@code 0.5 x (1 + erf(x / sqrt 2))}. */
  static Operand<TFloat32> geluErf(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.mul(tf.constant(0.5f),
        tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
    return tf.math.mul(x, cdf);
  }

  /** GELU's tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  static Operand<TFloat32> geluTanh(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> cube = tf.math.mul(tf.math.mul(x, x), x);
    Operand<TFloat32> inner = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)),
        tf.math.add(x, tf.math.mul(tf.constant(0.044715f), cube)));
    return tf.math.mul(tf.math.mul(tf.constant(0.5f), x), tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
  }

  /** Layer normalization over the last axis, with seeded scale and offset, as Keras computes it. */
  static Operand<TFloat32> layerNorm(Ops tf, Inputs in, Operand<TFloat32> x, long features) {
    Operand<TFloat32> mean = mean(tf, x, true, -1);
    Operand<TFloat32> variance = mean(tf, tf.math.squaredDifference(x, mean), true, -1);
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant(1e-5f)));
    Operand<TFloat32> gamma = in.constF32(0.5, 1.5, features);
    Operand<TFloat32> beta = in.constF32(-0.5, 0.5, features);
    return tf.math.add(tf.math.mul(tf.math.mul(tf.math.sub(x, mean), inv), gamma), beta);
  }
}
