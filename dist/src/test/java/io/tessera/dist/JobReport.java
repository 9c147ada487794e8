package io.tessera.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tessera-job: } lines of {@code io.tessera.dist.app.TesseraSqlJob}, each as its
 * {@code key=value} words (a bare word maps to ""), and the checks both integration tests make.
 */
final class JobReport {
  private static final String PREFIX = "tessera-job: ";

  private final List<Map<String, String>> lines = new ArrayList<>();
  private final String context;

  JobReport(String output, String context) {
    this.context = context;
    for (String line : output.split("\n")) {
      if (!line.startsWith(PREFIX)) {
        continue;
      }
      Map<String, String> words = new LinkedHashMap<>();
      for (String word : line.substring(PREFIX.length()).trim().split(" ")) {
        int eq = word.indexOf('=');
        words.put(eq < 0 ? word : word.substring(0, eq), eq < 0 ? "" : word.substring(eq + 1));
      }
      lines.add(words);
    }
  }

  /** The lines that have every one of {@code keys}. */
  List<Map<String, String>> with(String... keys) {
    return lines.stream().filter(l -> List.of(keys).stream().allMatch(l::containsKey)).toList();
  }

  /** The per-executor metric lines of a round, by executor id. */
  Map<String, Map<String, String>> executorsOfRound(int round) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (Map<String, String> l : with("round", "executor")) {
      if (l.get("round").equals(String.valueOf(round))) {
        out.put(l.get("executor"), l);
      }
    }
    return out;
  }

  /** Tessera computed every row of the round as Spark did, nulls included, in its own operator. */
  void assertRoundMatchesSpark(int round, long rows) {
    List<Map<String, String>> results = with("round", "mismatches").stream()
        .filter(l -> l.get("round").equals(String.valueOf(round))).toList();
    assertEquals(1, results.size(), "one result line for round " + round + "\n" + context);
    Map<String, String> r = results.get(0);
    assertEquals(String.valueOf(rows), r.get("rows"), context);
    assertEquals(String.valueOf((rows + 16) / 17), r.get("nulls"), "rows with a null y\n" + context);
    assertEquals("0", r.get("mismatches"), "rows where tessera_apply differs from Spark\n" + context);
    assertEquals("TesseraEval", r.get("plan"), "tessera_apply ran in Tessera's operator\n" + context);
  }

  /** Every JVM loaded the connector from the shaded jar (or Spark's copy of it on an executor). */
  void assertConnectorFrom(Path distJar, int executors) {
    List<Map<String, String>> driver = with("connector", "driver");
    assertEquals(1, driver.size(), context);
    assertTrue(driver.get(0).get("from").endsWith(distJar.toString()),
        "the driver loads Tessera from " + distJar + ", not from " + driver.get(0).get("from") + "\n" + context);
    List<Map<String, String>> onExecutors = with("connector", "executor");
    assertEquals(executors, onExecutors.size(), "executors that ran a task\n" + context);
    for (Map<String, String> e : onExecutors) {
      assertTrue(e.get("from").endsWith("/" + distJar.getFileName()),
          "executor " + e.get("executor") + " loads Tessera from " + e.get("from") + "\n" + context);
    }
  }

  static long number(Map<String, String> line, String key) {
    return Long.parseLong(line.get(key));
  }
}
