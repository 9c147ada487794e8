package io.tessera.arrow;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
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
 * much as a small kernel. Like {@code allocateNew}, one allocation holds the data and every
 * validity bitmap of the column, each a slice of it: an allocation costs about as much as a
 * bitmap of 64K rows, and a batch would otherwise make two or more per column.
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

  /** {@code bytes} rounded up to whole 64-bit words, so that every slice of a block starts on one. */
  private static long wordAligned(long bytes) {
    return (bytes + 7) & ~7L;
  }

  /** Buffers for {@code rows} rows from {@code allocator}, ready for the kernel to write. */
  Allocation allocate(int rows, BufferAllocator allocator) {
    return new Allocation(rows, allocator);
  }

  /** The buffers of one batch while the kernel fills them; closing frees whatever was not handed on. */
  final class Allocation implements AutoCloseable {
    private final int rows;
    private final BufferAllocator allocator;
    /** Data first (at the allocation's own alignment, as the kernel gets it), then the bitmaps. */
    private final ArrowBuf block;
    private final long dataBytes;
    private final ArrowBuf predBytes;
    private FieldVector vector;
    private boolean handedOn;
    private boolean closed;

    private Allocation(int rows, BufferAllocator allocator) {
      this.rows = rows;
      this.allocator = allocator;
      long elements = rows * rowElements;
      dataBytes = type == ElementType.PRED ? Bitmaps.byteSize(elements) : elements * type.byteSize();
      long blockBytes = wordAligned(dataBytes);
      long entries = rows;
      for (int depth = 0; depth <= dims.length; depth++) { // the validity of each level, rows to elements
        blockBytes += wordAligned(Bitmaps.byteSize(entries));
        entries *= depth < dims.length ? dims[depth] : 1;
      }
      block = allocator.buffer(Math.max(blockBytes, 1));
      try {
        predBytes = type == ElementType.PRED ? allocator.buffer(Math.max(elements, 1)) : null;
      } catch (RuntimeException | Error e) {
        block.close();
        throw e;
      }
    }

    /** Where the kernel writes this result. */
    long address() {
      return predBytes != null ? predBytes.memoryAddress() : block.memoryAddress();
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
      ArrowBuf data = block.slice(0, dataBytes);
      if (predBytes != null) {
        Bitmaps.pack(predBytes.memoryAddress(), elements, data);
      }
      long at = wordAligned(dataBytes);
      ArrowBuf rowValidity = block.slice(at, Bitmaps.byteSize(rows));
      at += wordAligned(Bitmaps.byteSize(rows));
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
        validity = block.slice(at, Bitmaps.byteSize(entries));
        at += wordAligned(Bitmaps.byteSize(entries));
        Bitmaps.setAll(validity, entries);
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
      if (closed) {
        return;
      }
      closed = true;
      block.close(); // the vector's buffers hold references of their own
      if (predBytes != null) {
        predBytes.close();
      }
      if (vector != null && !handedOn) {
        vector.close();
      }
    }
  }
}
