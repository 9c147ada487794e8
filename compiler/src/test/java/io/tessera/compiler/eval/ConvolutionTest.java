package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
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
