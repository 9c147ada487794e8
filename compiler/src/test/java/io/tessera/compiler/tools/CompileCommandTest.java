package io.tessera.compiler.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera compile}: what it writes and how it refuses bad arguments. Linking and running
 * the objects is tested in {@code io.tessera.compiler.cpu.AotCompilerTest}.
 */
class CompileCommandTest {
  private static final String MLP = "../examples/hlo/mlp.hlo";

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

  @Test
  void writesTheObjectAndTheHeaderNamedByDashO() throws IOException {
    Path base = dir.resolve("kernels/mlp");
    Result r = run("compile", MLP, "--target", "x86_64", "-o", base.toString());
    assertEquals(0, r.status(), r.err());
    byte[] object = Files.readAllBytes(dir.resolve("kernels/mlp.o"));
    assertEquals(0x7F, object[0]);
    assertEquals("ELF", new String(object, 1, 3, StandardCharsets.US_ASCII));
    assertEquals(62, object[18], "e_machine EM_X86_64");
    assertEquals(1, object[16], "e_type ET_REL: a relocatable object");
    String header = Files.readString(dir.resolve("kernels/mlp.h"));
    assertTrue(header.contains("int32_t mlp(int64_t rows, const void* const* params, void* const* results, "
        + "void* scratch);"), header);
    assertTrue(header.contains("#define MLP_PARAM0_BYTES(rows) ((size_t)16u)"), header);
    assertTrue(header.contains("#define MLP_RESULT0_BYTES(rows) ((size_t)12u)"), header);
    assertTrue(header.contains("#define MLP_DYNAMIC_ROWS 0"), header);
    assertTrue(header.contains("from mlp.hlo (HLO module jit_mlp)"), header);
    assertTrue(r.out().startsWith("wrote " + dir.resolve("kernels/mlp.o")), r.out());
    // The MLP's exp and tanh are inline code (VectorMath): the object needs no library.
    assertFalse(r.out().contains("link with -lm"), r.out());
  }

  @Test
  void compilesForAarch64WithACpuOfChoice() {
    Result r = run("compile", MLP, "--target", "aarch64", "--cpu", "neoverse-n1", "--opt", "O2", "-o",
        dir.resolve("arm").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("aarch64-unknown-linux-gnu, cpu neoverse-n1"), r.out());
    assertTrue(Files.exists(dir.resolve("arm.o")) && Files.exists(dir.resolve("arm.h")));
  }

  @Test
  void badArgumentsAreUsageErrors() {
    String out = dir.resolve("k").toString();
    assertUsageError("compile needs -o NAME", "compile", MLP, "--target", "x86_64");
    assertUsageError("unknown target 'sparc'", "compile", MLP, "--target", "sparc", "-o", out);
    assertUsageError("is not a C identifier", "compile", MLP, "-o", dir.resolve("my-kernel").toString());
    assertUsageError("C/C++ keyword or main", "compile", MLP, "-o", dir.resolve("main").toString());
    assertUsageError("--opt O1", "compile", MLP, "--opt", "O1", "-o", out);
    assertUsageError("expected exactly one HLO file", "compile", "-o", out);
    assertFalse(Files.exists(dir.resolve("k.o")), "nothing is written on a usage error");
  }

  @Test
  void unsupportedModulesFailNamingTheInstruction() throws IOException {
    Path hlo = dir.resolve("topk.hlo");
    Files.writeString(hlo, """
        HloModule s
        ENTRY e {
          x = f32[8,32] parameter(0)
          ROOT topk = (f32[8,5], s32[8,5]) custom-call(x), custom_call_target="TopK"
        }
        """);
    Result r = run("compile", hlo.toString(), "--target", "x86_64", "-o", dir.resolve("s").toString());
    assertEquals(1, r.status());
    assertEquals("tessera: not supported by the cpu backend: custom-call %topk calls target \"TopK\", an XLA runtime"
        + " routine Tessera does not implement\n", r.err());
  }

  private static void assertUsageError(String expected, String... args) {
    Result r = run(args);
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains(expected), r.err());
  }
}
