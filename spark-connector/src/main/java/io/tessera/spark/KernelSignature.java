package io.tessera.spark;

import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A per-row module's entry as Spark sees it: one {@link TensorSpec} per parameter, the result as a
 * tree of tensors (a tuple result is a struct with fields {@code _1, _2, ...}, nested tuples
 * nested structs), and the rules that match argument columns to parameters:
 *
 * <table>
 *   <tr><th>parameter</th><th>column</th></tr>
 *   <tr><td>{@code f32[]}, {@code f64[]}, {@code s32[]}, {@code s64[]}, {@code pred[]}, {@code s8[]},
 *       {@code s16[]}</td><td>float, double, int, bigint, boolean, tinyint, smallint</td></tr>
 *   <tr><td>{@code f32[d]}, {@code f32[d1,d2]}, ...</td><td>{@code array<float>},
 *       {@code array<array<float>>}, ... (lengths are checked per row)</td></tr>
 *   <tr><td>{@code f64[d]}</td><td>also a Spark ML vector (dense or sparse, size d)</td></tr>
 * </table>
 *
 * <p>No implicit casts: a column of another type is an analysis error that names the column and
 * the parameter and shows the cast that would fit.
 */
final class KernelSignature implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How a column's values reach a parameter's buffer. */
  enum InputKind {
    /** A scalar column into a rank-0 parameter. */
    SCALAR,
    /** Nested arrays into a tensor parameter, row-major. */
    ARRAY,
    /** A Spark ML vector ({@code struct<type, size, indices, values>} underneath) into {@code f64[d]}. */
    ML_VECTOR
  }

  /** The result of one row: a tensor (a leaf) or a tuple of results. */
  record ResultNode(TensorSpec leaf, List<ResultNode> elements) implements Serializable {
    boolean isLeaf() {
      return leaf != null;
    }
  }

  private final List<TensorSpec> parameters;
  private final ResultNode result;
  private final List<TensorSpec> resultLeaves;

  private KernelSignature(List<TensorSpec> parameters, ResultNode result, List<TensorSpec> resultLeaves) {
    this.parameters = List.copyOf(parameters);
    this.result = result;
    this.resultLeaves = List.copyOf(resultLeaves);
  }

  /**
   * The signature of {@code module}'s entry computation.
   *
   * @throws TesseraModule.InvalidModuleException naming the parameter or result that Spark cannot
   *     carry (a tuple parameter, a dynamic dimension, an unsigned element type, ...)
   */
  static KernelSignature of(TesseraModule module) {
    Computation entry = module.module().entry();
    List<TensorSpec> params = new ArrayList<>();
    for (Instruction p : entry.parameters()) {
      params.add(TensorSpec.of(p.name(), p.shape(), "parameter " + params.size() + " (%" + p.name() + ")"));
    }
    List<TensorSpec> leaves = new ArrayList<>();
    ResultNode result = resultNode(entry.resultShape(), "result", leaves);
    return new KernelSignature(params, result, leaves);
  }

  private static ResultNode resultNode(Shape shape, String path, List<TensorSpec> leaves) {
    if (shape.isTuple()) {
      List<ResultNode> elements = new ArrayList<>();
      for (int i = 0; i < shape.tupleShapes().size(); i++) {
        elements.add(resultNode(shape.tupleShape(i), path + "." + i, leaves));
      }
      return new ResultNode(null, elements);
    }
    TensorSpec leaf = TensorSpec.of(path, shape, "the " + path);
    leaves.add(leaf);
    return new ResultNode(leaf, null);
  }

  List<TensorSpec> parameters() {
    return parameters;
  }

  ResultNode result() {
    return result;
  }

  /** The result's tensors in order: the result itself, or the leaves of a tuple depth-first. */
  List<TensorSpec> resultLeaves() {
    return resultLeaves;
  }

  /** The Spark type of the result column. */
  DataType resultType() {
    return sparkType(result);
  }

  /** The Spark type of a result (sub)tree. */
  static DataType sparkType(ResultNode node) {
    if (node.isLeaf()) {
      return node.leaf().sparkType();
    }
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i < node.elements().size(); i++) {
      fields.add(DataTypes.createStructField("_" + (i + 1), sparkType(node.elements().get(i)), false));
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * How each argument column feeds its parameter.
   *
   * @param types the argument columns' types, in parameter order
   * @param names the columns as the user wrote them, for messages
   * @throws ArgumentMismatchException naming the column and the parameter at fault
   */
  List<InputKind> bind(List<DataType> types, List<String> names) {
    if (types.size() != parameters.size()) {
      throw new ArgumentMismatchException("the module takes " + parameters.size() + " parameter(s) "
          + describeParameters() + " but " + types.size() + " column(s) were given");
    }
    List<InputKind> kinds = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      TensorSpec p = parameters.get(i);
      DataType t = types.get(i);
      InputKind kind = inputKind(p, t);
      if (kind == null) {
        String expected = p.sparkType().simpleString()
            + (isMlVectorParameter(p) ? " or a Spark ML vector of size " + p.dims()[0] : "");
        throw new ArgumentMismatchException("column " + names.get(i) + " (" + t.simpleString() + ") does not fit parameter "
            + i + " (" + p + "): expected " + expected + castHint(p, t, names.get(i)));
      }
      kinds.add(kind);
    }
    return kinds;
  }

  private String describeParameters() {
    List<String> s = new ArrayList<>();
    for (TensorSpec p : parameters) {
      s.add(p.toString());
    }
    return "(" + String.join(", ", s) + ")";
  }

  /** How a column of type {@code t} feeds {@code p}, or {@code null} when it cannot. */
  static InputKind inputKind(TensorSpec p, DataType t) {
    if (p.rank() == 0) {
      return t.equals(p.element().spark) ? InputKind.SCALAR : null;
    }
    if (isMlVectorParameter(p) && isMlVector(t)) {
      return InputKind.ML_VECTOR;
    }
    DataType e = t;
    for (int i = 0; i < p.rank(); i++) {
      if (!(e instanceof ArrayType a)) {
        return null;
      }
      e = a.elementType();
    }
    return e.equals(p.element().spark) ? InputKind.ARRAY : null;
  }

  private static boolean isMlVectorParameter(TensorSpec p) {
    return p.rank() == 1 && p.element() == TensorElement.F64;
  }

  /**
   * Whether {@code t} is Spark ML's (or MLlib's) vector type, recognized by its storage struct so
   * that the connector needs no dependency on spark-mllib.
   */
  static boolean isMlVector(DataType t) {
    return t instanceof UserDefinedType<?> udt && udt.sqlType() instanceof StructType s && s.fields().length == 4
        && s.fields()[0].dataType().equals(DataTypes.ByteType)
        && s.fields()[1].dataType().equals(DataTypes.IntegerType)
        && s.fields()[2].dataType().equals(new ArrayType(DataTypes.IntegerType, false))
        && s.fields()[3].dataType().equals(new ArrayType(DataTypes.DoubleType, false));
  }

  private static String castHint(TensorSpec p, DataType t, String column) {
    if (p.rank() == 0 && !(t instanceof ArrayType) && !(t instanceof StructType)) {
      return "; cast it: CAST(" + column + " AS " + p.sparkType().sql() + ")";
    }
    if (p.rank() > 0 && t instanceof ArrayType) {
      return "; cast it: CAST(" + column + " AS " + p.sparkType().sql() + ")";
    }
    return "";
  }

  /** Argument columns that do not fit the module's parameters. */
  static final class ArgumentMismatchException extends IllegalArgumentException {
    ArgumentMismatchException(String message) {
      super(message);
    }
  }
}
