package io.tessera.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Regenerates the XLA corpus: runs every graph of the {@link Catalogue} through XLA on the CPU and
 * writes XLA's modules, inputs and results into the compiler's test resources.
 *
 * <p>Usage: {@code CorpusGenerator CORPUS_DIR [NAME...]}, in a JVM started with the environment
 * that makes TensorFlow compile with XLA and dump its modules (the {@code generate} execution of
 * this module's pom sets it; see README.md). With names, only those graphs are regenerated and the
 * other files are left alone.
 */
public final class CorpusGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusGenerator.class);

  private CorpusGenerator() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: CorpusGenerator CORPUS_DIR [NAME...]");
      System.exit(2);
    }
    String jitFlags = System.getenv().getOrDefault("TF_XLA_FLAGS", "");
    if (!jitFlags.contains("--tf_xla_cpu_global_jit")) {
      throw new IllegalStateException("TF_XLA_FLAGS must contain --tf_xla_cpu_global_jit "
          + "--tf_xla_min_cluster_size=1 (got \"" + jitFlags + "\"); run through the generate execution, see README.md");
    }
    CorpusWriter writer = new CorpusWriter(Path.of(args[0]));
    // Names may come as one space- or comma-separated argument (from -Dtessera.graphs), possibly empty.
    List<String> only = List.of(args).subList(1, args.length).stream()
        .flatMap(a -> Arrays.stream(a.split("[\\s,]+")))
        .filter(a -> !a.isBlank())
        .toList();
    List<GraphCase> graphs = Catalogue.all().stream().filter(g -> only.isEmpty() || only.contains(g.name())).toList();
    if (graphs.isEmpty()) {
      throw new IllegalArgumentException("no graph named " + only);
    }
    DumpDirectory dumps = DumpDirectory.fromEnvironment();
    if (only.isEmpty()) {
      writer.clear();
    }
    List<OracleRun.Capture> captured = new ArrayList<>();
    List<String[]> skipped = new ArrayList<>();
    for (GraphCase graph : graphs) {
      try {
        OracleRun.Capture c = OracleRun.capture(graph, dumps);
        writer.write(c);
        captured.add(c);
        LOG.info("{}: {} parameter(s), {} result(s), XLA vs TF {}", graph.name(), c.arguments().size(),
            c.xlaResults().size(), String.format("%.1e", c.maxDifferenceToTf()));
      } catch (OracleRun.Skipped e) {
        LOG.warn("{}: SKIPPED: {}", graph.name(), e.getMessage());
        skipped.add(new String[] {graph.name(), e.getMessage()});
      }
    }
    if (only.isEmpty()) {
      writer.writeIndex(captured, skipped);
    }
    LOG.info("wrote {} graph(s) to {}; skipped {}", captured.size(), args[0], skipped.size());
  }
}
