package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/**
 * Evaluates convolution: every output element is the sum, over the kernel taps that land inside
 * the (padded, base-dilated) input and over the input features of its group, of input times
 * kernel. {@link ConvolutionGeometry} finds the taps; {@link ProductSum} does the arithmetic, in
 * the result's element type, as for dot. Integer results wrap, as compiled XLA code does (XLA's own
 * evaluator saturates instead).
 */
final class ConvolutionEvaluator {
  private ConvolutionEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    Literal lhs = operands.get(0);
    Literal rhs = operands.get(1);
    ConvolutionGeometry g = ConvolutionGeometry.of(instr, lhs.shape(), rhs.shape());
    Literal result = Literal.zeros(instr.shape());
    ProductSum sum = ProductSum.of(lhs, rhs, result);
    int[] outDims = g.outputDims();
    int[] outIndex = new int[outDims.length];
    int[] lhsTaps = new int[g.maxTaps()];
    int[] rhsTaps = new int[g.maxTaps()];
    int features = g.inputFeaturesPerGroup();
    int lhsStep = g.lhsFeatureStride();
    int rhsStep = g.rhsFeatureStride();
    for (int i = 0; i < result.elementCount(); i++) {
      int taps = g.taps(outIndex, lhsTaps, rhsTaps);
      sum.reset();
      for (int t = 0; t < taps; t++) {
        int l = lhsTaps[t];
        int r = rhsTaps[t];
        for (int f = 0; f < features; f++, l += lhsStep, r += rhsStep) {
          sum.add(l, r);
        }
      }
      sum.store(i);
      Indexing.next(outIndex, outDims);
    }
    return result;
  }
}
