package io.tessera.compiler.hlo;

import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Shape rules of {@code dot} and {@code convolution}.
 *
 * <p>Both operands have one element type. The result has that type unless the declared shape
 * asks for another one (XLA's "preferred element type", e.g. {@code f32 dot(bf16, bf16)}): any
 * float type for float operands, an integer type of the same signedness at least as wide for
 * integer operands.
 */
final class ContractionShapes {
  private ContractionShapes() {}

  /**
   * General dot: the result dimensions are the batch dimensions (in {@code lhs_batch_dims} order),
   * then the remaining lhs dimensions, then the remaining rhs dimensions.
   */
  static Shape dot(Operation op) {
    Shape lhs = op.array(0, "lhs");
    Shape rhs = op.array(1, "rhs");
    op.requireSameElementType(lhs, "lhs", rhs, "rhs");
    long[] lhsBatch = op.optional(Attr.LHS_BATCH_DIMS, new long[0]);
    long[] rhsBatch = op.optional(Attr.RHS_BATCH_DIMS, new long[0]);
    long[] lhsContracting = op.optional(Attr.LHS_CONTRACTING_DIMS, new long[0]);
    long[] rhsContracting = op.optional(Attr.RHS_CONTRACTING_DIMS, new long[0]);
    checkDimensionNumbers(op, "lhs", lhs, lhsBatch, lhsContracting);
    checkDimensionNumbers(op, "rhs", rhs, rhsBatch, rhsContracting);
    if (lhsContracting.length != rhsContracting.length) {
      throw op.fail("lhs_contracting_dims=" + Operation.list(lhsContracting) + " and rhs_contracting_dims="
          + Operation.list(rhsContracting) + " differ in length");
    }
    if (lhsBatch.length != rhsBatch.length) {
      throw op.fail("lhs_batch_dims=" + Operation.list(lhsBatch) + " and rhs_batch_dims="
          + Operation.list(rhsBatch) + " differ in length");
    }
    checkPairedSizes(op, "contracting", lhs, lhsContracting, rhs, rhsContracting);
    checkPairedSizes(op, "batch", lhs, lhsBatch, rhs, rhsBatch);

    int[] out = new int[lhs.rank() + rhs.rank() - 2 * lhsContracting.length - lhsBatch.length];
    int k = 0;
    for (long d : lhsBatch) {
      out[k++] = lhs.dimension((int) d);
    }
    for (int d = 0; d < lhs.rank(); d++) {
      if (!Operation.contains(lhsBatch, d) && !Operation.contains(lhsContracting, d)) {
        out[k++] = lhs.dimension(d);
      }
    }
    for (int d = 0; d < rhs.rank(); d++) {
      if (!Operation.contains(rhsBatch, d) && !Operation.contains(rhsContracting, d)) {
        out[k++] = rhs.dimension(d);
      }
    }
    return Shape.array(resultType(op, lhs.elementType()), out);
  }

  private static void checkDimensionNumbers(Operation op, String side, Shape s, long[] batch, long[] contracting) {
    op.dimensionList(side + "_batch_dims", batch, s.rank());
    op.dimensionList(side + "_contracting_dims", contracting, s.rank());
    for (long d : batch) {
      if (Operation.contains(contracting, d)) {
        throw op.fail(side + " dimension " + d + " is both a batch and a contracting dimension");
      }
    }
  }

  private static void checkPairedSizes(Operation op, String kind, Shape lhs, long[] lhsDims, Shape rhs, long[] rhsDims) {
    for (int i = 0; i < lhsDims.length; i++) {
      int a = lhs.dimension((int) lhsDims[i]);
      int b = rhs.dimension((int) rhsDims[i]);
      if (a != b) {
        throw op.fail("lhs " + kind + " dimension " + lhsDims[i] + " has size " + a + ", rhs " + kind
            + " dimension " + rhsDims[i] + " has size " + b);
      }
    }
  }

  /**
   * Convolution with XLA's dimension numbers, window, and feature / batch grouping: the output
   * batch is {@code input batch / batch_group_count}, the output feature is the kernel's output
   * feature, and each spatial dimension is the window output size over the input's.
   */
  static Shape convolution(Operation op) {
    Shape lhs = op.array(0, "lhs");
    Shape rhs = op.array(1, "rhs");
    op.requireSameElementType(lhs, "lhs", rhs, "rhs");
    ConvDimensionNumbers dn = op.require(Attr.DIM_LABELS);
    Window window = op.optional(Attr.WINDOW, new Window(List.of()));
    long featureGroups = op.optional(Attr.FEATURE_GROUP_COUNT, 1L);
    long batchGroups = op.optional(Attr.BATCH_GROUP_COUNT, 1L);
    if (featureGroups < 1 || batchGroups < 1) {
      throw op.fail("feature_group_count=" + featureGroups + " and batch_group_count=" + batchGroups
          + " must be positive");
    }
    if (featureGroups > 1 && batchGroups > 1) {
      throw op.fail("feature_group_count=" + featureGroups + " and batch_group_count=" + batchGroups
          + " cannot both exceed 1");
    }
    int spatial = dn.spatialRank();
    int rank = spatial + 2;
    if (lhs.rank() != rank || rhs.rank() != rank) {
      throw op.fail("dim_labels=" + dn + " needs operands of rank " + rank + ", got lhs " + Operation.str(lhs)
          + " and rhs " + Operation.str(rhs));
    }
    checkPermutation(op, "input", dn.inputBatch(), dn.inputFeature(), dn::inputSpatial, dn);
    checkPermutation(op, "kernel", dn.kernelInputFeature(), dn.kernelOutputFeature(), dn::kernelSpatial, dn);
    checkPermutation(op, "output", dn.outputBatch(), dn.outputFeature(), dn::outputSpatial, dn);
    if (window.rank() != spatial) {
      throw op.fail("window " + window + " has " + window.rank() + " dimension(s), dim_labels=" + dn + " has "
          + spatial + " spatial dimension(s)");
    }

    long inputBatch = lhs.dimension(dn.inputBatch());
    long inputFeatures = lhs.dimension(dn.inputFeature());
    long kernelInputFeatures = rhs.dimension(dn.kernelInputFeature());
    long kernelOutputFeatures = rhs.dimension(dn.kernelOutputFeature());
    if (inputFeatures % featureGroups != 0 || inputFeatures / featureGroups != kernelInputFeatures) {
      throw op.fail("input feature size " + inputFeatures + " divided by feature_group_count=" + featureGroups
          + " must equal the kernel input feature size " + kernelInputFeatures);
    }
    if (kernelOutputFeatures % featureGroups != 0) {
      throw op.fail("kernel output feature size " + kernelOutputFeatures + " is not a multiple of feature_group_count="
          + featureGroups);
    }
    if (kernelOutputFeatures % batchGroups != 0) {
      throw op.fail("kernel output feature size " + kernelOutputFeatures + " is not a multiple of batch_group_count="
          + batchGroups);
    }
    if (inputBatch % batchGroups != 0) {
      throw op.fail("input batch size " + inputBatch + " is not a multiple of batch_group_count=" + batchGroups);
    }
    int[] inputSpatial = new int[spatial];
    for (int i = 0; i < spatial; i++) {
      inputSpatial[i] = lhs.dimension(dn.inputSpatial(i));
      int kernelSize = rhs.dimension(dn.kernelSpatial(i));
      if (window.dim(i).size() != kernelSize) {
        throw op.fail("window size " + window.dim(i).size() + " of spatial dimension " + i
            + " differs from the kernel's size " + kernelSize + " in " + Operation.str(rhs));
      }
    }
    int[] outSpatial = ReductionShapes.windowOutput(op, inputSpatial, window);

    int[] out = new int[rank];
    out[dn.outputBatch()] = (int) (inputBatch / batchGroups);
    out[dn.outputFeature()] = (int) kernelOutputFeatures;
    for (int i = 0; i < spatial; i++) {
      out[dn.outputSpatial(i)] = outSpatial[i];
    }
    return Shape.array(resultType(op, lhs.elementType()), out);
  }

  /** Dimension numbers built in code (not parsed) may repeat or skip a dimension; labels cannot. */
  private static void checkPermutation(Operation op, String part, int a, int b, IntUnaryOperator spatial,
                                       ConvDimensionNumbers dn) {
    int rank = dn.spatialRank() + 2;
    boolean[] seen = new boolean[rank];
    int[] dims = new int[rank];
    dims[0] = a;
    dims[1] = b;
    for (int i = 0; i < dn.spatialRank(); i++) {
      dims[i + 2] = spatial.applyAsInt(i);
    }
    for (int d : dims) {
      if (d < 0 || d >= rank || seen[d]) {
        throw op.fail("dim_labels=" + dn + ": the " + part + " dimensions must name each of the " + rank
            + " dimensions once");
      }
      seen[d] = true;
    }
  }

  /** The operand type, or the declared shape's element type when it is an allowed widening. */
  private static ElementType resultType(Operation op, ElementType operandType) {
    if (op.declared == null || !op.declared.isArray() || op.declared.elementType() == operandType) {
      return operandType;
    }
    ElementType preferred = op.declared.elementType();
    boolean ok = operandType.isFloat()
        ? preferred.isFloat()
        : operandType.isInteger() && preferred.kind() == operandType.kind()
            && preferred.bitWidth() >= operandType.bitWidth();
    if (!ok) {
      throw op.fail("result type " + preferred + " cannot be the result of " + operandType + " operands (expected "
          + (operandType.isFloat() ? "a float type" : operandType.isPred() ? "pred" : "an integer type of the same signedness, at "
          + "least " + operandType.bitWidth() + " bits wide") + ")");
    }
    return preferred;
  }
}
