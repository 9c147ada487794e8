package io.tessera.compiler.llvm;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A {@code dot}'s dimension numbers checked against its operand and result shapes, shared by the
 * CPU's and the GPU's dot emitters. The result's dimensions are the batch dimensions, then lhs's
 * free ones, then rhs's free ones; {@link #batch()}, {@link #m()}, {@link #n()} and {@link #k()}
 * are the sizes of those groups and of the contracting dimensions.
 *
 * @param l lhs's dimensions by role
 * @param r rhs's dimensions by role
 */
public record DotDimensions(Operand l, Operand r, int[] batch, int[] m, int[] n, int[] k) {

  /** One operand's dimensions by role, as positions in that operand. */
  public record Operand(int[] batch, int[] free, int[] contracting) {
    /** The operand's index for batch, free and contracting indices (each over its group, in order). */
    public IrIndex index(int[] operandDims, IrIndex batchIndex, IrIndex freeIndex, IrIndex contractingIndex) {
      IrValue[] idx = new IrValue[operandDims.length];
      for (int i = 0; i < batch.length; i++) {
        idx[batch[i]] = batchIndex.get(i);
      }
      for (int i = 0; i < free.length; i++) {
        idx[free[i]] = freeIndex.get(i);
      }
      for (int i = 0; i < contracting.length; i++) {
        idx[contracting[i]] = contractingIndex.get(i);
      }
      return new IrIndex(idx, operandDims, null);
    }
  }

  /**
   * Checks {@code dot}'s dimension numbers against its shapes.
   *
   * @throws CompilationException naming the dot when they do not fit
   */
  public static DotDimensions analyze(Instruction dot, Shape lhs, Shape rhs, Shape out) {
    int[] ld = lhs.dimensions();
    int[] rd = rhs.dimensions();
    int[] lb = dims(dot, Attr.LHS_BATCH_DIMS, ld.length);
    int[] rb = dims(dot, Attr.RHS_BATCH_DIMS, rd.length);
    int[] lc = dims(dot, Attr.LHS_CONTRACTING_DIMS, ld.length);
    int[] rc = dims(dot, Attr.RHS_CONTRACTING_DIMS, rd.length);
    pair(dot, ld, lb, rd, rb, "batch");
    pair(dot, ld, lc, rd, rc, "contracting");
    Operand l = new Operand(lb, complement(dot, ld.length, lb, lc), lc);
    Operand r = new Operand(rb, complement(dot, rd.length, rb, rc), rc);
    int[] batchSizes = sizes(ld, lb);
    int[] mSizes = sizes(ld, l.free());
    int[] nSizes = sizes(rd, r.free());
    int[] kSizes = sizes(ld, lc);
    int[] expected = concat(batchSizes, concat(mSizes, nSizes));
    if (!Arrays.equals(expected, out.dimensions())) {
      throw new CompilationException("%" + dot.name() + " (dot): result shape " + out + " should have dimensions "
          + Arrays.toString(expected));
    }
    return new DotDimensions(l, r, batchSizes, mSizes, nSizes, kSizes);
  }

  /** Splits a result index into its batch, lhs-free and rhs-free parts: {@code [b, m, n]}. */
  public IrIndex[] splitResultIndex(IrIndex out) {
    int[] bounds = {0, batch.length, batch.length + m.length, batch.length + m.length + n.length};
    int[][] sizes = {batch, m, n};
    IrIndex[] parts = new IrIndex[3];
    for (int p = 0; p < 3; p++) {
      IrValue[] idx = new IrValue[bounds[p + 1] - bounds[p]];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = out.get(bounds[p] + i);
      }
      parts[p] = new IrIndex(idx, sizes[p], null);
    }
    return parts;
  }

  private static int[] dims(Instruction dot, Attr<long[]> attr, int rank) {
    long[] values = dot.attributes().getOrDefault(attr, new long[0]);
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= rank) {
        throw new CompilationException("%" + dot.name() + " (dot): " + attr.name() + "=" + Arrays.toString(values)
            + " out of range for rank " + rank);
      }
      out[i] = (int) values[i];
    }
    return out;
  }

  private static void pair(Instruction dot, int[] ld, int[] l, int[] rd, int[] r, String kind) {
    if (l.length != r.length) {
      throw new CompilationException("%" + dot.name() + " (dot): lhs and rhs have different numbers of " + kind
          + " dimensions");
    }
    for (int i = 0; i < l.length; i++) {
      if (ld[l[i]] != rd[r[i]]) {
        throw new CompilationException("%" + dot.name() + " (dot): " + kind + " dimensions " + l[i] + " of lhs and "
            + r[i] + " of rhs differ in size (" + ld[l[i]] + " vs " + rd[r[i]] + ")");
      }
    }
  }

  private static int[] complement(Instruction dot, int rank, int[] a, int[] c) {
    boolean[] used = new boolean[rank];
    for (int d : concat(a, c)) {
      if (used[d]) {
        throw new CompilationException("%" + dot.name() + " (dot): dimension " + d + " is listed twice");
      }
      used[d] = true;
    }
    return IntStream.range(0, rank).filter(d -> !used[d]).toArray();
  }

  private static int[] sizes(int[] dims, int[] which) {
    return Arrays.stream(which).map(d -> dims[d]).toArray();
  }

  private static int[] concat(int[] a, int[] c) {
    int[] out = Arrays.copyOf(a, a.length + c.length);
    System.arraycopy(c, 0, out, a.length, c.length);
    return out;
  }
}
