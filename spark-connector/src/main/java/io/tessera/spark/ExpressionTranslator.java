package io.tessera.spark;

import io.tessera.compiler.hlo.Builder;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.Abs;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.BinaryArithmetic;
import org.apache.spark.sql.catalyst.expressions.BinaryComparison;
import org.apache.spark.sql.catalyst.expressions.BinaryMathExpression;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Coalesce;
import org.apache.spark.sql.catalyst.expressions.Divide;
import org.apache.spark.sql.catalyst.expressions.EqualNullSafe;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Greatest;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.Least;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.Sqrt;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.UnaryMathExpression;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;

/**
 * Translates Catalyst expressions into one per-row HLO module with exactly Spark's results
 * ({@code spark.tessera.compileExpressions}). Every value is carried with its null flag and an
 * error code, because Spark's semantics need them: three-valued logic, functions that give null
 * (division by zero outside ANSI mode), errors under ANSI mode that only count when Spark would
 * have evaluated the expression (a {@code CASE} branch not taken raises nothing).
 *
 * <p>The module takes, per column read, the value (a default where the column is null) and, for a
 * nullable column, a {@code pred} validity flag; it returns, per expression, the value and its
 * validity, then one {@code s32} error code for the row (0: none). {@link CompiledOutput} turns
 * these back into a Spark value, or raises the error.
 *
 * <p>Supported, over int, bigint, float, double and boolean: {@code + - *} (overflow wraps, raises
 * under ANSI, is null for {@code try_}), {@code /} on fractional types, unary minus, {@code abs},
 * {@code sqrt}, comparisons with Spark's float ordering (NaN equals NaN and is above every other
 * value; 0.0 equals -0.0), {@code <=>}, {@code AND OR NOT} with three-valued logic,
 * {@code IS [NOT] NULL}, {@code IF}, {@code CASE WHEN}, {@code COALESCE}, {@code GREATEST},
 * {@code LEAST}, and casts between the numeric types. Anything else is left to Spark, with the
 * reason ({@link Result#reasons}).
 */
final class ExpressionTranslator {

  /**
   * One row of what the translator handles: the Spark expressions, a SQL sample over columns
   * {@code i int, l bigint, f float, d double, b boolean} that translates whole (a test checks
   * each), and what to know. The README's table is generated from {@link #SUPPORTED}.
   */
  record Supported(String expressions, String sample, String notes) {}

  /** Everything {@link #translate} handles; anything else stays with Spark, and EXPLAIN FORMATTED says why. */
  static final List<Supported> SUPPORTED = List.of(
      new Supported("`+`, `-`, `*`", "i + l * 2", "int, bigint, float, double; integer overflow wraps, or raises"
          + " under ANSI mode as Spark does"),
      new Supported("`/`", "d / f", "float and double; division by zero gives null, or raises under ANSI mode"),
      new Supported("unary `-`, `abs`", "abs(-i)", "integer overflow of the minimum value raises under ANSI mode"),
      new Supported("`sqrt`", "sqrt(d)", "of a negative number: NaN, as Spark"),
      new Supported("`=`, `<`, `<=`, `>`, `>=`", "d < f", "Spark's ordering of floats: NaN equals NaN and is above"
          + " every other value; 0.0 equals -0.0"),
      new Supported("`<=>`", "l <=> 5", "null-safe equality"),
      new Supported("`AND`, `OR`, `NOT`", "b AND NOT (i > 0)", "three-valued logic"),
      new Supported("`IS NULL`, `IS NOT NULL`", "d IS NULL OR b IS NOT NULL", ""),
      new Supported("`IF`, `CASE WHEN`", "CASE WHEN i > 0 THEN d WHEN i < 0 THEN -d ELSE 0 END",
          "a branch Spark would not evaluate raises no error"),
      new Supported("`COALESCE`", "COALESCE(d, f, 0)", ""),
      new Supported("`GREATEST`, `LEAST`", "GREATEST(d, f, i)", "nulls skipped, as Spark"),
      new Supported("`CAST` between numeric types", "CAST(d AS INT)", "int, bigint, float, double; out of range"
          + " raises under ANSI mode, and otherwise gives Java's conversion, as Spark"),
      new Supported("`try_add`, `try_subtract`, `try_multiply`, `try_divide`", "try_multiply(l, l)",
          "null where the plain operator would raise"));

  /**
   * An error a row can raise, as Spark words it: {@code what} ("integer overflow", "divide by
   * zero", "cast"), the {@code try_} function that would tolerate it, and for casts the types.
   */
  record ErrorKind(String what, String hint, DataType from, DataType to) implements java.io.Serializable {
    static ErrorKind overflow(DataType type, String hint) {
      return new ErrorKind(type.equals(DataTypes.IntegerType) ? "integer overflow" : "long overflow", hint, null, null);
    }
  }

  /**
   * The translation of some expressions of one operator.
   *
   * @param module the module, or null when none of the expressions could be translated
   * @param arguments the Spark expressions feeding the module's parameters, in order
   * @param translated the expressions the module computes, in output order
   * @param errors the errors the module's error code names: code {@code k+1} is {@code errors.get(k)}
   * @param reasons why each other expression stays with Spark
   */
  record Result(Module module, List<Expression> arguments, List<Expression> translated, List<ErrorKind> errors,
                Map<Expression, String> reasons) {}

  /** A value in the module: its data, whether it is non-null (null: always), its error code (null: never). */
  private record Value(Instruction v, Instruction ok, Instruction err, DataType type) {}

  /** An expression the translator does not handle; the message says what and why. */
  private static final class Untranslatable extends RuntimeException {
    Untranslatable(String message) {
      super(message, null, false, false);
    }
  }

  private final Builder b = new Builder("compiled_expressions");
  private final Map<Attribute, Value> inputs = new LinkedHashMap<>();
  private final List<Expression> arguments = new ArrayList<>();
  private final List<ErrorKind> errors = new ArrayList<>();

  private ExpressionTranslator() {}

  /** Translates what it can of {@code exprs} into one module. */
  static Result translate(List<Expression> exprs) {
    ExpressionTranslator t = new ExpressionTranslator();
    List<Expression> translated = new ArrayList<>();
    List<Value> values = new ArrayList<>();
    Map<Expression, String> reasons = new LinkedHashMap<>();
    for (Expression e : exprs) {
      try {
        values.add(t.value(e));
        translated.add(e);
      } catch (Untranslatable u) {
        reasons.put(e, u.getMessage());
      }
    }
    if (translated.isEmpty()) {
      return new Result(null, List.of(), List.of(), List.of(), reasons);
    }
    List<Instruction> outputs = new ArrayList<>();
    Instruction err = null;
    for (Value v : values) {
      outputs.add(v.v());
      outputs.add(t.okOf(v));
      err = t.firstError(err, v.err());
    }
    outputs.add(err != null ? err : t.b.scalar(ElementType.S32, 0));
    Module module = t.b.build(t.b.tuple(outputs.toArray(new Instruction[0])));
    return new Result(module, List.copyOf(t.arguments), translated, List.copyOf(t.errors), reasons);
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  private Value value(Expression e) {
    if (e instanceof Attribute a) {
      return input(a);
    }
    if (e instanceof org.apache.spark.sql.catalyst.expressions.Literal lit) {
      return literal(lit);
    }
    if (e instanceof BinaryArithmetic arith && (e instanceof Add || e instanceof Subtract || e instanceof Multiply)) {
      return arithmetic(arith);
    }
    if (e instanceof Divide d) {
      return divide(d);
    }
    if (e instanceof UnaryMinus m) {
      Value x = value(m.child());
      Instruction r = b.negate(x.v());
      return checked(new Value(r, x.ok(), x.err(), x.type()), m.failOnError() && isIntegral(x.type())
          ? b.compare(x.v(), minValue(x.type()), ComparisonDirection.EQ) : null, ErrorKind.overflow(x.type(), ""));
    }
    if (e instanceof Abs abs) {
      Value x = value(abs.child());
      Instruction r = b.abs(x.v());
      return checked(new Value(r, x.ok(), x.err(), x.type()), abs.failOnError() && isIntegral(x.type())
          ? b.compare(x.v(), minValue(x.type()), ComparisonDirection.EQ) : null, ErrorKind.overflow(x.type(), ""));
    }
    if (e instanceof Sqrt sqrt) {
      Value x = value(sqrt.child());
      return new Value(b.sqrt(x.v()), x.ok(), x.err(), DataTypes.DoubleType);
    }
    if (e instanceof EqualNullSafe eq) {
      Value l = value(eq.left());
      Value r = value(eq.right());
      Instruction bothNull = b.and(b.not(okOf(l)), b.not(okOf(r)));
      Instruction equal = b.and(b.and(okOf(l), okOf(r)), equal(l, r));
      return new Value(b.or(equal, bothNull), null, firstError(l.err(), r.err()), DataTypes.BooleanType);
    }
    if (e instanceof BinaryComparison cmp) {
      return comparison(cmp);
    }
    if (e instanceof And and) {
      return logical(and.left(), and.right(), false);
    }
    if (e instanceof Or or) {
      return logical(or.left(), or.right(), true);
    }
    if (e instanceof Not not) {
      Value x = value(not.child());
      return new Value(b.not(x.v()), x.ok(), x.err(), DataTypes.BooleanType);
    }
    if (e instanceof IsNull isNull) {
      Value x = value(isNull.child());
      return new Value(b.not(okOf(x)), null, x.err(), DataTypes.BooleanType);
    }
    if (e instanceof IsNotNull isNotNull) {
      Value x = value(isNotNull.child());
      return new Value(okOf(x), null, x.err(), DataTypes.BooleanType);
    }
    if (e instanceof If iff) {
      return choose(value(iff.predicate()), () -> value(iff.trueValue()), () -> value(iff.falseValue()), e.dataType());
    }
    if (e instanceof CaseWhen cw) {
      return caseWhen(Scala.list(cw.branches()), 0, cw.elseValue().isDefined() ? cw.elseValue().get() : null,
          e.dataType());
    }
    if (e instanceof Coalesce c) {
      return coalesce(Scala.list(c.children()), 0);
    }
    if (e instanceof Greatest g) {
      return extreme(Scala.list(g.children()), true);
    }
    if (e instanceof Least l) {
      return extreme(Scala.list(l.children()), false);
    }
    if (e instanceof Cast cast) {
      return cast(cast);
    }
    if (e instanceof UnaryMathExpression || e instanceof BinaryMathExpression) {
      throw new Untranslatable(e.prettyName() + " is computed by Java's StrictMath, which kernels do not reproduce bit "
          + "for bit");
    }
    throw new Untranslatable(e.prettyName() + " is not supported");
  }

  private Value input(Attribute a) {
    Value known = inputs.get(a);
    if (known != null) {
      return known;
    }
    ElementType t = elementType(a.dataType(), a);
    int n = inputs.size();
    Instruction v = b.parameter("c" + n, Shape.scalar(t));
    // A null becomes a default value (the module never reads it) plus a false validity flag.
    Expression valueArgument = a;
    Instruction ok = null;
    if (a.nullable()) {
      valueArgument = new Coalesce(Scala.seq(List.of(a, new org.apache.spark.sql.catalyst.expressions.Literal(
          defaultValue(a.dataType()), a.dataType()))));
    }
    arguments.add(valueArgument);
    if (a.nullable()) {
      ok = b.parameter("c" + n + "_ok", Shape.scalar(ElementType.PRED));
      arguments.add(new IsNotNull(a));
    }
    Value value = new Value(v, ok, null, a.dataType());
    inputs.put(a, value);
    return value;
  }

  private Value literal(org.apache.spark.sql.catalyst.expressions.Literal lit) {
    DataType type = lit.dataType();
    ElementType t = elementType(type, lit);
    Object x = lit.value();
    if (x == null) {
      return new Value(b.scalar(t, 0), b.constant(Literal.pred(false)), null, type);
    }
    Instruction v = switch (t) {
      case PRED -> b.constant(Literal.pred((Boolean) x));
      case S32, S64 -> b.constant(Literal.scalar(t, ((Number) x).longValue()));
      default -> b.constant(Literal.scalar(t, ((Number) x).doubleValue()));
    };
    return new Value(v, null, null, type);
  }

  private Value arithmetic(BinaryArithmetic e) {
    Value l = value(e.left());
    Value r = value(e.right());
    DataType type = e.dataType();
    Instruction v;
    if (e instanceof Add) {
      v = b.add(l.v(), r.v());
    } else if (e instanceof Subtract) {
      v = b.subtract(l.v(), r.v());
    } else {
      v = b.multiply(l.v(), r.v());
    }
    Value result = new Value(v, both(l, r), firstError(l.err(), r.err()), type);
    String mode = e.evalMode().toString();
    if (!isIntegral(type) || mode.equals("LEGACY")) {
      return result; // IEEE arithmetic, or two's complement wrapping as Java's
    }
    Instruction overflow = overflow(e, l.v(), r.v(), v, type);
    if (mode.equals("TRY")) {
      return new Value(v, andOk(result.ok(), b.not(overflow)), result.err(), type);
    }
    String hint = e instanceof Add ? "try_add" : e instanceof Subtract ? "try_subtract" : "try_multiply";
    return checked(result, overflow, ErrorKind.overflow(type, hint));
  }

  /** Whether two's complement {@code v = l op r} overflowed, for add, subtract and multiply. */
  private Instruction overflow(BinaryArithmetic e, Instruction l, Instruction r, Instruction v, DataType type) {
    Instruction zero = b.scalar(elementType(type, e), 0);
    if (e instanceof Add) {
      // Both operands' signs differ from the result's.
      return b.compare(b.and(b.xor(l, v), b.xor(r, v)), zero, ComparisonDirection.LT);
    }
    if (e instanceof Subtract) {
      return b.compare(b.and(b.xor(l, r), b.xor(l, v)), zero, ComparisonDirection.LT);
    }
    if (type.equals(DataTypes.IntegerType)) {
      Instruction wide = b.multiply(b.convert(l, ElementType.S64), b.convert(r, ElementType.S64));
      return b.compare(wide, b.convert(v, ElementType.S64), ComparisonDirection.NE);
    }
    // 64 bits: the product overflowed when dividing it back does not give the other operand, or
    // for MIN * -1 (whose quotient overflows too). The divisor is never 0 where it counts.
    Instruction one = b.scalar(ElementType.S64, 1);
    Instruction lIsZero = b.compare(l, zero, ComparisonDirection.EQ);
    Instruction quotient = b.divide(v, b.select(lIsZero, one, l));
    Instruction wrongQuotient = b.and(b.not(lIsZero), b.compare(quotient, r, ComparisonDirection.NE));
    Instruction minTimesMinusOne = b.and(b.compare(l, b.scalar(ElementType.S64, -1), ComparisonDirection.EQ),
        b.compare(r, minValue(type), ComparisonDirection.EQ));
    return b.or(wrongQuotient, minTimesMinusOne);
  }

  private Value divide(Divide e) {
    Value l = value(e.left());
    Value r = value(e.right());
    if (!isFractional(e.dataType())) {
      throw new Untranslatable("/ on " + e.dataType().simpleString() + " is not supported");
    }
    Instruction byZero = b.compare(r.v(), b.scalar(elementType(e.dataType(), e), 0), ComparisonDirection.EQ);
    Value result = new Value(b.divide(l.v(), r.v()), andOk(both(l, r), b.not(byZero)), firstError(l.err(), r.err()),
        e.dataType());
    if (!e.evalMode().toString().equals("ANSI")) {
      return result; // Spark gives null for a zero divisor
    }
    Instruction raises = b.and(okOf(l), b.and(okOf(r), byZero));
    return new Value(result.v(), result.ok(), firstError(result.err(), errorIf(raises, new ErrorKind("divide by zero",
        "try_divide", null, null))), e.dataType());
  }

  private Value comparison(BinaryComparison e) {
    Value l = value(e.left());
    Value r = value(e.right());
    Instruction v;
    if (e instanceof EqualTo) {
      v = equal(l, r);
    } else if (e instanceof LessThan) {
      v = less(l.v(), r.v(), l.type());
    } else if (e instanceof GreaterThan) {
      v = less(r.v(), l.v(), l.type());
    } else if (e instanceof LessThanOrEqual) {
      v = b.or(less(l.v(), r.v(), l.type()), equal(l, r));
    } else if (e instanceof GreaterThanOrEqual) {
      v = b.or(less(r.v(), l.v(), l.type()), equal(l, r));
    } else {
      throw new Untranslatable(e.prettyName() + " is not supported");
    }
    return new Value(v, both(l, r), firstError(l.err(), r.err()), DataTypes.BooleanType);
  }

  /** Spark's equality: IEEE equality (so 0.0 = -0.0), and NaN equals NaN. */
  private Instruction equal(Value l, Value r) {
    requireComparable(l, r);
    Instruction eq = b.compare(l.v(), r.v(), ComparisonDirection.EQ);
    return isFractional(l.type()) ? b.or(eq, b.and(isNaN(l.v()), isNaN(r.v()))) : eq;
  }

  /** Spark's ordering: IEEE less-than, and NaN above every other value. */
  private Instruction less(Instruction l, Instruction r, DataType type) {
    Instruction lt = b.compare(l, r, ComparisonDirection.LT);
    return isFractional(type) ? b.or(lt, b.and(b.not(isNaN(l)), isNaN(r))) : lt;
  }

  private void requireComparable(Value l, Value r) {
    if (!l.type().equals(r.type())) {
      throw new Untranslatable("comparing " + l.type().simpleString() + " with " + r.type().simpleString());
    }
  }

  private Instruction isNaN(Instruction x) {
    return b.compare(x, x, ComparisonDirection.NE);
  }

  /**
   * {@code AND} ({@code or=false}) or {@code OR}, three-valued: a false (true) side decides alone;
   * Spark skips the right side then, so its errors do not count.
   */
  private Value logical(Expression left, Expression right, boolean or) {
    Value l = value(left);
    Value r = value(right);
    Instruction lDecides = b.and(okOf(l), or ? l.v() : b.not(l.v()));
    Instruction rDecides = b.and(okOf(r), or ? r.v() : b.not(r.v()));
    Instruction decided = b.or(lDecides, rDecides);
    Instruction v = or ? decided : b.not(decided);
    Instruction ok = b.or(decided, b.and(okOf(l), okOf(r)));
    return new Value(v, ok, firstError(l.err(), maskError(r.err(), b.not(lDecides))), DataTypes.BooleanType);
  }

  /** {@code IF}: only the branch taken counts for errors, as Spark evaluates only that one. */
  private Value choose(Value condition, java.util.function.Supplier<Value> onTrue,
                       java.util.function.Supplier<Value> onFalse, DataType type) {
    Value t = onTrue.get();
    Value f = onFalse.get();
    Instruction take = b.and(okOf(condition), condition.v());
    Instruction ok = t.ok() == null && f.ok() == null ? null : b.select(take, okOf(t), okOf(f));
    Instruction err = firstError(condition.err(), firstError(maskError(t.err(), take), maskError(f.err(), b.not(take))));
    return new Value(b.select(take, t.v(), f.v()), ok, err, type);
  }

  private Value caseWhen(List<Tuple2<Expression, Expression>> branches, int i, Expression elseValue, DataType type) {
    if (i == branches.size()) {
      return elseValue != null ? value(elseValue)
          : value(new org.apache.spark.sql.catalyst.expressions.Literal(null, type));
    }
    Tuple2<Expression, Expression> branch = branches.get(i);
    return choose(value(branch._1()), () -> value(branch._2()), () -> caseWhen(branches, i + 1, elseValue, type), type);
  }

  /** The first non-null argument; Spark stops evaluating there, so later errors do not count. */
  private Value coalesce(List<Expression> children, int i) {
    Value head = value(children.get(i));
    if (i == children.size() - 1 || head.ok() == null) {
      return head;
    }
    Value rest = coalesce(children, i + 1);
    return new Value(b.select(head.ok(), head.v(), rest.v()), rest.ok() == null ? null : b.or(head.ok(), rest.ok()),
        firstError(head.err(), maskError(rest.err(), b.not(head.ok()))), head.type());
  }

  /** {@code GREATEST}/{@code LEAST}: nulls skipped, null if all are; Spark's ordering (NaN greatest). */
  private Value extreme(List<Expression> children, boolean greatest) {
    Value best = value(children.get(0));
    for (int i = 1; i < children.size(); i++) {
      Value x = value(children.get(i));
      requireComparable(best, x);
      Instruction better = greatest ? less(best.v(), x.v(), x.type()) : less(x.v(), best.v(), x.type());
      // Take x when it is valid and either best is null or x is strictly better.
      Instruction takeX = b.and(okOf(x), b.or(b.not(okOf(best)), better));
      Instruction ok = best.ok() == null || x.ok() == null ? null : b.or(best.ok(), x.ok());
      best = new Value(b.select(takeX, x.v(), best.v()), ok, firstError(best.err(), x.err()), best.type());
    }
    return best;
  }

  private Value cast(Cast cast) {
    Value x = value(cast.child());
    DataType from = x.type();
    DataType to = cast.dataType();
    if (from.equals(to)) {
      return x;
    }
    ElementType target = elementType(to, cast);
    ElementType source = elementType(from, cast);
    if (from.equals(DataTypes.BooleanType) || to.equals(DataTypes.BooleanType)) {
      throw new Untranslatable("casts to or from boolean are not supported");
    }
    Instruction v = b.convert(x.v(), target);
    Instruction outOfRange = null;
    if (isFractional(from) && isIntegral(to)) {
      v = javaFloatToIntegral(x.v(), source, to, target);
      // ANSI: Spark accepts x when floor(x) <= MAX and ceil(x) >= MIN, compared as doubles.
      Instruction xd = b.convert(x.v(), ElementType.F64);
      double min = to.equals(DataTypes.IntegerType) ? Integer.MIN_VALUE : Long.MIN_VALUE;
      double max = to.equals(DataTypes.IntegerType) ? Integer.MAX_VALUE : Long.MAX_VALUE;
      outOfRange = b.not(b.and(b.compare(b.floor(xd), b.scalar(ElementType.F64, max), ComparisonDirection.LE),
          b.compare(b.ceil(xd), b.scalar(ElementType.F64, min), ComparisonDirection.GE)));
    } else if (from.equals(DataTypes.LongType) && to.equals(DataTypes.IntegerType)) {
      // Wraps, as Java's (int) does; out of range when it does not convert back.
      outOfRange = b.compare(b.convert(v, ElementType.S64), x.v(), ComparisonDirection.NE);
    }
    Value result = new Value(v, x.ok(), x.err(), to);
    if (outOfRange == null) {
      return result;
    }
    String mode = cast.evalMode().toString();
    if (mode.equals("LEGACY")) {
      return result;
    }
    if (mode.equals("TRY")) {
      return new Value(v, andOk(x.ok(), b.not(outOfRange)), x.err(), to);
    }
    Instruction raises = b.and(okOf(x), outOfRange);
    return new Value(v, x.ok(), firstError(x.err(), errorIf(raises, new ErrorKind("cast", "try_cast", from, to))), to);
  }

  /**
   * Java's {@code (int)}/{@code (long)} of a float or double: NaN gives 0, values beyond the range
   * give MIN or MAX, the rest truncate toward zero. XLA leaves out-of-range conversions undefined,
   * so those values are clamped or replaced before converting.
   */
  private Instruction javaFloatToIntegral(Instruction x, ElementType from, DataType to, ElementType target) {
    double min = to.equals(DataTypes.IntegerType) ? Integer.MIN_VALUE : Long.MIN_VALUE;
    double max = to.equals(DataTypes.IntegerType) ? Integer.MAX_VALUE : Long.MAX_VALUE;
    // MIN is a power of two, exact in both float types; MAX is exact only as a double int bound.
    Instruction minF = b.scalar(from, min);
    Instruction maxF = b.constant(Literal.scalar(from, max)); // rounded up to 2^31 or 2^63 where inexact
    Instruction clamped = b.clamp(minF, x, maxF);
    Instruction converted = b.convert(clamped, target);
    boolean maxExact = to.equals(DataTypes.IntegerType) && from == ElementType.F64;
    Instruction saturated = maxExact ? converted
        : b.select(b.compare(clamped, maxF, ComparisonDirection.GE), maxValue(to), converted);
    return b.select(isNaN(x), b.scalar(target, 0), saturated);
  }

  // ---------------------------------------------------------------------------------------------
  // Null flags and errors

  private Instruction okOf(Value x) {
    return x.ok() != null ? x.ok() : b.constant(Literal.pred(true));
  }

  private Instruction both(Value l, Value r) {
    return andOk(l.ok(), r.ok());
  }

  private Instruction andOk(Instruction a, Instruction c) {
    if (a == null) {
      return c;
    }
    return c == null ? a : b.and(a, c);
  }

  /** {@code x} with an ANSI error raised where its inputs are valid and {@code condition} holds. */
  private Value checked(Value x, Instruction condition, ErrorKind kind) {
    if (condition == null) {
      return x;
    }
    Instruction raises = x.ok() == null ? condition : b.and(x.ok(), condition);
    return new Value(x.v(), x.ok(), firstError(x.err(), errorIf(raises, kind)), x.type());
  }

  private Instruction errorIf(Instruction condition, ErrorKind kind) {
    errors.add(kind);
    return b.select(condition, b.scalar(ElementType.S32, errors.size()), b.scalar(ElementType.S32, 0));
  }

  /** The error Spark would meet first: {@code first}'s when it has one, else {@code then}'s. */
  private Instruction firstError(Instruction first, Instruction then) {
    if (first == null) {
      return then;
    }
    if (then == null) {
      return first;
    }
    return b.select(b.compare(first, b.scalar(ElementType.S32, 0), ComparisonDirection.NE), first, then);
  }

  /** {@code err} where {@code evaluated} holds, none elsewhere. */
  private Instruction maskError(Instruction err, Instruction evaluated) {
    return err == null ? null : b.select(evaluated, err, b.scalar(ElementType.S32, 0));
  }

  // ---------------------------------------------------------------------------------------------
  // Types

  private static ElementType elementType(DataType t, Expression where) {
    if (t.equals(DataTypes.IntegerType)) {
      return ElementType.S32;
    }
    if (t.equals(DataTypes.LongType)) {
      return ElementType.S64;
    }
    if (t.equals(DataTypes.FloatType)) {
      return ElementType.F32;
    }
    if (t.equals(DataTypes.DoubleType)) {
      return ElementType.F64;
    }
    if (t.equals(DataTypes.BooleanType)) {
      return ElementType.PRED;
    }
    throw new Untranslatable(where.prettyName() + " has type " + t.simpleString()
        + " (supported: int, bigint, float, double, boolean)");
  }

  private static Object defaultValue(DataType t) {
    if (t.equals(DataTypes.IntegerType)) {
      return 0;
    }
    if (t.equals(DataTypes.LongType)) {
      return 0L;
    }
    if (t.equals(DataTypes.FloatType)) {
      return 0f;
    }
    if (t.equals(DataTypes.DoubleType)) {
      return 0d;
    }
    return false;
  }

  private static boolean isIntegral(DataType t) {
    return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType);
  }

  private static boolean isFractional(DataType t) {
    return t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType);
  }

  private Instruction minValue(DataType t) {
    return t.equals(DataTypes.IntegerType) ? b.constant(Literal.scalar(ElementType.S32, Integer.MIN_VALUE))
        : b.constant(Literal.scalar(ElementType.S64, Long.MIN_VALUE));
  }

  private Instruction maxValue(DataType t) {
    return t.equals(DataTypes.IntegerType) ? b.constant(Literal.scalar(ElementType.S32, Integer.MAX_VALUE))
        : b.constant(Literal.scalar(ElementType.S64, Long.MAX_VALUE));
  }
}
