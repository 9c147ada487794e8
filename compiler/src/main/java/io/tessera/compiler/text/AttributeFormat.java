package io.tessera.compiler.text;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import java.util.List;

/** Writes an attribute value as XLA prints it, by the attribute's {@link Attr.Kind}. */
final class AttributeFormat {
  private AttributeFormat() {}

  static String format(Attr<?> attr, Object value) {
    return switch (attr.kind()) {
      case STRING -> CEscapes.quote((String) value);
      case FLOAT -> Literal.formatFloat(ElementType.F64, (Double) value);
      case INT_LIST -> intList((long[]) value);
      case COMPUTATION -> "%" + ((Computation) value).name();
      case COMPUTATION_LIST -> computationList((List<?>) value);
      // The value classes' toString() is XLA's text; RAW values are their source text.
      default -> String.valueOf(value);
    };
  }

  private static String intList(long[] values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? "," : "").append(values[i]);
    }
    return sb.append('}').toString();
  }

  private static String computationList(List<?> computations) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < computations.size(); i++) {
      sb.append(i > 0 ? ", %" : "%").append(((Computation) computations.get(i)).name());
    }
    return sb.append('}').toString();
  }
}
