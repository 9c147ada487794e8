package io.tessera.compiler.text;

/**
 * C-style string escapes, as XLA writes strings (absl's {@code CEscape}/{@code CUnescape}):
 * {@code \n \t \r \" \' \\}, octal {@code \012} and hex {@code \x0a}.
 */
final class CEscapes {
  private CEscapes() {}

  /** The quoted, escaped form of {@code s}. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (ch < 0x20 || ch == 0x7f) {
            sb.append(String.format("\\%03o", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Decodes the escape after a backslash (already consumed) into {@code out}. */
  static void unescapeOne(TextCursor c, StringBuilder out) {
    int at = c.position() - 1;
    char e = c.peekRaw();
    if (c.position() >= c.source().length()) {
      throw c.errorAt(at, "unterminated string");
    }
    c.advance();
    switch (e) {
      case 'n' -> out.append('\n');
      case 't' -> out.append('\t');
      case 'r' -> out.append('\r');
      case 'a' -> out.append('\u0007');
      case 'b' -> out.append('\b');
      case 'f' -> out.append('\f');
      case 'v' -> out.append('\u000b');
      case '"', '\'', '\\', '?' -> out.append(e);
      case 'x' -> {
        int value = 0;
        int digits = 0;
        while (Character.digit(c.peekRaw(), 16) >= 0 && digits < 2) {
          value = value * 16 + Character.digit(c.peekRaw(), 16);
          c.advance();
          digits++;
        }
        if (digits == 0) {
          throw c.errorAt(at, "\\x escape without hex digits");
        }
        out.append((char) value);
      }
      default -> {
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int digits = 1; digits < 3 && c.peekRaw() >= '0' && c.peekRaw() <= '7'; digits++) {
            value = value * 8 + (c.peekRaw() - '0');
            c.advance();
          }
          out.append((char) value);
        } else {
          throw c.errorAt(at, "unknown escape '\\" + e + "' in string");
        }
      }
    }
  }
}
