package io.tessera.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Arrow primitive type feeds its element type, and every element type comes back as it. */
class ArrowKernelTypesTest {

  static Stream<Arguments> types() {
    return Stream.of(
        Arguments.of(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF), "f16", new double[] {1.5, -2, 65504}),
        Arguments.of(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), "f32", new double[] {1.25, -3e38, 0}),
        Arguments.of(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), "f64", new double[] {Math.PI, -1e300, 7}),
        Arguments.of(new ArrowType.Int(8, true), "s8", new double[] {-128, 127, 0}),
        Arguments.of(new ArrowType.Int(16, true), "s16", new double[] {-32768, 32767, 1}),
        Arguments.of(new ArrowType.Int(32, true), "s32", new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 2}),
        Arguments.of(new ArrowType.Int(64, true), "s64", new double[] {-(1L << 53), 1L << 53, 3}),
        Arguments.of(new ArrowType.Int(8, false), "u8", new double[] {255, 0, 128}),
        Arguments.of(new ArrowType.Int(16, false), "u16", new double[] {65535, 0, 1}),
        Arguments.of(new ArrowType.Int(32, false), "u32", new double[] {4294967295.0, 0, 1}),
        Arguments.of(new ArrowType.Int(64, false), "u64", new double[] {1L << 62, 0, 5}),
        Arguments.of(ArrowType.Bool.INSTANCE, "pred", new double[] {1, 0, 1}));
  }

  /** Copies the single parameter's buffer into the single result's: rows x bytes per row. */
  private static FakeExecutable identity(String type, int dims, int rowBytes) {
    String shape = type + "[?" + ",2".repeat(dims) + "]";
    return new FakeExecutable(List.of(shape), shape, (rows, in, out) -> MemoryUtil.copyMemory(in[0], out[0], rows * rowBytes));
  }

  private static FieldVector scalarColumn(BufferAllocator allocator, ArrowType type, double[] values) {
    FieldVector v = new Field("c", FieldType.nullable(type), null).createVector(allocator);
    v.setInitialCapacity(values.length);
    v.allocateNew();
    for (int i = 0; i < values.length; i++) {
      set(v, i, values[i]);
    }
    v.setValueCount(values.length);
    return v;
  }

  private static void set(FieldVector v, int i, double value) {
    if (v instanceof BitVector b) {
      b.set(i, value != 0 ? 1 : 0);
    } else if (v instanceof Float2Vector h) {
      h.setWithPossibleTruncate(i, (float) value); // its double overload is unsupported
    } else if (v instanceof FloatingPointVector f) {
      f.setWithPossibleTruncate(i, value);
    } else {
      ((BaseIntVector) v).setWithPossibleTruncate(i, (long) value);
    }
  }

  private static double get(FieldVector v, int i) {
    if (v instanceof BitVector b) {
      return b.get(i);
    } else if (v instanceof FloatingPointVector f) {
      return f.getValueAsDouble(i);
    }
    long x = ((BaseIntVector) v).getValueAsLong(i);
    return v.getField().getType() instanceof ArrowType.Int t && !t.getIsSigned() && t.getBitWidth() == 32 ? x & 0xFFFFFFFFL : x;
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("types")
  void scalarColumnsOfEveryTypeRoundTrip(ArrowType type, String elementType, double[] values) {
    int width = "pred".equals(elementType) ? 1 : ArrowTypes.elementType(type).byteSize();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(scalarColumn(allocator, type, values)))) {
      batch.setRowCount(values.length);
      FieldVector in = batch.getVector(0);
      FakeExecutable exe = identity(elementType, 0, width);
      try (ArrowKernel kernel = ArrowKernel.forExecutable(exe, List.of("out"), ColumnBinding.byPosition());
          VectorSchemaRoot result = kernel.apply(batch, allocator)) {
        FieldVector out = result.getVector("out");
        assertSame(in.getClass(), out.getClass());
        assertEquals(type, out.getField().getType());
        for (int i = 0; i < values.length; i++) {
          assertEquals(get(in, i), get(out, i), "row " + i);
        }
        if (type instanceof ArrowType.Bool) {
          assertNotEquals(in.getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0],
              "bits are unpacked into bytes: the one conversion");
        } else {
          assertEquals(in.getDataBuffer().memoryAddress(), exe.calls.get(0).inAddresses()[0]);
          assertEquals(out.getDataBuffer().memoryAddress(), exe.calls.get(0).outAddresses()[0]);
        }
      }
    }
  }

  @Test
  void boolTensorsAreUnpackedAndPackedAcrossByteBoundaries() {
    // 7 rows of pred[2,2]: 28 bits, not a multiple of 8, read from a nested FixedSizeList of Bit.
    Field leaf = new Field("$data$", FieldType.nullable(ArrowType.Bool.INSTANCE), null);
    Field inner = new Field("$data$", FieldType.nullable(new ArrowType.FixedSizeList(2)), List.of(leaf));
    Field outer = new Field("b", FieldType.nullable(new ArrowType.FixedSizeList(2)), List.of(inner));
    try (BufferAllocator allocator = new RootAllocator();
        FixedSizeListVector v = (FixedSizeListVector) outer.createVector(allocator)) {
      v.setInitialCapacity(7);
      v.allocateNew();
      FixedSizeListVector innerVector = (FixedSizeListVector) v.getDataVector();
      BitVector bits = (BitVector) innerVector.getDataVector();
      for (int i = 0; i < 28; i++) {
        bits.set(i, (i * 7) % 3 == 0 ? 1 : 0);
      }
      for (int i = 0; i < 14; i++) {
        innerVector.setNotNull(i);
      }
      for (int i = 0; i < 7; i++) {
        v.setNotNull(i);
      }
      v.setValueCount(7);
      try (VectorSchemaRoot batch = new VectorSchemaRoot(List.of((FieldVector) v))) {
        batch.setRowCount(7);
        try (ArrowKernel kernel = ArrowKernel.forExecutable(identity("pred", 2, 4), List.of("out"), ColumnBinding.byPosition());
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          FixedSizeListVector out = (FixedSizeListVector) result.getVector("out");
          BitVector outBits = (BitVector) ((FixedSizeListVector) out.getDataVector()).getDataVector();
          assertEquals(28, outBits.getValueCount());
          for (int i = 0; i < 28; i++) {
            assertEquals(bits.get(i), outBits.get(i), "element " + i);
          }
        }
      }
    }
  }
}
