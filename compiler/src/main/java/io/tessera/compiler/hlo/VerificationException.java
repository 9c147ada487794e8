package io.tessera.compiler.hlo;

import java.util.List;

/**
 * A module that is not well formed, as found by {@link Verifier}. It carries every problem found,
 * each naming its instruction ({@code %name in computation %comp: ...}) or computation; the
 * message lists them all.
 *
 * <p>It is a {@link ShapeException} so that one {@code catch} handles any invalid IR, whether
 * reported while building an instruction or while verifying a module.
 */
public final class VerificationException extends ShapeException {
  private final List<String> problems;

  public VerificationException(String moduleName, List<String> problems) {
    super(message(moduleName, problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in module order. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String moduleName, List<String> problems) {
    if (problems.size() == 1) {
      return "module " + moduleName + ": " + problems.get(0);
    }
    return "module " + moduleName + " has " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
  }
}
