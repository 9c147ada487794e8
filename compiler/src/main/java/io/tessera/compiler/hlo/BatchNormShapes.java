package io.tessera.compiler.hlo;

/**
 * Shape rules of {@code batch-norm-training(operand, scale, offset)} (result: the normalized
 * operand, the batch mean and the batch variance, as a tuple) and
 * {@code batch-norm-inference(operand, scale, offset, mean, variance)} (result: the normalized
 * operand). Every per-feature operand is a vector as long as dimension {@code feature_index}.
 */
final class BatchNormShapes {
  private BatchNormShapes() {}

  private static final String[] ROLES = {"operand", "scale", "offset", "mean", "variance"};

  static Shape batchNorm(Operation op) {
    Shape x = op.array(0, "operand");
    if (!x.elementType().isFloat()) {
      throw op.fail("operand must have a floating-point type, got " + Operation.str(x));
    }
    if (x.rank() < 1) {
      throw op.fail("operand must have rank 1 or more, got " + Operation.str(x));
    }
    op.require(Attr.EPSILON);
    int feature = op.index(Attr.FEATURE_INDEX, x.rank(), "rank " + x.rank());
    Shape perFeature = Shape.array(x.elementType(), x.dimension(feature));
    for (int i = 1; i < op.operandCount(); i++) {
      Shape s = op.array(i, ROLES[i]);
      if (!s.equalsIgnoringLayout(perFeature)) {
        throw op.fail(ROLES[i] + " must be " + Operation.str(perFeature) + " (dimension " + feature + " of "
            + Operation.str(x) + "), got " + Operation.str(s));
      }
    }
    return op.opcode == Opcode.BATCH_NORM_TRAINING
        ? Shape.tuple(x.withoutLayout(), perFeature, perFeature)
        : x.withoutLayout();
  }
}
