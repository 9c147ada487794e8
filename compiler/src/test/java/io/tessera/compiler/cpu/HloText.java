package io.tessera.compiler.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test modules written with short local names ({@code p}, {@code i}, {@code x} in every
 * computation) made acceptable to the parser, which, like XLA's, wants instruction names unique
 * in the module: every name defined in a non-entry computation gets the computation's name as a
 * suffix, in its definition and its uses within that computation.
 */
final class HloText {
  private HloText() {}

  private static final Pattern HEADER = Pattern.compile("^\\s*(ENTRY\\s+)?([\\w.\\-]+)\\s*\\{\\s*$");
  private static final Pattern DEFINITION = Pattern.compile("^\\s*(?:ROOT\\s+)?([\\w.\\-]+)\\s*=");

  static String uniqueNames(String text) {
    StringBuilder out = new StringBuilder();
    List<String> block = new ArrayList<>();
    String computation = null;
    for (String line : text.split("\n", -1)) {
      Matcher header = HEADER.matcher(line);
      if (computation == null && header.matches()) {
        computation = header.group(1) != null ? "" : header.group(2);
        out.append(line).append('\n');
        continue;
      }
      if (computation != null && line.trim().equals("}")) {
        out.append(rename(block, computation));
        out.append(line).append('\n');
        block.clear();
        computation = null;
        continue;
      }
      if (computation != null) {
        block.add(line);
      } else {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static String rename(List<String> lines, String computation) {
    List<String> names = new ArrayList<>();
    for (String line : lines) {
      Matcher m = DEFINITION.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      String renamed = line;
      if (!computation.isEmpty()) {
        for (String name : names) {
          renamed = renamed.replaceAll("(?<![\\w.%\\-])" + Pattern.quote(name) + "(?![\\w.\\-\\[])",
              Matcher.quoteReplacement(name + "_" + computation));
        }
      }
      sb.append(renamed).append('\n');
    }
    return sb.toString();
  }
}
