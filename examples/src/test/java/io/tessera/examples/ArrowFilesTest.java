package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.arrow.tools.ArrowApplyCommand;
import io.tessera.compiler.text.HloParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** write -> arrow-apply -> read, as the README runs them, on a file of a few batches. */
class ArrowFilesTest {
  @TempDir
  Path dir;

  @Test
  void arrowApplyScoresEveryRowOfTheFile() throws Exception {
    Path in = dir.resolve("in.arrow");
    Path out = dir.resolve("out.arrow");
    long rows = 2L * ArrowFiles.BATCH_ROWS + 17;
    ArrowFiles.write(in, rows);

    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Path model = ExampleFiles.path("hlo/mlp32.hlo");
    int status = ArrowApplyCommand.run(List.of("--hlo", model.toString(), "--in", in.toString(), "--out",
            out.toString(), "--columns", "features"), new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertEquals(0, status, stderr.toString(StandardCharsets.UTF_8));

    ArrowFiles.FloatColumn result = ArrowFiles.readLastColumn(out, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    assertEquals(rows, result.rows().size());
    JavaMlp java = JavaMlp.fromModule(HloParser.parse(Files.readString(model)));
    for (int id = 0; id < rows; id += 997) {
      float[] x = new float[java.inputs()];
      for (int j = 0; j < x.length; j++) {
        x[j] = BatchInference.feature(id, j);
      }
      float[] want = java.predict(x);
      float[] got = result.rows().get(id);
      assertEquals(want.length, got.length);
      for (int k = 0; k < want.length; k++) {
        assertEquals(want[k], got[k], 1e-6, "row " + id + " class " + k);
      }
    }
  }
}
