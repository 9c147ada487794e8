package io.tessera.examples;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code bin/tessera-example NAME [options]}: runs one example by its README name. */
public final class Main {
  /** An example's entry point. */
  @FunctionalInterface
  interface Entry {
    void run(String[] args) throws Exception;
  }

  static final Map<String, Entry> EXAMPLES = new LinkedHashMap<>();

  static {
    EXAMPLES.put("batch-inference", BatchInference::main);
    EXAMPLES.put("jax-model", JaxModel::main);
    EXAMPLES.put("xla-model", XlaModel::main);
    EXAMPLES.put("arrow-files", ArrowFiles::main);
    EXAMPLES.put("compiled-expressions", CompiledExpressions::main);
  }

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !EXAMPLES.containsKey(args[0])) {
      System.err.println("usage: bin/tessera-example NAME [options], NAME one of " + String.join(", ", EXAMPLES.keySet()));
      System.exit(2);
    }
    try {
      EXAMPLES.get(args[0]).run(Arrays.copyOfRange(args, 1, args.length));
    } catch (IllegalArgumentException e) {
      System.err.println("tessera-example " + args[0] + ": " + e.getMessage());
      System.exit(2);
    }
  }
}
