package io.tessera.oracle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every graph of the corpus, grouped by what they cover. Names are the corpus file stems. */
final class Catalogue {
  private Catalogue() {}

  static List<GraphCase> all() {
    List<GraphCase> all = new ArrayList<>();
    all.addAll(DenseGraphs.all());
    all.addAll(ConvGraphs.all());
    all.addAll(IndexingGraphs.all());
    all.addAll(ShapeGraphs.all());
    all.addAll(NumericGraphs.all());
    all.addAll(ControlFlowGraphs.all());
    Set<String> names = new HashSet<>();
    for (GraphCase g : all) {
      if (!names.add(g.name())) {
        throw new IllegalStateException("two graphs are named " + g.name());
      }
    }
    return all;
  }
}
