package io.tessera.spark;

import io.tessera.compiler.hlo.ElementType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The HLO element types a Spark column can carry, each with its Spark type and its width in a
 * kernel buffer. {@code pred} is one byte in kernel buffers (0 or 1), a boolean in Spark.
 * Unsigned and 16-bit float types have no Spark counterpart and are rejected at analysis.
 */
enum TensorElement {
  PRED(ElementType.PRED, DataTypes.BooleanType),
  S8(ElementType.S8, DataTypes.ByteType),
  S16(ElementType.S16, DataTypes.ShortType),
  S32(ElementType.S32, DataTypes.IntegerType),
  S64(ElementType.S64, DataTypes.LongType),
  F32(ElementType.F32, DataTypes.FloatType),
  F64(ElementType.F64, DataTypes.DoubleType);

  final ElementType hlo;
  final DataType spark;
  /** Bytes per element in a kernel buffer. */
  final int byteSize;

  TensorElement(ElementType hlo, DataType spark) {
    this.hlo = hlo;
    this.spark = spark;
    this.byteSize = hlo.byteSize();
  }

  /** The element for {@code type}, or {@code null} when Spark has no matching type. */
  static TensorElement of(ElementType type) {
    for (TensorElement e : values()) {
      if (e.hlo == type) {
        return e;
      }
    }
    return null;
  }
}
