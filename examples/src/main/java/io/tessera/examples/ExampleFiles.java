package io.tessera.examples;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Files under {@code examples/}, found from the repository root (the launcher) or from {@code examples/} (tests). */
public final class ExampleFiles {
  private ExampleFiles() {}

  /** {@code examples/RELATIVE} from the repository root, or {@code RELATIVE} when run inside {@code examples/}. */
  public static Path path(String relative) {
    Path fromRoot = Path.of("examples").resolve(relative);
    return Files.exists(fromRoot) ? fromRoot : Path.of(relative);
  }

  /** {@code (f32[8]) -> f32[]}: the entry computation's parameter and result shapes. */
  public static String signature(Module module) {
    return module.entry().parameterShapes().stream().map(Shape::toStringWithoutLayout)
        .collect(Collectors.joining(", ", "(", ")")) + " -> " + module.entry().resultShape().toStringWithoutLayout();
  }

  /** The literals of an XLA-corpus file ({@code .args}, {@code .expected}): one a line, {@code #} lines skipped. */
  public static List<Literal> literals(Path file) throws IOException {
    List<Literal> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(HloParser.parseLiteral(line));
      }
    }
    return out;
  }
}
