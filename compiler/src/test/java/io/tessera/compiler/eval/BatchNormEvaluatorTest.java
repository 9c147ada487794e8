package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.ShapeException;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** batch-norm-training / batch-norm-inference / set-dimension-size as TF's dumps use them. */
class BatchNormEvaluatorTest {

  private static Module corpus(String name) throws IOException {
    try (InputStream in = BatchNormEvaluatorTest.class.getResourceAsStream("/hlo/" + name)) {
      return HloParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void trainingNormalizesEachFeatureWithTheBatchStatisticsAndInferenceReusesThem() throws IOException {
    Module module = corpus("batch_norm.hlo");
    Verifier.verify(module);
    Literal result = new Interpreter().run(module, List.of(HloParser.parseLiteral("f32[2,2] {{1, 2}, {3, 6}}")));
    // Feature 0: {1, 3}, mean 2, variance 1; feature 1: {2, 6}, mean 4, variance 4 (biased).
    // y = (x - mean) / sqrt(var + 0.001) * scale + offset with scale {1, 2}, offset {0, 0.5}.
    Literal y = HloParser.parseLiteral("f32[2,2] {{-0.9995004, -1.49975}, {0.9995004, 2.4997501}}");
    LiteralComparator close = LiteralComparator.withTolerance(1e-6, 0);
    assertNull(close.mismatch(y, result.tupleElement(0)));
    assertEquals(HloParser.parseLiteral("f32[2] {2, 4}"), result.tupleElement(1));
    assertEquals(HloParser.parseLiteral("f32[2] {1, 4}"), result.tupleElement(2));
    assertNull(close.mismatch(y, result.tupleElement(3)));
  }

  @Test
  void featureOperandsMustMatchTheFeatureDimension() {
    Module module = HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[2,3] parameter(0)
          s = f32[2] parameter(1)
          ROOT y = (f32[2,3], f32[3], f32[3]) batch-norm-training(x, s, s), epsilon=0.001, feature_index=1
        }
        """);
    ShapeException e = assertThrows(ShapeException.class, () -> Verifier.verify(module));
    assertTrue(e.getMessage().contains("%y") && e.getMessage().contains("scale must be f32[3]"), e.getMessage());
  }
}
