package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.DynamicIndexing;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code scatter(operands..., scatter_indices, updates...), to_apply=combiner}: the operands are
 * copied into the outputs, then every update window is combined into them, in the interpreter's
 * order (scatter positions in row-major order, each window in row-major order), so duplicate
 * indices combine exactly as there.
 *
 * <p>A window is placed at the start read from the indices (and, for batching dimensions, the
 * scatter position itself); when any part of it would fall outside the operand the whole window
 * is skipped, as XLA's backends do. Updates and indices are read elementally, so the scatter of
 * a computed update (XLA's {@code .at[].add(f(x))}) needs no buffer for it.
 *
 * <p>Dynamic rows: the bounds check compares a start with the operand's runtime size along a
 * dynamic dimension, so a window of a constant number of rows lands anywhere inside the runtime
 * rows (or is skipped); a window dimension of the update that is itself dynamic spans every row
 * and must meet a dynamic operand dimension.
 */
final class ScatterEmitter {
  private ScatterEmitter() {}

  static List<IrArray> emit(ComputationEmitter c, Instruction scatter) {
    IrBuilder b = c.builder();
    int count = scatter.operandCount();
    if (count < 3 || count % 2 == 0) {
      throw error(scatter, "takes N operands, the indices and N updates; got " + count + " operands");
    }
    int n = count / 2;
    Instruction indices = scatter.operand(n);
    int[] opDims = scatter.operand(0).shape().dimensions();
    int[] updateDims = scatter.operand(n + 1).shape().dimensions();
    int[] indexDims = indices.shape().dimensions();
    for (int k = 0; k < n; k++) {
      if (!Arrays.equals(scatter.operand(k).shape().dimensions(), opDims)
          || !Arrays.equals(scatter.operand(n + 1 + k).shape().dimensions(), updateDims)
          || scatter.operand(k).shape().elementType() != scatter.operand(n + 1 + k).shape().elementType()) {
        throw error(scatter, "operands and updates must each share dimensions, and pair up in element type");
      }
    }
    ElementType indexType = indices.shape().elementType();
    int ivd = Math.toIntExact(scatter.requireAttr(Attr.INDEX_VECTOR_DIM));
    long[] windowUpdate = list(scatter, Attr.UPDATE_WINDOW_DIMS);
    long[] inserted = list(scatter, Attr.INSERTED_WINDOW_DIMS);
    long[] toOperand = list(scatter, Attr.SCATTER_DIMS_TO_OPERAND_DIMS);
    long[] inputBatching = list(scatter, Attr.INPUT_BATCHING_DIMS);
    long[] indicesBatching = list(scatter, Attr.SCATTER_INDICES_BATCHING_DIMS);
    Computation combiner = scatter.requireAttr(Attr.TO_APPLY);
    if (!indexType.isInteger() || ivd < 0 || ivd > indexDims.length || inputBatching.length != indicesBatching.length
        || combiner.parameterCount() != 2 * n) {
      throw error(scatter, "bad indices " + indices.shape() + " (index_vector_dim=" + ivd + "), batching dimensions"
          + " or combiner " + combiner.name());
    }
    int vectorSize = ivd == indexDims.length ? 1 : indexDims[ivd];
    int[] batchSizes = without(indexDims, ivd);
    int[] windowOperandDims = notIn(scatter, opDims.length, inserted, inputBatching);
    int[] updateScatterDims = notIn(scatter, updateDims.length, windowUpdate, new long[0]);
    if (toOperand.length != vectorSize || windowOperandDims.length != windowUpdate.length
        || updateScatterDims.length != batchSizes.length) {
      throw error(scatter, "the dimension numbers do not fit operand " + scatter.operand(0).shape() + ", indices "
          + indices.shape() + " and updates " + scatter.operand(n + 1).shape());
    }
    for (int i = 0; i < batchSizes.length; i++) {
      if (updateDims[updateScatterDims[i]] != batchSizes[i]) {
        throw error(scatter, "update scatter dimension " + updateScatterDims[i] + " does not match the indices");
      }
    }
    int[] windowShape = new int[windowOperandDims.length];
    int[] windowSize = new int[opDims.length];
    Arrays.fill(windowSize, 1);
    for (int k = 0; k < windowShape.length; k++) {
      windowShape[k] = updateDims[checked(scatter, windowUpdate[k], updateDims.length)];
      windowSize[windowOperandDims[k]] = windowShape[k];
      int opDim = opDims[windowOperandDims[k]];
      boolean fits = windowShape[k] == Shape.DYNAMIC ? opDim == Shape.DYNAMIC
          : opDim == Shape.DYNAMIC || windowShape[k] <= opDim;
      if (!fits) {
        throw error(scatter, "update window dimension " + windowUpdate[k] + " is larger than the operand's");
      }
    }

    List<IrArray> outputs = c.outputs(scatter);
    for (int k = 0; k < n; k++) {
      c.store(c.arrayOf(scatter.operand(k)), outputs.get(k));
    }
    ElementalEmitter e = c.elemental();
    LoopEmitter.forEachIndex(b, "scatter.at", batchSizes, batch -> {
      IrValue[] start = new IrValue[opDims.length];
      Arrays.fill(start, IrValue.i64(0));
      for (int comp = 0; comp < vectorSize; comp++) {
        IrValue[] at = new IrValue[indexDims.length];
        for (int d = 0, j = 0; d < indexDims.length; d++) {
          at[d] = d == ivd ? IrValue.i64(comp) : batch.get(j++);
        }
        IrValue v = e.emit(indices, new IrIndex(at, indexDims, null));
        start[checked(scatter, toOperand[comp], opDims.length)] = DynamicIndexing.indexAsI64(b, indexType, v);
      }
      for (int i = 0; i < inputBatching.length; i++) {
        int d = checked(scatter, indicesBatching[i], indexDims.length);
        start[checked(scatter, inputBatching[i], opDims.length)] = batch.get(d < ivd ? d : d - 1);
      }
      IrValue inBounds = IrValue.bool(true);
      for (int d = 0; d < opDims.length; d++) {
        IrValue low = b.icmp("sge", start[d], IrValue.i64(0));
        IrValue last = opDims[d] == Shape.DYNAMIC || windowSize[d] == Shape.DYNAMIC
            ? b.sub(b.dimensionSize(opDims[d]), b.dimensionSize(windowSize[d]))
            : IrValue.i64((long) opDims[d] - windowSize[d]);
        IrValue high = b.icmp("sle", start[d], last);
        inBounds = b.and(inBounds, b.and(low, high));
      }
      String apply = b.newLabel("scatter.apply");
      String done = b.newLabel("scatter.done");
      b.condBr(inBounds, apply, done);
      b.startBlock(apply);
      b.enterScope();
      LoopEmitter.forEachIndex(b, "scatter.window", windowShape, window -> {
        IrValue[] opIdx = start.clone();
        for (int k = 0; k < windowOperandDims.length; k++) {
          int d = windowOperandDims[k];
          opIdx[d] = b.assign("i64", "add nsw i64 " + start[d].ref() + ", " + window.get(k).ref());
        }
        IrValue[] updIdx = new IrValue[updateDims.length];
        for (int i = 0; i < updateScatterDims.length; i++) {
          updIdx[updateScatterDims[i]] = batch.get(i);
        }
        for (int k = 0; k < windowUpdate.length; k++) {
          updIdx[(int) windowUpdate[k]] = window.get(k);
        }
        IrIndex at = new IrIndex(opIdx, opDims, null);
        IrIndex updateAt = new IrIndex(updIdx, updateDims, null);
        List<IrValue> args = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          args.add(outputs.get(k).load(b, at));
        }
        for (int k = 0; k < n; k++) {
          args.add(e.emit(scatter.operand(n + 1 + k), updateAt));
        }
        List<IrValue> result = ElementalEmitter.emitScalarComputation(b, combiner, args);
        for (int k = 0; k < n; k++) {
          if (result.size() != n || !result.get(k).type().equals(IrTypes.valueType(outputs.get(k).elementType()))) {
            throw error(scatter, "combiner " + combiner.name() + " does not return the operands' element types");
          }
          outputs.get(k).store(b, at, result.get(k));
        }
      });
      b.exitScope();
      b.br(done);
      b.startBlock(done);
    });
    return outputs;
  }

  private static long[] list(Instruction instr, Attr<long[]> attr) {
    long[] v = instr.attr(attr);
    return v == null ? new long[0] : v;
  }

  private static int checked(Instruction instr, long d, int rank) {
    if (d < 0 || d >= rank) {
      throw error(instr, "dimension " + d + " is outside rank " + rank);
    }
    return (int) d;
  }

  /** The dimensions {@code 0..rank-1} in neither list, ascending. */
  private static int[] notIn(Instruction instr, int rank, long[] a, long[] c) {
    boolean[] out = new boolean[rank];
    for (long d : a) {
      out[checked(instr, d, rank)] = true;
    }
    for (long d : c) {
      out[checked(instr, d, rank)] = true;
    }
    return java.util.stream.IntStream.range(0, rank).filter(d -> !out[d]).toArray();
  }

  private static int[] without(int[] dims, int skip) {
    int[] out = new int[skip < dims.length ? dims.length - 1 : dims.length];
    for (int d = 0, j = 0; d < dims.length; d++) {
      if (d != skip) {
        out[j++] = dims[d];
      }
    }
    return out;
  }

  private static CompilationException error(Instruction instr, String message) {
    return new CompilationException("%" + instr.name() + " (scatter): " + message);
  }
}
