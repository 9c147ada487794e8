package io.tessera.compiler.tools;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.VerificationException;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParseException;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading the files the tools take: HLO modules and literal argument files. */
final class HloFiles {
  private HloFiles() {}

  /** Reads, parses and verifies an HLO module; errors name the file (and line:column). */
  static Module readModule(String file) {
    String text = read(file);
    Module module;
    try {
      module = HloParser.parse(text);
    } catch (HloParseException e) {
      throw new IllegalArgumentException(file + ":" + e.getMessage(), e);
    }
    try {
      Verifier.verify(module);
    } catch (VerificationException e) {
      // One line: the first problem names its instruction; the count says whether there are more.
      int more = e.problems().size() - 1;
      throw new IllegalArgumentException(file + ": " + e.problems().get(0)
          + (more > 0 ? " (and " + more + " more problem" + (more == 1 ? ")" : "s)") : ""), e);
    }
    return module;
  }

  /**
   * Reads an arguments file: one literal per line in XLA's form ({@code f32[2] {1, 2}}); blank
   * lines and lines starting with {@code #} are skipped.
   */
  static List<Literal> readLiterals(String file) {
    List<Literal> literals = new ArrayList<>();
    String[] lines = read(file).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        literals.add(HloParser.parseLiteral(line));
      } catch (HloParseException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": bad literal: " + e.getMessage(), e);
      }
    }
    return literals;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + file, e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
