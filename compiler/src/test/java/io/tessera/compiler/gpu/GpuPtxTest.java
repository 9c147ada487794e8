package io.tessera.compiler.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.llvm.MathLibrary;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PTX the backend emits is accepted by NVIDIA's assembler: every op family module
 * ({@link OpModules}) for {@code sm_80} and {@code sm_90}, with libdevice linked where the kernels
 * call it and with the project's own math where no toolkit is found. {@code ptxas} checks what
 * the host emulation cannot: NVPTX's code generation, address spaces, the libdevice link. Runs
 * wherever {@code ptxas} is on PATH (these machines and CI); skipped with a message elsewhere.
 */
class GpuPtxTest {
  private static final List<String> ARCHS = List.of("sm_80", "sm_90");
  private static final GpuBackend GPU = new GpuBackend();

  @TempDir
  Path dir;

  @TestFactory
  Stream<DynamicTest> everyFamilyAssemblesForEachArchitecture() {
    Path ptxas = findPtxas();
    if (ptxas == null) {
      return Stream.of(DynamicTest.dynamicTest("ptxas on PATH", GpuPtxTest::ptxas));
    }
    List<OpModules.Family> families = new ArrayList<>(OpModules.all());
    families.addAll(OpModules.modules());
    families.addAll(OpModules.reductionsAndDots());
    List<DynamicTest> tests = new ArrayList<>();
    for (String arch : ARCHS) {
      for (OpModules.Family f : families) {
        tests.add(DynamicTest.dynamicTest(f.name() + " " + arch, () -> {
          String ptx = GPU.emitPtx(f.module(), BackendOptions.defaults().withCpu(arch, null));
          assertTrue(ptx.contains(".target " + arch), () -> "PTX for another target:\n" + head(ptx));
          assertTrue(ptx.contains(".entry tessera_kernel_0"), () -> "no kernel entry:\n" + head(ptx));
          assemble(ptxas, arch, f.name(), ptx);
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void libdeviceMathIsLinkedAndInlined() throws IOException {
    Assumptions.assumeTrue(Libdevice.find().isPresent(), "no CUDA toolkit with libdevice here");
    String ptx = GPU.emitPtx(OpModules.unary(ElementType.F32).module(), BackendOptions.defaults());
    assertFalse(ptx.contains("__nv_"), "libdevice functions should be inlined, not called");
    assertFalse(ptx.contains(".extern"), "nothing may stay external");
    assemble(ptxas(), NvptxCompiler.DEFAULT_ARCH, "f32 unary with libdevice", ptx);
  }

  @Test
  void withoutLibdeviceTheOwnApproximationsAssemble() throws IOException {
    for (ElementType t : List.of(ElementType.F32, ElementType.F64)) {
      GpuKernelEmitter.Kernels kernels = GpuKernelEmitter.emit(OpModules.unary(t).module(), ThreadGrid.NVPTX,
          MathLibrary.OWN, BackendOptions.defaults());
      String ptx = NvptxCompiler.ptx("own_math", kernels.ir(), "sm_80", BackendOptions.defaults(), Optional.empty());
      assemble(ptxas(), "sm_80", t + " unary with the own math", ptx);
    }
  }

  @Test
  void resultsOfDifferentDimensionsGetAKernelEachReadingTheGrid() {
    OpModules.Family tuple = OpModules.modules().get(2); // a tuple of f64[5], f64[], f64[2,5], f64[5]
    String ptx = GPU.emitPtx(tuple.module(), BackendOptions.defaults());
    assertEquals(3, ptx.split("\\.entry ", -1).length - 1, ptx);
    for (String register : List.of("%tid.x", "%ntid.x", "%ctaid.x", "%nctaid.x")) {
      assertTrue(ptx.contains(register), () -> "the grid-stride loop reads " + register);
    }
  }

  @Test
  void anMlpComputesEachLayerOnceIntoATemporaryWithTiledDots() {
    OpModules.Family mlp = OpModules.reductionsAndDots().stream().filter(f -> f.name().startsWith("an MLP")).findFirst()
        .orElseThrow();
    GpuKernelEmitter.Kernels kernels = GpuKernelEmitter.emit(mlp.module(), ThreadGrid.NVPTX, MathLibrary.OWN,
        BackendOptions.defaults());
    // d1 and d2 feed the next layer: a kernel and a buffer each; then one kernel per result (d3, and d1).
    assertEquals(2, kernels.temporaries().size(), kernels.temporaries().toString());
    assertEquals(4, kernels.kernels().size());
    // Each layer's dot is a tiled GEMM; the hidden-layer result is copied from its temporary.
    assertEquals(List.of(GpuKernelEmitter.Form.TILED_DOT, GpuKernelEmitter.Form.TILED_DOT,
        GpuKernelEmitter.Form.TILED_DOT, GpuKernelEmitter.Form.ELEMENTWISE),
        kernels.kernels().stream().map(GpuKernelEmitter.Kernel::form).toList());
    String ptx = GPU.emitPtx(mlp.module(), BackendOptions.defaults());
    assertEquals(4, ptx.split("\\.entry ", -1).length - 1, ptx);
  }

  /** ptxas from PATH; aborts the test, visibly, when there is none. */
  private static Path ptxas() {
    Path ptxas = findPtxas();
    if (ptxas == null) {
      System.err.println("GpuPtxTest: ptxas is not on PATH, so the emitted PTX is not assembled here");
      Assumptions.abort("ptxas is not on PATH: emitted PTX not assembled");
    }
    return ptxas;
  }

  private static Path findPtxas() {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, "ptxas");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private void assemble(Path ptxas, String arch, String what, String ptx) throws IOException {
    Path source = Files.createTempFile(dir, "kernel", ".ptx");
    Files.writeString(source, ptx);
    Process process = new ProcessBuilder(ptxas.toString(), "--gpu-name", arch, source.toString(), "-o",
        source + ".cubin").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      int status = process.waitFor();
      assertEquals(0, status, () -> "ptxas --gpu-name " + arch + " rejected the PTX of " + what + ":\n" + output
          + "\n" + head(ptx));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String head(String ptx) {
    return ptx.length() <= 4000 ? ptx : ptx.substring(0, 4000) + "\n...";
  }
}
