package io.tessera.arrow;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The one table between kernel element types and Arrow's primitive types, and the Arrow field a
 * per-row tensor shape takes: a scalar is a primitive column, {@code T[d1,...,dk]} is {@code k}
 * nested {@code FixedSizeList}s around a primitive.
 *
 * <p>Arrow's fixed-width types already store values the way kernel buffers do (little-endian,
 * each element in its own width), so they pass without conversion; {@code Bool} is bit-packed in
 * Arrow but one byte per value in kernels, and is the one type the bridge converts. {@code bf16}
 * has no Arrow type.
 */
final class ArrowTypes {
  /** The name Arrow Java gives the child of a list vector. */
  static final String DATA_VECTOR_NAME = "$data$";

  private ArrowTypes() {}

  /** The Arrow type that holds {@code type} values, or {@code null} when there is none (bf16, token). */
  static ArrowType.PrimitiveType arrowType(ElementType type) {
    return switch (type) {
      case PRED -> ArrowType.Bool.INSTANCE;
      case S8 -> new ArrowType.Int(8, true);
      case S16 -> new ArrowType.Int(16, true);
      case S32 -> new ArrowType.Int(32, true);
      case S64 -> new ArrowType.Int(64, true);
      case U8 -> new ArrowType.Int(8, false);
      case U16 -> new ArrowType.Int(16, false);
      case U32 -> new ArrowType.Int(32, false);
      case U64 -> new ArrowType.Int(64, false);
      case F16 -> new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
      case F32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case F64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BF16, TOKEN -> null;
    };
  }

  /** The element type an Arrow primitive type holds, or {@code null} when kernels have none for it. */
  static ElementType elementType(ArrowType type) {
    if (type instanceof ArrowType.Bool) {
      return ElementType.PRED;
    }
    if (type instanceof ArrowType.Int i) {
      return switch (i.getBitWidth()) {
        case 8 -> i.getIsSigned() ? ElementType.S8 : ElementType.U8;
        case 16 -> i.getIsSigned() ? ElementType.S16 : ElementType.U16;
        case 32 -> i.getIsSigned() ? ElementType.S32 : ElementType.U32;
        case 64 -> i.getIsSigned() ? ElementType.S64 : ElementType.U64;
        default -> null;
      };
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return switch (f.getPrecision()) {
        case HALF -> ElementType.F16;
        case SINGLE -> ElementType.F32;
        case DOUBLE -> ElementType.F64;
      };
    }
    return null;
  }

  /**
   * The nullable field that holds one {@code shape} tensor per row, named {@code name}: a primitive
   * for a scalar, nested {@code FixedSizeList}s for higher ranks.
   *
   * @throws IllegalArgumentException when the element type has no Arrow type
   */
  static Field fieldFor(String name, Shape shape) {
    ArrowType.PrimitiveType leaf = arrowType(shape.elementType());
    if (leaf == null) {
      throw new IllegalArgumentException(shape.elementType() + " has no Arrow type");
    }
    int rank = shape.rank();
    Field field = new Field(rank == 0 ? name : DATA_VECTOR_NAME, FieldType.nullable(leaf), null);
    for (int i = rank - 1; i >= 0; i--) {
      ArrowType list = new ArrowType.FixedSizeList(shape.dimension(i));
      field = new Field(i == 0 ? name : DATA_VECTOR_NAME, FieldType.nullable(list), List.of(field));
    }
    return field;
  }

  /**
   * What a column for one {@code shape} tensor per row looks like, for error messages:
   * {@code float32}, {@code lists of 4 float32}, {@code lists of 3 lists of 4 float32}.
   */
  static String expected(Shape shape) {
    ArrowType.PrimitiveType leaf = arrowType(shape.elementType());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.rank(); i++) {
      sb.append("lists of ").append(shape.dimension(i)).append(' ');
    }
    return sb.append(leaf == null ? shape.elementType().mnemonic() : describe(leaf)).toString();
  }

  /**
   * A short, pyarrow-like description of a field's type for error messages:
   * {@code float32}, {@code list<int64>}, {@code fixed_size_list<float32>[4]}.
   */
  static String describe(Field field) {
    if (field.getDictionary() != null) {
      return "dictionary<" + describeIgnoringDictionary(field) + ">";
    }
    return describeIgnoringDictionary(field);
  }

  private static String describeIgnoringDictionary(Field field) {
    ArrowType type = field.getType();
    String child = field.getChildren().size() == 1 ? describe(field.getChildren().get(0)) : "?";
    if (type instanceof ArrowType.FixedSizeList f) {
      return "fixed_size_list<" + child + ">[" + f.getListSize() + "]";
    }
    if (type instanceof ArrowType.List) {
      return "list<" + child + ">";
    }
    if (type instanceof ArrowType.LargeList) {
      return "large_list<" + child + ">";
    }
    return describe(type);
  }

  /** The pyarrow name of a primitive type ({@code float32}, {@code uint8}, {@code bool}), else Arrow's own. */
  static String describe(ArrowType type) {
    ElementType element = elementType(type);
    if (element == null) {
      return type.toString();
    }
    return switch (element) {
      case PRED -> "bool";
      case F16 -> "float16";
      case F32 -> "float32";
      case F64 -> "float64";
      default -> (element.isSigned() ? "int" : "uint") + element.bitWidth();
    };
  }
}
