package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's main example on a few thousand rows: Tessera, the Java UDF and the interpreter agree. */
class BatchInferenceTest {
  private static final Path MODEL = ExampleFiles.path("hlo/mlp32.hlo");

  @Test
  void tesseraAndTheJavaUdfGiveTheSameProbabilities() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BatchInference.Result r = BatchInference.run(ExampleSession.local("examples-test"), MODEL, 3000,
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(3000, r.rows());
    assertTrue(r.maxDifference() < 1e-5, "max difference " + r.maxDifference());
    assertTrue(r.tesseraRowsPerSecond() > 0 && r.javaUdfRowsPerSecond() > 0, printed);
    assertTrue(printed.contains("tessera_apply") && printed.contains("Java UDF") && printed.contains("rows/s"), printed);

    Module module = HloParser.parse(Files.readString(MODEL));
    JavaMlp java = JavaMlp.fromModule(module);
    assertEquals(5, r.first().size());
    for (int id = 0; id < r.first().size(); id++) {
      float[] x = new float[java.inputs()];
      for (int j = 0; j < x.length; j++) {
        x[j] = BatchInference.feature(id, j);
      }
      float[] tessera = r.first().get(id);
      float[] udf = java.predict(x);
      Literal reference = new Interpreter().run(module, List.of(features(x)));
      float sum = 0;
      for (int k = 0; k < tessera.length; k++) {
        assertEquals(reference.getDouble(k), tessera[k], 1e-6, "row " + id + " class " + k + " (interpreter)");
        assertEquals(udf[k], tessera[k], 1e-6, "row " + id + " class " + k + " (Java UDF)");
        sum += tessera[k];
      }
      assertEquals(1f, sum, 1e-5f, "probabilities of row " + id);
    }
  }

  @Test
  void theJavaModelReadsThreeLayersFromTheModule() throws Exception {
    JavaMlp java = JavaMlp.fromModule(HloParser.parse(Files.readString(MODEL)));
    assertEquals(32, java.inputs());
    assertEquals(4, java.outputs());
  }

  private static Literal features(float[] x) {
    double[] d = new double[x.length];
    for (int k = 0; k < x.length; k++) {
      d[k] = x[k];
    }
    return Literal.ofDoubles(Shape.array(ElementType.F32, x.length), d);
  }
}
