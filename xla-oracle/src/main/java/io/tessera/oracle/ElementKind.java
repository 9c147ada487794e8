package io.tessera.oracle;

import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The element types the corpus uses, with TensorFlow's dtype, TF Java's tensor class, XLA's
 * element-type name and the size of one element in a tensor's raw buffer.
 */
enum ElementKind {
  F32(DataType.DT_FLOAT, TFloat32.class, "f32", 4, true),
  F64(DataType.DT_DOUBLE, TFloat64.class, "f64", 8, true),
  F16(DataType.DT_HALF, TFloat16.class, "f16", 2, true),
  BF16(DataType.DT_BFLOAT16, TBfloat16.class, "bf16", 2, true),
  S32(DataType.DT_INT32, TInt32.class, "s32", 4, false),
  S64(DataType.DT_INT64, TInt64.class, "s64", 8, false),
  U8(DataType.DT_UINT8, TUint8.class, "u8", 1, false),
  U16(DataType.DT_UINT16, TUint16.class, "u16", 2, false),
  PRED(DataType.DT_BOOL, TBool.class, "pred", 1, false);

  final DataType dataType;
  final Class<? extends TType> tensorClass;
  final String xlaName;
  final int byteSize;
  final boolean isFloat;

  ElementKind(DataType dataType, Class<? extends TType> tensorClass, String xlaName, int byteSize, boolean isFloat) {
    this.dataType = dataType;
    this.tensorClass = tensorClass;
    this.xlaName = xlaName;
    this.byteSize = byteSize;
    this.isFloat = isFloat;
  }

  static ElementKind of(DataType dataType) {
    for (ElementKind kind : values()) {
      if (kind.dataType == dataType) {
        return kind;
      }
    }
    throw new IllegalArgumentException("the corpus has no element type for TensorFlow dtype " + dataType);
  }
}
