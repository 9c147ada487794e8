package io.tessera.compiler.text;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ComparisonType;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ConvDimensionNumbers;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.SliceSpec;
import io.tessera.compiler.hlo.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the value of one {@code name=value} attribute by its {@link Attr.Kind}. Values of
 * attributes Tessera does not interpret are kept as their exact source text ({@link #scanRaw}).
 */
final class AttributeParser {

  /** Resolves a computation named in an attribute; {@code offset} is where the name was written. */
  interface ComputationLookup {
    Computation resolve(String name, int offset);
  }

  private final TextCursor c;
  private final ComputationLookup computations;

  AttributeParser(TextCursor c, ComputationLookup computations) {
    this.c = c;
    this.computations = computations;
  }

  /** Reads the value of {@code attr} (the cursor is just after the {@code =}). */
  Object value(Attr<?> attr) {
    c.skipTrivia();
    return switch (attr.kind()) {
      case INT -> c.readLong("an integer for " + attr.name());
      case FLOAT -> floatValue(attr);
      case BOOL -> bool(attr);
      case STRING -> string(c);
      case IDENTIFIER -> c.readName("an identifier for " + attr.name());
      case INT_LIST -> intList(attr.name());
      case SLICE -> slice();
      case PADDING -> padding();
      case WINDOW -> window();
      case CONV_DIM_LABELS -> dimLabels();
      case DIRECTION -> enumValue(ComparisonDirection.class, attr);
      case COMPARISON_TYPE -> enumValue(ComparisonType.class, attr);
      case COMPUTATION -> computation(attr);
      case COMPUTATION_LIST -> computationList(attr);
      case RAW -> scanRaw(c);
      case PARAMETER_NUMBER, LITERAL -> throw c.errorAt(c.position(),
          attr.name() + " is written inside the parentheses, not as an attribute");
    };
  }

  private Double floatValue(Attr<?> attr) {
    int start = c.position();
    String token = c.readNumberToken();
    try {
      return Double.valueOf(token);
    } catch (NumberFormatException e) {
      throw c.errorAt(start, "expected a number for " + attr.name() + ", got '" + token + "'");
    }
  }

  private Boolean bool(Attr<?> attr) {
    if (c.tryConsumeWord("true")) {
      return Boolean.TRUE;
    }
    if (c.tryConsumeWord("false")) {
      return Boolean.FALSE;
    }
    throw c.expected("true or false for " + attr.name());
  }

  private long[] intList(String name) {
    c.expect('{');
    List<Long> values = new ArrayList<>();
    if (!c.tryConsume('}')) {
      do {
        values.add(c.readLong("an integer in " + name));
      } while (c.tryConsume(','));
      c.expect('}');
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /** {@code {[0:2], [1:9:2]}}: one {@code [start:limit(:stride)]} per dimension. */
  private SliceSpec slice() {
    c.expect('{');
    List<long[]> ranges = new ArrayList<>();
    if (!c.tryConsume('}')) {
      do {
        c.expect('[');
        long start = c.readLong("a slice start");
        c.expect(':');
        long limit = c.readLong("a slice limit");
        long stride = c.tryConsume(':') ? c.readLong("a slice stride") : 1;
        c.expect(']');
        ranges.add(new long[] {start, limit, stride});
      } while (c.tryConsume(','));
      c.expect('}');
    }
    long[] starts = new long[ranges.size()];
    long[] limits = new long[ranges.size()];
    long[] strides = new long[ranges.size()];
    for (int i = 0; i < ranges.size(); i++) {
      starts[i] = ranges.get(i)[0];
      limits[i] = ranges.get(i)[1];
      strides[i] = ranges.get(i)[2];
    }
    return new SliceSpec(starts, limits, strides);
  }

  /** {@code 0_0x1_2_1}: per dimension {@code low_high} or {@code low_high_interior}, joined by x. */
  private PaddingConfig padding() {
    List<PaddingConfig.Dim> dims = new ArrayList<>();
    char next = c.peekRaw();
    if (next != '-' && !Character.isDigit(next)) {
      // A scalar pad has no dimensions: XLA prints "padding=" followed by nothing.
      return new PaddingConfig(dims);
    }
    do {
      long[] parts = underscoreTuple("padding", true);
      dims.add(new PaddingConfig.Dim(parts[0], parts[1], parts.length == 3 ? parts[2] : 0));
    } while (tryConsumeX());
    return new PaddingConfig(dims);
  }

  /**
   * Reads {@code low_high} or, when {@code interior} is allowed, {@code low_high_interior}
   * (integers may be negative), with no spaces inside.
   */
  private long[] underscoreTuple(String what, boolean interior) {
    c.skipTrivia();
    int start = c.position();
    List<Long> parts = new ArrayList<>();
    parts.add(c.readLong("an integer in " + what));
    while (c.peekRaw() == '_') {
      c.advance();
      parts.add(signedNoTrivia(what));
    }
    if (parts.size() < 2 || parts.size() > (interior ? 3 : 2)) {
      throw c.errorAt(start, what + " '" + c.source().substring(start, c.position()) + "' must be low_high"
          + (interior ? " or low_high_interior" : ""));
    }
    return parts.stream().mapToLong(Long::longValue).toArray();
  }

  private long signedNoTrivia(String what) {
    char ch = c.peekRaw();
    if (!Character.isDigit(ch) && ch != '-') {
      throw c.expected("an integer in " + what);
    }
    return c.readLong("an integer in " + what);
  }

  // Dimensions of paddings and window fields are joined by 'x' with nothing around it.
  private boolean tryConsumeX() {
    if (c.peekRaw() == 'x' && (Character.isDigit(c.peekRaw(1)) || c.peekRaw(1) == '-')) {
      c.advance();
      return true;
    }
    return false;
  }

  /** {@code {size=3x3 stride=2x2 pad=1_1x1_1 lhs_dilate=1x1 rhs_dilate=1x1 rhs_reversal=0x0}}. */
  private Window window() {
    c.expect('{');
    long[] size = null;
    long[] stride = null;
    long[] padLow = null;
    long[] padHigh = null;
    long[] lhsDilate = null;
    long[] rhsDilate = null;
    long[] reversal = null;
    while (!c.tryConsume('}')) {
      int fieldStart = c.position();
      String field = c.readWord("a window field (size, stride, pad, lhs_dilate, rhs_dilate, rhs_reversal) or '}'");
      c.expect('=');
      switch (field) {
        case "size" -> size = xList("window size");
        case "stride" -> stride = xList("window stride");
        case "lhs_dilate" -> lhsDilate = xList("window lhs_dilate");
        case "rhs_dilate" -> rhsDilate = xList("window rhs_dilate");
        case "rhs_reversal" -> reversal = xList("window rhs_reversal");
        case "pad" -> {
          List<long[]> pads = new ArrayList<>();
          do {
            pads.add(underscoreTuple("window pad", false));
          } while (tryConsumeX());
          padLow = pads.stream().mapToLong(p -> p[0]).toArray();
          padHigh = pads.stream().mapToLong(p -> p[1]).toArray();
        }
        default -> throw c.errorAt(fieldStart, "unknown window field '" + field + "'");
      }
    }
    int rank = size == null ? 0 : size.length;
    if (size == null && (stride != null || padLow != null || lhsDilate != null || rhsDilate != null || reversal != null)) {
      throw c.errorAt(c.position() - 1, "window has no size");
    }
    checkRank(rank, stride, "stride");
    checkRank(rank, padLow, "pad");
    checkRank(rank, lhsDilate, "lhs_dilate");
    checkRank(rank, rhsDilate, "rhs_dilate");
    checkRank(rank, reversal, "rhs_reversal");
    List<Window.Dim> dims = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      dims.add(new Window.Dim(size[i], stride == null ? 1 : stride[i],
          padLow == null ? 0 : padLow[i], padHigh == null ? 0 : padHigh[i],
          lhsDilate == null ? 1 : lhsDilate[i], rhsDilate == null ? 1 : rhsDilate[i],
          reversal != null && reversal[i] != 0));
    }
    return new Window(dims);
  }

  private void checkRank(int rank, long[] field, String name) {
    if (field != null && field.length != rank) {
      throw c.errorAt(c.position() - 1, "window " + name + " has " + field.length
          + " dimension(s), size has " + rank);
    }
  }

  private long[] xList(String what) {
    List<Long> values = new ArrayList<>();
    values.add(c.readLong("an integer in " + what));
    while (tryConsumeX()) {
      values.add(c.readLong("an integer in " + what));
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private ConvDimensionNumbers dimLabels() {
    int start = c.position();
    StringBuilder sb = new StringBuilder();
    while (true) {
      char ch = c.peekRaw();
      if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '?'
          || (ch == '-' && c.peekRaw(1) == '>') || (ch == '>' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '-')) {
        sb.append(ch);
        c.advance();
      } else {
        break;
      }
    }
    if (sb.length() == 0) {
      throw c.expected("dim_labels such as b01f_01io->b01f");
    }
    try {
      return ConvDimensionNumbers.parse(sb.toString());
    } catch (IllegalArgumentException e) {
      throw c.errorAt(start, e.getMessage());
    }
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, Attr<?> attr) {
    int start = c.position();
    String word = c.readWord("a " + attr.name() + " value");
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(word)) {
        return e;
      }
    }
    throw c.errorAt(start, "unknown " + attr.name() + " '" + word + "'");
  }

  private Computation computation(Attr<?> attr) {
    c.skipTrivia();
    int start = c.position();
    String name = c.readName("a computation name for " + attr.name());
    return computations.resolve(name, start);
  }

  private List<Computation> computationList(Attr<?> attr) {
    c.expect('{');
    List<Computation> list = new ArrayList<>();
    if (!c.tryConsume('}')) {
      do {
        list.add(computation(attr));
      } while (c.tryConsume(','));
      c.expect('}');
    }
    return list;
  }

  /** Reads a quoted string with C escapes ({@code \"}, {@code \\}, {@code \n}, octal, hex). */
  static String string(TextCursor c) {
    if (c.peek() != '"') {
      throw c.expected("a quoted string");
    }
    int start = c.position();
    c.advance();
    StringBuilder sb = new StringBuilder();
    while (true) {
      char ch = c.peekRaw();
      if (ch == 0 && c.position() >= c.source().length()) {
        throw c.errorAt(start, "unterminated string");
      }
      c.advance();
      if (ch == '"') {
        return sb.toString();
      }
      if (ch != '\\') {
        sb.append(ch);
        continue;
      }
      CEscapes.unescapeOne(c, sb);
    }
  }

  /**
   * Skips one raw attribute value and returns its exact text: everything up to a ',' , whitespace
   * or an unmatched closing bracket at nesting depth 0, with brackets balanced and quoted strings
   * (which may hold any of these) skipped whole. This covers every form XLA prints, e.g.
   * {@code {op_name="a, b" source_line=3}}, {@code "{\"x\": 1}"}, {@code [2,2]<=[4]T(1,0)}.
   */
  static String scanRaw(TextCursor c) {
    c.skipTrivia();
    int start = c.position();
    StringBuilder open = new StringBuilder(); // the expected closers, innermost last
    while (true) {
      char ch = c.peekRaw();
      if (c.position() >= c.source().length()) {
        if (open.length() > 0) {
          throw c.expected("'" + open.charAt(open.length() - 1) + "'");
        }
        break;
      }
      if (ch == '"') {
        string(c);
        continue;
      }
      if (open.length() == 0 && (ch == ',' || Character.isWhitespace(ch))) {
        break;
      }
      if (ch == '{' || ch == '[' || ch == '(') {
        open.append(ch == '{' ? '}' : ch == '[' ? ']' : ')');
      } else if (ch == '}' || ch == ']' || ch == ')') {
        if (open.length() == 0) {
          break; // closes something around the attribute list
        }
        if (open.charAt(open.length() - 1) != ch) {
          throw c.expected("'" + open.charAt(open.length() - 1) + "'");
        }
        open.setLength(open.length() - 1);
      }
      c.advance();
    }
    if (c.position() == start) {
      throw c.expected("an attribute value");
    }
    return c.source().substring(start, c.position());
  }
}
