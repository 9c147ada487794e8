package io.tessera.arrow;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One input column feeding one kernel parameter that takes a tensor of {@code rowShape} per row:
 * a primitive column for a scalar, {@code rank} levels of {@code FixedSizeList} / {@code List} /
 * {@code LargeList} around a primitive for a tensor (row-major, as the kernel reads it).
 *
 * <p>{@link #bind} checks the column's type; {@link #prepare} finds, for one batch, the buffer the
 * kernel reads. Whenever each level's entries lie end to end (always for {@code FixedSizeList};
 * for lists when every offset step equals the expected length) that is the column's own Arrow data
 * buffer, at the first row's element: no copy. Two cases copy into scratch memory from the batch's
 * allocator: {@code Bool} values, which Arrow packs into bits and kernels read as bytes, and a list
 * column whose null rows take no space (as Spark and pyarrow write them), which is gathered row by
 * row. A non-null list row of the wrong length is an error naming the first such row.
 *
 * <p>Null rows: the top vector's validity bitmap is handed on as is; a null inside a tensor (an
 * inner list or element) makes that row null through an extra bitmap built only when the inner
 * vectors have nulls at all.
 */
final class InputColumn {
  private final String column;
  private final String parameter;
  private final Shape rowShape;
  private final ElementType type;
  private final int[] dims;
  private final long rowElements;

  private InputColumn(String column, String parameter, Shape rowShape) {
    this.column = column;
    this.parameter = parameter;
    this.rowShape = rowShape;
    this.type = rowShape.elementType();
    this.dims = rowShape.dimensions();
    this.rowElements = rowShape.elementCount();
  }

  /**
   * Binds column {@code field} to a parameter that takes one {@code rowShape} tensor per row;
   * {@code parameter} describes it in messages ({@link #describeParameter}).
   *
   * @throws ArrowKernelException when the column's type or fixed list sizes do not fit
   */
  static InputColumn bind(Field field, String parameter, Shape rowShape) {
    InputColumn bound = new InputColumn(field.getName(), parameter, rowShape);
    bound.check(field);
    return bound;
  }

  /** {@code parameter 0 (%x, f32[4] per row)}. */
  static String describeParameter(int index, String name, Shape rowShape) {
    return "parameter " + index + " (%" + name + ", " + rowShape.toStringWithoutLayout() + " per row)";
  }

  private void check(Field top) {
    Field f = top;
    for (int depth = 0; depth <= dims.length; depth++) {
      if (f.getDictionary() != null) {
        throw mismatch(top, "it is dictionary-encoded; decode it first");
      }
      ArrowType t = f.getType();
      if (depth == dims.length) {
        if (ArrowTypes.elementType(t) != type) {
          throw mismatch(top, "expected " + ArrowTypes.expected(rowShape));
        }
      } else if (t instanceof ArrowType.FixedSizeList fixed) {
        if (fixed.getListSize() != dims[depth]) {
          throw new ArrowKernelException("wrong tensor length: column '" + column + "' (" + ArrowTypes.describe(top)
              + ") holds " + fixed.getListSize() + " values per " + (depth == 0 ? "row" : "list at depth " + (depth + 1))
              + ", " + parameter + " takes " + dims[depth]);
        }
      } else if (!(t instanceof ArrowType.List) && !(t instanceof ArrowType.LargeList)) {
        throw mismatch(top, "expected " + ArrowTypes.expected(rowShape) + " (fixed_size_list, list or large_list)");
      }
      if (depth < dims.length) {
        f = f.getChildren().get(0);
      }
    }
  }

  private ArrowKernelException mismatch(Field top, String why) {
    return new ArrowKernelException("column '" + column + "' (" + ArrowTypes.describe(top) + ") does not fit " + parameter
        + ": " + why);
  }

  /**
   * The buffer the kernel reads for the first {@code rows} rows of {@code top} (a vector of the
   * field given to {@link #bind}), with the bitmaps of the rows whose output is null. Scratch
   * memory comes from {@code allocator}; the caller closes the result after the kernel ran.
   *
   * @throws ArrowKernelException naming the first non-null row whose list has the wrong length,
   *     or when the vector's buffers are too short for its rows (malformed input)
   */
  ColumnBuffer prepare(FieldVector top, int rows, BufferAllocator allocator) {
    if (top.getValueCount() < rows) {
      throw new ArrowKernelException("column '" + column + "' has " + top.getValueCount() + " values in a batch of "
          + rows + " rows");
    }
    ListLevel[] levels = new ListLevel[dims.length];
    FieldVector v = top;
    for (int depth = 0; depth < dims.length; depth++) {
      levels[depth] = ListLevel.of(column, v);
      v = levels[depth].child();
    }
    FieldVector leaf = v;

    // firsts[depth]: index of the first row's first entry in the vector at that depth.
    long[] firsts = new long[dims.length + 1];
    long count = rows;
    for (int depth = 0; depth < dims.length; depth++) {
      if (!levels[depth].isRegular(firsts[depth], count, dims[depth])) {
        return new ListGather(this, levels, leaf).gather(top, rows, allocator);
      }
      firsts[depth + 1] = count == 0 ? 0 : levels[depth].start(firsts[depth]);
      count *= dims[depth];
    }

    List<ArrowBuf> rowBitmaps = new ArrayList<>();
    List<ArrowBuf> owned = new ArrayList<>();
    try {
      ArrowBuf topValidity = validity(top, rows);
      if (!Bitmaps.allSet(topValidity, 0, rows)) {
        rowBitmaps.add(topValidity);
      }
      ArrowBuf innerNulls = innerNullRows(levels, leaf, firsts, rows, allocator);
      if (innerNulls != null) {
        owned.add(innerNulls);
        rowBitmaps.add(innerNulls);
      }
      long first = firsts[dims.length];
      long bytes = count * type.byteSize();
      if (leaf instanceof BitVector) {
        ArrowBuf bytesOfBits = allocator.buffer(Math.max(bytes, 1));
        owned.add(bytesOfBits);
        requireLeafBytes(leaf, Bitmaps.byteSize(first + count));
        Bitmaps.unpack(leaf.getDataBuffer(), first, count, bytesOfBits.memoryAddress());
        return new ColumnBuffer(bytesOfBits.memoryAddress(), bytes, rowBitmaps, owned);
      }
      requireLeafBytes(leaf, (first + count) * type.byteSize());
      return new ColumnBuffer(leaf.getDataBuffer().memoryAddress() + first * type.byteSize(), bytes, rowBitmaps, owned);
    } catch (RuntimeException | Error e) {
      owned.forEach(ArrowBuf::close);
      throw e;
    }
  }

  /**
   * A bitmap clearing the rows that hold a null inner list or element, or {@code null} when the
   * vectors below the top have no nulls among this batch's entries (the common case, decided a
   * 64-bit word of validity at a time).
   */
  private ArrowBuf innerNullRows(ListLevel[] levels, FieldVector leaf, long[] firsts, int rows, BufferAllocator allocator) {
    ArrowBuf mask = null;
    long perRow = 1;
    for (int depth = 1; depth <= dims.length; depth++) {
      perRow *= dims[depth - 1];
      FieldVector vector = depth < dims.length ? levels[depth].vector() : leaf;
      long first = firsts[depth];
      long entries = rows * perRow;
      ArrowBuf entryValidity = validity(vector, first + entries);
      if (Bitmaps.allSet(entryValidity, first, entries)) {
        continue;
      }
      if (mask == null) {
        mask = Bitmaps.newAllSet(allocator, rows);
      }
      ArrowBuf rowMask = mask;
      long entriesPerRow = perRow;
      Bitmaps.forEachClear(entryValidity, first, entries, entry -> Bitmaps.clear(rowMask, (entry - first) / entriesPerRow));
    }
    return mask;
  }

  /** {@code vector}'s validity bitmap, checked to cover {@code bits} entries. */
  ArrowBuf validity(FieldVector vector, long bits) {
    ArrowBuf validity = vector.getValidityBuffer();
    if (validity.capacity() < Bitmaps.byteSize(bits)) {
      throw malformed("validity", validity.capacity(), Bitmaps.byteSize(bits));
    }
    return validity;
  }

  /** Checks that the leaf's data buffer holds {@code bytes} bytes, so that the kernel reads in bounds. */
  void requireLeafBytes(FieldVector leaf, long bytes) {
    long capacity = leaf.getDataBuffer().capacity();
    if (capacity < bytes) {
      throw malformed("data", capacity, bytes);
    }
  }

  private ArrowKernelException malformed(String buffer, long has, long needs) {
    return new ArrowKernelException("column '" + column + "': its " + buffer + " buffer has " + has + " bytes, "
        + needs + " are needed (malformed input)");
  }

  /** The error for non-null row {@code row} holding {@code length} values at nesting {@code depth} (0: the row's list). */
  ArrowKernelException wrongLength(long row, int depth, long length) {
    String where = depth == 0 ? "holds " + length + " values" : "holds a list of " + length + " values at depth " + (depth + 1);
    return new ArrowKernelException("wrong tensor length: column '" + column + "' row " + row + " " + where + ", "
        + parameter + " takes " + dims[depth]);
  }

  String column() {
    return column;
  }

  ElementType type() {
    return type;
  }

  int[] dims() {
    return dims.clone();
  }

  long rowElements() {
    return rowElements;
  }
}
