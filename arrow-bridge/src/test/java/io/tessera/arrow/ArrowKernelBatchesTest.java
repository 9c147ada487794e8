package io.tessera.arrow;

import static io.tessera.arrow.ArrowKernelZeroCopyTest.axpy;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.getFloat;
import static io.tessera.arrow.ArrowKernelZeroCopyTest.putFloat;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/** One kernel, many batches: sizes vary, tuples give several columns, threads share the kernel. */
class ArrowKernelBatchesTest {

  private static Float[] sequence(int n, float scale) {
    Float[] values = new Float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * scale;
    }
    return values;
  }

  @Test
  void oneKernelServesBatchesOfEverySize() {
    FakeExecutable exe = axpy();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("z"), ColumnBinding.byPosition())) {
      for (int n : new int[] {1, 1000, 0, 65, 7}) {
        try (VectorSchemaRoot batch = root(floats(allocator, "x", sequence(n, 1)), floats(allocator, "y", sequence(n, 0.5f)));
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          assertEquals(n, result.getRowCount());
          Float4Vector z = (Float4Vector) result.getVector("z");
          assertEquals(n, z.getValueCount());
          for (int i = 0; i < n; i++) {
            assertEquals(2.5f * i, z.get(i), 1e-3f);
          }
        }
      }
      assertEquals(List.of(1L, 1000L, 65L, 7L), exe.calls.stream().map(FakeExecutable.Call::rows).toList(),
          "an empty batch does not run the kernel");
      assertTrue(!exe.closed);
    }
    assertTrue(exe.closed, "closing the kernel closes its executable");
  }

  @Test
  void tupleResultsBecomeOneColumnEach() {
    // (x + y as f32, x > y as pred, round(x) as s32)
    FakeExecutable exe = new FakeExecutable(List.of("f32[?]", "f32[?]"), "(f32[?], pred[?], s32[?])", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        float x = getFloat(in[0], r);
        float y = getFloat(in[1], r);
        putFloat(out[0], r, x + y);
        MemoryUtil.putByte(out[1] + r, (byte) (x > y ? 1 : 0));
        MemoryUtil.putInt(out[2] + 4 * r, Math.round(x));
      }
    });
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "x", 1.4f, 5f, null), floats(allocator, "y", 2f, 3f, 0f));
        ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("sum", "greater", "rounded"), ColumnBinding.byPosition());
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      assertEquals(List.of(Field.nullable("sum", new ArrowType.FloatingPoint(
          org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), Field.nullable("greater", ArrowType.Bool.INSTANCE),
          Field.nullable("rounded", new ArrowType.Int(32, true))), result.getSchema().getFields());
      assertEquals(kernel.outputSchema(), result.getSchema());
      Float4Vector sum = (Float4Vector) result.getVector("sum");
      BitVector greater = (BitVector) result.getVector("greater");
      IntVector rounded = (IntVector) result.getVector("rounded");
      assertEquals(3.4f, sum.get(0));
      assertEquals(0, greater.get(0));
      assertEquals(1, rounded.get(0));
      assertEquals(8f, sum.get(1));
      assertEquals(1, greater.get(1));
      assertEquals(5, rounded.get(1));
      assertTrue(sum.isNull(2) && greater.isNull(2) && rounded.isNull(2), "a null input nulls every output");
    }
  }

  @Test
  void namedColumnsPickTheirColumnsInParameterOrderAndIgnoreTheRest() {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = root(floats(allocator, "id", 9f, 9f), floats(allocator, "b", 1f, 2f),
            floats(allocator, "a", 10f, 20f));
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byName("a", "b"));
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      Float4Vector z = (Float4Vector) result.getVector("z");
      assertEquals(21f, z.get(0));
      assertEquals(42f, z.get(1));
    }
  }

  @Test
  void threadsShareOneKernel() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.forExecutable(axpy(), List.of("z"), ColumnBinding.byPosition())) {
      List<Future<Float>> sums = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int n = 100 + t;
        sums.add(pool.submit(() -> {
          try (BufferAllocator mine = allocator.newChildAllocator("task", 0, Long.MAX_VALUE);
              VectorSchemaRoot batch = root(floats(mine, "x", sequence(n, 1)), floats(mine, "y", sequence(n, 0)));
              VectorSchemaRoot result = kernel.apply(batch, mine)) {
            float s = 0;
            for (int i = 0; i < n; i++) {
              s += ((Float4Vector) result.getVector(0)).get(i);
            }
            return s;
          }
        }));
      }
      for (int t = 0; t < 16; t++) {
        int n = 100 + t;
        assertEquals((float) n * (n - 1), sums.get(t).get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
