package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * One TensorFlow graph of the corpus: its file name stem, what it covers, the tolerance its float
 * results are checked with, and the code that builds it.
 */
record GraphCase(String name, String description, Tolerance tolerance, Body body) {

  /** Builds the graph: declares its inputs through {@code in} and returns the tensors to fetch. */
  @FunctionalInterface
  interface Body {
    List<Operand<?>> build(Ops tf, Inputs in);
  }

  GraphCase {
    if (!name.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("graph name must be lower_snake_case: " + name);
    }
  }

  static GraphCase of(String name, String description, Body body) {
    return new GraphCase(name, description, Tolerance.DEFAULT, body);
  }

  GraphCase withTolerance(Tolerance tolerance) {
    return new GraphCase(name, description, tolerance, body);
  }
}
