package io.tessera.compiler.gpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.cpu.Oracle;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.ModuleCopy;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU kernels' logic, checked without a device: each module's kernels are emitted exactly as
 * for the device but for the thread-index reads ({@link ThreadGrid#EMULATED}), run on the host
 * over every thread of a small launch grid ({@link HostEmulation}) and compared with the
 * interpreter, op by op, on seeded special and random values.
 */
class GpuHostEmulationTest {

  @TestFactory
  Stream<DynamicTest> everyElementwiseOpcodeOnEveryType() {
    return OpModules.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      try (Executable kernels = HostEmulation.compile(f.module(), BackendOptions.defaults())) {
        f.assertMatches(kernels.run(f.arguments()), "host emulation");
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> wholeModules() {
    return OpModules.modules().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      try (Executable kernels = HostEmulation.compile(f.module(), BackendOptions.defaults())) {
        f.assertMatches(kernels.run(f.arguments()), "host emulation");
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> reductionsOfAnyDimensionsAndDots() {
    return OpModules.reductionsAndDots().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      try (Executable kernels = HostEmulation.compile(f.module(), BackendOptions.defaults())) {
        f.assertMatches(kernels.run(f.arguments()), "host emulation");
      }
    }));
  }

  @Test
  void anMlpOnADynamicRowCountAndAColumnReduceOverTheRows() {
    String mlp = OpModules.MLP.replace("f32[9,", "f32[?,");
    Module module = HloParser.parse("HloModule mlp\n" + OpModules.SCALAR_ADD + "ENTRY e {\n" + mlp + "\n}\n");
    Module columns = HloParser.parse("""
        HloModule columns
        add {
          ra = f32[] parameter(0)
          rb = f32[] parameter(1)
          ROOT rc = f32[] add(ra, rb)
        }
        ENTRY e {
          x = f32[?,4] parameter(0)
          z = f32[] constant(0)
          ROOT s = f32[4] reduce(x, z), dimensions={0}, to_apply=add
        }
        """);
    Random random = new Random(13);
    for (Module m : List.of(module, columns)) {
      try (Executable kernels = HostEmulation.compile(m, BackendOptions.defaults());
           Executable interpreter = new InterpreterBackend().compile(m)) {
        for (int rows : new int[] {0, 1, 17}) {
          List<Literal> args = m.entry().parameters().stream().map(p -> {
            int[] dims = p.shape().dimensions();
            if (dims[0] == io.tessera.compiler.hlo.Shape.DYNAMIC) {
              dims[0] = rows;
            }
            return OpModules.uniform(p.shape().elementType(), dims, random);
          }).toList();
          Oracle.assertClose(interpreter.run(args), kernels.run(args), Oracle.Tolerance.sums(1e-5, 1e-5),
              m.name() + ", " + rows + " rows");
        }
      }
    }
  }

  @Test
  void loopFusionsMadeByThePipelineRunAsOneKernelBody() {
    Module module = HloParser.parse("""
        HloModule softmax_numerator
        ENTRY e {
          x = f32[6,10] parameter(0)
          m = f32[6] parameter(1)
          b = f32[6,10] broadcast(m), dimensions={0}
          d = f32[6,10] subtract(x, b)
          e = f32[6,10] exponential(d)
          two = f32[] constant(2)
          t = f32[6,10] broadcast(two), dimensions={}
          ROOT r = f32[6,10] multiply(e, t)
        }
        """);
    Module fused = ModuleCopy.copy(module);
    Pipelines.cpuDefault().run(fused);
    assertTrue(HloPrinter.print(fused).contains("fusion("), () -> "the pipeline made no fusion:\n" + HloPrinter.print(fused));
    Random random = new Random(7);
    List<Literal> args = module.entry().parameters().stream()
        .map(p -> Oracle.values(p.shape().elementType(), p.shape().dimensions(), random)).toList();
    try (Executable kernels = HostEmulation.compile(fused, BackendOptions.defaults())) {
      Oracle.assertClose(Oracle.INTERPRETER.run(module, args), kernels.run(args), Oracle.Tolerance.ulps(4), "fused");
    }
  }

  @Test
  void oneCompileServesEveryRowCount() {
    Module module = HloParser.parse("""
        HloModule rows
        add {
          ra = f32[] parameter(0)
          rb = f32[] parameter(1)
          ROOT rc = f32[] add(ra, rb)
        }
        ENTRY e {
          x = f32[?,4] parameter(0)
          w = f32[4] parameter(1)
          b = f32[?,4] broadcast(w), dimensions={1}
          p = f32[?,4] multiply(x, b)
          z = f32[] constant(0)
          s = f32[?] reduce(p, z), dimensions={1}, to_apply=add
          ROOT t = (f32[?,4], f32[?,4], f32[?]) tuple(p, x, s)
        }
        """);
    Random random = new Random(11);
    try (Executable kernels = HostEmulation.compile(module, BackendOptions.defaults());
         Executable interpreter = new InterpreterBackend().compile(module)) {
      for (int rows : new int[] {0, 1, 17}) {
        List<Literal> args = List.of(Oracle.values(io.tessera.compiler.hlo.ElementType.F32, new int[] {rows, 4}, random),
            Oracle.values(io.tessera.compiler.hlo.ElementType.F32, new int[] {4}, random));
        Oracle.assertClose(interpreter.run(args), kernels.run(args), Oracle.Tolerance.sums(1e-6, 1e-6), rows + " rows");
      }
    }
  }

  @Test
  void refusesWhatItDoesNotCompileNamingTheInstruction() {
    Module module = HloParser.parse("""
        HloModule sum
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT c = f32[] add(a, b)
        }
        ENTRY e {
          x = f32[4,8] parameter(0)
          zero = f32[] constant(0)
          ROOT total = f32[2,4] reduce-window(x, zero), window={size=2x2 stride=2x2}, to_apply=add
        }
        """);
    CompilationException e = assertThrows(CompilationException.class,
        () -> HostEmulation.compile(module, BackendOptions.defaults()));
    assertTrue(e.getMessage().startsWith("%total (reduce-window): the GPU backend does not compile reduce-window"),
        e.getMessage());
    assertTrue(e.getMessage().contains("run this module on the CPU backend"), e.getMessage());
  }
}
