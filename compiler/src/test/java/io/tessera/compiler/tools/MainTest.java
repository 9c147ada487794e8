package io.tessera.compiler.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.text.HloParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bin/tessera} commands, run in-process. */
class MainTest {
  private static final String MLP = "../examples/hlo/mlp.hlo";
  private static final String MLP_ARGS = "../examples/hlo/mlp.args";

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
  void runHloPrintsTheReadmeResultOfTheMlpExample() {
    Result r = run("run-hlo", MLP, "--backend", "interpreter", "--args", MLP_ARGS);
    assertEquals(0, r.status(), r.err());
    // numpy (float32 accumulation) gives 0.33703884, 0.34458482, 0.31837636: within one ulp.
    assertEquals("f32[3] {0.33703882, 0.34458482, 0.31837636}\n", r.out());
  }

  @Test
  void runHloPrintsTupleElementsOnePerLine() throws IOException {
    Path hlo = write("t.hlo", """
        HloModule t
        ENTRY e {
          x = s32[2] parameter(0)
          n = s32[2] negate(x)
          ROOT t = (s32[2], s32[2]) tuple(x, n)
        }
        """);
    Path args = write("t.args", "# one argument\ns32[2] {1, -7}\n");
    Result r = run("run-hlo", hlo.toString(), "--backend", "interpreter", "--args", args.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("s32[2] {1, -7}\ns32[2] {-1, 7}\n", r.out());
  }

  @Test
  void runHloGeneratesSeededArgumentsAndSaysSo() {
    Result first = run("run-hlo", MLP, "--seed", "7");
    Result second = run("run-hlo", MLP, "--seed", "7");
    assertEquals(0, first.status(), first.err());
    assertEquals(first.out(), second.out());
    assertTrue(first.err().contains("generated with seed 7"), first.err());
  }

  @Test
  void compareAgainstTheSameBackendAgrees() {
    Result r = run("run-hlo", MLP, "--args", MLP_ARGS, "--compare", "interpreter");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("agree"), r.err());
  }

  @Test
  void theCpuBackendRunsTheMlpAndAgreesWithTheInterpreter() {
    Result r = run("run-hlo", MLP, "--backend", "cpu", "--args", MLP_ARGS, "--compare", "interpreter");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("cpu and interpreter agree"), r.err());
    assertTrue(r.out().startsWith("f32[3] {0.3370388"), r.out());
  }

  @Test
  void hloOptEmitsTheCpuKernelAsLlvmIr() {
    Result r = run("hlo-opt", MLP, "--emit", "llvm");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("define") && r.out().contains("tessera_entry"), r.out());
    assertEquals(2, run("hlo-opt", MLP, "--emit", "sass").status());
    // The GPU backend compiles the MLP's dots and reduce too: kernels in PTX, no device needed.
    Result ptx = run("hlo-opt", MLP, "--emit", "ptx");
    assertEquals(0, ptx.status(), ptx.err());
    assertTrue(ptx.out().contains(".entry tessera_kernel_0("), ptx.out());
  }

  @Test
  void hloOptPrintsAModuleThatParsesBackToTheSameText() {
    Result r = run("hlo-opt", MLP);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("HloModule jit_mlp"), r.out());
    assertEquals(r.out(), io.tessera.compiler.text.HloPrinter.print(HloParser.parse(r.out())));
  }

  @Test
  void malformedHloIsReportedWithFileLineAndColumn() throws IOException {
    Path hlo = write("bad.hlo", "HloModule m\nENTRY e {\n  x = f32[2] parameter(0)\n  ROOT y = f32[2] frobnicate(x)\n}\n");
    Result r = run("hlo-opt", hlo.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("tessera: " + hlo + ":4:"), r.err());
    assertTrue(r.err().contains("frobnicate"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void aShapeErrorNamesTheInstruction() throws IOException {
    Path hlo = write("shape.hlo", "HloModule m\nENTRY e {\n  x = f32[2] parameter(0)\n  ROOT y = f32[3] negate(x)\n}\n");
    Result r = run("hlo-opt", hlo.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("%y"), r.err());
  }

  @Test
  void severalShapeErrorsGiveTheFirstOnOneLineAndCountTheRest() throws IOException {
    Path hlo = write("two.hlo", "HloModule m\nENTRY e {\n  x = f32[2] parameter(0)\n  y = f32[3] negate(x)\n"
        + "  ROOT z = f32[4] abs(y)\n}\n");
    Result r = run("hlo-opt", hlo.toString());
    assertEquals(1, r.status());
    assertEquals("tessera: " + hlo + ": %y in computation %e: negate: declared shape f32[3] differs from the "
        + "inferred shape f32[2] (and 1 more problem)\n", r.err());
  }

  @Test
  void wrongArgumentsAreRefusedWithAReason() throws IOException {
    Path args = write("wrong.args", "f32[5] {1, 2, 3, 4, 5}\n");
    Result r = run("run-hlo", MLP, "--args", args.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("f32[5]") && r.err().contains("f32[4]"), r.err());
  }

  @Test
  void aModuleWithDynamicDimensionsNeedsRowsForGeneratedArguments() {
    String expected = "tessera: %x (parameter) has the dynamic shape f32[?,4]: give --args, or --rows N to generate "
        + "arguments with N rows\n";
    Result generated = run("run-hlo", "src/test/resources/hlo/dynamic_and_tiled_shapes.hlo");
    assertEquals(1, generated.status());
    assertEquals(expected, generated.err());
  }

  @Test
  void aModuleWithDynamicDimensionsRunsOnTheRowsGivenOnBothBackends() throws IOException {
    Result r = run("run-hlo", "src/test/resources/hlo/dynamic_and_tiled_shapes.hlo", "--backend", "cpu", "--compare",
        "interpreter", "--rows", "3");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("generated with seed 42 and 3 rows"), r.err());
    assertTrue(r.err().contains("cpu and interpreter agree"), r.err());
    assertTrue(r.out().startsWith("f32[3,4] {"), r.out());

    Path args = write("rows.args", "f32[2,4] {{1, -2, 3, -4}, {5, 6, 7, 8}}\n");
    Path hlo = write("rows.hlo", "HloModule rows\nENTRY e {\n  x = f32[?,4] parameter(0)\n"
        + "  ROOT n = f32[?,4] negate(x)\n}\n");
    Result fromArgs = run("run-hlo", hlo.toString(), "--backend", "cpu", "--args", args.toString());
    assertEquals(0, fromArgs.status(), fromArgs.err());
    assertEquals("f32[2,4] {{-1, 2, -3, 4}, {-5, -6, -7, -8}}\n", fromArgs.out());
    assertEquals(2, run("run-hlo", hlo.toString(), "--rows", "-1").status());
  }

  @Test
  void aCustomCallTargetTheInterpreterLacksIsNamed() {
    Result r = run("run-hlo", "src/test/resources/hlo/custom_call.hlo");
    assertEquals(1, r.status());
    assertTrue(r.err().endsWith("tessera: custom-call %custom-call has target \"my_scale_kernel\", "
        + "which Tessera does not implement\n"), r.err());
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(2, run().status());
    assertEquals(2, run("frobnicate").status());
    Result tpu = run("run-hlo", MLP, "--backend", "tpu");
    assertEquals(2, tpu.status());
    assertTrue(tpu.err().contains("available: interpreter, cpu"), tpu.err());
    assertEquals(2, run("run-hlo", MLP, "--bogus", "1").status());
    Result missing = run("run-hlo", "no/such/file.hlo");
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("no such file"), missing.err());
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }
}
