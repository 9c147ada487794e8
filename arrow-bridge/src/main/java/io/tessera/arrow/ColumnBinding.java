package io.tessera.arrow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Which input columns feed which kernel parameters: {@link #byPosition()} (column {@code i} feeds
 * parameter {@code i}; the batch must have exactly as many columns as the module has parameters)
 * or {@link #byName} (the named columns, in parameter order; other columns are ignored).
 */
public final class ColumnBinding {
  private final List<String> names; // null: by position

  private ColumnBinding(List<String> names) {
    this.names = names;
  }

  /** Column {@code i} feeds parameter {@code i}; the batch holds exactly the parameters' columns. */
  public static ColumnBinding byPosition() {
    return new ColumnBinding(null);
  }

  /** Column {@code names.get(i)} feeds parameter {@code i}. */
  public static ColumnBinding byName(List<String> names) {
    for (String n : names) {
      Objects.requireNonNull(n, "column name");
    }
    return new ColumnBinding(List.copyOf(names));
  }

  public static ColumnBinding byName(String... names) {
    return byName(List.of(names));
  }

  /** The column names, or {@code null} for {@link #byPosition()}. */
  public List<String> names() {
    return names;
  }

  /**
   * The index in {@code fields} of the column feeding each of {@code parameterCount} parameters.
   *
   * @throws ArrowKernelException on a missing or ambiguous column, or a count that does not match
   */
  int[] resolve(List<Field> fields, int parameterCount) {
    if (names == null) {
      if (fields.size() != parameterCount) {
        throw new ArrowKernelException("the module takes " + parameterCount + " parameter(s) but the input has "
            + fields.size() + " column(s) (" + columnList(fields) + "); name the columns that feed the parameters");
      }
      int[] indices = new int[parameterCount];
      for (int i = 0; i < parameterCount; i++) {
        indices[i] = i;
      }
      return indices;
    }
    if (names.size() != parameterCount) {
      throw new ArrowKernelException("the module takes " + parameterCount + " parameter(s) but " + names.size()
          + " column(s) were named (" + String.join(", ", names) + ")");
    }
    int[] indices = new int[parameterCount];
    for (int p = 0; p < parameterCount; p++) {
      indices[p] = -1;
      for (int c = 0; c < fields.size(); c++) {
        if (fields.get(c).getName().equals(names.get(p))) {
          if (indices[p] >= 0) {
            throw new ArrowKernelException("the input has more than one column named '" + names.get(p) + "'");
          }
          indices[p] = c;
        }
      }
      if (indices[p] < 0) {
        throw new ArrowKernelException("no column '" + names.get(p) + "' in the input (columns: " + columnList(fields) + ")");
      }
    }
    return indices;
  }

  private static String columnList(List<Field> fields) {
    List<String> names = new ArrayList<>();
    for (Field f : fields) {
      names.add(f.getName());
    }
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  @Override
  public String toString() {
    return names == null ? "by position" : "columns " + String.join(",", names);
  }
}
