package io.tessera.spark;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import io.tessera.spark.KernelSignature.InputKind;
import io.tessera.spark.KernelSignature.ResultNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;

/**
 * Evaluates a module on one row of Spark values, for a {@code tessera_apply} call that the
 * batching operator did not take over (inside an aggregate, a join condition, ...): values become
 * literals, the compiled kernel runs once, the result literal becomes a Spark value. Slow per row
 * but exact; the same kernel cache serves it.
 */
final class RowEvaluator {
  private static final int ML_DENSE = 1;

  private final CompiledKernel kernel;
  private final List<InputKind> kinds;
  private final String call;
  private final List<String> columns;

  RowEvaluator(CompiledKernel kernel, List<InputKind> kinds, String call, List<String> columns) {
    this.kernel = kernel;
    this.kinds = kinds;
    this.call = call;
    this.columns = columns;
  }

  /** The result for argument values {@code values} (Spark's internal forms), or null if any is null. */
  Object evaluate(Object[] values) {
    List<TensorSpec> params = kernel.signature().parameters();
    List<Literal> arguments = new ArrayList<>(params.size());
    for (int i = 0; i < values.length; i++) {
      Literal literal = values[i] == null ? null : toLiteral(values[i], params.get(i), kinds.get(i), columns.get(i));
      if (literal == null) {
        return null;
      }
      arguments.add(literal);
    }
    return toSpark(kernel.perRow().run(arguments), kernel.signature().result());
  }

  /** The literal for a value, or null when an array holds a null element (the row's result is null). */
  private Literal toLiteral(Object value, TensorSpec p, InputKind kind, String column) {
    Literal literal = Literal.zeros(Shape.array(p.element().hlo, p.dims()));
    boolean complete = switch (kind) {
      case SCALAR -> {
        set(literal, 0, value, p.element());
        yield true;
      }
      case ARRAY -> flatten((ArrayData) value, p, 0, 0, literal, column, "");
      case ML_VECTOR -> mlVector((InternalRow) value, p, literal, column);
    };
    return complete ? literal : null;
  }

  private boolean flatten(ArrayData a, TensorSpec p, int level, int first, Literal out, String column, String path) {
    int length = p.dims()[level];
    if (a.numElements() != length) {
      throw new BadRowException(call + ": column " + column + path + " has " + a.numElements() + " elements, parameter "
          + p + " expects " + length);
    }
    int stride = 1;
    for (int d = level + 1; d < p.rank(); d++) {
      stride *= p.dims()[d];
    }
    boolean innermost = level == p.rank() - 1;
    for (int j = 0; j < length; j++) {
      if (a.isNullAt(j)) {
        return false;
      }
      if (innermost) {
        set(out, first + j, a.get(j, p.element().spark), p.element());
      } else if (!flatten(a.getArray(j), p, level + 1, first + j * stride, out, column, path + "[" + j + "]")) {
        return false;
      }
    }
    return true;
  }

  private boolean mlVector(InternalRow v, TensorSpec p, Literal out, String column) {
    int length = p.dims()[0];
    boolean dense = v.getByte(0) == ML_DENSE;
    int size = dense ? v.getArray(3).numElements() : v.getInt(1);
    if (size != length) {
      throw new BadRowException(call + ": column " + column + " is a " + (dense ? "dense" : "sparse") + " vector of size "
          + size + ", parameter " + p + " expects size " + length);
    }
    ArrayData values = v.getArray(3);
    if (dense) {
      for (int j = 0; j < length; j++) {
        out.setDouble(j, values.getDouble(j));
      }
      return true;
    }
    ArrayData indices = v.getArray(2);
    for (int k = 0; k < indices.numElements(); k++) {
      int i = indices.getInt(k);
      if (i < 0 || i >= length) {
        throw new BadRowException(call + ": column " + column + " is a sparse vector with index " + i
            + ", outside its size " + length);
      }
      out.setDouble(i, values.getDouble(k));
    }
    return true;
  }

  private static void set(Literal out, int i, Object value, TensorElement e) {
    switch (e) {
      case PRED -> out.setLong(i, (Boolean) value ? 1 : 0);
      case S8, S16, S32, S64 -> out.setLong(i, ((Number) value).longValue());
      case F32, F64 -> out.setDouble(i, ((Number) value).doubleValue());
    }
  }

  private static Object toSpark(Literal result, ResultNode node) {
    if (!node.isLeaf()) {
      Object[] fields = new Object[node.elements().size()];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = toSpark(result.tupleElement(i), node.elements().get(i));
      }
      return new GenericInternalRow(fields);
    }
    TensorSpec leaf = node.leaf();
    return leaf.rank() == 0 ? element(result, 0, leaf.element()) : nest(result, leaf, 0, 0);
  }

  private static ArrayData nest(Literal result, TensorSpec leaf, int level, int first) {
    int length = leaf.dims()[level];
    int stride = 1;
    for (int d = level + 1; d < leaf.rank(); d++) {
      stride *= leaf.dims()[d];
    }
    Object[] values = new Object[length];
    for (int j = 0; j < length; j++) {
      values[j] = level == leaf.rank() - 1 ? element(result, first + j, leaf.element())
          : nest(result, leaf, level + 1, first + j * stride);
    }
    return new GenericArrayData(values);
  }

  private static Object element(Literal l, int i, TensorElement e) {
    return switch (e) {
      case PRED -> l.getLong(i) != 0;
      case S8 -> (byte) l.getLong(i);
      case S16 -> (short) l.getLong(i);
      case S32 -> (int) l.getLong(i);
      case S64 -> l.getLong(i);
      case F32 -> (float) l.getDouble(i);
      case F64 -> l.getDouble(i);
    };
  }
}
