package io.tessera.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files under {@code examples/}, found from the repository root (the launcher) or from {@code examples/} (tests). */
public final class ExampleFiles {
  private ExampleFiles() {}

  /** {@code examples/RELATIVE} from the repository root, or {@code RELATIVE} when run inside {@code examples/}. */
  public static Path path(String relative) {
    Path fromRoot = Path.of("examples").resolve(relative);
    return Files.exists(fromRoot) ? fromRoot : Path.of(relative);
  }
}
