package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.BatchingNumerics;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.text.HloPrinter;
import org.junit.jupiter.api.Test;

/**
 * What Spark and arrow-apply run: a per-row module batched (a dynamic row dimension), then the
 * CPU backend's own HLO passes (simplification, CSE, fusion into kLoop/kInput/kOutput fusions),
 * compiled once and called on several row counts. Each row must equal the per-row module run on
 * that row alone by the interpreter. Seeded random per-row programs; a mismatch names its seed.
 */
class CpuBatchedPipelineTest {
  private static final int[] ROW_COUNTS = {0, 1, 7};

  @Test
  void batchedRandomProgramsAfterTheCpuPipelineAgreeRowByRow() {
    int count = Integer.getInteger("tessera.randomPrograms", 80);
    for (long seed = 0; seed < count; seed++) {
      Module perRow = RandomPrograms.generate(seed);
      Module optimized = Pipelines.optimizedFor(CpuBackend.NAME, BatchingNumerics.batched(perRow));
      try (Executable exe = Oracle.CPU.compile(optimized)) {
        for (int rows : ROW_COUNTS) {
          BatchingNumerics.assertRowByRow(perRow, rows, seed * 31 + rows, "random program seed " + seed, exe::run);
        }
      } catch (AssertionError | RuntimeException e) {
        fail("random program seed " + seed + " batched, then the cpu pipeline:\n" + HloPrinter.print(optimized)
            + "\n" + e, e);
      }
    }
  }
}
