package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;

/**
 * A result that is a reduce of the trailing dimensions of its input ("row" form: each output
 * element reduces one contiguous run of {@link #columns()} input elements), alone or as the root
 * of a {@code kInput} fusion whose other instructions compute the input elementally.
 *
 * @param reduce the reduce instruction
 * @param fusion the fusion whose root it is, or {@code null} for a reduce in the entry computation
 */
record RowReduction(Instruction reduce, Instruction fusion) {

  /** The row reduction result {@code leaf} is, or {@code null} when it is not a reduce at all. */
  static RowReduction at(Instruction leaf) {
    if (leaf.opcode() == Opcode.REDUCE) {
      return new RowReduction(leaf, null);
    }
    if (leaf.opcode() == Opcode.FUSION && leaf.calledComputations().get(0).root().opcode() == Opcode.REDUCE) {
      return new RowReduction(leaf.calledComputations().get(0).root(), leaf);
    }
    return null;
  }

  /** Why this reduce is not in the row form the backend compiles, or {@code null} when it is. */
  String unsupportedReason() {
    if (reduce.operandCount() != 2) {
      return "a variadic reduce";
    }
    Shape input = reduce.operand(0).shape();
    long[] dims = reduce.requireAttr(Attr.DIMENSIONS);
    int kept = input.rank() - dims.length;
    for (int k = 0; k < dims.length; k++) {
      if (dims[k] != kept + k) {
        return "a reduce over dimensions " + java.util.Arrays.toString(dims) + " of " + input
            + " (only the trailing dimensions, in order, for now)";
      }
      if (input.isDynamicDimension(kept + k)) {
        return "a reduce over the dynamic dimension";
      }
    }
    if (!reduce.operand(1).shape().isScalar()) {
      return "a reduce with a non-scalar initial value";
    }
    return null;
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
