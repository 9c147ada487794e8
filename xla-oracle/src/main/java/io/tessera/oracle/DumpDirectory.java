package io.tessera.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder XLA dumps into ({@code XLA_FLAGS=--xla_dump_to=DIR}). XLA reads its flags once per
 * process, so the folder is shared by every graph: a run's modules are the files that appeared
 * during it.
 */
final class DumpDirectory {
  static final String BEFORE = ".before_optimizations.txt";
  static final String AFTER = ".cpu_after_optimizations.txt";

  /** One module XLA compiled: its HLO before and after XLA's CPU pipeline. */
  record ModuleDump(String name, String before, String after) {}

  private final Path dir;
  private final Set<String> seen = new HashSet<>();

  private DumpDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * The dump folder named in the {@code XLA_FLAGS} environment variable, emptied: XLA numbers its
   * files afresh in every process, so files left by an earlier run would be overwritten under
   * names this class has already seen.
   */
  static DumpDirectory fromEnvironment() {
    String flags = System.getenv().getOrDefault("XLA_FLAGS", "");
    Matcher m = Pattern.compile("--xla_dump_to=(\\S+)").matcher(flags);
    if (!m.find() || !flags.contains("--xla_dump_hlo_as_text") || !flags.contains("--xla_dump_large_constants")) {
      throw new IllegalStateException("XLA_FLAGS must contain --xla_dump_to=DIR --xla_dump_hlo_as_text "
          + "--xla_dump_large_constants (got \"" + flags + "\"); run through the generate execution, see README.md");
    }
    Path dir = Path.of(m.group(1));
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new DumpDirectory(dir);
  }

  /** The modules dumped since the last call, in file name order. */
  List<ModuleDump> newModules() {
    List<ModuleDump> modules = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return modules;
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> fresh = files.filter(p -> seen.add(p.getFileName().toString())).sorted().toList();
      for (Path before : fresh) {
        String file = before.getFileName().toString();
        if (file.endsWith(BEFORE)) {
          String stem = file.substring(0, file.length() - BEFORE.length());
          Path after = dir.resolve(stem + AFTER);
          modules.add(new ModuleDump(stem, Files.readString(before),
              Files.exists(after) ? Files.readString(after) : null));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return modules;
  }

  /**
   * The parameter and result shapes (without layouts) of a module's
   * {@code entry_computation_layout={(P0, P1)->(R0, R1)}}; a result that is not a tuple is one
   * result.
   */
  static List<List<String>> entryLayout(String hloText) {
    String key = "entry_computation_layout={";
    int start = hloText.indexOf(key);
    if (start < 0) {
      throw new IllegalArgumentException("module has no entry_computation_layout");
    }
    int pos = start + key.length();
    int depth = 0;
    int end = pos;
    for (; end < hloText.length(); end++) {
      char c = hloText.charAt(end);
      if (c == '{' || c == '(') {
        depth++;
      } else if (c == ')' || c == '}') {
        if (depth == 0) {
          break;
        }
        depth--;
      }
    }
    String layout = hloText.substring(pos, end)
        .replaceAll("/\\*.*?\\*/", "") // XLA numbers long tuples: /*index=5*/
        .replaceAll("\\{[^{}]*\\}", ""); // layouts
    int arrow = layout.indexOf(")->");
    List<String> params = splitTopLevel(layout.substring(1, arrow));
    String result = layout.substring(arrow + 3);
    List<String> results = result.startsWith("(") ? splitTopLevel(result.substring(1, result.length() - 1))
        : List.of(result);
    return List.of(params, results);
  }

  private static List<String> splitTopLevel(String list) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int from = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(list.substring(from, i).trim());
        from = i + 1;
      }
    }
    if (!list.isBlank()) {
      parts.add(list.substring(from).trim());
    }
    return parts;
  }
}
