package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import org.junit.jupiter.api.Test;

/**
 * Seeded random programs ({@link RandomProgram}) on the CPU backend against the reference
 * interpreter. Every mismatch reports its seed and the program; rerun one seed with
 * {@code -Dtessera.randomSeed=N}, or more programs with {@code -Dtessera.randomPrograms=N}.
 */
class CpuRandomProgramsTest {

  @Test
  void randomProgramsAgreeWithTheInterpreter() {
    long only = Long.getLong("tessera.randomSeed", -1L);
    int count = Integer.getInteger("tessera.randomPrograms", 300);
    long first = only >= 0 ? only : 1;
    long last = only >= 0 ? only : count;
    for (long seed = first; seed <= last; seed++) {
      RandomProgram program;
      try {
        program = RandomProgram.generate(seed);
      } catch (RuntimeException e) {
        throw new AssertionError("generator failed for seed " + seed, e);
      }
      Oracle.Tolerance tolerance = tolerance(program);
      try {
        Module module = HloParser.parse(program.text);
        Literal expected = Oracle.INTERPRETER.run(module, program.arguments);
        Literal actual = Oracle.runCpu(HloParser.parse(program.text), program.arguments);
        Oracle.assertClose(expected, actual, tolerance, "seed " + seed);
      } catch (AssertionError | RuntimeException e) {
        fail("random program with seed " + seed + " (rerun with -Dtessera.randomSeed=" + seed + "):\n" + program.text
            + "\narguments: " + program.arguments + "\n" + e, e);
      }
    }
  }

  private static Oracle.Tolerance tolerance(RandomProgram program) {
    if (!program.type.isFloat() || !program.anyInexact()) {
      return Oracle.Tolerance.EXACT;
    }
    return switch (program.type) {
      case F64 -> new Oracle.Tolerance(8, 1e-9, 1e-9);
      case F32 -> new Oracle.Tolerance(8, 1e-4, 1e-3);
      default -> new Oracle.Tolerance(2, 2e-2, 2e-2);
    };
  }
}
