package io.tessera.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable result of a benchmark suite: {@code results/<suite>.ratios.tsv}, a header
 * line {@code suite\tcase\tcompared_with\tratio\tnote}, then one line per comparison. {@code ratio}
 * is the speed of Tessera relative to {@code compared_with} (greater than 1: Tessera is faster; for
 * a limit such as memory bandwidth or peak FLOP/s, the fraction of it reached). {@link ReportWriter}
 * reads every such file.
 */
final class Ratios {
  static final String HEADER = "suite\tcase\tcompared_with\tratio\tnote";

  /** One line of a ratios file. */
  record Row(String suite, String caseName, String comparedWith, double ratio, String note) {}

  private Ratios() {}

  /** {@code <suite>.ratios.tsv} in the folder of {@code markdown}. */
  static Path pathBeside(Path markdown, String suite) {
    Path dir = markdown.toAbsolutePath().getParent();
    return dir.resolve(suite + ".ratios.tsv");
  }

  /** Writes rows given as {suite, case, compared_with, ratio, note} strings. */
  static void write(Path file, List<String[]> rows) throws IOException {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (String[] r : rows) {
      if (r.length != 5) {
        throw new IllegalArgumentException("a ratios row has 5 fields, got " + r.length);
      }
      for (int i = 0; i < 5; i++) {
        sb.append(i == 0 ? "" : "\t").append(r[i].replaceAll("[\\t\\r\\n]+", " ").strip());
      }
      sb.append('\n');
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, sb.toString());
  }

  /** A ratio as the files write it. */
  static String format(double ratio) {
    return String.format(Locale.ROOT, "%.3f", ratio);
  }

  /**
   * Reads a ratios file. The header line is required; empty lines and lines starting with
   * {@code #} are skipped; a missing note is empty.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed line
   */
  static List<Row> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<Row> rows = new ArrayList<>();
    if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
      throw new IllegalArgumentException(file + ":1: expected the header '" + HEADER.replace("\t", "\\t") + "'");
    }
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 4 || f.length > 5) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 5 tab-separated fields, got " + f.length);
      }
      double ratio;
      try {
        ratio = Double.parseDouble(f[3].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": ratio '" + f[3] + "' is not a number", e);
      }
      rows.add(new Row(f[0].strip(), f[1].strip(), f[2].strip(), ratio, f.length > 4 ? f[4].strip() : ""));
    }
    return rows;
  }
}
