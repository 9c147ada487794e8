package io.tessera.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of an example's command line, checked against the names it takes. */
final class Arguments {
  private final Map<String, String> values = new HashMap<>();

  Arguments(List<String> args, Set<String> names) {
    for (int k = 0; k < args.size(); k++) {
      String a = args.get(k);
      if (!a.startsWith("--") || !names.contains(a.substring(2)) || k + 1 == args.size()) {
        throw new IllegalArgumentException("unexpected argument '" + a + "' (takes " + names.stream().sorted()
            .map(n -> "--" + n + " VALUE").toList() + ")");
      }
      values.put(a.substring(2), args.get(++k));
    }
  }

  String text(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  long number(String name, long defaultValue) {
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.replace("_", ""));
      if (n < 1) {
        throw new IllegalArgumentException("--" + name + " must be at least 1, got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes a whole number, got '" + v + "'", e);
    }
  }
}
