package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The TensorFlow/XLA model, unbatched and run by tessera_apply, gives XLA's own results. */
class XlaModelTest {
  @Test
  void tesseraApplyGivesXlasResults() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    XlaModel.Result r = XlaModel.run(ExampleSession.local("examples-test"), ExampleFiles.path("xla/mlp_gelu_tanh.hlo"),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(8, r.rows(), printed);
    assertTrue(r.withinTolerance(), printed);
    assertTrue(r.maxDifference() < 1e-5, printed);
    assertTrue(printed.contains("(f32[8,16]) -> f32[8,4]") && printed.contains("(f32[16]) -> f32[4]"), printed);
  }
}
