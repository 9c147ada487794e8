package io.tessera.arrow;

import static io.tessera.arrow.ArrowKernelZeroCopyTest.axpy;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.rowSum;
import static io.tessera.arrow.TestVectors.fixedFloatLists;
import static io.tessera.arrow.TestVectors.floatLists;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;

/** A null anywhere in a row's inputs makes that row's outputs null; other rows are untouched. */
class ArrowKernelNullsTest {

  @Test
  void nullRowsOfEveryInputAreNullInTheOutputAcrossWordBoundaries() {
    int n = 200; // three full 64-bit words and a partial one
    Set<Integer> xNulls = Set.of(0, 63, 64, 130, 199);
    Set<Integer> yNulls = Set.of(5, 64, 127, 128);
    Float[] xs = new Float[n];
    Float[] ys = new Float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = xNulls.contains(i) ? null : (float) i;
      ys[i] = yNulls.contains(i) ? null : 1000f;
    }
    try (BufferAllocator allocator = new RootAllocator();
        Float4Vector x = floats(allocator, "x", xs);
        Float4Vector y = floats(allocator, "y", ys);
        VectorSchemaRoot batch = root(x, y);
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byPosition());
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      Float4Vector z = (Float4Vector) result.getVector("z");
      for (int i = 0; i < n; i++) {
        boolean isNull = xNulls.contains(i) || yNulls.contains(i);
        assertEquals(isNull, z.isNull(i), "row " + i);
        if (!isNull) {
          assertEquals(2f * i + 1000f, z.get(i), "row " + i);
        }
      }
      assertEquals(8, z.getNullCount());
    }
  }

  @Test
  void aNullElementInsideATensorMakesItsRowNull() {
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = fixedFloatLists(allocator, "v", 2, new float[] {1, 2}, new float[] {3, 4}, new float[] {5, 6})) {
      ((Float4Vector) v.getDataVector()).setNull(3); // the second element of row 1
      try (VectorSchemaRoot batch = root(v);
          ArrowKernel kernel = ArrowKernel.forExecutable(rowSum("f32[?,2]", 2), List.of("s"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        Float4Vector s = (Float4Vector) result.getVector("s");
        assertEquals(3f, s.get(0));
        assertTrue(s.isNull(1));
        assertEquals(11f, s.get(2));
      }
    }
  }

  @Test
  void nullFixedSizeListRowsStayInPlaceAndGiveNullOutput() {
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = fixedFloatLists(allocator, "v", 2, new float[] {1, 2}, null, new float[] {5, 6});
        VectorSchemaRoot batch = root(v)) {
      FakeExecutable exe = rowSum("f32[?,2]", 2);
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        assertEquals(v.getDataVector().getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0],
            "null rows occupy their slots: still no copy");
        Float4Vector s = (Float4Vector) result.getVector("s");
        assertEquals(3f, s.get(0));
        assertTrue(s.isNull(1));
        assertEquals(11f, s.get(2));
      }
    }
  }

  @Test
  void listNullsThatTakeNoSpaceAreGatheredIntoADenseCopy() {
    // Spark and pyarrow write a null list with no elements: offsets 0, 2, 2, 4.
    try (BufferAllocator allocator = new RootAllocator();
        ListVector v = floatLists(allocator, "v", new float[] {1, 2}, null, new float[] {5, 6});
        VectorSchemaRoot batch = root(v)) {
      FakeExecutable exe = rowSum("f32[?,2]", 2);
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        assertNotEquals(v.getDataVector().getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
        assertEquals(24, exe.calls.get(0).inSizes()[0], "three rows of two floats, the null one as zeros");
        Float4Vector s = (Float4Vector) result.getVector("s");
        assertEquals(3f, s.get(0));
        assertTrue(s.isNull(1));
        assertEquals(11f, s.get(2));
      }
    }
  }

  @Test
  void aNullInnerListMakesItsRowNullInNestedLists() {
    try (BufferAllocator allocator = new RootAllocator();
        ListVector outer = ListVector.empty("m", allocator)) {
      ListVector inner = (ListVector) outer.addOrGetVector(
          org.apache.arrow.vector.types.pojo.FieldType.nullable(new org.apache.arrow.vector.types.pojo.ArrowType.List()))
          .getVector();
      Float4Vector leaf = (Float4Vector) inner.addOrGetVector(TestVectors.FLOAT).getVector();
      outer.allocateNew();
      // Row 0: [[1, 2], [3, 4]]; row 1: [[5, 6], null]; row 2: [[7, 8], [9, 10]].
      float[][][] rows = {{{1, 2}, {3, 4}}, {{5, 6}, null}, {{7, 8}, {9, 10}}};
      int innerIndex = 0;
      int leafIndex = 0;
      for (int r = 0; r < rows.length; r++) {
        outer.startNewValue(r);
        for (float[] list : rows[r]) {
          if (list == null) {
            inner.setNull(innerIndex++);
            continue;
          }
          inner.startNewValue(innerIndex);
          for (float x : list) {
            leaf.setSafe(leafIndex++, x);
          }
          inner.endValue(innerIndex++, list.length);
        }
        outer.endValue(r, rows[r].length);
      }
      leaf.setValueCount(leafIndex);
      inner.setValueCount(innerIndex);
      outer.setValueCount(rows.length);
      try (VectorSchemaRoot batch = root(outer);
          ArrowKernel kernel = ArrowKernel.forExecutable(rowSum("f32[?,2,2]", 4), List.of("s"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        Float4Vector s = (Float4Vector) result.getVector("s");
        assertEquals(10f, s.get(0));
        assertTrue(s.isNull(1));
        assertEquals(34f, s.get(2));
      }
    }
  }

  @Test
  void aBatchWithoutNullsGivesAllValidRows() {
    try (BufferAllocator allocator = new RootAllocator();
        Float4Vector x = floats(allocator, "x", 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f);
        Float4Vector y = floats(allocator, "y", 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
        VectorSchemaRoot batch = root(x, y);
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byPosition());
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      Float4Vector z = (Float4Vector) result.getVector("z");
      assertEquals(0, z.getNullCount());
      assertEquals(1, z.getValidityBuffer().getByte(1), "bits past the last row are clear");
      assertFalse(z.isNull(8));
    }
  }

  @Test
  void wrongLengthInANonNullListRowNamesTheFirstSuchRowAndRunsNothing() {
    try (BufferAllocator allocator = new RootAllocator();
        ListVector v = floatLists(allocator, "v", new float[] {1, 2}, null, new float[] {1, 2, 3}, new float[] {1});
        VectorSchemaRoot batch = root(v)) {
      FakeExecutable exe = rowSum("f32[?,2]", 2);
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition())) {
        ArrowKernelException e = assertThrows(ArrowKernelException.class, () -> kernel.apply(batch, allocator));
        assertEquals("wrong tensor length: column 'v' row 2 holds 3 values, parameter 0 (%p0, f32[2] per row) takes 2",
            e.getMessage());
        assertTrue(exe.calls.isEmpty());
      }
    }
  }
}
