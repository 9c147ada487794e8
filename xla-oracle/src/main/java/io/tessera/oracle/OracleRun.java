package io.tessera.oracle;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Runs one {@link GraphCase} twice on the same graph: once with XLA compiling it (the oracle) and
 * once with TensorFlow's own kernels (a second opinion that checks the tolerance), and pairs XLA's
 * dumped module with its inputs and results in the module's parameter and result order.
 */
final class OracleRun {

  /** What the corpus records for one graph. */
  record Capture(
      GraphCase graph,
      DumpDirectory.ModuleDump module,
      List<String> parameterNames, // feed tensor name of each module parameter
      List<HostArray> arguments, // in module parameter order
      List<String> resultNames, // fetch tensor name of each result tuple element
      List<HostArray> xlaResults, // in module result order
      double maxDifferenceToTf) {}

  /** The graph could not be captured as one module; the message says why. */
  static final class Skipped extends Exception {
    private static final long serialVersionUID = 1L;

    Skipped(String message) {
      super(message);
    }
  }

  private OracleRun() {}

  /**
   * The session options under which XLA compiles a graph on the CPU. They take effect only with
   * {@code TF_XLA_FLAGS=--tf_xla_cpu_global_jit}; remapping is off because Grappler's remapper
   * would fuse MatMul+BiasAdd into {@code _FusedMatMul}, which XLA cannot compile.
   */
  static ConfigProto xlaConfig() {
    return ConfigProto.newBuilder()
        .setGraphOptions(GraphOptions.newBuilder()
            .setOptimizerOptions(OptimizerOptions.newBuilder()
                .setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1))
            .setRewriteOptions(RewriterConfig.newBuilder().setRemapping(RewriterConfig.Toggle.OFF)))
        .build();
  }

  static Capture capture(GraphCase graph, DumpDirectory dumps) throws Skipped {
    try (Graph g = new Graph(); Inputs in = new Inputs(Ops.create(g), graph.name())) {
      Ops tf = in.ops();
      List<Operand<?>> outputs = graph.body().build(tf, in);
      List<String> fetches = outputs.stream()
          .map(o -> o.asOutput().op().name() + ":" + o.asOutput().index())
          .toList();
      List<Inputs.Feed> feeds = in.feeds();
      List<String> feedNames = feeds.stream().map(Inputs.Feed::tensorName).toList();

      dumps.newModules(); // forget anything dumped before this graph
      Run xla = run(g, xlaConfig(), feeds, outputs);
      List<DumpDirectory.ModuleDump> modules = dumps.newModules();
      if (modules.size() != 1) {
        throw new Skipped("XLA compiled " + modules.size() + " modules (want exactly 1)");
      }
      ClusterPlan plan;
      try {
        plan = ClusterPlan.of(xla.metadata.getPartitionGraphsList(), feedNames, fetches);
      } catch (ClusterPlan.NotOneCluster e) {
        throw new Skipped(e.getMessage());
      }
      Run plain = run(g, ConfigProto.getDefaultInstance(), feeds, outputs);

      List<String> parameterNames = new ArrayList<>();
      List<HostArray> arguments = new ArrayList<>();
      for (int feed : plan.parameterFeeds()) {
        parameterNames.add(feedNames.get(feed));
        arguments.add(feeds.get(feed).value());
      }
      List<String> resultNames = new ArrayList<>();
      List<HostArray> results = new ArrayList<>();
      double maxDiff = 0;
      for (int fetch : plan.resultFetches()) {
        resultNames.add(fetches.get(fetch));
        HostArray xlaValue = xla.values.get(fetch);
        HostArray tfValue = plain.values.get(fetch);
        String mismatch = graph.tolerance().mismatch(xlaValue, tfValue);
        if (mismatch != null) {
          throw new IllegalStateException(graph.name() + ": TensorFlow without XLA disagrees with XLA on "
              + fetches.get(fetch) + ": " + mismatch + "; fix the graph or justify a looser tolerance");
        }
        maxDiff = Math.max(maxDiff, maxDifference(xlaValue, tfValue));
        results.add(xlaValue);
      }
      checkLayout(graph, modules.get(0), arguments, results);
      return new Capture(graph, modules.get(0), parameterNames, arguments, resultNames, results, maxDiff);
    }
  }

  /** The dumped module's parameter and result shapes must be those of the values we pair with it. */
  private static void checkLayout(GraphCase graph, DumpDirectory.ModuleDump module, List<HostArray> arguments,
      List<HostArray> results) throws Skipped {
    List<List<String>> layout = DumpDirectory.entryLayout(module.before());
    List<String> want = List.of(arguments.stream().map(HostArray::shapeText).toList().toString(),
        results.stream().map(HostArray::shapeText).toList().toString());
    List<String> got = List.of(layout.get(0).toString(), layout.get(1).toString());
    if (!want.equals(got)) {
      throw new Skipped("module signature " + got + " differs from the feeds and fetches " + want);
    }
  }

  private record Run(List<HostArray> values, RunMetadata metadata) {}

  private static Run run(Graph g, ConfigProto config, List<Inputs.Feed> feeds, List<Operand<?>> outputs) {
    List<Tensor> inputs = new ArrayList<>();
    try (Session session = new Session(g, config)) {
      Session.Runner runner = session.runner();
      for (Inputs.Feed feed : feeds) {
        Tensor t = feed.value().toTensor();
        inputs.add(t);
        runner.feed(feed.placeholder(), t);
      }
      outputs.forEach(runner::fetch);
      runner.setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build());
      try (Result result = runner.runAndFetchMetadata()) {
        List<HostArray> values = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
          values.add(HostArray.fromTensor(result.get(i)));
        }
        return new Run(values, result.getMetadata().orElseThrow());
      }
    } finally {
      inputs.forEach(Tensor::close);
    }
  }

  /**
   * The largest difference between float elements, relative where |expected| > 1 and absolute
   * below (so that values near zero do not dominate); 0 for integer results.
   */
  static double maxDifference(HostArray expected, HostArray actual) {
    if (!expected.kind.isFloat) {
      return 0;
    }
    double max = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Double.isFinite(e) && Double.isFinite(a) && e != a) {
        max = Math.max(max, Math.abs(a - e) / Math.max(Math.abs(e), 1.0));
      }
    }
    return max;
  }
}
