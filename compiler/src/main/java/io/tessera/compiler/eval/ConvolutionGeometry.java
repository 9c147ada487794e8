package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ConvDimensionNumbers;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.Window;
import java.util.Arrays;
import java.util.List;

/**
 * The index arithmetic of one convolution, apart from the values: which input (lhs) and kernel
 * (rhs) elements meet at each output element. {@link ConvolutionEvaluator} does the arithmetic.
 *
 * <p>Per spatial dimension, output position {@code p} and kernel tap {@code k} read the input at
 * {@code (p * stride - pad_low + k * rhs_dilate) / lhs_dilate}, provided the division is exact
 * (the other positions are the holes base dilation inserts) and the result lies inside the input
 * (padding reads zero, so the tap is skipped). With {@code rhs_reversal} the tap reads kernel
 * element {@code size - 1 - k}.
 *
 * <p>Groups, as XLA defines them: with {@code feature_group_count = G} the input features split
 * into G groups of {@code kernel_input_features} each, the output features into G equal groups,
 * and output feature {@code o} sees only input group {@code o / (out_features / G)}. With
 * {@code batch_group_count = B} the input batch splits into B groups of {@code out_batch}, the
 * output features into B equal groups, and output feature {@code o} reads input batch
 * {@code out_b + (o / (out_features / B)) * out_batch}: weight gradients are convolutions whose
 * "batch" is the input channel.
 */
final class ConvolutionGeometry {
  private final ConvDimensionNumbers dnums;
  private final int[] outDims;
  private final int[] lhsStrides;
  private final int[] rhsStrides;
  private final int[] kernelSpatialSizes;
  /** Per spatial dimension: for (output position, tap), the lhs offset read, or -1 for none. */
  private final int[][] lhsTapOffsets;
  /** Per spatial dimension: for each tap, the rhs offset read (reversal applied). */
  private final int[][] rhsTapOffsets;
  private final int inputFeaturesPerGroup;
  private final int outFeaturesPerFeatureGroup;
  private final int outFeaturesPerBatchGroup;
  private final int batchGroupSize;
  private final int[] kernelTap;
  private final int maxTaps;

  private ConvolutionGeometry(ConvDimensionNumbers dnums, int[] lhsDims, int[] rhsDims, int[] outDims,
                              Window window, int featureGroupCount, int batchGroupCount) {
    this.dnums = dnums;
    this.outDims = outDims;
    this.lhsStrides = Indexing.strides(lhsDims);
    this.rhsStrides = Indexing.strides(rhsDims);
    int spatial = dnums.spatialRank();
    this.kernelSpatialSizes = new int[spatial];
    this.lhsTapOffsets = new int[spatial][];
    this.rhsTapOffsets = new int[spatial][];
    for (int s = 0; s < spatial; s++) {
      Window.Dim w = window.dim(s);
      int inSize = lhsDims[dnums.inputSpatial(s)];
      int taps = rhsDims[dnums.kernelSpatial(s)];
      int outSize = outDims[dnums.outputSpatial(s)];
      kernelSpatialSizes[s] = taps;
      lhsTapOffsets[s] = new int[outSize * taps];
      rhsTapOffsets[s] = new int[taps];
      int lhsStride = lhsStrides[dnums.inputSpatial(s)];
      for (int k = 0; k < taps; k++) {
        rhsTapOffsets[s][k] = (w.reversal() ? taps - 1 - k : k) * rhsStrides[dnums.kernelSpatial(s)];
        for (int p = 0; p < outSize; p++) {
          long dilated = p * w.stride() - w.padLow() + k * w.windowDilation();
          long in = Math.floorDiv(dilated, w.baseDilation());
          boolean reads = Math.floorMod(dilated, w.baseDilation()) == 0 && in >= 0 && in < inSize;
          lhsTapOffsets[s][p * taps + k] = reads ? (int) in * lhsStride : -1;
        }
      }
    }
    this.inputFeaturesPerGroup = rhsDims[dnums.kernelInputFeature()];
    int outFeatures = outDims[dnums.outputFeature()];
    this.outFeaturesPerFeatureGroup = outFeatures / featureGroupCount;
    this.outFeaturesPerBatchGroup = outFeatures / batchGroupCount;
    this.batchGroupSize = lhsDims[dnums.inputBatch()] / batchGroupCount;
    this.kernelTap = new int[spatial];
    this.maxTaps = Indexing.count(kernelSpatialSizes);
  }

  /**
   * Reads and checks the attributes of convolution {@code instr} against its operand shapes and
   * its declared shape.
   *
   * @throws EvaluationException naming {@code instr} when they do not fit together
   */
  static ConvolutionGeometry of(Instruction instr, Shape lhs, Shape rhs) {
    ConvDimensionNumbers dnums = instr.attr(Attr.DIM_LABELS);
    if (dnums == null) {
      throw EvaluationException.error(instr, "needs attribute " + Attr.DIM_LABELS.name());
    }
    Window window = instr.attr(Attr.WINDOW);
    if (window == null) {
      window = new Window(List.of()); // XLA omits the window of a convolution without spatial dimensions
    }
    int featureGroups = groupCount(instr, Attr.FEATURE_GROUP_COUNT);
    int batchGroups = groupCount(instr, Attr.BATCH_GROUP_COUNT);
    int[] lhsDims = lhs.dimensions();
    int[] rhsDims = rhs.dimensions();
    int[] outDims = instr.shape().dimensions();
    int rank = dnums.spatialRank() + 2;
    if (lhsDims.length != rank || rhsDims.length != rank || outDims.length != rank) {
      throw EvaluationException.error(instr, "dim_labels=" + dnums + " needs rank " + rank + " everywhere; lhs is "
          + lhs.toStringWithoutLayout() + ", rhs " + rhs.toStringWithoutLayout() + ", result "
          + instr.shape().toStringWithoutLayout());
    }
    if (window.rank() != dnums.spatialRank()) {
      throw EvaluationException.error(instr, "window " + window + " has " + window.rank()
          + " dimensions for " + dnums.spatialRank() + " spatial dimensions");
    }
    checkGroups(instr, dnums, lhsDims, rhsDims, featureGroups, batchGroups);
    int[] expected = expectedOutput(instr, dnums, lhsDims, rhsDims, window, batchGroups);
    if (!Arrays.equals(expected, outDims)) {
      throw EvaluationException.error(instr, "declared shape " + instr.shape().toStringWithoutLayout()
          + " does not match the operands and window, which give dimensions " + Arrays.toString(expected));
    }
    return new ConvolutionGeometry(dnums, lhsDims, rhsDims, outDims, window, featureGroups, batchGroups);
  }

  private static int groupCount(Instruction instr, Attr<Long> attr) {
    Long count = instr.attr(attr);
    if (count == null) {
      return 1;
    }
    if (count < 1 || count > Integer.MAX_VALUE) {
      throw EvaluationException.error(instr, attr.name() + "=" + count + " must be positive");
    }
    return count.intValue();
  }

  private static void checkGroups(Instruction instr, ConvDimensionNumbers dnums, int[] lhsDims, int[] rhsDims,
                                  int featureGroups, int batchGroups) {
    int inFeatures = lhsDims[dnums.inputFeature()];
    int kernelIn = rhsDims[dnums.kernelInputFeature()];
    int kernelOut = rhsDims[dnums.kernelOutputFeature()];
    int inBatch = lhsDims[dnums.inputBatch()];
    if (featureGroups > 1 && batchGroups > 1) {
      throw EvaluationException.error(instr, "feature_group_count and batch_group_count cannot both exceed 1");
    }
    if ((long) kernelIn * featureGroups != inFeatures) {
      throw EvaluationException.error(instr, "input has " + inFeatures + " features but the kernel takes "
          + kernelIn + " per group times feature_group_count=" + featureGroups);
    }
    if (kernelOut % featureGroups != 0) {
      throw EvaluationException.error(instr, "kernel output features " + kernelOut
          + " are not a multiple of feature_group_count=" + featureGroups);
    }
    if (kernelOut % batchGroups != 0 || inBatch % batchGroups != 0) {
      throw EvaluationException.error(instr, "kernel output features " + kernelOut + " and input batch " + inBatch
          + " must be multiples of batch_group_count=" + batchGroups);
    }
  }

  /** The result dimensions XLA's shape inference gives, placed by the output labels. */
  private static int[] expectedOutput(Instruction instr, ConvDimensionNumbers dnums, int[] lhsDims, int[] rhsDims,
                                      Window window, int batchGroups) {
    int[] out = new int[lhsDims.length];
    out[dnums.outputBatch()] = lhsDims[dnums.inputBatch()] / batchGroups;
    out[dnums.outputFeature()] = rhsDims[dnums.kernelOutputFeature()];
    for (int s = 0; s < dnums.spatialRank(); s++) {
      Window.Dim w = window.dim(s);
      int taps = rhsDims[dnums.kernelSpatial(s)];
      if (w.size() != taps) {
        throw EvaluationException.error(instr, "window size " + w.size() + " in spatial dimension " + s
            + " differs from the kernel's " + taps);
      }
      if (w.stride() < 1 || w.baseDilation() < 1 || w.windowDilation() < 1) {
        throw EvaluationException.error(instr, "window " + window + ": stride and dilations must be positive");
      }
      long in = lhsDims[dnums.inputSpatial(s)];
      long dilatedIn = in == 0 ? 0 : (in - 1) * w.baseDilation() + 1;
      long padded = dilatedIn + w.padLow() + w.padHigh();
      long dilatedWindow = taps == 0 ? 0 : (taps - 1L) * w.windowDilation() + 1;
      long size = padded < dilatedWindow ? 0 : (padded - dilatedWindow) / w.stride() + 1;
      out[dnums.outputSpatial(s)] = (int) Math.max(0, Math.min(Integer.MAX_VALUE, size));
    }
    return out;
  }

  /** Dimensions of the result. */
  int[] outputDims() {
    return outDims.clone();
  }

  /** Input features one output feature reduces over: the kernel's input features. */
  int inputFeaturesPerGroup() {
    return inputFeaturesPerGroup;
  }

  /** Distance in the lhs storage between consecutive input features. */
  int lhsFeatureStride() {
    return lhsStrides[dnums.inputFeature()];
  }

  /** Distance in the rhs storage between consecutive kernel input features. */
  int rhsFeatureStride() {
    return rhsStrides[dnums.kernelInputFeature()];
  }

  /** Kernel spatial positions per output element, an upper bound on {@link #taps}. */
  int maxTaps() {
    return maxTaps;
  }

  /**
   * Lists the kernel taps that read the input for the output element at {@code outIndex}: for
   * each, the lhs offset of its first input feature (in the right batch and feature group) and
   * the rhs offset of its first kernel input feature (for the right output feature). Taps that
   * fall in padding or base-dilation holes are left out.
   *
   * @return the number of taps written to {@code lhsOffsets} and {@code rhsOffsets}
   */
  int taps(int[] outIndex, int[] lhsOffsets, int[] rhsOffsets) {
    int o = outIndex[dnums.outputFeature()];
    int featureGroup = o / outFeaturesPerFeatureGroup;
    int batchGroup = o / outFeaturesPerBatchGroup;
    int batch = outIndex[dnums.outputBatch()] + batchGroup * batchGroupSize;
    int lhsBase = batch * lhsStrides[dnums.inputBatch()]
        + featureGroup * inputFeaturesPerGroup * lhsStrides[dnums.inputFeature()];
    int rhsBase = o * rhsStrides[dnums.kernelOutputFeature()];
    int count = 0;
    if (maxTaps == 0) {
      return 0; // an empty kernel reads nothing
    }
    Arrays.fill(kernelTap, 0);
    do {
      int lhs = lhsBase;
      int rhs = rhsBase;
      boolean reads = true;
      for (int s = 0; s < kernelTap.length && reads; s++) {
        int at = lhsTapOffsets[s][outIndex[dnums.outputSpatial(s)] * kernelSpatialSizes[s] + kernelTap[s]];
        reads = at >= 0;
        lhs += at;
        rhs += rhsTapOffsets[s][kernelTap[s]];
      }
      if (reads) {
        lhsOffsets[count] = lhs;
        rhsOffsets[count] = rhs;
        count++;
      }
    } while (Indexing.next(kernelTap, kernelSpatialSizes));
    return count;
  }
}
