package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/**
 * Evaluates convolution: every output element is the sum, over the kernel taps that land inside
 * the (padded, base-dilated) input and over the input features of its group, of input times
 * kernel. {@link ConvolutionGeometry} finds the taps; this class does the arithmetic.
 *
 * <p>As XLA does, both operands are first converted to the result's element type (the result may
 * be wider, e.g. {@code s8 x s8 -> s32}). Float results then accumulate in double and round once
 * per output element, so the value does not depend on the order of the taps; integer results
 * accumulate in a 64-bit long and wrap to the result type at the end, matching two's-complement
 * arithmetic in the result type (XLA's own evaluator saturates instead; compiled XLA code wraps).
 */
final class ConvolutionEvaluator {
  private ConvolutionEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    Literal lhs = operands.get(0);
    Literal rhs = operands.get(1);
    ConvolutionGeometry geometry = ConvolutionGeometry.of(instr, lhs.shape(), rhs.shape());
    Literal result = Literal.zeros(instr.shape());
    ElementType type = result.elementType();
    if (type.isFloat()) {
      convolveFloats(geometry, floatsAs(type, lhs), floatsAs(type, rhs), type, result.floatStorage());
    } else if (type.isInteger() || type.isPred()) {
      convolveIntegers(geometry, integersAs(type, lhs), integersAs(type, rhs), type, result.intStorage());
    } else {
      throw error(instr, "cannot convolve to element type " + type);
    }
    return result;
  }

  private static void convolveFloats(ConvolutionGeometry g, double[] lhs, double[] rhs, ElementType type,
                                     double[] out) {
    int[] outDims = g.outputDims();
    int[] outIndex = new int[outDims.length];
    int[] lhsTaps = new int[g.maxTaps()];
    int[] rhsTaps = new int[g.maxTaps()];
    int features = g.inputFeaturesPerGroup();
    int lhsStep = g.lhsFeatureStride();
    int rhsStep = g.rhsFeatureStride();
    for (int i = 0; i < out.length; i++) {
      int taps = g.taps(outIndex, lhsTaps, rhsTaps);
      double sum = 0;
      for (int t = 0; t < taps; t++) {
        int l = lhsTaps[t];
        int r = rhsTaps[t];
        for (int f = 0; f < features; f++, l += lhsStep, r += rhsStep) {
          sum += lhs[l] * rhs[r];
        }
      }
      out[i] = ElementValues.roundFloat(type, sum);
      Indexing.next(outIndex, outDims);
    }
  }

  private static void convolveIntegers(ConvolutionGeometry g, long[] lhs, long[] rhs, ElementType type,
                                       long[] out) {
    int[] outDims = g.outputDims();
    int[] outIndex = new int[outDims.length];
    int[] lhsTaps = new int[g.maxTaps()];
    int[] rhsTaps = new int[g.maxTaps()];
    int features = g.inputFeaturesPerGroup();
    int lhsStep = g.lhsFeatureStride();
    int rhsStep = g.rhsFeatureStride();
    for (int i = 0; i < out.length; i++) {
      int taps = g.taps(outIndex, lhsTaps, rhsTaps);
      long sum = 0;
      for (int t = 0; t < taps; t++) {
        int l = lhsTaps[t];
        int r = rhsTaps[t];
        for (int f = 0; f < features; f++, l += lhsStep, r += rhsStep) {
          sum += lhs[l] * rhs[r];
        }
      }
      out[i] = ElementValues.wrapInteger(type, sum);
      Indexing.next(outIndex, outDims);
    }
  }

  /** The values of {@code lit} converted to float type {@code type} (the storage itself when already so). */
  private static double[] floatsAs(ElementType type, Literal lit) {
    ElementType from = lit.elementType();
    if (from == type) {
      return lit.floatStorage();
    }
    double[] values = new double[lit.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = ElementValues.roundFloat(type, lit.getAsDouble(i));
    }
    return values;
  }

  /** The values of {@code lit} converted to integer type (or pred) {@code type}, as XLA's convert does. */
  private static long[] integersAs(ElementType type, Literal lit) {
    ElementType from = lit.elementType();
    if (from == type) {
      return lit.intStorage();
    }
    long[] values = new long[lit.elementCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = lit.isFloat()
          ? ElementValues.floatToInteger(type, lit.getDouble(i))
          : ElementValues.wrapInteger(type, lit.getLong(i));
    }
    return values;
  }
}
