package io.tessera.compiler.text;

/**
 * A position in HLO text with the small lexical steps the parsers share: skipping whitespace and
 * comments ({@code // ...} to the end of the line, {@code /* ... *}{@code /} anywhere, which is
 * how XLA writes {@code /*index=5*}{@code /}), reading names and numbers, and making
 * {@link HloParseException}s that point at a line and column.
 *
 * <p>HLO is lexed on demand rather than tokenized up front because a few values (dim labels such
 * as {@code b01f_01io->b01f}, paddings such as {@code 0_0x1_2_1}, window sizes {@code 3x3}) are
 * only tokens in the context of their attribute.
 */
final class TextCursor {
  private final String src;
  private int pos;

  TextCursor(String src) {
    this.src = src;
  }

  String source() {
    return src;
  }

  int position() {
    return pos;
  }

  void reset(int position) {
    this.pos = position;
  }

  /** Skips whitespace and comments. */
  void skipTrivia() {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (src.startsWith("//", pos)) {
        int end = src.indexOf('\n', pos);
        pos = end < 0 ? src.length() : end + 1;
      } else if (src.startsWith("/*", pos)) {
        int end = src.indexOf("*/", pos + 2);
        if (end < 0) {
          throw errorAt(pos, "unterminated /* comment");
        }
        pos = end + 2;
      } else {
        return;
      }
    }
  }

  /** True when only trivia is left. */
  boolean atEnd() {
    skipTrivia();
    return pos >= src.length();
  }

  /** The next significant character, or {@code 0} at the end; consumes nothing but trivia. */
  char peek() {
    skipTrivia();
    return pos < src.length() ? src.charAt(pos) : 0;
  }

  /** The character at the current position (no trivia skipped), or {@code 0} at the end. */
  char peekRaw() {
    return pos < src.length() ? src.charAt(pos) : 0;
  }

  /** The character {@code ahead} places after the current position, or {@code 0}. */
  char peekRaw(int ahead) {
    int p = pos + ahead;
    return p < src.length() ? src.charAt(p) : 0;
  }

  void advance() {
    pos++;
  }

  /** Consumes {@code c} if it is the next significant character. */
  boolean tryConsume(char c) {
    if (peek() == c && pos < src.length()) {
      pos++;
      return true;
    }
    return false;
  }

  /** Consumes {@code text} if the significant text starts with it. */
  boolean tryConsume(String text) {
    skipTrivia();
    if (src.startsWith(text, pos)) {
      pos += text.length();
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!tryConsume(c)) {
      throw expected("'" + c + "'");
    }
  }

  void expect(String text) {
    if (!tryConsume(text)) {
      throw expected("'" + text + "'");
    }
  }

  /** True when the next significant text is the whole word {@code word}. */
  private boolean lookingAtWord(String word) {
    skipTrivia();
    return src.startsWith(word, pos) && !isNameChar(charAt(pos + word.length()));
  }

  /** Consumes the whole word {@code word} when it comes next. */
  boolean tryConsumeWord(String word) {
    if (lookingAtWord(word)) {
      pos += word.length();
      return true;
    }
    return false;
  }

  static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  static boolean isNameChar(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  private char charAt(int p) {
    return p < src.length() ? src.charAt(p) : 0;
  }

  /** True when an array shape ({@code f32[...}) comes next: a word directly followed by '['. */
  boolean lookingAtArrayShape() {
    skipTrivia();
    int p = pos;
    while (Character.isLetterOrDigit(charAt(p))) {
      p++;
    }
    return p > pos && isNameStart(charAt(pos)) && charAt(p) == '[';
  }

  /**
   * Reads an HLO name: an optional {@code %} (dropped) then {@code [A-Za-z_][A-Za-z0-9_.-]*}, as in
   * {@code %Arg_0.1}, {@code add.3-fused}, {@code reduce-window.2}. A {@code -} that starts
   * {@code ->} ends the name.
   */
  String readName(String what) {
    skipTrivia();
    int p = pos;
    if (charAt(p) == '%') {
      p++;
    }
    if (!isNameStart(charAt(p))) {
      throw expected(what);
    }
    int nameStart = p;
    while (isNameChar(charAt(p)) && !(charAt(p) == '-' && charAt(p + 1) == '>')) {
      p++;
    }
    pos = p;
    return src.substring(nameStart, p);
  }

  /** Reads a word of letters, digits and underscores (no {@code %}, dots or dashes). */
  String readWord(String what) {
    skipTrivia();
    int p = pos;
    if (!isNameStart(charAt(p))) {
      throw expected(what);
    }
    while (isNameStart(charAt(p)) || Character.isDigit(charAt(p))) {
      p++;
    }
    String word = src.substring(pos, p);
    pos = p;
    return word;
  }

  /** Reads a decimal integer with an optional sign that fits a {@code long}. */
  long readLong(String what) {
    skipTrivia();
    int start = pos;
    int p = pos;
    if (charAt(p) == '-' || charAt(p) == '+') {
      p++;
    }
    int digits = p;
    while (Character.isDigit(charAt(p))) {
      p++;
    }
    if (p == digits) {
      throw expected(what);
    }
    String text = src.substring(start, p);
    try {
      long v = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
      pos = p;
      return v;
    } catch (NumberFormatException e) {
      throw errorAt(start, what + " out of range: " + text);
    }
  }

  /** Reads a non-negative decimal integer that fits an {@code int}. */
  int readNonNegativeInt(String what) {
    skipTrivia();
    int start = pos;
    if (!Character.isDigit(peekRaw())) {
      throw expected(what);
    }
    long v = readLong(what);
    if (v > Integer.MAX_VALUE) {
      throw errorAt(start, what + " out of range: " + v);
    }
    return (int) v;
  }

  /**
   * Reads a number-like token as written: sign, digits, letters, dots and an exponent sign, e.g.
   * {@code -1.5e-05}, {@code inf}, {@code 0x1p-3}; the caller interprets it. Empty when none.
   */
  String readNumberToken() {
    skipTrivia();
    int p = pos;
    if (charAt(p) == '-' || charAt(p) == '+') {
      p++;
    }
    while (true) {
      char c = charAt(p);
      if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
        p++;
      } else if ((c == '-' || c == '+') && isExponentMarker(p - 1)) {
        p++; // exponent sign
      } else if (c == '(' && src.startsWith("nan", p - 3)) {
        // nan(0x7fc00001): a NaN with a payload, as XLA prints non-canonical NaNs.
        int close = src.indexOf(')', p);
        if (close < 0) {
          break;
        }
        p = close + 1;
      } else {
        break;
      }
    }
    String token = src.substring(pos, p);
    pos = p;
    return token;
  }

  // 1e-05 and hex floats' 0x1p-3 take a signed exponent; a hex digit 'e' does not.
  private boolean isExponentMarker(int p) {
    if (p <= pos) {
      return false;
    }
    int digits = charAt(pos) == '-' || charAt(pos) == '+' ? pos + 1 : pos;
    boolean hex = src.startsWith("0x", digits) || src.startsWith("0X", digits);
    return (hex ? "pP" : "eE").indexOf(charAt(p)) >= 0;
  }

  /** An error at the current position: {@code expected WHAT, got NEXT}. */
  HloParseException expected(String what) {
    skipTriviaQuietly();
    return errorAt(pos, "expected " + what + ", got " + describeNext());
  }

  private void skipTriviaQuietly() {
    try {
      skipTrivia();
    } catch (HloParseException e) {
      // An unterminated comment is reported where the value was expected.
    }
  }

  /** The next token as a message shows it: {@code 'foo'}, {@code ','} or {@code end of input}. */
  private String describeNext() {
    if (pos >= src.length()) {
      return "end of input";
    }
    int p = pos;
    char c = src.charAt(p);
    if (c == '%' || isNameChar(c)) {
      p++;
      while (p < src.length() && isNameChar(src.charAt(p)) && p - pos < 40) {
        p++;
      }
    } else {
      p++;
    }
    return "'" + src.substring(pos, p) + "'";
  }

  /** An error with {@code message} at source offset {@code offset}. */
  HloParseException errorAt(int offset, String message) {
    int o = Math.max(0, Math.min(offset, src.length()));
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < o; i++) {
      if (src.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int lineEnd = src.indexOf('\n', lineStart);
    String text = src.substring(lineStart, lineEnd < 0 ? src.length() : lineEnd);
    int column = o - lineStart + 1;
    return new HloParseException(line, column, message, excerpt(text, column));
  }

  /** The offending line (shortened around the column when long) with a caret under the column. */
  private static String excerpt(String line, int column) {
    int from = 0;
    int to = line.length();
    if (to > 100) {
      from = Math.max(0, column - 60);
      to = Math.min(line.length(), from + 100);
    }
    String shown = line.substring(from, to).replace('\t', ' ').replace('\r', ' ');
    if (shown.isBlank()) {
      return "";
    }
    return "  " + shown + "\n  " + " ".repeat(Math.max(0, column - 1 - from)) + "^";
  }
}
