package io.tessera.arrow;

import static io.tessera.arrow.TestVectors.fixedFloatLists;
import static io.tessera.arrow.TestVectors.floatLists;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

/**
 * The kernel reads the Arrow buffers where they are and writes into the output vectors: the
 * addresses the executable receives are the vectors' own.
 */
class ArrowKernelZeroCopyTest {

  static float getFloat(long address, long index) {
    return Float.intBitsToFloat(MemoryUtil.getInt(address + 4 * index));
  }

  static void putFloat(long address, long index, float value) {
    MemoryUtil.putInt(address + 4 * index, Float.floatToRawIntBits(value));
  }

  /** out[r] = 2 * x[r] + y[r]. */
  static FakeExecutable axpy() {
    return new FakeExecutable(List.of("f32[?]", "f32[?]"), "f32[?]", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        putFloat(out[0], r, 2 * getFloat(in[0], r) + getFloat(in[1], r));
      }
    });
  }

  /** out[r] = sum of the n floats of row r (a tensor parameter f32[n] or f32[a,b] with a*b = n). */
  static FakeExecutable rowSum(String parameter, int n) {
    return new FakeExecutable(List.of(parameter), "f32[?]", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        float s = 0;
        for (int j = 0; j < n; j++) {
          s += getFloat(in[0], r * n + j);
        }
        putFloat(out[0], r, s);
      }
    });
  }

  @Test
  void scalarColumnsAreReadAndWrittenInPlace() {
    try (BufferAllocator allocator = new RootAllocator();
        Float4Vector x = floats(allocator, "x", 1f, 2f, 3f);
        Float4Vector y = floats(allocator, "y", 10f, 20f, 30f);
        VectorSchemaRoot batch = root(x, y)) {
      FakeExecutable exe = axpy();
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("z"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        FakeExecutable.Call call = exe.calls.get(0);
        assertEquals(3, call.rows());
        assertEquals(x.getDataBuffer().memoryAddress(), call.inAddresses()[0]);
        assertEquals(y.getDataBuffer().memoryAddress(), call.inAddresses()[1]);
        assertEquals(12, call.inSizes()[0]);
        Float4Vector z = (Float4Vector) result.getVector("z");
        assertEquals(z.getDataBuffer().memoryAddress(), call.outAddresses()[0]);
        assertEquals(3, result.getRowCount());
        assertEquals(12f, z.get(0));
        assertEquals(24f, z.get(1));
        assertEquals(36f, z.get(2));
        assertEquals(0, z.getNullCount());
      }
    }
  }

  @Test
  void fixedSizeListColumnIsReadFromItsChildBuffer() {
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = fixedFloatLists(allocator, "v", 3, new float[] {1, 2, 3}, new float[] {4, 5, 6});
        VectorSchemaRoot batch = root(v)) {
      FakeExecutable exe = rowSum("f32[?,3]", 3);
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        assertEquals(v.getDataVector().getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
        assertEquals(24, exe.calls.get(0).inSizes()[0]);
        Float4Vector s = (Float4Vector) result.getVector("s");
        assertEquals(6f, s.get(0));
        assertEquals(15f, s.get(1));
      }
    }
  }

  @Test
  void listColumnWithRegularOffsetsIsReadInPlaceFromItsFirstOffset() {
    try (BufferAllocator allocator = new RootAllocator();
        ListVector v = floatLists(allocator, "v", new float[] {0, 0}, new float[] {1, 2}, new float[] {3, 4})) {
      // Shift the rows so that the first starts at element 2, as a slice written by another
      // library does: offsets 2, 4, 6 over the child [0, 0, 1, 2, 3, 4]; the batch is the last two rows.
      Float4Vector child = (Float4Vector) v.getDataVector();
      v.getOffsetBuffer().setInt(0, 2);
      v.getOffsetBuffer().setInt(4, 4);
      v.getOffsetBuffer().setInt(8, 6);
      v.setValueCount(2);
      try (VectorSchemaRoot batch = root(v)) {
        FakeExecutable exe = rowSum("f32[?,2]", 2);
        try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          assertEquals(child.getDataBuffer().memoryAddress() + 2 * 4, exe.calls.get(0).inAddresses()[0]);
          Float4Vector s = (Float4Vector) result.getVector("s");
          assertEquals(3f, s.get(0));
          assertEquals(7f, s.get(1));
        }
      }
    }
  }

  @Test
  void nestedFixedSizeListsFeedARankTwoParameterInPlace() {
    try (BufferAllocator allocator = new RootAllocator()) {
      FixedSizeListVector outer = FixedSizeListVector.empty("m", 2, allocator);
      FixedSizeListVector inner = (FixedSizeListVector) outer
          .addOrGetVector(org.apache.arrow.vector.types.pojo.FieldType.nullable(new ArrowType.FixedSizeList(3))).getVector();
      Float4Vector leaf = (Float4Vector) inner.addOrGetVector(TestVectors.FLOAT).getVector();
      outer.setInitialCapacity(2);
      outer.allocateNew();
      for (int i = 0; i < 12; i++) {
        leaf.set(i, i);
      }
      for (int i = 0; i < 4; i++) {
        inner.setNotNull(i);
      }
      outer.setNotNull(0);
      outer.setNotNull(1);
      outer.setValueCount(2);
      try (VectorSchemaRoot batch = root(outer)) {
        FakeExecutable exe = rowSum("f32[?,2,3]", 6);
        try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          assertEquals(leaf.getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
          Float4Vector s = (Float4Vector) result.getVector("s");
          assertEquals(0f + 1 + 2 + 3 + 4 + 5, s.get(0));
          assertEquals(6f + 7 + 8 + 9 + 10 + 11, s.get(1));
        }
      }
    }
  }

  @Test
  void tensorResultsAreWrittenIntoFixedSizeListVectors() {
    // out[r] = (x[r], 2 x[r], 3 x[r]) as f32[3] per row.
    FakeExecutable exe = new FakeExecutable(List.of("f32[?]"), "f32[?,3]", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        for (int j = 0; j < 3; j++) {
          putFloat(out[0], 3 * r + j, (j + 1) * getFloat(in[0], r));
        }
      }
    });
    try (BufferAllocator allocator = new RootAllocator();
        Float4Vector x = floats(allocator, "x", 1f, null, 2f);
        VectorSchemaRoot batch = root(x);
        ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("t"), ColumnBinding.byPosition());
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      FixedSizeListVector t = (FixedSizeListVector) result.getVector("t");
      assertEquals(3, t.getListSize());
      assertEquals(t.getDataVector().getDataBuffer().memoryAddress(), exe.calls.get(0).outAddresses()[0]);
      assertEquals(List.of(1f, 2f, 3f), t.getObject(0));
      assertTrue(t.isNull(1));
      assertEquals(List.of(2f, 4f, 6f), t.getObject(2));
      assertEquals(9, t.getDataVector().getValueCount());
      assertEquals(0, t.getDataVector().getNullCount(), "elements of every row are valid; the row carries the null");
      assertEquals(result.getSchema().getFields().get(0), t.getField());
    }
  }

  @Test
  void outputsComeFromTheCallersAllocator() {
    try (BufferAllocator root = new RootAllocator();
        BufferAllocator inputs = root.newChildAllocator("inputs", 0, Long.MAX_VALUE);
        BufferAllocator outputs = root.newChildAllocator("outputs", 0, Long.MAX_VALUE);
        Float4Vector x = floats(inputs, "x", 1f, 2f);
        Float4Vector y = floats(inputs, "y", 1f, 2f);
        VectorSchemaRoot batch = root(x, y);
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byPosition())) {
      long before = inputs.getAllocatedMemory();
      try (VectorSchemaRoot result = kernel.apply(batch, outputs)) {
        assertEquals(before, inputs.getAllocatedMemory(), "nothing allocated next to the input");
        assertNotEquals(0, outputs.getAllocatedMemory());
        assertInstanceOf(Float4Vector.class, result.getVector(0));
      }
      assertEquals(0, outputs.getAllocatedMemory(), "closing the result frees everything the kernel allocated");
    }
  }

  @Test
  void largeListColumnIsReadInPlace() {
    try (BufferAllocator allocator = new RootAllocator();
        LargeListVector v = LargeListVector.empty("v", allocator)) {
      Float4Vector child = (Float4Vector) v.addOrGetVector(TestVectors.FLOAT).getVector();
      v.allocateNew();
      float[][] rows = {{1, 2}, {3, 4}, {5, 6}};
      int next = 0;
      for (int r = 0; r < rows.length; r++) {
        v.startNewValue(r);
        for (float x : rows[r]) {
          child.setSafe(next++, x);
        }
        v.endValue(r, rows[r].length);
      }
      child.setValueCount(next);
      v.setValueCount(rows.length);
      try (VectorSchemaRoot batch = root(v)) {
        FakeExecutable exe = rowSum("f32[?,2]", 2);
        try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          assertEquals(child.getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
          Float4Vector s = (Float4Vector) result.getVector("s");
          assertEquals(List.of(3f, 7f, 11f), List.of(s.get(0), s.get(1), s.get(2)));
        }
      }
    }
  }

  @Test
  void nestedListsWithRegularOffsetsAreReadInPlace() {
    try (BufferAllocator allocator = new RootAllocator();
        ListVector outer = ListVector.empty("m", allocator)) {
      ListVector inner = (ListVector) outer.addOrGetVector(
          org.apache.arrow.vector.types.pojo.FieldType.nullable(ArrowType.List.INSTANCE)).getVector();
      Float4Vector leaf = (Float4Vector) inner.addOrGetVector(TestVectors.FLOAT).getVector();
      outer.allocateNew();
      int innerIndex = 0;
      int leafIndex = 0;
      for (int r = 0; r < 2; r++) {
        outer.startNewValue(r);
        for (int l = 0; l < 3; l++) {
          inner.startNewValue(innerIndex);
          for (int j = 0; j < 2; j++) {
            leaf.setSafe(leafIndex, leafIndex);
            leafIndex++;
          }
          inner.endValue(innerIndex++, 2);
        }
        outer.endValue(r, 3);
      }
      leaf.setValueCount(leafIndex);
      inner.setValueCount(innerIndex);
      outer.setValueCount(2);
      try (VectorSchemaRoot batch = root(outer)) {
        FakeExecutable exe = rowSum("f32[?,3,2]", 6);
        try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("s"), ColumnBinding.byPosition());
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          assertEquals(leaf.getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
          Float4Vector s = (Float4Vector) result.getVector("s");
          assertEquals(15f, s.get(0));
          assertEquals(51f, s.get(1));
        }
      }
    }
  }
}
