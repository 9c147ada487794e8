package io.tessera.compiler.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.tools.Main;
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
 * The backend's contract on any machine: listed as {@code gpu}, available or not with a reason
 * and never a native crash, code generation without a device, refusals that name the
 * instruction, and the command-line paths ({@code hlo-opt --emit ptx}, {@code run-hlo --backend gpu}).
 */
class GpuBackendTest {
  private static final String AXPY = """
      HloModule axpy
      ENTRY e {
        a = f32[] parameter(0)
        x = f32[1000] parameter(1)
        y = f32[1000] parameter(2)
        ab = f32[1000] broadcast(a), dimensions={}
        ax = f32[1000] multiply(ab, x)
        ROOT r = f32[1000] add(ax, y)
      }
      """;

  @TempDir
  Path dir;

  @Test
  void isListedAndSaysWhyItIsUnavailableWithoutCrashing() {
    Backend gpu = Backends.byName("gpu");
    assertEquals(GpuBackend.NAME, gpu.name());
    if (gpu.isAvailable()) {
      System.err.println("GpuBackendTest: a CUDA device is present; its absence is not checked here");
      assertEquals(null, gpu.unavailableReason());
      return;
    }
    String reason = gpu.unavailableReason();
    assertNotNull(reason);
    assertTrue(!reason.isBlank() && gpu.unavailableReason().equals(reason), "a stable, non-empty reason: " + reason);
    CompilationException e = assertThrows(CompilationException.class, () -> gpu.compile(HloParser.parse(AXPY)));
    assertTrue(e.getMessage().contains("not available here") && e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void emitsPtxForTheAskedArchitectureWithoutADevice() {
    Module module = HloParser.parse(AXPY);
    String ptx = new GpuBackend().emitPtx(module, BackendOptions.defaults().withCpu("sm_90", null));
    assertTrue(ptx.contains(".target sm_90"), ptx);
    assertTrue(ptx.contains(".visible .entry tessera_kernel_0("), ptx);
    assertThrows(CompilationException.class,
        () -> new GpuBackend().emitPtx(module, BackendOptions.defaults().withCpu("znver2", null)));
  }

  @Test
  void refusalsNameTheInstructionInsideAFusion() {
    Module module = HloParser.parse("""
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT c = f32[] add(a, b)
        }
        fused {
          fp = f32[8,3] parameter(0)
          fz = f32[] constant(0)
          ROOT fr = f32[4,3] reduce-window(fp, fz), window={size=2x1 stride=2x1}, to_apply=add
        }
        ENTRY e {
          x = f32[8,3] parameter(0)
          ROOT f = f32[4,3] fusion(x), kind=kLoop, calls=fused
        }
        """);
    CompilationException e = assertThrows(CompilationException.class,
        () -> new GpuBackend().emitPtx(module, BackendOptions.defaults()));
    assertTrue(e.getMessage().startsWith("in fusion %f: %fr (reduce-window): the GPU backend does not compile"
        + " reduce-window yet"), e.getMessage());
  }

  @Test
  void hloOptPrintsPtxAndRunHloReportsAMissingDeviceInOneLine() throws IOException {
    Path hlo = dir.resolve("axpy.hlo");
    Files.writeString(hlo, AXPY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(List.of("hlo-opt", hlo.toString(), "--emit", "ptx", "--gpu-arch", "sm_90"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains(".target sm_90"));

    assertEquals(2, Main.run(List.of("hlo-opt", hlo.toString(), "--emit", "ptx", "--gpu-arch", "90"),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));

    if (new GpuBackend().isAvailable()) {
      return; // run-hlo on a device is GpuDeviceTest's
    }
    ByteArrayOutputStream runErr = new ByteArrayOutputStream();
    int runStatus = Main.run(List.of("run-hlo", hlo.toString(), "--backend", "gpu"), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(runErr, true, StandardCharsets.UTF_8));
    String message = runErr.toString(StandardCharsets.UTF_8);
    assertEquals(1, runStatus, message);
    assertTrue(message.startsWith("tessera: backend gpu is not available here: ") && message.strip().lines().count() == 1,
        message);
  }
}
