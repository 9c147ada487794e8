package io.tessera.arrow;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One kernel result as an Arrow column: a primitive vector for a scalar per row, nested
 * {@code FixedSizeList} vectors for a tensor (see {@link ArrowTypes#fieldFor}). The kernel writes
 * straight into the innermost vector's data buffer, except for {@code pred} results, which it
 * writes as bytes into scratch memory that is then packed into Arrow's bits.
 */
final class OutputColumn {
  private final Field field;
  private final ElementType type;
  private final long rowElements;

  OutputColumn(String name, Shape rowShape) {
    this.field = ArrowTypes.fieldFor(name, rowShape);
    this.type = rowShape.elementType();
    this.rowElements = rowShape.elementCount();
  }

  Field field() {
    return field;
  }

  /** A vector for {@code rows} rows from {@code allocator}, ready for the kernel to write. */
  Allocation allocate(int rows, BufferAllocator allocator) {
    return new Allocation(rows, allocator);
  }

  /** The vector of one batch while the kernel fills it; closing it frees what is not handed on. */
  final class Allocation implements AutoCloseable {
    private final int rows;
    private final FieldVector vector;
    /** The vectors from the top to the leaf: one per nesting level, then the primitive one. */
    private final List<FieldVector> levels = new ArrayList<>();
    private ArrowBuf predBytes;
    private boolean handedOn;

    private Allocation(int rows, BufferAllocator allocator) {
      this.rows = rows;
      this.vector = field.createVector(allocator);
      try {
        vector.setInitialCapacity(rows);
        vector.allocateNew();
        for (FieldVector v = vector; ; v = ((FixedSizeListVector) v).getDataVector()) {
          levels.add(v);
          if (!(v instanceof FixedSizeListVector)) {
            break;
          }
        }
        if (type == ElementType.PRED) {
          predBytes = allocator.buffer(Math.max(byteSize(), 1));
        }
        long capacity = leaf().getDataBuffer().capacity();
        if (type != ElementType.PRED && capacity < byteSize()) {
          throw new IllegalStateException("Arrow allocated " + capacity + " bytes for " + byteSize() + " bytes of results");
        }
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    private FieldVector leaf() {
      return levels.get(levels.size() - 1);
    }

    /** Where the kernel writes this result. */
    long address() {
      return predBytes != null ? predBytes.memoryAddress() : leaf().getDataBuffer().memoryAddress();
    }

    long byteSize() {
      return rows * rowElements * type.byteSize();
    }

    /**
     * Completes the vector after the kernel ran: a row is valid where every bitmap in
     * {@code rowBitmaps} has its bit set; every tensor element of a valid row is valid.
     */
    FieldVector finish(List<ArrowBuf> rowBitmaps) {
      if (predBytes != null) {
        Bitmaps.pack(predBytes.memoryAddress(), rows * rowElements, leaf().getDataBuffer());
        predBytes.close();
        predBytes = null;
      }
      Bitmaps.and(rowBitmaps, rows, vector.getValidityBuffer());
      long entries = rows;
      for (int depth = 1; depth < levels.size(); depth++) {
        entries *= ((FixedSizeListVector) levels.get(depth - 1)).getListSize();
        Bitmaps.setAll(levels.get(depth).getValidityBuffer(), entries);
      }
      vector.setValueCount(rows);
      return vector;
    }

    /** The vector now belongs to someone else: {@link #close} leaves it alone. */
    void handOn() {
      handedOn = true;
    }

    @Override
    public void close() {
      if (predBytes != null) {
        predBytes.close();
        predBytes = null;
      }
      if (!handedOn) {
        vector.close();
      }
    }
  }
}
