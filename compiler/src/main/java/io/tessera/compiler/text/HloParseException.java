package io.tessera.compiler.text;

/**
 * Malformed HLO text. The message starts with {@code LINE:COL: } (both 1-based) and says what was
 * expected and what was found, e.g. {@code 3:18: expected ')', got ','}; a copy of the offending
 * line with a caret under the column follows on the next lines.
 */
public final class HloParseException extends RuntimeException {
  private final int line;
  private final int column;
  private final String detail;

  HloParseException(int line, int column, String detail, String excerpt) {
    super(line + ":" + column + ": " + detail + (excerpt.isEmpty() ? "" : "\n" + excerpt));
    this.line = line;
    this.column = column;
    this.detail = detail;
  }

  /** The 1-based line of the error. */
  public int line() {
    return line;
  }

  /** The 1-based column of the error (characters, tabs count as one). */
  public int column() {
    return column;
  }

  /** The message without the position and excerpt, e.g. {@code expected ')', got ','}. */
  public String detail() {
    return detail;
  }
}
