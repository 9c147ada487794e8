package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus under {@code src/test/resources/hlo}: every module parses, prints, and reads back to
 * the same module; together the modules use every opcode and every known attribute.
 */
class HloCorpusTest {

  static Stream<Path> corpus() {
    try {
      Path dir = Path.of(HloCorpusTest.class.getResource("/hlo").toURI());
      List<Path> files = new ArrayList<>();
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.toString().endsWith(".hlo")).sorted().forEach(files::add);
      }
      return files.stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void printedModuleReadsBackToTheSameModule(Path file) {
    Module parsed = HloParser.parse(read(file));
    String printed = HloPrinter.print(parsed);
    Module reparsed = HloParser.parse(printed);
    ModuleAssertions.assertSameModule(parsed, reparsed);
    assertEquals(printed, HloPrinter.print(reparsed), "printing is a fixed point after one round");
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void everyInstructionPrintsOnOneLineThatNamesIt(Path file) {
    Module module = HloParser.parse(read(file));
    for (Computation computation : module.computations()) {
      for (Instruction instruction : computation.instructions()) {
        String line = HloPrinter.print(instruction);
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("%" + instruction.name() + " = "), line);
        assertTrue(line.contains(" " + instruction.opcode().mnemonic() + "("), line);
      }
    }
  }

  @Test
  void corpusUsesEveryOpcode() {
    Set<Opcode> missing = EnumSet.allOf(Opcode.class);
    corpus().forEach(file -> forEachInstruction(HloParser.parse(read(file)), i -> missing.remove(i.opcode())));
    assertEquals(EnumSet.noneOf(Opcode.class), missing);
  }

  @Test
  void corpusUsesEveryKnownAttribute() {
    Set<String> missing = new TreeSet<>(Attr.known().keySet());
    corpus().forEach(file -> forEachInstruction(HloParser.parse(read(file)), i -> {
      for (Attr<?> attr : i.attributes().keys()) {
        missing.remove(attr.name());
      }
    }));
    assertEquals(Set.of(), missing);
  }

  @Test
  void corpusHasElidedConstantsAndRawAttributes() {
    Module literals = HloParser.parse(read(corpusFile("literals.hlo")));
    Instruction elided = literals.entry().instruction("elided");
    assertNotNull(elided);
    assertNull(elided.attr(Attr.LITERAL));
    assertTrue(HloPrinter.print(elided).endsWith("constant({...})"));
    Module raw = HloParser.parse(read(corpusFile("raw_attributes.hlo")));
    assertEquals("{\"outer_dimension_partitions\":[\"2\"],\"flag_ops\":[],\"escaped\":\"a\\\"}b\"}",
        raw.entry().instruction("multiply").attr(Attr.forName("backend_config")));
  }

  private static Path corpusFile(String name) {
    return corpus().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
  }

  private static void forEachInstruction(Module module, java.util.function.Consumer<Instruction> action) {
    for (Computation computation : module.computations()) {
      computation.instructions().forEach(action);
    }
  }
}
