package io.tessera.compiler.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed arguments of one subcommand: positionals and {@code --name value} options. */
final class CommandLine {
  private final List<String> positionals = new ArrayList<>();
  private final Map<String, String> options = new HashMap<>();

  private CommandLine() {}

  /**
   * Parses {@code args}; every option takes a value and must be one of {@code allowed}.
   *
   * @throws UsageException on an unknown option or a missing value
   */
  static CommandLine parse(List<String> args, Set<String> allowed) {
    CommandLine cl = new CommandLine();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        String name = a.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (!allowed.contains(name)) {
          throw new UsageException("unknown option --" + name + " (expected one of --" + String.join(", --", allowed) + ")");
        }
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = args.get(++i);
        }
        cl.options.put(name, value);
      } else if (a.equals("-o") && allowed.contains("o")) {
        if (i + 1 >= args.size()) {
          throw new UsageException("option -o needs a value");
        }
        cl.options.put("o", args.get(++i));
      } else {
        cl.positionals.add(a);
      }
    }
    return cl;
  }

  List<String> positionals() {
    return positionals;
  }

  /** The single positional argument, e.g. the HLO file. */
  String onePositional(String what) {
    if (positionals.size() != 1) {
      throw new UsageException("expected exactly one " + what + ", got " + positionals.size() + " argument(s)");
    }
    return positionals.get(0);
  }

  String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  boolean has(String name) {
    return options.containsKey(name);
  }
}
