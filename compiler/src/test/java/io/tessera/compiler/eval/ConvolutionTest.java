package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvolutionTest {

  private static Literal run(String hlo, Literal... args) {
    return new Interpreter().run(HloParser.parse(hlo), List.of(args));
  }

  private static Literal lit(String text) {
    return HloParser.parseLiteral(text);
  }

  /** A module convolving parameter 0 (input) with parameter 1 (kernel). */
  private static String conv(String input, String kernel, String output, String attributes) {
    return """
        HloModule m
        ENTRY e {
          x = %s parameter(0)
          w = %s parameter(1)
          ROOT c = %s convolution(x, w), %s
        }
        """.formatted(input, kernel, output, attributes);
  }

  /** A 1-D convolution of one signal with one filter: batch 1, one feature in and out. */
  private static Literal conv1d(Literal x, Literal w, int outSize, String window) {
    String type = x.elementType().mnemonic();
    String hlo = conv(type + "[1,1," + x.elementCount() + "]", type + "[1,1," + w.elementCount() + "]",
        type + "[1,1," + outSize + "]", "window=" + window + ", dim_labels=bf0_oi0->bf0");
    return run(hlo, asSignal(x), asSignal(w));
  }

  /** {@code values} as a batch of one single-feature signal: shape [1,1,n]. */
  private static Literal asSignal(Literal values) {
    return values.reshaped(Shape.array(values.elementType(), 1, 1, values.elementCount()));
  }

  private static Literal signal(String text) {
    return asSignal(lit(text));
  }

  @Test
  void oneDimensionalValid() {
    // w = {1, 0, -1}: out[p] = x[p] - x[p+2].
    assertEquals(signal("f32[3] {-2, -2, -2}"),
        conv1d(lit("f32[5] {1, 2, 3, 4, 5}"), lit("f32[3] {1, 0, -1}"), 3, "{size=3}"));
  }

  @Test
  void twoDimensionalSamePaddingSumsEachNeighbourhood() {
    String hlo = conv("f32[1,1,3,3]", "f32[1,1,3,3]", "f32[1,1,3,3]",
        "window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01");
    Literal x = lit("f32[1,1,3,3] {{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}}");
    Literal ones = lit("f32[1,1,3,3] {{{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}}}");
    assertEquals(lit("f32[1,1,3,3] {{{{12, 21, 16}, {27, 45, 33}, {24, 39, 28}}}}"), run(hlo, x, ones));
  }

  @Test
  void strideTwo() {
    // out[p] = x[2p] + 2 x[2p+1] + 3 x[2p+2].
    assertEquals(signal("f32[3] {14, 26, 38}"),
        conv1d(lit("f32[7] {1, 2, 3, 4, 5, 6, 7}"), lit("f32[3] {1, 2, 3}"), 3, "{size=3 stride=2}"));
  }

  @Test
  void baseDilationIsATransposedConvolution() {
    // lhs_dilate=2 spreads x to {1,0,2,0,3}; padding 1 each side gives {0,1,0,2,0,3,0};
    // out[p] = padded[p] + 10 padded[p+1].
    assertEquals(signal("f32[6] {10, 1, 20, 2, 30, 3}"),
        conv1d(lit("f32[3] {1, 2, 3}"), lit("f32[2] {1, 10}"), 6, "{size=2 pad=1_1 lhs_dilate=2}"));
  }

  @Test
  void windowDilationIsAnAtrousConvolution() {
    // rhs_dilate=2: taps two apart, out[p] = x[p] + 10 x[p+2].
    assertEquals(signal("f32[3] {31, 42, 53}"),
        conv1d(lit("f32[5] {1, 2, 3, 4, 5}"), lit("f32[2] {1, 10}"), 3, "{size=2 rhs_dilate=2}"));
  }

  @Test
  void windowReversalFlipsTheKernel() {
    // out[p] = 10 x[p] + x[p+1].
    assertEquals(signal("f32[2] {12, 23}"),
        conv1d(lit("f32[3] {1, 2, 3}"), lit("f32[2] {1, 10}"), 2, "{size=2 rhs_reversal=1}"));
  }

  @Test
  void negativePaddingCropsTheInput() {
    // pad=-1_-2 drops one element at the start and two at the end: {2, 3}.
    assertEquals(signal("f32[2] {2, 3}"),
        conv1d(lit("f32[5] {1, 2, 3, 4, 5}"), lit("f32[1] {1}"), 2, "{size=1 pad=-1_-2}"));
  }

  @Test
  void depthwiseConvolutionKeepsChannelsApart() {
    // feature_group_count = 2 = channels: channel 0 with {1, 1}, channel 1 with {1, -1}.
    String hlo = conv("f32[1,2,3]", "f32[2,1,2]", "f32[1,2,2]",
        "window={size=2}, dim_labels=bf0_oi0->bf0, feature_group_count=2");
    assertEquals(lit("f32[1,2,2] {{{3, 5}, {-10, -10}}}"),
        run(hlo, lit("f32[1,2,3] {{{1, 2, 3}, {10, 20, 30}}}"), lit("f32[2,1,2] {{{1, 1}}, {{1, -1}}}")));
  }

  @Test
  void depthwiseWithChannelMultiplierTwo() {
    // Four outputs from two channels: outputs 0,1 read channel 0, outputs 2,3 channel 1.
    String hlo = conv("f32[1,2,3]", "f32[4,1,1]", "f32[1,4,3]",
        "window={size=1}, dim_labels=bf0_oi0->bf0, feature_group_count=2");
    assertEquals(lit("f32[1,4,3] {{{1, 2, 3}, {2, 4, 6}, {30, 60, 90}, {40, 80, 120}}}"),
        run(hlo, lit("f32[1,2,3] {{{1, 2, 3}, {10, 20, 30}}}"), lit("f32[4,1,1] {{{1}}, {{2}}, {{3}}, {{4}}}")));
  }

  @Test
  void groupedConvolutionSumsWithinEachGroup() {
    // Four input features in two groups of two; output 0 = f0 + f1, output 1 = f2 - f3.
    String hlo = conv("f32[1,4,2]", "f32[2,2,1]", "f32[1,2,2]",
        "window={size=1}, dim_labels=bf0_oi0->bf0, feature_group_count=2");
    assertEquals(lit("f32[1,2,2] {{{11, 22}, {-900, -1800}}}"),
        run(hlo, lit("f32[1,4,2] {{{1, 2}, {10, 20}, {100, 200}, {1000, 2000}}}"),
            lit("f32[2,2,1] {{{1}, {1}}, {{1}, {-1}}}")));
  }

  @Test
  void batchGroupCountPairsOutputFeaturesWithBatchGroups() {
    // Weight-gradient form: batch_group_count=2 splits the batch of 2 into two groups of one;
    // output feature 0 convolves batch 0 with filter 0, feature 1 batch 1 with filter 1.
    String hlo = conv("f32[2,1,3]", "f32[2,1,2]", "f32[1,2,2]",
        "window={size=2}, dim_labels=bf0_oi0->bf0, batch_group_count=2");
    assertEquals(lit("f32[1,2,2] {{{3, 5}, {-1, -1}}}"),
        run(hlo, lit("f32[2,1,3] {{{1, 2, 3}}, {{4, 5, 6}}}"), lit("f32[2,1,2] {{{1, 1}}, {{1, -1}}}")));
  }

  @Test
  void batchGroupsOfTwo() {
    // Batch 4 in two groups {0,1} and {2,3}: out[b][o] = x[b + 2o] * w[o].
    String hlo = conv("f32[4,1,2]", "f32[2,1,1]", "f32[2,2,2]",
        "window={size=1}, dim_labels=bf0_oi0->bf0, batch_group_count=2");
    assertEquals(lit("f32[2,2,2] {{{1, 2}, {50, 60}}, {{3, 4}, {70, 80}}}"),
        run(hlo, lit("f32[4,1,2] {{{1, 2}}, {{3, 4}}, {{5, 6}}, {{7, 8}}}"), lit("f32[2,1,1] {{{1}}, {{10}}}")));
  }

  @Test
  void channelsFirstAndChannelsLastGiveTheSameNumbers() {
    // The same 2-feature 3x3 image and 2x2x2->2 kernel, once as NCHW/OIHW and once as NHWC/HWIO.
    String nchw = conv("f32[1,2,3,3]", "f32[2,2,2,2]", "f32[1,2,2,2]",
        "window={size=2x2}, dim_labels=bf01_oi01->bf01");
    Literal xNchw = lit("f32[1,2,3,3] {{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}}");
    Literal wOihw = lit("f32[2,2,2,2] {{{{1, 1}, {1, 1}}, {{10, 0}, {0, 0}}}, {{{0, 0}, {0, 1}}, {{0, 2}, {0, 0}}}}");
    assertEquals(lit("f32[1,2,2,2] {{{{22, 16}, {24, 38}}, {{5, 6}, {10, 9}}}}"), run(nchw, xNchw, wOihw));

    String nhwc = conv("f32[1,3,3,2]", "f32[2,2,2,2]", "f32[1,2,2,2]",
        "window={size=2x2}, dim_labels=b01f_01io->b01f");
    Literal xNhwc = lit("f32[1,3,3,2] {{{{1, 1}, {2, 0}, {3, 0}}, {{4, 0}, {5, 1}, {6, 0}}, {{7, 0}, {8, 0}, {9, 1}}}}");
    Literal wHwio = lit("f32[2,2,2,2] {{{{1, 0}, {10, 0}}, {{1, 0}, {0, 2}}}, {{{1, 0}, {0, 0}}, {{1, 1}, {0, 0}}}}");
    assertEquals(lit("f32[1,2,2,2] {{{{22, 5}, {16, 6}}, {{24, 10}, {38, 9}}}}"), run(nhwc, xNhwc, wHwio));
  }

  @Test
  void outputLabelsMayDifferFromInputLabels() {
    // NCHW in, NHWC out: the numbers of the NCHW case, laid out channels-last.
    String hlo = conv("f32[1,2,3,3]", "f32[2,2,2,2]", "f32[1,2,2,2]",
        "window={size=2x2}, dim_labels=bf01_oi01->b01f");
    Literal x = lit("f32[1,2,3,3] {{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}}");
    Literal w = lit("f32[2,2,2,2] {{{{1, 1}, {1, 1}}, {{10, 0}, {0, 0}}}, {{{0, 0}, {0, 1}}, {{0, 2}, {0, 0}}}}");
    assertEquals(lit("f32[1,2,2,2] {{{{22, 5}, {16, 6}}, {{24, 10}, {38, 9}}}}"), run(hlo, x, w));
  }

  @Test
  void threeSpatialDimensions() {
    // A 2x2x2 box filter over a 2x2x3 volume with one voxel of padding at the end of the last axis.
    String hlo = conv("f32[1,1,2,2,3]", "f32[1,1,2,2,2]", "f32[1,1,1,1,3]",
        "window={size=2x2x2 pad=0_0x0_0x0_1}, dim_labels=bf012_oi012->bf012");
    Literal x = lit("f32[1,1,2,2,3] {{{{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}}}}");
    Literal ones = lit("f32[1,1,2,2,2] {{{{{1, 1}, {1, 1}}, {{1, 1}, {1, 1}}}}}");
    // Columns {0,1}: 1+2+4+5+7+8+10+11 = 48; {1,2}: 56; {2, pad}: 3+6+9+12 = 30.
    assertEquals(lit("f32[1,1,1,1,3] {{{{{48, 56, 30}}}}}"), run(hlo, x, ones));
  }

  @Test
  void floatSumsRoundOncePerOutputElement() {
    // In f32, 2^24 + 1 + 1 would round to 2^24 at each step; summed in double it is 2^24 + 2.
    assertEquals(signal("f32[1] {16777218}"),
        conv1d(lit("f32[3] {16777216, 1, 1}"), lit("f32[3] {1, 1, 1}"), 1, "{size=3}"));
  }

  @Test
  void integerConvolutionWrapsToTheResultType() {
    assertEquals(signal("s32[2] {-2147483648, 7}"),
        conv1d(lit("s32[3] {2147483647, 1, 6}"), lit("s32[2] {1, 1}"), 2, "{size=2}"));
  }

  @Test
  void narrowIntegerOperandsWidenToTheResultType() {
    // s8 x s8 -> s32, as XLA's preferred element type allows: 100*100 + 100*100 does not wrap.
    String hlo = conv("s8[1,1,2]", "s8[1,1,2]", "s32[1,1,1]", "window={size=2}, dim_labels=bf0_oi0->bf0");
    assertEquals(lit("s32[1,1,1] {{{20000}}}"), run(hlo, lit("s8[1,1,2] {{{100, 100}}}"), lit("s8[1,1,2] {{{100, 100}}}")));
  }

  @Test
  void halfPrecisionSumsRoundOnce() {
    // 1 + 2^-11 is a tie in f16 that rounds back to 1, twice over; the exact sum 1 + 2^-10 is an f16.
    assertEquals(signal("f16[1] {1.0009765625}"),
        conv1d(lit("f16[3] {1, 0.00048828125, 0.00048828125}"), lit("f16[3] {1, 1, 1}"), 1, "{size=3}"));
  }

  @Test
  void withoutSpatialDimensionsAConvolutionIsAMatrixProduct() {
    // XLA writes no window when there are no spatial dimensions.
    String hlo = """
        HloModule m
        ENTRY e {
          x = f32[2,3] parameter(0)
          w = f32[3,4] parameter(1)
          ROOT c = f32[2,4] convolution(x, w), dim_labels=bf_io->bf
        }
        """;
    assertEquals(lit("f32[2,4] {{1, 2, 3, 6}, {4, 5, 6, 15}}"),
        run(hlo, lit("f32[2,3] {{1, 2, 3}, {4, 5, 6}}"), lit("f32[3,4] {{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}}")));
  }

  @Test
  void dimensionOrderDoesNotChangeTheNumbers() {
    // One strided, padded, doubly dilated convolution on random integers (exact in f32), once in
    // NCHW/OIHW and once with every operand's dimensions shuffled; the results must be the same
    // numbers, shuffled the same way.
    String window = "window={size=3x2 stride=2x1 pad=1_0x0_1 lhs_dilate=1x2 rhs_dilate=2x1}";
    String plain = conv("f32[2,3,7,4]", "f32[4,3,3,2]", "f32[2,4,2,7]", window + ", dim_labels=bf01_oi01->bf01");
    String shuffled = conv("f32[7,4,3,2]", "f32[4,3,2,3]", "f32[4,2,7,2]", window + ", dim_labels=01fb_o01i->f01b");
    Random random = new Random(42);
    Literal x = randomIntegers(Shape.array(ElementType.F32, 2, 3, 7, 4), random);
    Literal w = randomIntegers(Shape.array(ElementType.F32, 4, 3, 3, 2), random);
    Literal expected = run(plain, x, w);
    assertEquals(materializedConvolution(x, w, new int[] {2, 1}, new int[] {1, 0}, new int[] {0, 1},
        new int[] {1, 2}, new int[] {2, 1}, 2, 7), expected);
    // Shuffled position i holds plain dimension perm[i]: input 01fb = {2,3,1,0}, kernel o01i = {0,2,3,1},
    // output f01b = {1,2,3,0}.
    Literal actual = run(shuffled, permute(x, 2, 3, 1, 0), permute(w, 0, 2, 3, 1));
    assertEquals(permute(expected, 1, 2, 3, 0), actual);
  }

  /**
   * An independent NCHW/OIHW reference that follows the definition literally: build the
   * base-dilated, zero-padded input and the window-dilated kernel as arrays, then slide the
   * kernel with the stride (non-negative padding, no groups).
   */
  private static Literal materializedConvolution(Literal x, Literal w, int[] stride, int[] padLow, int[] padHigh,
                                                 int[] lhsDilate, int[] rhsDilate, int outH, int outW) {
    int[] xd = x.shape().dimensions();
    int[] wd = w.shape().dimensions();
    int n = xd[0];
    int c = xd[1];
    int o = wd[0];
    int ph = padLow[0] + (xd[2] - 1) * lhsDilate[0] + 1 + padHigh[0];
    int pw = padLow[1] + (xd[3] - 1) * lhsDilate[1] + 1 + padHigh[1];
    double[][][][] padded = new double[n][c][ph][pw];
    for (int b = 0; b < n; b++) {
      for (int f = 0; f < c; f++) {
        for (int h = 0; h < xd[2]; h++) {
          for (int v = 0; v < xd[3]; v++) {
            padded[b][f][padLow[0] + h * lhsDilate[0]][padLow[1] + v * lhsDilate[1]] = x.getDouble(x.linearIndex(b, f, h, v));
          }
        }
      }
    }
    int kh = (wd[2] - 1) * rhsDilate[0] + 1;
    int kw = (wd[3] - 1) * rhsDilate[1] + 1;
    double[][][][] kernel = new double[o][c][kh][kw];
    for (int q = 0; q < o; q++) {
      for (int f = 0; f < c; f++) {
        for (int h = 0; h < wd[2]; h++) {
          for (int v = 0; v < wd[3]; v++) {
            kernel[q][f][h * rhsDilate[0]][v * rhsDilate[1]] = w.getDouble(w.linearIndex(q, f, h, v));
          }
        }
      }
    }
    Literal out = Literal.zeros(Shape.array(ElementType.F32, n, o, outH, outW));
    for (int b = 0; b < n; b++) {
      for (int q = 0; q < o; q++) {
        for (int r = 0; r < outH; r++) {
          for (int col = 0; col < outW; col++) {
            double sum = 0;
            for (int f = 0; f < c; f++) {
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  sum += padded[b][f][r * stride[0] + i][col * stride[1] + j] * kernel[q][f][i][j];
                }
              }
            }
            out.setDouble(out.linearIndex(b, q, r, col), sum);
          }
        }
      }
    }
    return out;
  }

  private static Literal randomIntegers(Shape shape, Random random) {
    Literal lit = Literal.zeros(shape);
    for (int i = 0; i < lit.elementCount(); i++) {
      lit.setDouble(i, random.nextInt(19) - 9);
    }
    return lit;
  }

  /** The transpose whose dimension {@code i} is dimension {@code perm[i]} of {@code lit}. */
  private static Literal permute(Literal lit, int... perm) {
    int[] dims = lit.shape().dimensions();
    int[] outDims = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      outDims[i] = dims[perm[i]];
    }
    Literal out = Literal.zeros(Shape.array(lit.elementType(), outDims));
    int[] index = new int[perm.length];
    int[] source = new int[perm.length];
    for (int j = 0; j < out.elementCount(); j++) {
      for (int i = 0; i < perm.length; i++) {
        source[perm[i]] = index[i];
      }
      out.copyElement(lit, lit.linearIndex(source), j);
      Indexing.next(index, outDims);
    }
    return out;
  }

  @Test
  void aDeclaredShapeThatDoesNotFitTheWindowIsRejected() {
    String hlo = conv("f32[1,1,5]", "f32[1,1,3]", "f32[1,1,4]", "window={size=3}, dim_labels=bf0_oi0->bf0");
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> run(hlo, lit("f32[1,1,5] {{{1, 2, 3, 4, 5}}}"), lit("f32[1,1,3] {{{1, 1, 1}}}")));
    assertTrue(e.getMessage().contains("%c") && e.getMessage().contains("[1, 1, 3]"), e.getMessage());
  }

  @Test
  void featureCountsThatDoNotDivideIntoGroupsAreRejected() {
    String hlo = conv("f32[1,3,2]", "f32[2,1,1]", "f32[1,2,2]",
        "window={size=1}, dim_labels=bf0_oi0->bf0, feature_group_count=2");
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> run(hlo, lit("f32[1,3,2] {{{1, 2}, {3, 4}, {5, 6}}}"), lit("f32[2,1,1] {{{1}}, {{1}}}")));
    assertTrue(e.getMessage().contains("%c") && e.getMessage().contains("feature_group_count"), e.getMessage());
  }
}
