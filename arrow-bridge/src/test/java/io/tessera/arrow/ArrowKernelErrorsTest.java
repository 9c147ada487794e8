package io.tessera.arrow;

import static io.tessera.arrow.ArrowKernelZeroCopyTest.axpy;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.rowSum;
import static io.tessera.arrow.TestVectors.fixedFloatLists;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Input that does not fit the module is refused with a message naming the column and the
 * parameter, before the kernel runs and without leaving memory allocated (each test's allocator
 * closes empty).
 */
class ArrowKernelErrorsTest {

  /** Applies {@code exe} by {@code columns} to {@code batch}; returns the message, checking nothing ran. */
  private static String refusal(FakeExecutable exe, ColumnBinding columns, VectorSchemaRoot batch, BufferAllocator allocator) {
    try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("out"), columns)) {
      ArrowKernelException applied = assertThrows(ArrowKernelException.class, () -> kernel.apply(batch, allocator));
      ArrowKernelException checked = assertThrows(ArrowKernelException.class, () -> kernel.checkInput(batch.getSchema()));
      assertEquals(applied.getMessage(), checked.getMessage(), "checkInput finds it from the schema alone");
      assertTrue(exe.calls.isEmpty());
      return applied.getMessage();
    }
  }

  @Test
  void missingColumn() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1f), floats(allocator, "y", 2f))) {
      assertEquals("no column 'w' in the input (columns: x, y)",
          refusal(axpy(), ColumnBinding.byName("x", "w"), batch, allocator));
    }
  }

  @Test
  void wrongScalarType() {
    try (BufferAllocator allocator = new RootAllocator();
        IntVector i = new IntVector("i", allocator)) {
      i.allocateNew(1);
      i.set(0, 7);
      i.setValueCount(1);
      try (VectorSchemaRoot batch = root(floats(allocator, "x", 1f), i)) {
        assertEquals("column 'i' (int32) does not fit parameter 1 (%p1, f32[] per row): expected float32",
            refusal(axpy(), ColumnBinding.byPosition(), batch, allocator));
      }
    }
  }

  @Test
  void scalarColumnForATensorParameter() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1f))) {
      assertEquals("column 'x' (float32) does not fit parameter 0 (%p0, f32[4] per row): expected lists of 4 float32"
          + " (fixed_size_list, list or large_list)", refusal(rowSum("f32[?,4]", 4), ColumnBinding.byPosition(), batch, allocator));
    }
  }

  @Test
  void wrongFixedTensorLength() {
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = fixedFloatLists(allocator, "v", 3, new float[] {1, 2, 3});
        VectorSchemaRoot batch = root(v)) {
      assertEquals("wrong tensor length: column 'v' (fixed_size_list<float32>[3]) holds 3 values per row, parameter 0 (%p0,"
          + " f32[4] per row) takes 4", refusal(rowSum("f32[?,4]", 4), ColumnBinding.byPosition(), batch, allocator));
    }
  }

  @Test
  void wrongElementTypeInsideAList() {
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = FixedSizeListVector.empty("v", 2, allocator)) {
      v.addOrGetVector(FieldType.nullable(new ArrowType.Int(64, true)));
      try (VectorSchemaRoot batch = root(v)) {
        assertEquals("column 'v' (fixed_size_list<int64>[2]) does not fit parameter 0 (%p0, f32[2] per row): expected"
            + " lists of 2 float32", refusal(rowSum("f32[?,2]", 2), ColumnBinding.byPosition(), batch, allocator));
      }
    }
  }

  @Test
  void tooFewColumnsForTheParameters() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1f))) {
      assertEquals("the module takes 2 parameter(s) but the input has 1 column(s) (x); name the columns that feed the"
          + " parameters", refusal(axpy(), ColumnBinding.byPosition(), batch, allocator));
    }
  }

  @Test
  void tooManyColumnNamesForTheParameters() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1f), floats(allocator, "y", 1f), floats(allocator, "z", 1f))) {
      assertEquals("the module takes 2 parameter(s) but 3 column(s) were named (x, y, z)",
          refusal(axpy(), ColumnBinding.byName("x", "y", "z"), batch, allocator));
    }
  }

  @Test
  void ambiguousColumnName() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1f), floats(allocator, "x", 1f))) {
      assertEquals("the input has more than one column named 'x'",
          refusal(axpy(), ColumnBinding.byName("x", "x"), batch, allocator));
    }
  }

  @Test
  void dictionaryEncodedColumn() {
    Field encoded = new Field("d", new FieldType(true, new ArrowType.Int(32, true), new DictionaryEncoding(1, false, null)), null);
    Schema schema = new Schema(List.of(encoded, Field.nullable("y", new ArrowType.Int(32, true))));
    try (ArrowKernel kernel = ArrowKernel.forExecutable(
        new FakeExecutable(List.of("s32[?]", "s32[?]"), "s32[?]", (r, i, o) -> { }), List.of("out"), ColumnBinding.byPosition())) {
      ArrowKernelException e = assertThrows(ArrowKernelException.class, () -> kernel.checkInput(schema));
      assertEquals("column 'd' (dictionary<int32>) does not fit parameter 0 (%p0, s32[] per row): it is dictionary-encoded;"
          + " decode it first", e.getMessage());
    }
  }

  @Test
  void executableWithoutARowDimension() {
    FakeExecutable exe = new FakeExecutable(List.of("f32[8]"), "f32[8]", (r, i, o) -> { });
    ArrowKernelException e = assertThrows(ArrowKernelException.class,
        () -> ArrowKernel.forExecutable(exe, List.of("out"), ColumnBinding.byPosition()));
    assertEquals("parameter 0 (%p0) has shape f32[8]; a kernel over Arrow batches needs a leading row dimension of"
        + " runtime size (?), as the batching pass makes", e.getMessage());
  }

  @Test
  void elementTypeWithoutAnArrowType() {
    FakeExecutable exe = new FakeExecutable(List.of("f32[?]"), "bf16[?]", (r, i, o) -> { });
    ArrowKernelException e = assertThrows(ArrowKernelException.class,
        () -> ArrowKernel.forExecutable(exe, List.of("out"), ColumnBinding.byPosition()));
    assertEquals("result 0 has element type bf16, which no Arrow column holds", e.getMessage());
  }

  @Test
  void outputNameCountMustMatchTheResults() {
    assertThrows(IllegalArgumentException.class,
        () -> ArrowKernel.forExecutable(axpy(), List.of("a", "b"), ColumnBinding.byPosition()));
  }

  @Test
  void columnShorterThanTheBatchIsRefused() {
    try (BufferAllocator allocator = new RootAllocator();
        Float4Vector x = floats(allocator, "x", 1f, 2f);
        Float4Vector y = floats(allocator, "y", 1f);
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(x.getField(), y.getField()), List.of(x, y), 2);
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byPosition())) {
      ArrowKernelException e = assertThrows(ArrowKernelException.class, () -> kernel.apply(batch, allocator));
      assertEquals("column 'y' has 1 values in a batch of 2 rows", e.getMessage());
    }
  }
}
