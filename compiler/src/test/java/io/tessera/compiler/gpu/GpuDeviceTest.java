package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.Oracle;
import io.tessera.compiler.hlo.Literal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernels on a real device, against the interpreter: every op family and whole module of
 * {@link OpModules} (reductions and dots included), through host buffers (copied in and out). Skipped, with the reason, where
 * there is no CUDA device (these development machines and CI).
 *
 * <p>libdevice's math functions are not the CPU's approximations: CUDA documents at most 2 ulp
 * for {@code expf}, 4 for {@code powf}/{@code erff}... so transcendental functions get a looser
 * bound here than the CPU's.
 */
class GpuDeviceTest {
  private static final GpuBackend GPU = new GpuBackend();

  @TestFactory
  Stream<DynamicTest> everyFamilyOnTheDevice() {
    if (!GPU.isAvailable()) {
      // One skipped test that says why, rather than a factory that silently makes none.
      String reason = "no CUDA device: " + GPU.unavailableReason();
      System.err.println("GpuDeviceTest: skipped, " + reason);
      return Stream.of(DynamicTest.dynamicTest("on a CUDA device", () -> Assumptions.abort(reason)));
    }
    List<OpModules.Family> families = new ArrayList<>(OpModules.all());
    families.addAll(OpModules.modules());
    families.addAll(OpModules.reductionsAndDots());
    return families.stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      try (Executable kernels = GPU.compile(f.module())) {
        Literal actual = kernels.run(f.arguments());
        deviceTolerances(f).assertMatches(actual, "device");
      }
    }));
  }

  /** The family with transcendental tolerances widened to libdevice's documented bounds. */
  private static OpModules.Family deviceTolerances(OpModules.Family f) {
    List<OpModules.Op> ops = f.ops().stream().map(op -> op.tolerance().ulps() > 0
        ? new OpModules.Op(op.name(), op.expected(), Oracle.Tolerance.ulps(Math.max(op.tolerance().ulps(), 8)))
        : op).toList();
    return new OpModules.Family(f.name(), f.module(), f.arguments(), ops, f.perElement());
  }
}
