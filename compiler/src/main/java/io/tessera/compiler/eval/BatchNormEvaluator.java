package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.List;

/**
 * Evaluates XLA's fused batch normalization, per feature f (the elements whose index along
 * {@code feature_index} is f):
 *
 * <pre>
 *   y = (x - mean[f]) / sqrt(variance[f] + epsilon) * scale[f] + offset[f]
 * </pre>
 *
 * {@code batch-norm-training} computes mean and variance over every other dimension (the biased,
 * population variance, as XLA does) and returns {@code (y, mean, variance)};
 * {@code batch-norm-inference} takes them as operands. Sums run in double; each result is
 * rounded once to the element type.
 */
final class BatchNormEvaluator {
  private BatchNormEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands) {
    Literal x = operands.get(0);
    Literal scale = operands.get(1);
    Literal offset = operands.get(2);
    ElementType type = x.elementType();
    double epsilon = instr.requireAttr(Attr.EPSILON);
    int[] dims = x.shape().dimensions();
    int feature = Math.toIntExact(instr.requireAttr(Attr.FEATURE_INDEX));
    int features = dims[feature];
    int inner = 1; // elements between two consecutive feature indices
    for (int d = feature + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    int n = x.elementCount();
    double[] mean = new double[features];
    double[] variance = new double[features];
    boolean training = instr.opcode() == Opcode.BATCH_NORM_TRAINING;
    if (training) {
      int[] count = new int[features];
      for (int i = 0; i < n; i++) {
        int f = (i / inner) % features;
        mean[f] += x.getDouble(i);
        count[f]++;
      }
      for (int f = 0; f < features; f++) {
        mean[f] = count[f] == 0 ? 0 : mean[f] / count[f];
      }
      for (int i = 0; i < n; i++) {
        int f = (i / inner) % features;
        double d = x.getDouble(i) - mean[f];
        variance[f] += d * d;
      }
      for (int f = 0; f < features; f++) {
        variance[f] = count[f] == 0 ? 0 : variance[f] / count[f];
        mean[f] = ElementValues.roundFloat(type, mean[f]);
        variance[f] = ElementValues.roundFloat(type, variance[f]);
      }
    } else {
      for (int f = 0; f < features; f++) {
        mean[f] = operands.get(3).getDouble(f);
        variance[f] = operands.get(4).getDouble(f);
      }
    }
    Literal y = Literal.zeros(x.shape().withoutLayout());
    for (int i = 0; i < n; i++) {
      int f = (i / inner) % features;
      double normalized = (x.getDouble(i) - mean[f]) / Math.sqrt(variance[f] + epsilon);
      y.setDouble(i, normalized * scale.getDouble(f) + offset.getDouble(f));
    }
    if (!training) {
      return y;
    }
    Shape perFeature = Shape.array(type, features);
    return Literal.tuple(y, Literal.ofDoubles(perFeature, mean), Literal.ofDoubles(perFeature, variance));
  }
}
