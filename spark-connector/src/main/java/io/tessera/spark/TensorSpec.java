package io.tessera.spark;

import io.tessera.compiler.hlo.Shape;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;

/**
 * One row's tensor: an array shape of a parameter or a result leaf, as Spark sees it. A rank-0
 * tensor is a scalar column of the element's type; rank {@code r} is {@code r} nested arrays
 * ({@code f32[2,3]} is {@code array<array<float>>}, outer length 2, inner length 3).
 *
 * @param name the parameter's name (without {@code %}), or the result leaf's position
 * @param dims the dimensions, all static
 * @param element the element type
 */
record TensorSpec(String name, int[] dims, TensorElement element) implements Serializable {

  /** The tensor of array shape {@code shape}, or throws naming {@code what} when Spark cannot carry it. */
  static TensorSpec of(String name, Shape shape, String what) {
    if (!shape.isArray()) {
      throw new TesseraModule.InvalidModuleException(what + " has shape " + shape.toStringWithoutLayout()
          + ": tessera_apply takes array shapes only (a tuple is allowed as the result)");
    }
    if (shape.hasDynamicDimension()) {
      throw new TesseraModule.InvalidModuleException(what + " has shape " + shape.toStringWithoutLayout()
          + ": a per-row module has static dimensions only");
    }
    TensorElement element = TensorElement.of(shape.elementType());
    if (element == null) {
      throw new TesseraModule.InvalidModuleException(what + " has element type " + shape.elementType()
          + ", which no Spark type matches (supported: pred, s8, s16, s32, s64, f32, f64)");
    }
    return new TensorSpec(name, shape.dimensions(), element);
  }

  int rank() {
    return dims.length;
  }

  /** Elements in one row's tensor. */
  int elementsPerRow() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** Bytes of one row's tensor in a kernel buffer. */
  long bytesPerRow() {
    return (long) elementsPerRow() * element.byteSize;
  }

  /** The Spark type of this tensor as a value: the element type wrapped in one array per dimension. */
  DataType sparkType() {
    DataType t = element.spark;
    for (int i = 0; i < dims.length; i++) {
      t = new ArrayType(t, false);
    }
    return t;
  }

  /** As HLO prints it, e.g. {@code f32[2,3]}. */
  String shapeText() {
    StringBuilder sb = new StringBuilder(element.hlo.mnemonic()).append('[');
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? "," : "").append(dims[i]);
    }
    return sb.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(dims, t.dims) && element == t.element;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(dims)) + element.hashCode();
  }

  @Override
  public String toString() {
    return "%" + name + " " + shapeText();
  }
}
