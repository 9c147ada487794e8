package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {
  private static final String NO_DEVICE = "the CUDA driver sees no device";

  /** Which backends can run: those mapped to null; the others say why not. */
  private static Function<String, String> availability(Map<String, String> reasons) {
    return name -> reasons.getOrDefault(name, null);
  }

  @Test
  void autoTakesTheTasksGpuWhenTheGpuBackendRuns() {
    BackendChoice c = BackendChoice.choose("auto", "1", availability(Map.of()));
    assertEquals(new BackendChoice("gpu", 1, null), c);
  }

  @Test
  void autoRunsOnTheCpuWhenTheTaskHasNoGpu() {
    assertEquals(new BackendChoice("cpu", BackendOptions.DEFAULT_DEVICE, null),
        BackendChoice.choose("auto", null, availability(Map.of())));
  }

  @Test
  void aGpuTheBackendCannotUseFallsBackToTheCpuAndSaysWhy() {
    BackendChoice c = BackendChoice.choose("auto", "0", availability(Map.of("gpu", NO_DEVICE)));
    assertEquals("cpu", c.backend());
    assertEquals(BackendOptions.DEFAULT_DEVICE, c.device());
    assertTrue(c.note().contains("assigned GPU 0") && c.note().contains(NO_DEVICE), c.note());

    BackendChoice uuid = BackendChoice.choose("auto", "GPU-5f3c", availability(Map.of()));
    assertEquals("cpu", uuid.backend());
    assertTrue(uuid.note().contains("'GPU-5f3c' is not a CUDA device ordinal"), uuid.note());
  }

  @Test
  void withoutTheCpuAutoEndsOnTheInterpreter() {
    BackendChoice c = BackendChoice.choose("auto", "0",
        availability(Map.of("gpu", NO_DEVICE, "cpu", "LLVM does not load")));
    assertEquals("interpreter", c.backend());
  }

  @Test
  void anExplicitGpuUsesTheTasksDeviceAndOtherBackendsIgnoreIt() {
    assertEquals(new BackendChoice("gpu", 2, null), BackendChoice.choose("gpu", "2", availability(Map.of())));
    assertEquals(new BackendChoice("gpu", BackendOptions.DEFAULT_DEVICE, null),
        BackendChoice.choose("gpu", null, availability(Map.of())));
    assertEquals(new BackendChoice("cpu", BackendOptions.DEFAULT_DEVICE, null),
        BackendChoice.choose("cpu", "3", availability(Map.of())));
    assertNull(BackendChoice.choose("interpreter", "3", availability(Map.of())).note());
  }

  @Test
  void outsideATaskThereIsNoGpu() {
    assertNull(BackendChoice.taskGpu(null));
  }
}
