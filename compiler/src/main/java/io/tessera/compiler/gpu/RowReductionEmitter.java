package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.List;

/**
 * The body of a row reduction kernel, as XLA's GPU backend reduces rows: one block per output
 * element (a grid-stride loop over them), then
 *
 * <ol>
 *   <li>each thread folds the columns {@code tid, tid + blockDim, ...} of its row, starting from
 *       the initial value;
 *   <li>each warp combines its 32 partial values with shuffles (offsets 16, 8, 4, 2, 1), so lane 0
 *       holds the warp's value;
 *   <li>lane 0 of each warp writes it to shared memory; after a barrier, warp 0 combines those
 *       values the same way and thread 0 stores the row's result. A second barrier keeps the next
 *       row from overwriting shared memory that warp 0 is still reading.
 * </ol>
 *
 * <p>As in XLA, the initial value must be an identity of the reducer: every thread starts from
 * it, and missing lanes contribute it. Threads of a block take the same path through the row
 * loop, so barriers and full-warp shuffles are reached by all of them.
 */
final class RowReductionEmitter {
  /** Warps per block at most: 1024 threads. */
  private static final int MAX_WARPS = 32;

  private RowReductionEmitter() {}

  /**
   * Emits the kernel body: {@code elements} computes instructions of the entry computation,
   * {@code out} is the result buffer.
   */
  static void emit(IrBuilder b, ThreadGrid grid, String kernel, RowReduction r, ElementalEmitter elements, IrArray out) {
    ElementalEmitter inner = r.fusion() == null ? elements
        : InlinedFusions.emitter(b, (p, at) -> elements.emit(r.fusion().operand(p.parameterNumber()), at));
    Instruction reduce = r.reduce();
    Instruction input = reduce.operand(0);
    String type = IrTypes.valueType(reduce.shape().elementType());
    IrValue init = inner.emit(reduce.operand(1), IrIndex.scalar());
    IrValue shared = grid.sharedArray(b.module(), kernel + ".partials", type, MAX_WARPS);

    ThreadGrid.Position at = grid.position(b);
    IrValue thread = at.thread();
    IrValue blockSize = at.blockSize();
    IrValue lane = b.and(thread, IrValue.i64(31));
    IrValue warp = b.binop("lshr", thread, IrValue.i64(5));
    IrValue warps = b.binop("lshr", b.add(blockSize, IrValue.i64(31)), IrValue.i64(5));
    IrValue rows = IrValue.i64(1);
    for (int d : reduce.shape().dimensions()) {
      rows = b.mul(rows, b.dimensionSize(d));
    }
    long columns = r.columns();
    int[] inputDims = input.shape().dimensions();
    IrValue partial = b.alloca(type);
    int align = reduce.shape().elementType().byteSize();

    LoopEmitter.forStrided(b, "row", at.block(), at.blocks(), rows, row -> {
      b.store(init, partial, align);
      IrValue rowStart = b.mul(row, IrValue.i64(columns));
      LoopEmitter.forStrided(b, "column", thread, blockSize, IrValue.i64(columns), column -> {
        IrValue value = inner.emit(input, IrIndex.fromLinear(b, b.add(rowStart, column), inputDims));
        b.store(combine(b, reduce, b.load(type, partial, align), value), partial, align);
      });
      IrValue warpValue = warpCombine(b, grid, reduce, b.load(type, partial, align), init);
      LoopEmitter.ifThen(b, "first.lane", b.icmp("eq", lane, IrValue.i64(0)), () -> b.raw("store " + warpValue.typed() + ", "
          + shared.type() + " " + slot(b, shared, type, warp).ref() + ", align " + align));
      grid.barrier(b);
      LoopEmitter.ifThen(b, "first.warp", b.icmp("eq", warp, IrValue.i64(0)), () -> {
        // Lanes past the block's last warp read the identity, not stale shared memory.
        IrValue inBlock = b.icmp("ult", lane, warps);
        IrValue index = b.select(inBlock, lane, IrValue.i64(0));
        IrValue stored = b.assign(type, "load " + type + ", " + shared.type() + " " + slot(b, shared, type, index).ref()
            + ", align " + align);
        IrValue total = warpCombine(b, grid, reduce, b.select(inBlock, stored, init), init);
        LoopEmitter.ifThen(b, "first.thread", b.icmp("eq", lane, IrValue.i64(0)), () -> out.storeLinear(b, row, total));
      });
      grid.barrier(b);
    });
  }

  /** Combines the values of a warp's 32 lanes into lane 0. */
  private static IrValue warpCombine(IrBuilder b, ThreadGrid grid, Instruction reduce, IrValue value, IrValue init) {
    IrValue v = value;
    for (int offset = 16; offset >= 1; offset /= 2) {
      v = combine(b, reduce, v, grid.shuffleDown(b, v, offset, init));
    }
    return v;
  }

  private static IrValue combine(IrBuilder b, Instruction reduce, IrValue accumulated, IrValue value) {
    return ElementalEmitter.emitScalarComputation(b, reduce.calledComputations().get(0), List.of(accumulated, value))
        .get(0);
  }

  private static IrValue slot(IrBuilder b, IrValue shared, String type, IrValue index) {
    return b.assign(shared.type(), "getelementptr inbounds [" + MAX_WARPS + " x " + type + "], " + shared.typed()
        + ", i64 0, i64 " + index.ref());
  }

}
