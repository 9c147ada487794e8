package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.BatchingPass;
import io.tessera.compiler.pass.ModuleCopy;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.testing.RowStacking;
import io.tessera.compiler.text.HloPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
    int count = Integer.getInteger("tessera.randomPrograms", 120);
    for (long seed = 0; seed < count; seed++) {
      Module perRow = RandomPrograms.generate(seed);
      Module batched = ModuleCopy.copy(perRow);
      new BatchingPass().run(batched);
      Module optimized = Pipelines.optimizedFor(CpuBackend.NAME, batched);
      try (Executable exe = Oracle.CPU.compile(optimized)) {
        for (int rows : ROW_COUNTS) {
          check(perRow, exe, rows, seed);
        }
      } catch (AssertionError | RuntimeException e) {
        fail("random program seed " + seed + " batched, then the cpu pipeline:\n" + HloPrinter.print(optimized)
            + "\n" + e, e);
      }
    }
  }

  private static void check(Module perRow, Executable exe, int rows, long seed) {
    Random random = new Random(seed * 31 + rows);
    List<List<Literal>> rowArgs = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      List<Literal> args = new ArrayList<>();
      for (Instruction p : perRow.entry().parameters()) {
        args.add(ElidedConstants.randomLiteral(p.shape(), random));
      }
      rowArgs.add(args);
    }
    List<Literal> stacked = new ArrayList<>();
    for (int k = 0; k < perRow.entry().parameterCount(); k++) {
      int param = k;
      stacked.add(RowStacking.stack(rowArgs.stream().map(a -> a.get(param)).toList(), perRow.entry().parameter(k).shape()));
    }
    Literal all = exe.run(stacked);
    for (int r = 0; r < rows; r++) {
      Literal expected = Oracle.INTERPRETER.run(perRow, rowArgs.get(r));
      Oracle.assertClose(expected, RowStacking.row(all, r), tolerance(expected), "seed " + seed + ", " + rows + " rows, row " + r);
    }
  }

  /** Integers compare exactly whatever the tolerance; floats within the widest their types need. */
  private static Oracle.Tolerance tolerance(Literal expected) {
    List<Literal> leaves = expected.isTuple() ? expected.tupleElements() : List.of(expected);
    if (leaves.stream().anyMatch(l -> l.elementType() == ElementType.F32)) {
      return new Oracle.Tolerance(8, 1e-4, 1e-3);
    }
    return leaves.stream().anyMatch(l -> l.elementType() == ElementType.F64) ? new Oracle.Tolerance(8, 1e-9, 1e-9)
        : Oracle.Tolerance.EXACT;
  }
}
