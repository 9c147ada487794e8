package io.tessera.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** ReportWriter on small synthetic ratios files: parsing, the markdown tables and the SVG bars. */
class ReportWriterTest {
  @TempDir
  Path dir;

  private void write(String file, String text) throws Exception {
    Files.writeString(dir.resolve(file), text);
  }

  private List<ReportWriter.Suite> twoSuites() throws Exception {
    write("spark.ratios.tsv", Ratios.HEADER + "\n"
        + "spark\tmlp, tessera_apply\tJava UDF\t6.893\tgoal >= 5x\n"
        + "spark\texpr <a&b>\tSpark built-in (codegen)\t0.652\tgoal >= 2x\n");
    write("cpu.ratios.tsv", Ratios.HEADER + "\n# a comment\n\n"
        + "cpu\tdot f32\tJava loop\t20.29\t\n"
        + "cpu\ta*x+b\tmemcpy (bandwidth limit)\t1.11\n");
    write("spark.md", "# x\n\n- machine: AMD EPYC, 2 cores; Spark\n- date: 2026-11-25; more\n");
    write("notes.txt", "ignored");
    return ReportWriter.readSuites(dir);
  }

  @Test
  void readsEveryRatiosFileInSuiteOrder() throws Exception {
    List<ReportWriter.Suite> suites = twoSuites();
    assertEquals(List.of("cpu", "spark"), suites.stream().map(ReportWriter.Suite::name).toList());
    assertEquals(2, suites.get(0).rows().size());
    Ratios.Row dot = suites.get(0).rows().get(0);
    assertEquals("dot f32", dot.caseName());
    assertEquals("Java loop", dot.comparedWith());
    assertEquals(20.29, dot.ratio(), 0);
    assertEquals("", suites.get(0).rows().get(1).note()); // four fields: no note
    assertEquals("AMD EPYC, 2 cores", suites.get(1).machine());
    assertEquals("2026-11-25", suites.get(1).date());
    assertEquals("spark.md", suites.get(1).resultsPage());
    assertEquals(null, suites.get(0).resultsPage());
  }

  @Test
  void markdownHasOneRowPerRatioAndLinks() throws Exception {
    String md = ReportWriter.markdown(twoSuites(), "../benchmarks/results", "benchmarks.svg", "Test CPU, 2 cores",
        "2026-01-02");
    assertTrue(md.contains("## cpu"), md);
    assertTrue(md.contains("## spark"), md);
    assertTrue(md.contains("| dot f32 | Java loop | 20.3x |  |"), md);
    assertTrue(md.contains("| mlp, tessera_apply | Java UDF | 6.89x | goal >= 5x |"), md);
    assertTrue(md.contains("| expr <a&b> | Spark built-in (codegen) | 0.65x | goal >= 2x |"), md);
    assertTrue(md.contains("[spark.md](../benchmarks/results/spark.md)"), md);
    assertTrue(md.contains("![") && md.contains("(benchmarks.svg)"), md);
    assertTrue(md.contains("Test CPU, 2 cores") && md.contains("2026-01-02"), md);
  }

  @Test
  void svgHasABarPerRatioOnALogScaleWithTheOneLine() throws Exception {
    String svg = ReportWriter.svg(twoSuites());
    // Well-formed XML (labels with < and & are escaped).
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", doc.getDocumentElement().getTagName());
    Matcher bar = Pattern.compile("<rect class=\"bar\" x=\"([0-9.]+)\" y=\"\\d+\" width=\"([0-9.]+)\"[^>]*fill=\"(#\\w+)\"")
        .matcher(svg);
    double[][] bars = new double[4][];
    String[] colors = new String[4];
    int n = 0;
    while (bar.find()) {
      bars[n] = new double[] {Double.parseDouble(bar.group(1)), Double.parseDouble(bar.group(2))};
      colors[n++] = bar.group(3);
    }
    assertEquals(4, n, svg);
    Matcher one = Pattern.compile("<line class=\"one\" x1=\"([0-9.]+)\"").matcher(svg);
    assertTrue(one.find(), svg);
    double x1 = Double.parseDouble(one.group(1));
    // In suite order: cpu (20.29, 1.11), spark (6.893, 0.652). Faster bars start at 1x, slower end there.
    assertEquals(x1, bars[0][0], 0.11);
    assertEquals(x1, bars[2][0], 0.11);
    assertEquals(x1, bars[3][0] + bars[3][1], 0.11);
    // Log scale: bar lengths are proportional to |log(ratio)|.
    assertEquals(Math.log10(20.29) / Math.log10(6.893), bars[0][1] / bars[2][1], 0.01);
    assertEquals("#c62828", colors[3]); // slower
    assertEquals("#2e7d32", colors[0]); // faster
    assertEquals("#1565c0", colors[1]); // a hardware limit
    assertTrue(svg.contains("expr &lt;a&amp;b&gt; vs Spark built-in (codegen)"), svg);
    assertTrue(svg.contains(">20.3x<") && svg.contains(">0.65x<"), svg);
  }

  @Test
  void malformedLinesNameTheFileAndLine() throws Exception {
    write("bad.ratios.tsv", Ratios.HEADER + "\nbad\tcase\tother\tfast\tnote\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ratios.read(dir.resolve("bad.ratios.tsv")));
    assertTrue(e.getMessage().contains("bad.ratios.tsv:2"), e.getMessage());
    write("nohead.ratios.tsv", "cpu\tx\ty\t1\t\n");
    assertThrows(IllegalArgumentException.class, () -> Ratios.read(dir.resolve("nohead.ratios.tsv")));
  }

  @Test
  void writtenFilesReadBack() throws Exception {
    Path f = dir.resolve("x.ratios.tsv");
    Ratios.write(f, List.<String[]>of(new String[] {"x", "a\tb", "c", "1.500", "n"}));
    assertEquals(Ratios.HEADER + "\nx\ta b\tc\t1.500\tn\n", Files.readString(f));
    assertEquals(1.5, Ratios.read(f).get(0).ratio(), 0);
  }
}
