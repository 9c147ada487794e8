package io.tessera.compiler.eval;

import static io.tessera.compiler.eval.EvaluationException.error;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Opcode;
import java.util.List;

/**
 * Evaluates gather ({@link GatherEvaluator}) and scatter ({@link ScatterEvaluator}), and holds what
 * the two share: reading their dimension-number attributes.
 */
final class GatherScatterEvaluator {
  private GatherScatterEvaluator() {}

  static Literal evaluate(Instruction instr, List<Literal> operands, Interpreter interpreter) {
    if (instr.opcode() == Opcode.GATHER) {
      return GatherEvaluator.evaluate(instr, operands.get(0), operands.get(1));
    }
    if (instr.opcode() == Opcode.SCATTER) {
      return ScatterEvaluator.evaluate(instr, operands, interpreter);
    }
    throw error(instr, "is not a gather or scatter");
  }

  /** A list attribute; absent means empty, as XLA's text omits empty batching dimensions. */
  static long[] listOrEmpty(Instruction instr, Attr<long[]> attr) {
    long[] value = instr.attr(attr);
    return value != null ? value : new long[0];
  }

  /** A list attribute that must be given. */
  static long[] requireList(Instruction instr, Attr<long[]> attr) {
    long[] value = instr.attr(attr);
    if (value == null) {
      throw error(instr, "needs attribute " + attr.name());
    }
    return value;
  }

  /** {@code index_vector_dim}, which must be given. */
  static long indexVectorDim(Instruction instr) {
    Long value = instr.attr(Attr.INDEX_VECTOR_DIM);
    if (value == null) {
      throw error(instr, "needs attribute " + Attr.INDEX_VECTOR_DIM.name());
    }
    return value;
  }

  /**
   * The dimensions {@code 0..rank-1} that appear in neither {@code a} (attribute {@code aName}) nor
   * {@code b}, ascending: the operand dimensions a gather slice or a scatter window actually spans.
   *
   * @throws IllegalArgumentException when an entry of {@code a} or {@code b} is not a dimension
   */
  static int[] dimsNotIn(int rank, long[] a, String aName, long[] b, String bName) {
    return Offsets.complement(rank,
        Offsets.checkedDimensions(a, rank, aName), Offsets.checkedDimensions(b, rank, bName));
  }

  /**
   * Checks the batching dimensions: {@code operandBatching} (attribute {@code operandName}) and
   * {@code indicesBatching} (attribute {@code indicesName}) pair up one to one, the indices side
   * never names {@code index_vector_dim}, and paired dimensions have equal sizes, so that the
   * start a batching dimension gives is always in bounds.
   */
  static void checkBatching(Instruction instr, String operandName, long[] operandBatching, String indicesName,
                            long[] indicesBatching, int[] operandDims, int[] indicesDims, long indexVectorDim) {
    if (operandBatching.length != indicesBatching.length) {
      throw error(instr, operandName + " and " + indicesName + " differ in length");
    }
    Offsets.checkedDimensions(operandBatching, operandDims.length, operandName);
    Offsets.checkedDimensions(indicesBatching, indicesDims.length, indicesName);
    String indices = indicesName.substring(0, indicesName.indexOf("_batching_dims"));
    for (int i = 0; i < operandBatching.length; i++) {
      if (indicesBatching[i] == indexVectorDim) {
        throw error(instr, indicesName + " names the index_vector_dim " + indexVectorDim);
      }
      int a = operandDims[(int) operandBatching[i]];
      int b = indicesDims[(int) indicesBatching[i]];
      if (a != b) {
        throw error(instr, "operand batching dimension " + operandBatching[i] + " has size " + a
            + " but " + indices + " batching dimension " + indicesBatching[i] + " has size " + b);
      }
    }
  }

  /**
   * For every position of a row-major odometer over {@code sizes}, the linear offsets it moves
   * by in two arrays: {@code a} (dimension {@code aDims[k]} moves with odometer digit {@code k},
   * by {@code aStrides}) and likewise {@code b}. Gather and scatter precompute these once for
   * their slice/window so that the per-element loop is a plain array walk.
   *
   * @return {@code {offsetsInA, offsetsInB}}, one entry per odometer position
   */
  static int[][] windowOffsets(int[] sizes, int[] aDims, int[] aStrides, int[] bDims, int[] bStrides) {
    int count = Indexing.count(sizes);
    int[] inA = new int[count];
    int[] inB = new int[count];
    int[] index = new int[sizes.length];
    for (int j = 0; j < count; j++) {
      int a = 0;
      int b = 0;
      for (int k = 0; k < sizes.length; k++) {
        a += index[k] * aStrides[aDims[k]];
        b += index[k] * bStrides[bDims[k]];
      }
      inA[j] = a;
      inB[j] = b;
      Indexing.next(index, sizes);
    }
    return new int[][] {inA, inB};
  }

  static int[] toInts(long[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = Math.toIntExact(values[i]);
    }
    return ints;
  }
}
