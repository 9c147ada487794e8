package io.tessera.compiler.text;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads literal values as XLA writes them, against a known shape: a scalar bare ({@code 1.5},
 * {@code true}, {@code -inf}), an array as nested braces with one level per dimension
 * ({@code {{1, 2}, {3, 4}}}), a tuple as parenthesized elements ({@code (1, {2, 3})}).
 *
 * <p>Values are collected before the literal is allocated, so a declared shape far larger than
 * the text fails on the element count instead of allocating the shape.
 */
final class LiteralParser {
  // A decimal number as C's strtod reads it (Java's parser alone would also take "1f" or "Infinity").
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern HEX_FLOAT =
      Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?\\d+");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final double NEGATIVE_NAN = Double.longBitsToDouble(0xfff8000000000000L);

  private final TextCursor c;
  private final Shape shape;
  private final int[] dims;
  private double[] floats = new double[16];
  private long[] ints = new long[16];
  private int count;

  private LiteralParser(TextCursor c, Shape shape) {
    this.c = c;
    this.shape = shape;
    this.dims = shape.dimensions();
  }

  /** Reads a literal that starts with its shape: {@code f32[2] {1, 2}}, or a tuple of such. */
  static Literal parseWithShape(TextCursor c) {
    return parseWithShape(c, 0);
  }

  private static Literal parseWithShape(TextCursor c, int depth) {
    if (c.peek() == '(') {
      if (depth == ShapeParser.MAX_TUPLE_DEPTH) {
        throw c.errorAt(c.position(), "tuple literals nested deeper than " + ShapeParser.MAX_TUPLE_DEPTH);
      }
      // Either "(f32[], s32[]) (1, 2)" (a tuple shape, then values) or "(f32[] 1, s32[] 2)"
      // (Literal.toString's form: each element with its shape).
      int mark = c.position();
      Shape tupleShape = null;
      try {
        tupleShape = ShapeParser.parse(c);
      } catch (HloParseException notTupleShapeForm) {
        c.reset(mark);
      }
      if (tupleShape != null && tupleShape.tupleShapes().isEmpty() && c.peek() != '(') {
        return Literal.tuple(); // "()": Literal.toString()'s empty tuple, values and all
      }
      if (tupleShape != null) {
        return parseValues(c, tupleShape);
      }
      c.expect('(');
      List<Literal> elements = new ArrayList<>();
      if (!c.tryConsume(')')) {
        do {
          elements.add(parseWithShape(c, depth + 1));
        } while (c.tryConsume(','));
        c.expect(')');
      }
      return Literal.tuple(elements);
    }
    Shape shape = ShapeParser.parse(c);
    return parseValues(c, shape);
  }

  /** Reads the values of a literal of {@code shape}, as written inside {@code constant(...)}. */
  static Literal parseValues(TextCursor c, Shape shape) {
    if (shape.isTuple()) {
      c.expect('(');
      List<Literal> elements = new ArrayList<>();
      for (int i = 0; i < shape.tupleShapes().size(); i++) {
        if (i > 0) {
          c.expect(',');
        }
        elements.add(parseValues(c, shape.tupleShape(i)));
      }
      c.expect(')');
      return Literal.tuple(elements);
    }
    c.skipTrivia();
    if (shape.isToken()) {
      throw c.errorAt(c.position(), "a token has no literal values");
    }
    if (shape.hasDynamicDimension()) {
      throw c.errorAt(c.position(), "a literal cannot have a dynamic dimension: " + shape);
    }
    LiteralParser p = new LiteralParser(c, shape);
    if (p.dims.length == 0) {
      p.element();
    } else {
      p.dimension(0);
    }
    return p.build();
  }

  private void dimension(int d) {
    c.expect('{');
    for (int i = 0; ; i++) {
      if (c.peek() == '}') {
        if (i != dims[d]) {
          throw c.errorAt(c.position(), "expected " + dims[d] + " element(s) in dimension " + d + " of "
              + shape.toStringWithoutLayout() + ", got " + i);
        }
        c.advance();
        return;
      }
      if (i == dims[d]) {
        throw c.expected("'}' after " + dims[d] + " element(s) in dimension " + d + " of "
            + shape.toStringWithoutLayout());
      }
      if (i > 0) {
        c.expect(',');
      }
      if (d + 1 == dims.length) {
        element();
      } else {
        dimension(d + 1);
      }
    }
  }

  private void element() {
    c.skipTrivia();
    int start = c.position();
    ElementType type = shape.elementType();
    String token = c.readNumberToken();
    if (token.isEmpty()) {
      throw c.expected("a " + type + " value");
    }
    if (count == floats.length && type.isFloat()) {
      floats = Arrays.copyOf(floats, count * 2);
    } else if (count == ints.length && !type.isFloat()) {
      ints = Arrays.copyOf(ints, count * 2);
    }
    if (type.isFloat()) {
      floats[count++] = parseFloat(type, token, start);
    } else if (type == ElementType.PRED) {
      ints[count++] = parsePred(token, start);
    } else {
      ints[count++] = parseInteger(type, token, start);
    }
  }

  private double parseFloat(ElementType type, String token, int start) {
    String t = token.startsWith("+") ? token.substring(1) : token;
    switch (t) {
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      case "nan":
        return Double.NaN;
      case "-nan":
        return NEGATIVE_NAN;
      default:
        break;
    }
    if (t.startsWith("nan(") || t.startsWith("-nan(")) {
      return t.startsWith("-") ? NEGATIVE_NAN : Double.NaN; // payloads are not kept
    }
    if (!DECIMAL.matcher(t).matches() && !HEX_FLOAT.matcher(t).matches()) {
      throw c.errorAt(start, "bad " + type + " value '" + token + "'");
    }
    // f32 straight from the text: rounding through double first could round twice.
    return type == ElementType.F32 ? Float.parseFloat(t) : ElementValues.roundFloat(type, Double.parseDouble(t));
  }

  private long parsePred(String token, int start) {
    return switch (token) {
      case "true", "1" -> 1;
      case "false", "0" -> 0;
      default -> throw c.errorAt(start, "bad pred value '" + token + "' (expected true or false)");
    };
  }

  private long parseInteger(ElementType type, String token, int start) {
    if (!INTEGER.matcher(token).matches()) {
      throw c.errorAt(start, "bad " + type + " value '" + token + "'");
    }
    String digits = token.startsWith("+") ? token.substring(1) : token;
    if (digits.length() <= 18) { // fits a long: the common case, without BigInteger
      long v = Long.parseLong(digits);
      if (v < minimum(type) || v > maximum(type)) {
        throw c.errorAt(start, "value " + token + " is out of range for " + type);
      }
      return v;
    }
    BigInteger v = new BigInteger(digits);
    int bits = type.bitWidth();
    BigInteger min = type.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
    BigInteger max = type.isSigned()
        ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE)
        : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      throw c.errorAt(start, "value " + token + " is out of range for " + type);
    }
    return v.longValue(); // u64 above Long.MAX_VALUE keeps its bits, as Literal stores it
  }

  private static long minimum(ElementType type) {
    return type.isSigned() ? -(1L << (type.bitWidth() - 1)) : 0;
  }

  // For 64-bit types every 18-digit value is in range; the BigInteger path checks the rest.
  private static long maximum(ElementType type) {
    int bits = type.bitWidth();
    if (bits == 64) {
      return Long.MAX_VALUE;
    }
    return type.isSigned() ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
  }

  private Literal build() {
    return shape.elementType().isFloat()
        ? Literal.ofDoubles(shape, Arrays.copyOf(floats, count))
        : Literal.ofLongs(shape, Arrays.copyOf(ints, count));
  }
}
