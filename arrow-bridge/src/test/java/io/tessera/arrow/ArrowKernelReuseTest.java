package io.tessera.arrow;

import static io.tessera.arrow.ArrowKernelZeroCopyTest.axpy;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.getFloat;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.putFloat;
import static io.tessera.arrow.TestVectors.FLOAT;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.junit.jupiter.api.Test;

/**
 * What a kernel keeps from batch to batch (the binding of the columns) and what each batch gets
 * afresh (its output buffers): refilled roots, changed layouts and outputs that outlive their batch
 * all give exact results and free everything.
 */
class ArrowKernelReuseTest {

  private static final Schema XY = new Schema(List.of(new Field("x", FLOAT, null), new Field("y", FLOAT, null)));

  /** Refills {@code root} (x, y) with {@code n} rows, row i null in x when {@code nullEvery} divides i + 1. */
  private static void fill(VectorSchemaRoot root, int n, int nullEvery, Random random, float[] xs, float[] ys) {
    Float4Vector x = (Float4Vector) root.getVector("x");
    Float4Vector y = (Float4Vector) root.getVector("y");
    root.allocateNew();
    for (int i = 0; i < n; i++) {
      xs[i] = random.nextInt(100);
      ys[i] = random.nextInt(100);
      if (nullEvery > 0 && (i + 1) % nullEvery == 0) {
        x.setNull(i);
      } else {
        x.setSafe(i, xs[i]);
      }
      y.setSafe(i, ys[i]);
    }
    root.setRowCount(n);
  }

  @Test
  void oneRootRefilledBatchAfterBatchGivesEachBatchItsOwnResultsAndNulls() {
    Random random = new Random(3);
    float[] xs = new float[1000];
    float[] ys = new float[1000];
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = VectorSchemaRoot.create(XY, allocator);
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byName("x", "y"))) {
      // Row counts off the 64-bit words; batches with and without nulls, in turn.
      int[][] batches = {{130, 0}, {1, 0}, {77, 5}, {1000, 0}, {64, 64}, {999, 1}, {65, 3}};
      for (int[] b : batches) {
        int n = b[0];
        int nullEvery = b[1];
        fill(batch, n, nullEvery, random, xs, ys);
        try (VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          Float4Vector z = (Float4Vector) result.getVector("z");
          String what = n + " rows, x null every " + nullEvery;
          assertEquals(n, z.getValueCount(), what);
          int nulls = 0;
          for (int i = 0; i < n; i++) {
            boolean isNull = nullEvery > 0 && (i + 1) % nullEvery == 0;
            nulls += isNull ? 1 : 0;
            assertEquals(isNull, z.isNull(i), what + ", row " + i);
            if (!isNull) {
              assertEquals(2 * xs[i] + ys[i], z.get(i), what + ", row " + i);
            }
          }
          assertEquals(nulls, z.getNullCount(), what);
        }
      }
    }
  }

  @Test
  void aBatchWithOtherColumnsIsBoundAnewAndAWrongTypeIsStillRefused() {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byName("x", "y"))) {
      try (VectorSchemaRoot first = root(floats(allocator, "x", 1f, 2f), floats(allocator, "y", 10f, 20f));
          VectorSchemaRoot result = kernel.apply(first, allocator)) {
        assertEquals(12f, ((Float4Vector) result.getVector("z")).get(0));
      }
      // The same names in another order, with a column more: x is now the third vector.
      try (VectorSchemaRoot reordered = root(floats(allocator, "y", 1f, 2f), floats(allocator, "id", 7f, 7f),
              floats(allocator, "x", 100f, 200f));
          VectorSchemaRoot result = kernel.apply(reordered, allocator)) {
        Float4Vector z = (Float4Vector) result.getVector("z");
        assertEquals(201f, z.get(0));
        assertEquals(402f, z.get(1));
      }
      IntVector ints = new IntVector("x", allocator);
      ints.allocateNew(2);
      ints.set(0, 1);
      ints.set(1, 2);
      ints.setValueCount(2);
      try (VectorSchemaRoot wrongType = root(ints, floats(allocator, "y", 1f, 2f))) {
        ArrowKernelException e = assertThrows(ArrowKernelException.class, () -> kernel.apply(wrongType, allocator));
        assertTrue(e.getMessage().contains("column 'x'"), e.getMessage());
      }
      try (VectorSchemaRoot again = root(floats(allocator, "x", 3f), floats(allocator, "y", 4f));
          VectorSchemaRoot result = kernel.apply(again, allocator)) {
        assertEquals(10f, ((Float4Vector) result.getVector("z")).get(0));
      }
      assertEquals(0, allocator.getAllocatedMemory(), "a refused batch leaves nothing allocated");
    }
  }

  @Test
  void outputVectorsOutliveTheirBatchAndEachOther() {
    // (x + 1 as f32, (x, 2x) as f32[2]) over 70 rows with nulls, so that rows cross a word.
    FakeExecutable exe = new FakeExecutable(List.of("f32[?]"), "(f32[?], f32[?,2])", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        float x = getFloat(in[0], r);
        putFloat(out[0], r, x + 1);
        putFloat(out[1], 2 * r, x);
        putFloat(out[1], 2 * r + 1, 2 * x);
      }
    });
    int n = 70;
    Float[] xs = new Float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i % 9 == 4 ? null : (float) i;
    }
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("plus", "pair"), ColumnBinding.byPosition())) {
      Float4Vector kept;
      try (VectorSchemaRoot batch = root(floats(allocator, "x", xs));
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        FixedSizeListVector pair = (FixedSizeListVector) result.getVector("pair");
        for (int i = 0; i < n; i++) {
          assertEquals(xs[i] == null, pair.isNull(i), "row " + i);
          if (xs[i] != null) {
            assertEquals(List.of((float) i, 2f * i), pair.getObject(i), "row " + i);
          }
        }
        assertEquals(0, pair.getDataVector().getNullCount());
        TransferPair transfer = result.getVector("plus").getTransferPair(allocator);
        transfer.transfer();
        kept = (Float4Vector) transfer.getTo();
      }
      try (Float4Vector plus = kept) {
        for (int i = 0; i < n; i++) {
          assertEquals(xs[i] == null, plus.isNull(i), "row " + i);
          if (xs[i] != null) {
            assertEquals(i + 1f, plus.get(i), "row " + i);
          }
        }
        assertFalse(allocator.getAllocatedMemory() == 0, "the kept vector holds its allocation");
      }
      assertEquals(0, allocator.getAllocatedMemory(), "everything freed once the last vector is closed");
    }
  }
}
