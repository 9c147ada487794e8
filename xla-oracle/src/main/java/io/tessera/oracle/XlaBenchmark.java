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
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
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
 * <p>Usage: {@code XlaBenchmark MODE CSV_FILE [EXPORT_DIR]}. With {@code EXPORT_DIR} (the
 * runner passes it to the XLA_CLASSIC run, whose {@code XLA_FLAGS} also dump every module), each
 * graph's module is exported for Tessera's side of the comparison: {@code NAME.hlo} (what
 * TensorFlow handed XLA), {@code NAME.opt.hlo} (after XLA's CPU pipeline), {@code NAME.argK.bin}
 * (parameter K's raw little-endian bytes, in module parameter order) and {@code NAME.resultK.bin}
 * (XLA's result K, same form), plus one line per graph in {@code modules.tsv}.
 *
 * <p>Threads: the system property {@code tessera.bench.threads} (default 1) sets TensorFlow's
 * intra-op and inter-op pool sizes.
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
    Path export = args.length > 2 ? Path.of(args[2]) : null;
    DumpDirectory dumps = null;
    if (export != null) {
      Files.createDirectories(export);
      Files.deleteIfExists(export.resolve("modules.tsv"));
      dumps = DumpDirectory.fromEnvironment();
    }
    for (GraphCase graph : BenchmarkGraphs.all()) {
      String row = time(graph, mode, dumps, export);
      Files.writeString(csv, row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      LOG.info("{}", row);
    }
  }

  private static String time(GraphCase graph, BenchmarkMode mode, DumpDirectory dumps, Path export)
      throws IOException {
    try (Graph g = new Graph(); Inputs in = new Inputs(Ops.create(g), graph.name())) {
      List<Operand<?>> outputs = graph.body().build(in.ops(), in);
      List<Tensor> feeds = new ArrayList<>();
      try (Session session = new Session(g, mode.sessionConfig(threads()))) {
        for (Inputs.Feed feed : in.feeds()) {
          feeds.add(feed.value().toTensor());
        }
        if (dumps != null) {
          dumps.newModules(); // forget anything dumped before this graph
        }
        long start = System.nanoTime();
        double firstMs;
        try (Result first = runner(session, in, feeds, outputs)
            .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build())
            .runAndFetchMetadata()) {
          firstMs = (System.nanoTime() - start) / 1e6;
          List<GraphDef> partitions = first.getMetadata().orElseThrow().getPartitionGraphsList();
          checkXlaUse(graph, mode, partitions);
          if (dumps != null) {
            export(graph, in, outputs, feeds, first, partitions, dumps.newModules(), export);
          }
        }
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

  static int threads() {
    return Integer.getInteger("tessera.bench.threads", 1);
  }

  /** Writes the graph's module, inputs and XLA's results for Tessera (see the class comment). */
  private static void export(GraphCase graph, Inputs in, List<Operand<?>> outputs, List<Tensor> feeds, Result first,
      List<GraphDef> partitions, List<DumpDirectory.ModuleDump> modules, Path dir) throws IOException {
    if (modules.size() != 1) {
      throw new IllegalStateException(graph.name() + ": XLA dumped " + modules.size() + " modules (want 1)");
    }
    List<String> feedNames = in.feeds().stream().map(Inputs.Feed::tensorName).toList();
    List<String> fetchNames = outputs.stream()
        .map(o -> o.asOutput().op().name() + ":" + o.asOutput().index()).toList();
    ClusterPlan plan;
    try {
      plan = ClusterPlan.of(partitions, feedNames, fetchNames);
    } catch (ClusterPlan.NotOneCluster e) {
      throw new IllegalStateException(graph.name() + ": " + e.getMessage(), e);
    }
    DumpDirectory.ModuleDump module = modules.get(0);
    Files.writeString(dir.resolve(graph.name() + ".hlo"), module.before());
    if (module.after() != null) {
      Files.writeString(dir.resolve(graph.name() + ".opt.hlo"), module.after());
    }
    List<String> shapes = new ArrayList<>();
    for (int p = 0; p < plan.parameterFeeds().size(); p++) {
      Tensor t = feeds.get(plan.parameterFeeds().get(p));
      Files.write(dir.resolve(graph.name() + ".arg" + p + ".bin"), rawBytes(t));
    }
    for (int r = 0; r < plan.resultFetches().size(); r++) {
      Tensor t = first.get(plan.resultFetches().get(r));
      Files.write(dir.resolve(graph.name() + ".result" + r + ".bin"), rawBytes(t));
      shapes.add(ElementKind.of(t.dataType()).xlaName + Arrays.toString(t.shape().asArray()).replace(" ", ""));
    }
    Files.writeString(dir.resolve("modules.tsv"), graph.name() + "\t" + plan.parameterFeeds().size() + "\t"
        + String.join(" ", shapes) + "\t" + graph.tolerance().rel() + "\t" + graph.tolerance().abs() + "\t"
        + graph.description() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static byte[] rawBytes(Tensor tensor) {
    ByteDataBuffer data = tensor.asRawTensor().data();
    byte[] bytes = new byte[Math.toIntExact(data.size())];
    data.read(bytes);
    return bytes;
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
