package io.tessera.compiler.llvm;

import java.util.function.Consumer;

/**
 * Emits counted loops and loop nests. Loops count up from zero by one with a single {@code i64}
 * induction variable and no calls of their own, the form LLVM's loop vectorizer handles; the
 * innermost loop of a nest runs over the last (contiguous) dimension.
 */
public final class LoopEmitter {
  private LoopEmitter() {}

  /** Emits {@code if (condition) body}; the body runs in its own scope, so its values do not outlive it. */
  public static void ifThen(IrBuilder b, String name, IrValue condition, Runnable body) {
    String then = b.newLabel(name);
    String done = b.newLabel(name + ".done");
    b.condBr(condition, then, done);
    b.startBlock(then);
    b.enterScope();
    body.run();
    b.exitScope();
    b.br(done);
    b.startBlock(done);
  }

  /** Emits {@code for (i = 0; i < count; i++) body(i)}; the body runs in its own scope. */
  public static void forRange(IrBuilder b, String name, IrValue count, Consumer<IrValue> body) {
    forStrided(b, name, IrValue.i64(0), IrValue.i64(1), count, body);
  }

  /**
   * Emits {@code for (i = start; i < count; i += step) body(i)}, the grid-stride loop of GPU
   * kernels (start: the thread's position in the grid, step: the grid's size); the body runs in
   * its own scope. {@code start + step} must not overflow, which holds for any launch grid.
   */
  public static void forStrided(IrBuilder b, String name, IrValue start, IrValue step, IrValue count,
                                Consumer<IrValue> body) {
    String pre = b.currentBlock();
    String header = b.newLabel(name + ".header");
    String bodyLabel = b.newLabel(name + ".body");
    String latch = b.newLabel(name + ".latch");
    String exit = b.newLabel(name + ".exit");
    String i = b.fresh(name + ".i");
    String next = b.fresh(name + ".next");
    b.br(header);
    b.startBlock(header);
    b.raw(i + " = phi i64 [ " + start.ref() + ", %" + pre + " ], [ " + next + ", %" + latch + " ]");
    IrValue iv = new IrValue("i64", i);
    IrValue more = b.icmp("ult", iv, count);
    b.condBr(more, bodyLabel, exit);
    b.startBlock(bodyLabel);
    b.enterScope();
    body.accept(iv);
    b.exitScope();
    b.br(latch);
    b.startBlock(latch);
    b.raw(next + " = add nuw nsw i64 " + i + ", " + step.ref());
    b.br(header);
    b.startBlock(exit);
  }

  /**
   * Emits a loop nest over every index of an array of {@code dims}, in row-major order, and calls
   * {@code body} once per index; a rank-0 array runs the body once with no loop. A dimension of
   * size {@link io.tessera.compiler.hlo.Shape#DYNAMIC} runs to the builder's row count.
   */
  public static void forEachIndex(IrBuilder b, String name, int[] dims, Consumer<IrIndex> body) {
    nest(b, name, dims, 0, new IrValue[dims.length], body);
  }

  private static void nest(IrBuilder b, String name, int[] dims, int d, IrValue[] indices, Consumer<IrIndex> body) {
    if (d == dims.length) {
      body.accept(new IrIndex(indices, dims, dims.length == 0 ? IrValue.i64(0) : null));
      return;
    }
    forRange(b, name + ".d" + d, b.dimensionSize(dims[d]), i -> {
      indices[d] = i;
      nest(b, name, dims, d + 1, indices, body);
    });
  }
}
