package io.tessera.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The op-by-op baseline of {@link FusionBenchmarks} computes what the whole module computes: every
 * instruction as a kernel of its own, run in order on the values the earlier kernels produced.
 * (A correctness check only; the benchmark does the timing.)
 */
class FusionBenchmarksTest {
  private static final CpuBackend CPU = new CpuBackend();

  @Test
  void opByOpKernelsComputeTheModule() {
    Module module = HloParser.parse("""
        HloModule m
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[4,3] parameter(0)
          w = f32[3,2] parameter(1)
          bias = f32[2] parameter(2)
          d = f32[4,2] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
          bb = f32[4,2] broadcast(bias), dimensions={1}
          z = f32[4,2] add(d, bb)
          half = f32[] constant(0.5)
          h = f32[4,2] broadcast(half), dimensions={}
          t = f32[4,2] multiply(z, h)
          e2 = f32[4,2] exponential(t)
          zero = f32[] constant(0)
          ROOT r = f32[4] reduce(e2, zero), dimensions={1}, to_apply=add
        }
        """);
    List<Literal> args = List.of(
        Literal.ofDoubles(module.entry().parameter(0).shape(), 1, -2, 0.5, 0.25, 3, -1, 2, 2, -0.5, 0, 1, -3),
        Literal.ofDoubles(module.entry().parameter(1).shape(), 0.5, -1, 0.25, 2, -0.75, 1),
        Literal.ofDoubles(module.entry().parameter(2).shape(), 0.1, -0.2));
    Literal whole;
    try (Executable exe = CPU.compile(module, BackendOptions.defaults())) {
      whole = exe.run(args);
    }

    Map<Instruction, Literal> values = new IdentityHashMap<>();
    int kernels = 0;
    for (Instruction i : module.entry().instructions()) {
      if (i.opcode() == Opcode.PARAMETER) {
        values.put(i, args.get(i.parameterNumber()));
        continue;
      }
      if (FusionBenchmarks.folded(i)) {
        continue;
      }
      List<Instruction> inputs = new ArrayList<>();
      Module kernel = FusionBenchmarks.kernelOf(i, inputs);
      try (Executable exe = CPU.compile(kernel, BackendOptions.defaults())) {
        values.put(i, exe.run(inputs.stream().map(values::get).toList()));
      }
      kernels++;
    }
    assertEquals(5, kernels, "dot, add, multiply, exponential, reduce; constants and broadcasts are folded");
    Literal opByOp = values.get(module.entry().root());
    for (int k = 0; k < 4; k++) {
      assertEquals(whole.getDouble(k), opByOp.getDouble(k), 1e-5 * Math.max(1, Math.abs(whole.getDouble(k))));
    }
  }
}
