package io.tessera.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks say about the machine they ran on. */
final class Machine {
  private Machine() {}

  /** The CPU's model name from /proc/cpuinfo (os.arch where there is none). */
  static String cpuName() {
    String name = cpuinfo("model name");
    return name.equals("unknown") ? System.getProperty("os.arch") : name;
  }

  /** The first /proc/cpuinfo value whose key starts with {@code key}, or "unknown". */
  static String cpuinfo(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // unknown below
    }
    return "unknown";
  }

  /** The 1, 5 and 15 minute load averages, "unknown" where /proc/loadavg cannot be read. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
