package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JAX export on Spark equals the same math in Spark SQL, and a hand computation. */
class JaxModelTest {
  @Test
  void tesseraApplyEqualsSparkSql() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JaxModel.Result r = JaxModel.run(ExampleSession.local("examples-test"), ExampleFiles.path("jax/score.hlo"), 2000,
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals(2000, r.rows(), bytes.toString(StandardCharsets.UTF_8));
    assertTrue(r.maxDifference() < 1e-5, "max difference " + r.maxDifference());

    // Row by row in Java (double precision), independent of both.
    for (int id = 0; id < r.first().size(); id++) {
      double[] x = new double[JaxModel.W.length];
      double mean = 0;
      for (int j = 0; j < x.length; j++) {
        x[j] = JaxModel.feature(id, j);
        mean += x[j] / x.length;
      }
      double var = 0;
      for (double v : x) {
        var += (v - mean) * (v - mean) / x.length;
      }
      double logit = JaxModel.B;
      for (int j = 0; j < x.length; j++) {
        logit += (x[j] - mean) / Math.sqrt(var + 1e-5) * JaxModel.W[j];
      }
      assertEquals(1 / (1 + Math.exp(-logit)), r.first().get(id), 1e-6, "row " + id);
    }
  }
}
