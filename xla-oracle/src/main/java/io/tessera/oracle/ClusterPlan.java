package io.tessera.oracle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * How TensorFlow ran a graph, read from the partition graphs of one run: the single XLA cluster
 * that must compute everything, which feed each of the cluster's arguments is, and which fetch
 * each of its results is.
 *
 * <p>TensorFlow rewrites a compiled cluster into {@code _XlaCompile} and {@code _XlaRun}; the
 * run's arguments are the cluster's non-constant arguments in order, the same order as the XLA
 * module's parameters, and its outputs are the entries of the module's result tuple. Feeds and
 * fetches appear as {@code _Arg} and {@code _Retval} nodes named {@code _arg_<tensor>_<n>} and
 * {@code _retval_<tensor>_<n>}, with the tensor name's ':' replaced by '_'.
 */
record ClusterPlan(List<Integer> parameterFeeds, List<Integer> resultFetches) {

  /** Thrown when the graph did not run as exactly one XLA cluster; the message says why. */
  static final class NotOneCluster extends Exception {
    private static final long serialVersionUID = 1L;

    NotOneCluster(String message) {
      super(message);
    }
  }

  /** Ops that may stand beside the cluster: they move data in and out and compute nothing. */
  private static final Set<String> BOOKKEEPING = Set.of("_Arg", "_Retval", "_XlaCompile", "_XlaRun", "NoOp");

  /**
   * @param feeds tensor names fed, e.g. {@code x:0}
   * @param fetches tensor names fetched
   * @return the feed index of each module parameter and the fetch index of each result
   */
  static ClusterPlan of(List<GraphDef> partitionGraphs, List<String> feeds, List<String> fetches)
      throws NotOneCluster {
    Map<String, NodeDef> nodes = new HashMap<>();
    List<NodeDef> runs = new ArrayList<>();
    Set<String> computeOps = new TreeSet<>();
    for (GraphDef graph : partitionGraphs) {
      for (NodeDef node : graph.getNodeList()) {
        nodes.put(node.getName(), node);
        if (node.getOp().equals("_XlaRun")) {
          runs.add(node);
        } else if (!BOOKKEEPING.contains(node.getOp())) {
          computeOps.add(node.getOp() + " " + node.getName());
        }
      }
    }
    if (runs.size() != 1) {
      throw new NotOneCluster(runs.size() + " XLA clusters ran (want exactly 1)"
          + (computeOps.isEmpty() ? "" : "; ops outside XLA: " + computeOps));
    }
    if (!computeOps.isEmpty()) {
      throw new NotOneCluster("ops ran outside the XLA cluster: " + computeOps);
    }
    NodeDef run = runs.get(0);

    // _XlaRun's inputs: the arguments, then the compilation key from _XlaCompile.
    List<String> dataInputs = run.getInputList().stream().filter(in -> !in.startsWith("^")).toList();
    List<Integer> parameterFeeds = new ArrayList<>();
    for (String input : dataInputs.subList(0, dataInputs.size() - 1)) {
      NodeDef source = nodes.get(nodeName(input));
      if (source == null || !source.getOp().equals("_Arg")) {
        throw new NotOneCluster("cluster argument " + input + " is not a feed");
      }
      parameterFeeds.add(indexOf(source.getName(), "_arg_", feeds));
    }
    NodeDef compile = nodes.get(nodeName(dataInputs.get(dataInputs.size() - 1)));
    if (compile == null || !compile.getOp().equals("_XlaCompile")) {
      throw new NotOneCluster("the cluster's last input is not its compilation key");
    }
    long compileArgs = compile.getInputList().stream().filter(in -> !in.startsWith("^")).count();
    if (compileArgs != parameterFeeds.size()) {
      throw new NotOneCluster("the cluster has compile-time constant or resource arguments");
    }

    Integer[] resultFetches = new Integer[fetches.size()];
    for (NodeDef node : nodes.values()) {
      if (!node.getOp().equals("_Retval")) {
        continue;
      }
      String input = node.getInput(0);
      if (!nodeName(input).equals(run.getName())) {
        throw new NotOneCluster("fetch " + node.getName() + " is not computed by the cluster");
      }
      int output = outputIndex(input);
      if (output >= resultFetches.length || resultFetches[output] != null) {
        throw new NotOneCluster("cluster output " + output + " does not map to one fetch");
      }
      resultFetches[output] = indexOf(node.getName(), "_retval_", fetches);
    }
    List<Integer> results = Arrays.asList(resultFetches);
    if (results.contains(null) || new TreeSet<>(results).size() != fetches.size()) {
      throw new NotOneCluster("cluster outputs " + results + " do not cover the fetches " + fetches);
    }
    return new ClusterPlan(List.copyOf(parameterFeeds), List.copyOf(results));
  }

  /** The index in {@code tensors} of the tensor that a node named {@code prefix<tensor>_<n>} stands for. */
  private static int indexOf(String nodeName, String prefix, List<String> tensors) throws NotOneCluster {
    int cut = nodeName.lastIndexOf('_');
    if (!nodeName.startsWith(prefix) || cut <= prefix.length()) {
      throw new NotOneCluster("unexpected node name " + nodeName);
    }
    String tensor = nodeName.substring(prefix.length(), cut);
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).replace(':', '_').equals(tensor)) {
        return i;
      }
    }
    throw new NotOneCluster(nodeName + " matches none of " + tensors);
  }

  private static String nodeName(String input) {
    int colon = input.lastIndexOf(':');
    return colon < 0 ? input : input.substring(0, colon);
  }

  private static int outputIndex(String input) {
    int colon = input.lastIndexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(input.substring(colon + 1));
  }
}
