package io.tessera.examples;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch-inference MLP in plain Java loops, as one would write it in a Java UDF: dense + ReLU,
 * dense + tanh, dense + softmax. The weights are read from the HLO module's own constants, so the
 * two implementations compute the same function; only the code that runs differs.
 */
public final class JavaMlp implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final float[][][] weights; // [layer][in][out]
  private final float[][] biases; // [layer][out]

  private JavaMlp(float[][][] weights, float[][] biases) {
    this.weights = weights;
    this.biases = biases;
  }

  /**
   * The weights of {@code module}: each {@code dot} against a constant {@code f32[in,out]} is a
   * layer, the constant {@code f32[out]} added to its result that layer's bias.
   *
   * @throws IllegalArgumentException when the module is not a chain of three such layers
   */
  public static JavaMlp fromModule(Module module) {
    List<float[][]> ws = new ArrayList<>();
    List<float[]> bs = new ArrayList<>();
    List<Instruction> dots = new ArrayList<>();
    for (Instruction i : module.entry().instructions()) {
      if (i.opcode() == Opcode.DOT && i.operand(1).opcode() == Opcode.CONSTANT) {
        Literal w = i.operand(1).literal();
        int in = w.shape().dimension(0);
        int out = w.shape().dimension(1);
        float[][] m = new float[in][out];
        for (int r = 0; r < in; r++) {
          for (int c = 0; c < out; c++) {
            m[r][c] = (float) w.getDouble(r * out + c);
          }
        }
        ws.add(m);
        dots.add(i);
      } else if (i.opcode() == Opcode.ADD && dots.size() == bs.size() + 1 && i.operand(0) == dots.get(dots.size() - 1)
          && i.operand(1).opcode() == Opcode.CONSTANT) {
        Literal b = i.operand(1).literal();
        float[] v = new float[b.elementCount()];
        for (int k = 0; k < v.length; k++) {
          v[k] = (float) b.getDouble(k);
        }
        bs.add(v);
      }
    }
    if (ws.size() != 3 || bs.size() != 3) {
      throw new IllegalArgumentException("module " + module.name() + " is not a 3-layer MLP with constant weights: "
          + ws.size() + " dot(s) against constants, " + bs.size() + " bias add(s)");
    }
    return new JavaMlp(ws.toArray(new float[0][][]), bs.toArray(new float[0][]));
  }

  /** Features per row. */
  public int inputs() {
    return weights[0].length;
  }

  /** Probabilities per row. */
  public int outputs() {
    return biases[2].length;
  }

  /** The class probabilities of one row of features. */
  public float[] predict(float[] x) {
    float[] h1 = dense(x, 0);
    for (int k = 0; k < h1.length; k++) {
      h1[k] = Math.max(h1[k], 0f);
    }
    float[] h2 = dense(h1, 1);
    for (int k = 0; k < h2.length; k++) {
      h2[k] = (float) Math.tanh(h2[k]);
    }
    float[] logits = dense(h2, 2);
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    float sum = 0f;
    for (int k = 0; k < logits.length; k++) {
      logits[k] = (float) Math.exp(logits[k] - max);
      sum += logits[k];
    }
    for (int k = 0; k < logits.length; k++) {
      logits[k] /= sum;
    }
    return logits;
  }

  private float[] dense(float[] x, int layer) {
    float[][] w = weights[layer];
    float[] out = biases[layer].clone();
    float[] acc = new float[out.length];
    for (int i = 0; i < x.length; i++) {
      float xi = x[i];
      float[] row = w[i];
      for (int o = 0; o < acc.length; o++) {
        acc[o] += xi * row[o];
      }
    }
    for (int o = 0; o < out.length; o++) {
      out[o] += acc[o];
    }
    return out;
  }
}
