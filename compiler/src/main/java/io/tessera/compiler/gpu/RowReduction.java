package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;

/**
 * A value that is a reduce of the trailing dimensions of its input ("row" form: each output
 * element reduces one contiguous run of {@link #columns()} input elements), alone or as the root
 * of a {@code kInput} fusion whose other instructions compute the input elementally. Such a value
 * gets a kernel of its own ({@link RowReductionEmitter}); reduces of other dimensions are computed
 * one output element per thread ({@link ReduceLoop}).
 *
 * @param reduce the reduce instruction
 * @param fusion the fusion whose root it is, or {@code null} for a reduce in the entry computation
 */
record RowReduction(Instruction reduce, Instruction fusion) {

  /** The row reduction {@code value} is, or {@code null} when it is not a reduce in the row form. */
  static RowReduction at(Instruction value) {
    if (value.opcode() == Opcode.REDUCE) {
      return isRowForm(value) ? new RowReduction(value, null) : null;
    }
    if (value.opcode() == Opcode.FUSION && value.calledComputations().get(0).root().opcode() == Opcode.REDUCE) {
      Instruction reduce = value.calledComputations().get(0).root();
      return isRowForm(reduce) ? new RowReduction(reduce, value) : null;
    }
    return null;
  }

  /**
   * One input, a scalar initial value, and the trailing dimensions in order, of static size:
   * what the block-per-row kernel reduces.
   */
  private static boolean isRowForm(Instruction reduce) {
    if (reduce.operandCount() != 2 || !reduce.operand(1).shape().isScalar()) {
      return false;
    }
    Shape input = reduce.operand(0).shape();
    long[] dims = reduce.requireAttr(Attr.DIMENSIONS);
    int kept = input.rank() - dims.length;
    for (int k = 0; k < dims.length; k++) {
      if (dims[k] != kept + k || input.isDynamicDimension(kept + k)) {
        return false;
      }
    }
    return true;
  }

  /** Input elements reduced into each output element. */
  long columns() {
    Shape input = reduce.operand(0).shape();
    long n = 1;
    for (long d : reduce.requireAttr(Attr.DIMENSIONS)) {
      n *= input.dimension(Math.toIntExact(d));
    }
    return n;
  }
}
