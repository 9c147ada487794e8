package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.DotDimensions;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.function.Supplier;

/**
 * A dot as a tiled shared-memory GEMM: each block computes {@value #TILE}x{@value #TILE} tiles of
 * the output (a grid-stride loop over the tiles of every batch), one thread per output element of
 * the tile. For each step of {@value #TILE} along the contracting dimensions, the block's threads
 * load a tile of lhs and one of rhs into shared memory (each thread one element of each,
 * computed elementally, zero past the edges), wait at a barrier, add the tile's products into
 * their own element's sum, and wait again before the next step overwrites the tiles. Each operand
 * element is then read from global memory once per tile row or column instead of once per output
 * element ({@link DotLoop}).
 *
 * <p>The dimension groups are flattened: M is the product of lhs's free dimensions, N of rhs's,
 * K of the contracting ones ({@link DotDimensions}); products sum in contracting order, as
 * {@link DotLoop}'s do. The body is written as phases between barriers
 * ({@link ThreadGrid#forEachThread}), with each thread's sum in a {@link ThreadGrid.PerThread}
 * variable, so that the host emulation runs the block's threads phase by phase exactly as the
 * barriers order them on the device. Blocks must have {@value #THREADS} threads.
 */
final class TiledDotEmitter {
  static final int TILE = 16;
  /** Threads per block: one per element of an output tile. */
  static final int THREADS = TILE * TILE;

  private TiledDotEmitter() {}

  /**
   * Whether {@code value} is a dot this kernel computes: f32 or f64 operands and result, with
   * free dimensions on both sides (a matrix-vector product has too few columns to fill a tile;
   * {@link DotLoop} computes it), and a dynamic (row) dimension, if any, first in its group, where
   * the flattened group's index still splits into dimensions ({@link IrIndex#fromLinear}).
   */
  static boolean applies(Instruction value) {
    if (value.opcode() != Opcode.DOT) {
      return false;
    }
    ElementType t = value.shape().elementType();
    Shape lhs = value.operand(0).shape();
    Shape rhs = value.operand(1).shape();
    if ((t != ElementType.F32 && t != ElementType.F64) || lhs.elementType() != t || rhs.elementType() != t) {
      return false;
    }
    DotDimensions a = DotDimensions.analyze(value, lhs, rhs, value.shape());
    for (int[] group : new int[][] {a.batch(), a.m(), a.n(), a.k()}) {
      for (int i = 1; i < group.length; i++) {
        if (group[i] == Shape.DYNAMIC) {
          return false;
        }
      }
    }
    return a.m().length > 0 && a.n().length > 0;
  }

  /** Emits the kernel body for {@code dot}, reading its operands through {@code elements}, into {@code out}. */
  static void emit(IrBuilder b, ThreadGrid grid, String kernel, Instruction dot, ElementalEmitter elements,
                   IrArray out) {
    Instruction lhs = dot.operand(0);
    Instruction rhs = dot.operand(1);
    DotDimensions a = DotDimensions.analyze(dot, lhs.shape(), rhs.shape(), dot.shape());
    String type = IrTypes.valueType(dot.shape().elementType());
    int align = dot.shape().elementType().byteSize();
    IrValue zero = IrValue.fpConst(type, 0);
    IrValue edge = IrValue.i64(TILE);
    IrValue m = size(b, a.m());
    IrValue n = size(b, a.n());
    IrValue k = size(b, a.k());
    IrValue tilesM = ceilDiv(b, m);
    IrValue tilesN = ceilDiv(b, n);
    IrValue tilesPerBatch = b.mul(tilesM, tilesN);
    IrValue tiles = b.mul(size(b, a.batch()), tilesPerBatch);
    Shared lhsTile = new Shared(grid.sharedArray(b.module(), kernel + ".lhs", type, THREADS), type, align);
    Shared rhsTile = new Shared(grid.sharedArray(b.module(), kernel + ".rhs", type, THREADS), type, align);
    ThreadGrid.PerThread sum = grid.perThread(b, type, THREADS);

    ThreadGrid.Position at = grid.position(b);
    LoopEmitter.forStrided(b, "tile", at.block(), at.blocks(), tiles, tile -> {
      IrValue batch = b.binop("udiv", tile, tilesPerBatch);
      IrValue inBatch = b.binop("urem", tile, tilesPerBatch);
      IrValue rowStart = b.mul(b.binop("udiv", inBatch, tilesN), edge);
      IrValue columnStart = b.mul(b.binop("urem", inBatch, tilesN), edge);
      IrIndex batchIndex = IrIndex.fromLinear(b, batch, a.batch());
      grid.forEachThread(b, at, t -> b.store(zero, sum.at(b, t), align));
      LoopEmitter.forRange(b, "step", ceilDiv(b, k), step -> {
        IrValue stepStart = b.mul(step, edge);
        grid.forEachThread(b, at, t -> {
          IrValue ty = b.binop("udiv", t, edge);
          IrValue tx = b.binop("urem", t, edge);
          // Thread (ty, tx) loads lhs[row ty, k tx] and rhs[k ty, column tx] of the step's tiles.
          IrValue row = b.add(rowStart, ty);
          IrValue lhsK = b.add(stepStart, tx);
          lhsTile.store(b, t, valueOrZero(b, b.and(b.icmp("ult", row, m), b.icmp("ult", lhsK, k)),
              type, zero, () -> elements.emit(lhs, a.l().index(lhs.shape().dimensions(), batchIndex,
                  IrIndex.fromLinear(b, row, a.m()), IrIndex.fromLinear(b, lhsK, a.k())))));
          IrValue column = b.add(columnStart, tx);
          IrValue rhsK = b.add(stepStart, ty);
          rhsTile.store(b, t, valueOrZero(b, b.and(b.icmp("ult", column, n), b.icmp("ult", rhsK, k)),
              type, zero, () -> elements.emit(rhs, a.r().index(rhs.shape().dimensions(), batchIndex,
                  IrIndex.fromLinear(b, column, a.n()), IrIndex.fromLinear(b, rhsK, a.k())))));
        });
        grid.barrier(b);
        grid.forEachThread(b, at, t -> {
          IrValue ty = b.binop("udiv", t, edge);
          IrValue tx = b.binop("urem", t, edge);
          IrValue slot = sum.at(b, t);
          LoopEmitter.forRange(b, "kk", edge, kk -> {
            IrValue x = lhsTile.load(b, b.add(b.mul(ty, edge), kk));
            IrValue y = rhsTile.load(b, b.add(b.mul(kk, edge), tx));
            b.store(b.fbinop("fadd", b.load(type, slot, align), b.fbinop("fmul", x, y)), slot, align);
          });
        });
        // The next step's loads overwrite the tiles only when every thread has read them.
        grid.barrier(b);
      });
      grid.forEachThread(b, at, t -> {
        IrValue row = b.add(rowStart, b.binop("udiv", t, edge));
        IrValue column = b.add(columnStart, b.binop("urem", t, edge));
        IrValue inside = b.and(b.icmp("ult", row, m), b.icmp("ult", column, n));
        LoopEmitter.ifThen(b, "tile.store", inside, () -> {
          IrValue linear = b.add(b.mul(b.add(b.mul(batch, m), row), n), column);
          out.storeLinear(b, linear, b.load(type, sum.at(b, t), align));
        });
      });
    });
  }

  /** A block-shared array of {@value #THREADS} elements. */
  private record Shared(IrValue array, String type, int align) {
    IrValue load(IrBuilder b, IrValue index) {
      return b.assign(type, "load " + type + ", " + array.type() + " " + slot(b, index).ref() + ", align " + align);
    }

    void store(IrBuilder b, IrValue index, IrValue value) {
      b.raw("store " + value.typed() + ", " + array.type() + " " + slot(b, index).ref() + ", align " + align);
    }

    private IrValue slot(IrBuilder b, IrValue index) {
      return b.assign(array.type(), "getelementptr inbounds [" + THREADS + " x " + type + "], " + array.typed()
          + ", i64 0, i64 " + index.ref());
    }
  }

  /** {@code inside ? value() : zero}, computing the value only inside (an index past the edge would load out of bounds). */
  private static IrValue valueOrZero(IrBuilder b, IrValue inside, String type, IrValue zero, Supplier<IrValue> value) {
    IrValue slot = b.alloca(type);
    b.store(zero, slot, 1);
    LoopEmitter.ifThen(b, "tile.load", inside, () -> b.store(value.get(), slot, 1));
    return b.load(type, slot, 1);
  }


  /** Elements of a group of dimensions, the row count standing for a dynamic one. */
  private static IrValue size(IrBuilder b, int[] sizes) {
    IrValue p = IrValue.i64(1);
    for (int s : sizes) {
      p = b.mul(p, b.dimensionSize(s));
    }
    return p;
  }

  /** Tiles covering {@code size} elements. */
  private static IrValue ceilDiv(IrBuilder b, IrValue size) {
    return b.binop("udiv", b.add(size, IrValue.i64(TILE - 1)), IrValue.i64(TILE));
  }
}
