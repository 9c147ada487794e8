package io.tessera.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;

/**
 * Times the {@link BenchmarkGraphs} in one {@link BenchmarkMode}, in the current JVM, and appends
 * one CSV row per graph: {@code graph,mode,first_ms,median_ms,min_ms,runs}. The first run is timed
 * on its own (it includes XLA's compilation); steady state is the median of the runs after a
 * warm-up. Started by {@link BenchmarkRunner}, which gives each mode its own JVM and environment.
 *
 * <p>Usage: {@code XlaBenchmark MODE CSV_FILE}.
 */
public final class XlaBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(XlaBenchmark.class);
  private static final int WARMUP_RUNS = 3;
  private static final int MIN_RUNS = 10;
  private static final long MIN_MEASURE_NANOS = 3_000_000_000L;

  private XlaBenchmark() {}

  public static void main(String[] args) throws IOException {
    BenchmarkMode mode = BenchmarkMode.valueOf(args[0]);
    Path csv = Path.of(args[1]);
    for (GraphCase graph : BenchmarkGraphs.all()) {
      String row = time(graph, mode);
      Files.writeString(csv, row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      LOG.info("{}", row);
    }
  }

  private static String time(GraphCase graph, BenchmarkMode mode) {
    try (Graph g = new Graph(); Inputs in = new Inputs(Ops.create(g), graph.name())) {
      List<Operand<?>> outputs = graph.body().build(in.ops(), in);
      List<Tensor> feeds = new ArrayList<>();
      try (Session session = new Session(g, mode.sessionConfig())) {
        for (Inputs.Feed feed : in.feeds()) {
          feeds.add(feed.value().toTensor());
        }
        long start = System.nanoTime();
        try (Result first = runner(session, in, feeds, outputs)
            .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build())
            .runAndFetchMetadata()) {
          checkXlaUse(graph, mode, first.getMetadata().orElseThrow().getPartitionGraphsList());
        }
        double firstMs = (System.nanoTime() - start) / 1e6;
        for (int i = 0; i < WARMUP_RUNS; i++) {
          runner(session, in, feeds, outputs).run().close();
        }
        List<Double> times = new ArrayList<>();
        long measureStart = System.nanoTime();
        while (times.size() < MIN_RUNS || System.nanoTime() - measureStart < MIN_MEASURE_NANOS) {
          long t0 = System.nanoTime();
          runner(session, in, feeds, outputs).run().close();
          times.add((System.nanoTime() - t0) / 1e6);
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%s,%s,%.3f,%.3f,%.3f,%d", graph.name(), mode, firstMs,
            sorted[sorted.length / 2], sorted[0], sorted.length);
      } finally {
        feeds.forEach(Tensor::close);
      }
    }
  }

  private static Session.Runner runner(Session session, Inputs in, List<Tensor> feeds, List<Operand<?>> outputs) {
    Session.Runner runner = session.runner();
    for (int i = 0; i < feeds.size(); i++) {
      runner.feed(in.feeds().get(i).placeholder(), feeds.get(i));
    }
    outputs.forEach(runner::fetch);
    return runner;
  }

  /** An XLA mode must have run the graph as one XLA cluster, and the TF mode as none. */
  private static void checkXlaUse(GraphCase graph, BenchmarkMode mode, List<GraphDef> partitions) {
    long clusters = partitions.stream().flatMap(p -> p.getNodeList().stream())
        .map(NodeDef::getOp).filter(op -> op.equals("_XlaRun")).count();
    if (clusters != (mode.usesXla() ? 1 : 0)) {
      throw new IllegalStateException(graph.name() + " ran as " + clusters + " XLA cluster(s) in mode " + mode
          + "; environment TF_XLA_FLAGS=" + System.getenv("TF_XLA_FLAGS") + " XLA_FLAGS=" + System.getenv("XLA_FLAGS"));
    }
  }

  /** Parses a row written by {@link #time}. */
  record Row(String graph, BenchmarkMode mode, double firstMs, double medianMs, double minMs, int runs) {
    static Row parse(String line) {
      String[] f = line.split(",");
      if (f.length != 6) {
        throw new IllegalArgumentException("not a benchmark row: " + line + " " + Arrays.toString(f));
      }
      return new Row(f[0], BenchmarkMode.valueOf(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
          Double.parseDouble(f[4]), Integer.parseInt(f[5]));
    }
  }
}
