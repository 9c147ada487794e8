package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tessera.compiler.eval.ElidedConstants;
import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.eval.LiteralComparator;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.testing.RowStacking;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The batching property: a batched module run on N rows (its row count bound with
 * {@link DynamicShapes#bind}) gives, row by row, what the per-row module gives on each row.
 * Backend tests check the same property with the batched module compiled once for any row count
 * ({@link #assertRowByRow(Module, int, long, String, Function)}).
 */
public final class BatchingNumerics {
  private BatchingNumerics() {}

  /** Batches a copy of {@code perRow}, checks it verifies and round-trips as text, and returns it. */
  public static Module batched(Module perRow) {
    Module batched = ModuleCopy.copy(perRow);
    new BatchingPass().run(batched);
    assertEquals(List.of(), Verifier.problems(batched), () -> HloPrinter.print(batched));
    String text = HloPrinter.print(batched);
    assertEquals(text, HloPrinter.print(HloParser.parse(text)), "the batched module prints and re-parses");
    return batched;
  }

  /**
   * Runs {@code batched} (rows leading in parameters and results) on {@code rows} random rows and
   * compares each row of its results with {@code perRow} run on that row alone.
   */
  static void assertRowByRow(Module perRow, Module batched, int rows, long seed, String what) {
    check(perRow, rows, seed, what, () -> "\n" + HloPrinter.print(batched),
        stacked -> new Interpreter().run(DynamicShapes.bind(batched, rows), stacked));
  }

  /**
   * Runs {@code runBatched} on {@code rows} random rows stacked along a new leading dimension (the
   * parameters of the batched module, in order) and compares each row of its result with
   * {@code perRow} run on that row alone by the interpreter.
   */
  public static void assertRowByRow(Module perRow, int rows, long seed, String what,
                                    Function<List<Literal>, Literal> runBatched) {
    check(perRow, rows, seed, what, () -> "", runBatched);
  }

  private static void check(Module perRow, int rows, long seed, String what, Supplier<String> details,
                            Function<List<Literal>, Literal> runBatched) {
    Random random = new Random(seed);
    List<List<Literal>> perRowArgs = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      List<Literal> args = new ArrayList<>();
      for (Instruction p : perRow.entry().parameters()) {
        args.add(ElidedConstants.randomLiteral(p.shape(), random));
      }
      perRowArgs.add(args);
    }
    List<Literal> stacked = new ArrayList<>();
    for (int k = 0; k < perRow.entry().parameterCount(); k++) {
      int param = k;
      stacked.add(RowStacking.stack(perRowArgs.stream().map(a -> a.get(param)).toList(),
          perRow.entry().parameter(k).shape()));
    }
    Literal all = runBatched.apply(stacked);
    for (int r = 0; r < rows; r++) {
      Literal expected = new Interpreter().run(perRow, perRowArgs.get(r));
      Literal actual = RowStacking.row(all, r);
      int shown = r;
      assertNull(LiteralComparator.DEFAULT.mismatch(expected, actual),
          () -> what + ", " + rows + " rows: row " + shown + " differs" + details.get());
    }
  }

}
