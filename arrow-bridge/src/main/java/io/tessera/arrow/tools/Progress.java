package io.tessera.arrow.tools;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run on stderr: at most one line per interval, and none at all for runs
 * shorter than one interval, so small inputs stay quiet.
 */
final class Progress {
  private final PrintStream err;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  private long lastReport = start;
  private long rows;
  private long batches;

  Progress(PrintStream err, long intervalNanos) {
    this.err = err;
    this.intervalNanos = intervalNanos;
  }

  /** Counts one more batch of {@code batchRows} rows and reports when the interval has passed. */
  void batchDone(long batchRows) {
    rows += batchRows;
    batches++;
    long now = System.nanoTime();
    if (now - lastReport >= intervalNanos) {
      lastReport = now;
      err.println("tessera: arrow-apply: " + summary(now));
    }
  }

  long rows() {
    return rows;
  }

  long batches() {
    return batches;
  }

  /** {@code 1,200,000 rows in 19 batches, 2.1 s (571,428 rows/s)}. */
  String summary(long now) {
    double seconds = Math.max(now - start, 1) / 1e9;
    return String.format(Locale.ROOT, "%,d rows in %,d batch%s, %.1f s (%,.0f rows/s)", rows, batches,
        batches == 1 ? "" : "es", seconds, rows / seconds);
  }
}
