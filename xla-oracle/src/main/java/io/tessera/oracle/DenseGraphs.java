package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Perceptrons with each common activation, softmax and losses, normalizations. */
final class DenseGraphs {
  private DenseGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("mlp_relu", "3-layer MLP, ReLU, constant weights (MatMul, BiasAdd)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.nn::relu))),
        GraphCase.of("mlp_relu6", "3-layer MLP, ReLU6 (clamp)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.nn::relu6))),
        GraphCase.of("mlp_sigmoid", "3-layer MLP, sigmoid (logistic)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.math::sigmoid))),
        GraphCase.of("mlp_tanh", "3-layer MLP, tanh",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.math::tanh))),
        GraphCase.of("mlp_elu", "3-layer MLP, ELU (expm1, select)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.nn::elu))),
        GraphCase.of("mlp_selu", "3-layer MLP, SELU",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.nn::selu))),
        GraphCase.of("mlp_softplus", "3-layer MLP, softplus (log1p, exp, thresholds)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.math::softplus))),
        GraphCase.of("mlp_softsign", "3-layer MLP, softsign (abs, divide)",
            (tf, in) -> List.of(Layers.mlp(tf, in, tf.nn::softsign))),
        GraphCase.of("mlp_leaky_relu", "3-layer MLP, leaky ReLU alpha=0.2",
            (tf, in) -> List.of(Layers.mlp(tf, in, x -> tf.nn.leakyRelu(x, LeakyRelu.alpha(0.2f))))),
        GraphCase.of("mlp_swish", "3-layer MLP, swish x*sigmoid(x)",
            (tf, in) -> List.of(Layers.mlp(tf, in, x -> tf.math.mul(x, tf.math.sigmoid(x))))),
        GraphCase.of("mlp_gelu_erf", "3-layer MLP, exact GELU (erf)",
            (tf, in) -> List.of(Layers.mlp(tf, in, x -> Layers.geluErf(tf, x)))),
        GraphCase.of("mlp_gelu_tanh", "3-layer MLP, GELU tanh approximation",
            (tf, in) -> List.of(Layers.mlp(tf, in, x -> Layers.geluTanh(tf, x)))),
        GraphCase.of("dense_params", "dense layer with weights and bias as parameters, ReLU, two results",
            DenseGraphs::denseParams),
        GraphCase.of("softmax", "softmax over the last axis (reduce max, exp, reduce sum, divide)",
            (tf, in) -> List.of(tf.nn.softmax(in.f32("logits", -4, 4, 8, 32)))),
        GraphCase.of("log_softmax", "log-softmax over the last axis",
            (tf, in) -> List.of(tf.nn.logSoftmax(in.f32("logits", -4, 4, 8, 32)))),
        GraphCase.of("softmax_cross_entropy", "SoftmaxCrossEntropyWithLogits: loss and gradient",
            DenseGraphs::softmaxCrossEntropy),
        GraphCase.of("sparse_softmax_cross_entropy", "SparseSoftmaxCrossEntropyWithLogits with s32 labels",
            DenseGraphs::sparseSoftmaxCrossEntropy),
        GraphCase.of("classifier_loss", "MLP logits, log-softmax, one-hot labels, mean cross-entropy, accuracy",
            DenseGraphs::classifierLoss),
        GraphCase.of("layer_norm", "layer normalization over the last axis (mean, variance, rsqrt)",
            (tf, in) -> List.of(Layers.layerNorm(tf, in, in.f32("x", -3, 3, 16, 32), 32))),
        GraphCase.of("rms_norm", "RMS normalization (square, mean, rsqrt, scale)",
            DenseGraphs::rmsNorm),
        GraphCase.of("batch_norm_inference", "FusedBatchNormV3 in inference mode, NHWC",
            DenseGraphs::batchNormInference),
        GraphCase.of("batch_norm_training", "FusedBatchNormV3 in training mode: output, batch mean and variance",
            DenseGraphs::batchNormTraining),
        GraphCase.of("batch_norm_moments", "batch normalization from moments over N,H,W",
            DenseGraphs::batchNormMoments),
        GraphCase.of("transformer_block", "pre-norm transformer block: layer norm, attention, GELU MLP, residuals",
            DenseGraphs::transformerBlock));
  }

  private static List<Operand<?>> denseParams(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -1, 1, 8, 16);
    Operand<TFloat32> w = in.f32("w", -0.5, 0.5, 16, 12);
    Operand<TFloat32> b = in.f32("b", -0.1, 0.1, 12);
    Operand<TFloat32> pre = tf.math.add(tf.linalg.matMul(x, w), b);
    return List.of(tf.nn.relu(pre), Layers.sum(tf, pre, false, 1));
  }

  private static List<Operand<?>> softmaxCrossEntropy(Ops tf, Inputs in) {
    Operand<TFloat32> logits = in.f32("logits", -3, 3, 8, 10);
    Operand<TFloat32> labels = tf.nn.softmax(in.f32("labelLogits", -3, 3, 8, 10));
    var xent = tf.nn.softmaxCrossEntropyWithLogits(logits, labels);
    return List.of(xent.loss(), xent.backprop());
  }

  private static List<Operand<?>> sparseSoftmaxCrossEntropy(Ops tf, Inputs in) {
    Operand<TFloat32> logits = in.f32("logits", -3, 3, 8, 10);
    Operand<TInt32> labels = in.s32("labels", 0, 10, 8);
    var xent = tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
    return List.of(xent.loss(), xent.backprop());
  }

  private static List<Operand<?>> classifierLoss(Ops tf, Inputs in) {
    Operand<TFloat32> logits = Layers.mlp(tf, in, tf.nn::relu);
    Operand<TInt32> labels = in.s32("labels", 0, 4, 8);
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(4), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> perRow = tf.math.neg(Layers.sum(tf, tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), false, 1));
    Operand<TFloat32> loss = Layers.mean(tf, perRow, false, 0);
    Operand<TFloat32> correct = tf.dtypes.cast(tf.math.equal(tf.math.argMax(logits, tf.constant(1), TInt32.class), labels),
        TFloat32.class);
    return List.of(loss, Layers.mean(tf, correct, false, 0));
  }

  private static List<Operand<?>> rmsNorm(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -3, 3, 16, 32);
    Operand<TFloat32> ms = Layers.mean(tf, tf.math.square(x), true, 1);
    Operand<TFloat32> scale = in.constF32(0.5, 1.5, 32);
    return List.of(tf.math.mul(tf.math.mul(x, tf.math.rsqrt(tf.math.add(ms, tf.constant(1e-6f)))), scale));
  }

  private static List<Operand<?>> batchNormInference(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 4, 5, 5, 8);
    var bn = tf.nn.fusedBatchNorm(x, in.constF32(0.5, 1.5, 8), in.constF32(-0.5, 0.5, 8),
        in.constF32(-0.2, 0.2, 8), in.constF32(0.5, 2, 8),
        FusedBatchNorm.isTraining(false), FusedBatchNorm.epsilon(1e-3f));
    return List.of(bn.y());
  }

  private static List<Operand<?>> batchNormTraining(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 4, 5, 5, 8);
    Operand<TFloat32> empty = tf.constant(new float[0]);
    var bn = tf.nn.fusedBatchNorm(x, in.constF32(0.5, 1.5, 8), in.constF32(-0.5, 0.5, 8), empty, empty,
        FusedBatchNorm.isTraining(true), FusedBatchNorm.epsilon(1e-3f));
    return List.of(bn.y(), bn.batchMean(), bn.batchVariance());
  }

  private static List<Operand<?>> batchNormMoments(Ops tf, Inputs in) {
    Operand<TFloat32> x = in.f32("x", -2, 2, 4, 5, 5, 8);
    Operand<TFloat32> mean = Layers.mean(tf, x, true, 0, 1, 2);
    Operand<TFloat32> variance = Layers.mean(tf, tf.math.squaredDifference(x, mean), true, 0, 1, 2);
    Operand<TFloat32> normalized = tf.math.mul(tf.math.sub(x, mean), tf.math.rsqrt(tf.math.add(variance, tf.constant(1e-3f))));
    return List.of(tf.math.add(tf.math.mul(normalized, in.constF32(0.5, 1.5, 8)), in.constF32(-0.5, 0.5, 8)));
  }

  /** One pre-norm block over [batch 2, sequence 8, model 16], 2 heads of 8. */
  private static List<Operand<?>> transformerBlock(Ops tf, Inputs in) {
    long b = 2, s = 8, d = 16, h = 2, dh = 8;
    Operand<TFloat32> x = in.f32("x", -1, 1, b, s, d);
    Operand<TFloat32> n1 = Layers.layerNorm(tf, in, x, d);
    Operand<TFloat32> q = heads(tf, tf.linalg.einsum(List.of(n1, in.weights(d, d, d, d)), "bsd,de->bse"), b, s, h, dh);
    Operand<TFloat32> k = heads(tf, tf.linalg.einsum(List.of(n1, in.weights(d, d, d, d)), "bsd,de->bse"), b, s, h, dh);
    Operand<TFloat32> v = heads(tf, tf.linalg.einsum(List.of(n1, in.weights(d, d, d, d)), "bsd,de->bse"), b, s, h, dh);
    Operand<TFloat32> scores = tf.math.mul(tf.linalg.einsum(List.of(q, k), "bhqd,bhkd->bhqk"),
        tf.constant((float) (1 / Math.sqrt(dh))));
    Operand<TFloat32> attention = tf.linalg.einsum(List.of(tf.nn.softmax(scores), v), "bhqk,bhkd->bhqd");
    Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(attention, tf.constant(new int[] {0, 2, 1, 3})),
        tf.constant(new long[] {b, s, d}));
    Operand<TFloat32> x1 = tf.math.add(x, tf.linalg.einsum(List.of(merged, in.weights(d, d, d, d)), "bsd,de->bse"));
    Operand<TFloat32> n2 = Layers.layerNorm(tf, in, x1, d);
    Operand<TFloat32> up = Layers.geluErf(tf, tf.math.add(
        tf.linalg.einsum(List.of(n2, in.weights(d, 4 * d, d, 4 * d)), "bsd,df->bsf"), in.constF32(-0.1, 0.1, 4 * d)));
    Operand<TFloat32> down = tf.linalg.einsum(List.of(up, in.weights(4 * d, d, 4 * d, d)), "bsf,fd->bsd");
    return List.of(tf.math.add(x1, down));
  }

  /** [b, s, h*dh] -> [b, h, s, dh]. */
  private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x, long b, long s, long h, long dh) {
    return tf.linalg.transpose(tf.reshape(x, tf.constant(new long[] {b, s, h, dh})), tf.constant(new int[] {0, 2, 1, 3}));
  }
}
