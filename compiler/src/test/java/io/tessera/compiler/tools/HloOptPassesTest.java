package io.tessera.compiler.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hlo-opt --passes}, the default pipeline and {@code --dump-to}, run in-process. */
class HloOptPassesTest {
  private static final String MODULE = """
      HloModule m
      ENTRY e {
        p = f32[3] parameter(0)
        z = f32[] constant(-0)
        zs = f32[3] broadcast(z), dimensions={}
        a = f32[3] add(p, zs)
        b = f32[3] exponential(a)
        c = f32[3] exponential(p)
        ROOT r = f32[3] add(b, c)
      }
      """;

  @TempDir
  Path dir;

  private record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path write(String text) throws IOException {
    Path file = dir.resolve("m.hlo");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void namedPassesRunInOrder() throws IOException {
    Result r = run("hlo-opt", write(MODULE).toString(), "--passes", "simplify,cse,dce");
    assertEquals(0, r.status(), r.err());
    assertEquals(HloPrinter.print(HloParser.parse("""
        HloModule m
        ENTRY e {
          p = f32[3] parameter(0)
          b = f32[3] exponential(p)
          ROOT r = f32[3] add(b, b)
        }
        """)), r.out());
  }

  @Test
  void passesNoneOnlyPrints() throws IOException {
    Result r = run("hlo-opt", write(MODULE).toString(), "--passes", "none");
    assertEquals(0, r.status(), r.err());
    assertEquals(HloPrinter.print(HloParser.parse(MODULE)), r.out());
  }

  @Test
  void withoutPassesTheCpuPipelineRuns() throws IOException {
    Result r = run("hlo-opt", write(MODULE).toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(!r.out().contains("constant(-0)") && r.out().contains("exponential"), r.out());
  }

  @Test
  void anUnknownPassIsAUsageErrorListingTheAvailableOnes() throws IOException {
    Result r = run("hlo-opt", write(MODULE).toString(), "--passes", "simplify,frobnicate");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("tessera: unknown pass 'frobnicate' (available: simplify, "), r.err());
  }

  @Test
  void dumpToWritesTheModuleAfterEachChange() throws IOException {
    Path dump = dir.resolve("dump");
    Result r = run("hlo-opt", write(MODULE).toString(), "--passes", "simplify,cse,dce", "--dump-to", dump.toString());
    assertEquals(0, r.status(), r.err());
    try (Stream<Path> files = Files.list(dump)) {
      assertEquals(List.of("000.input.hlo", "001.simplify.hlo", "002.cse.hlo", "003.dce.hlo"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertEquals(r.out(), Files.readString(dump.resolve("003.dce.hlo")));
  }

  @Test
  void emitBuffersPrintsTheAssignmentOfTheOptimizedModule() throws IOException {
    Result r = run("hlo-opt", write(MODULE).toString(), "--emit", "buffers");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("buffer assignment of module m, entry computation e"), r.out());
    assertTrue(r.out().contains("output 0: %fusion f32[3] computed in place"), r.out());
    assertEquals(2, run("hlo-opt", write(MODULE).toString(), "--emit", "sass").status());
  }
}
