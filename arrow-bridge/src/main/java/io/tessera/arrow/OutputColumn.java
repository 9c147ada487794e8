package io.tessera.arrow;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One kernel result as an Arrow column: a primitive vector for a scalar per row, nested
 * {@code FixedSizeList} vectors for a tensor (see {@link ArrowTypes#fieldFor}). The kernel writes
 * straight into the data buffer of the innermost vector, except for {@code pred} results, which it
 * writes as bytes into scratch memory that is then packed into Arrow's bits.
 *
 * <p>The buffers are allocated without zeroing (the kernel writes every byte of the rows' data,
 * the validity is computed) and handed to the vectors as Arrow's IPC reader does, through
 * {@link FieldVector#loadFieldBuffers}: {@code allocateNew} would clear them first, which costs as
 * much as a small kernel.
 */
final class OutputColumn {
  private final Field field;
  private final ElementType type;
  private final int[] dims;
  private final long rowElements;

  OutputColumn(String name, Shape rowShape) {
    this.field = ArrowTypes.fieldFor(name, rowShape);
    this.type = rowShape.elementType();
    this.dims = rowShape.dimensions();
    this.rowElements = rowShape.elementCount();
  }

  Field field() {
    return field;
  }

  /** Buffers for {@code rows} rows from {@code allocator}, ready for the kernel to write. */
  Allocation allocate(int rows, BufferAllocator allocator) {
    return new Allocation(rows, allocator);
  }

  /** The buffers of one batch while the kernel fills them; closing frees whatever was not handed on. */
  final class Allocation implements AutoCloseable {
    private final int rows;
    private final BufferAllocator allocator;
    private final List<ArrowBuf> owned = new ArrayList<>();
    private final ArrowBuf data;
    private final ArrowBuf predBytes;
    private FieldVector vector;
    private boolean handedOn;

    private Allocation(int rows, BufferAllocator allocator) {
      this.rows = rows;
      this.allocator = allocator;
      long elements = rows * rowElements;
      try {
        if (type == ElementType.PRED) {
          predBytes = own(allocator.buffer(Math.max(elements, 1)));
          data = own(allocator.buffer(Math.max(Bitmaps.byteSize(elements), 1)));
        } else {
          predBytes = null;
          data = own(allocator.buffer(Math.max(elements * type.byteSize(), 1)));
        }
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    private ArrowBuf own(ArrowBuf buf) {
      owned.add(buf);
      return buf;
    }

    /** Where the kernel writes this result. */
    long address() {
      return predBytes != null ? predBytes.memoryAddress() : data.memoryAddress();
    }

    long byteSize() {
      return rows * rowElements * type.byteSize();
    }

    /**
     * The finished vector: a row is valid where every bitmap in {@code rowBitmaps} has its bit
     * set; every tensor element of a row is valid (the row carries the null).
     */
    FieldVector finish(List<ArrowBuf> rowBitmaps) {
      long elements = rows * rowElements;
      if (predBytes != null) {
        Bitmaps.pack(predBytes.memoryAddress(), elements, data);
      }
      ArrowBuf rowValidity = own(allocator.buffer(Math.max(Bitmaps.byteSize(rows), 1)));
      Bitmaps.and(rowBitmaps, rows, rowValidity);
      int nullCount = Math.toIntExact(Bitmaps.countClear(rowValidity, rows));

      vector = field.createVector(allocator);
      FieldVector level = vector;
      long entries = rows;
      ArrowBuf validity = rowValidity;
      for (int depth = 0; depth < dims.length; depth++) {
        level.loadFieldBuffers(new ArrowFieldNode(entries, depth == 0 ? nullCount : 0), List.of(validity));
        level = ((FixedSizeListVector) level).getDataVector();
        entries *= dims[depth];
        validity = own(Bitmaps.newAllSet(allocator, entries));
      }
      level.loadFieldBuffers(new ArrowFieldNode(entries, dims.length == 0 ? nullCount : 0), List.of(validity, data));
      return vector;
    }

    /** The vector now belongs to someone else: {@link #close} leaves it alone. */
    void handOn() {
      handedOn = true;
    }

    /** Drops this allocation's references: the vector keeps its own unless it was not handed on. */
    @Override
    public void close() {
      owned.forEach(ArrowBuf::close);
      owned.clear();
      if (vector != null && !handedOn) {
        vector.close();
      }
    }
  }
}
