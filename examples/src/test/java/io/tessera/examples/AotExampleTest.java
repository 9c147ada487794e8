package io.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.tools.Main;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/aot as its Makefile builds it (hlo-opt --passes batch, tessera compile, cc main.c
 * mlp.o -lm), with the tools run in this JVM; the C program's probabilities must match the
 * reference interpreter's. Skipped, with a message, where gcc is missing.
 */
class AotExampleTest {
  private static final int ROWS = 300;

  @TempDir
  Path dir;

  @Test
  void theCProgramPrintsTheInterpretersProbabilities() throws Exception {
    boolean gcc = onPath("gcc");
    if (!gcc) {
      System.err.println("AotExampleTest SKIPPED: gcc is not installed, so the object cannot be linked into main.c");
    }
    assumeTrue(gcc, "gcc is not installed");
    Path model = ExampleFiles.path("hlo/mlp32.hlo");
    Path batched = dir.resolve("mlp_batched.hlo");
    Files.writeString(batched, tool("hlo-opt", model.toString(), "--passes", "batch"));
    tool("compile", batched.toString(), "-o", dir.resolve("mlp").toString());
    Path program = dir.resolve("mlp_aot");
    run(List.of("gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I" + dir,
        ExampleFiles.path("aot/main.c").toString(), dir.resolve("mlp.o").toString(), "-lm", "-o", program.toString()));
    String printed = run(List.of(program.toString(), Integer.toString(ROWS), Integer.toString(ROWS)));

    List<float[]> rows = new ArrayList<>();
    for (String line : printed.lines().toList()) {
      if (line.startsWith("row ")) {
        String[] parts = line.trim().split("\\s+");
        float[] p = new float[parts.length - 2];
        for (int k = 0; k < p.length; k++) {
          p[k] = Float.parseFloat(parts[k + 2]);
        }
        rows.add(p);
      }
    }
    assertEquals(ROWS, rows.size(), printed);
    assertTrue(printed.contains(ROWS + " rows in"), printed);

    Module module = HloParser.parse(Files.readString(model));
    for (int r = 0; r < ROWS; r += 7) {
      double[] x = new double[32];
      for (int j = 0; j < x.length; j++) {
        x[j] = BatchInference.feature(r, j);
      }
      Literal want = new Interpreter().run(module, List.of(Literal.ofDoubles(Shape.array(ElementType.F32, 32), x)));
      for (int k = 0; k < want.elementCount(); k++) {
        assertEquals(want.getDouble(k), rows.get(r)[k], 1e-6, "row " + r + " class " + k);
      }
    }
  }

  /** Runs a {@code bin/tessera} command in this JVM and returns its standard output. */
  private static String tool(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private String run(List<String> command) throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
    String text = Files.readString(out);
    assertEquals(0, p.exitValue(), command + "\n" + text);
    return text;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(d, tool))) {
          return true;
        }
      }
    }
    return false;
  }
}
