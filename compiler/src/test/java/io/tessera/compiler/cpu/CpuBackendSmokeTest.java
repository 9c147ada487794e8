package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuBackendSmokeTest {
  @Test
  void addsTwoVectors() {
    Module m = HloParser.parse("""
        HloModule m
        ENTRY e {
          p = f32[3] parameter(0)
          q = f32[3] parameter(1)
          ROOT r = f32[3] add(p, q)
        }
        """);
    System.out.println(new CpuBackend().emitLlvmIr(m, BackendOptions.defaults(), false));
    long t0 = System.nanoTime();
    try (Executable exe = new CpuBackend().compile(m)) {
      System.out.println("compile ms " + (System.nanoTime() - t0) / 1e6);
      Shape s = Shape.array(ElementType.F32, 3);
      Literal r = exe.run(List.of(Literal.ofDoubles(s, 1, 2, 3), Literal.ofDoubles(s, 10, 20, 30)));
      assertEquals(Literal.ofDoubles(s, 11, 22, 33), r);
    }
  }
}
