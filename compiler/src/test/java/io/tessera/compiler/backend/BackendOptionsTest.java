package io.tessera.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackendOptionsTest {
  @Test
  void theDeviceIsPartOfTheOptionsAndSoOfEveryCacheKey() {
    BackendOptions gpu1 = BackendOptions.defaults().withDevice(1);
    assertEquals(1, gpu1.device());
    assertEquals(BackendOptions.DEFAULT_DEVICE, BackendOptions.defaults().device());
    assertNotEquals(BackendOptions.defaults(), gpu1);
    assertEquals(gpu1, BackendOptions.defaults().withDevice(1));
    assertEquals(gpu1.hashCode(), BackendOptions.defaults().withDevice(1).hashCode());
    assertEquals(1, gpu1.withFastMath(true).withOptLevel(BackendOptions.OptLevel.O2).withCpu("sm_90", null).device(),
        "the other with... methods keep the device");
    assertEquals("O3 device=1", gpu1.toString());
    assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withDevice(-2));
  }
}
