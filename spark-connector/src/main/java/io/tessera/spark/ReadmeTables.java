package io.tessera.spark;

/**
 * The README's connector tables, generated from the code's own lists ({@link TesseraConf#KEYS},
 * {@link ExpressionTranslator#SUPPORTED}) so that they cannot drift: a test compares the README
 * with this output. Run {@code main} to print them.
 */
public final class ReadmeTables {
  private ReadmeTables() {}

  public static void main(String[] args) {
    System.out.println(configurationTable());
    System.out.print(expressionTable());
  }

  /** A markdown table of every {@code spark.tessera.*} key. */
  public static String configurationTable() {
    StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
    for (TesseraConf.Key k : TesseraConf.KEYS) {
      sb.append("| `").append(k.name()).append("` | `").append(k.defaultValue()).append("` | ").append(k.meaning())
          .append(" |\n");
    }
    return sb.toString();
  }

  /** A markdown table of the expressions {@code spark.tessera.compileExpressions} translates. */
  public static String expressionTable() {
    StringBuilder sb = new StringBuilder("| expressions | example | notes |\n|---|---|---|\n");
    for (ExpressionTranslator.Supported s : ExpressionTranslator.SUPPORTED) {
      sb.append("| ").append(s.expressions()).append(" | `").append(s.sample()).append("` | ").append(s.notes())
          .append(" |\n");
    }
    return sb.toString();
  }
}
