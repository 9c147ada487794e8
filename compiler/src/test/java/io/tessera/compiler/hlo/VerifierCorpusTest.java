package io.tessera.compiler.hlo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every module of the HLO corpus ({@code src/test/resources/hlo}: dumps in the styles of XLA, JAX
 * and TensorFlow) verifies: shapes XLA wrote are the shapes Tessera infers.
 */
class VerifierCorpusTest {

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(VerifierCorpusTest.class.getResource("/hlo").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".hlo")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void corpusModuleVerifies(Path file) {
    Module module;
    try {
      module = HloParser.parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(List.of(), Verifier.problems(module), file.getFileName().toString());
  }
}
