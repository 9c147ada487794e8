package io.tessera.compiler.tools;

import io.tessera.compiler.hlo.Opcode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The README's tables, generated from the code's own tables (the {@link Opcode} enum) so that
 * they cannot drift: a test compares the README with this output. Run {@code main} to print them.
 */
public final class SupportTables {
  private SupportTables() {}

  public static void main(String[] args) {
    System.out.print(opcodeTable());
  }

  /** A markdown table of every opcode, grouped by family. */
  public static String opcodeTable() {
    Map<Opcode.Family, List<String>> byFamily = new LinkedHashMap<>();
    for (Opcode op : Opcode.values()) {
      byFamily.computeIfAbsent(op.family(), f -> new ArrayList<>()).add("`" + op.mnemonic() + "`");
    }
    StringBuilder sb = new StringBuilder("| family | opcodes |\n|---|---|\n");
    for (Map.Entry<Opcode.Family, List<String>> e : byFamily.entrySet()) {
      sb.append("| ").append(familyName(e.getKey())).append(" | ").append(String.join(", ", e.getValue())).append(" |\n");
    }
    return sb.toString();
  }

  private static String familyName(Opcode.Family family) {
    return switch (family) {
      case LEAF -> "leaves";
      case STRUCTURE -> "tuples";
      case CONTROL -> "calls and control flow";
      case UNARY -> "elementwise unary";
      case BINARY -> "elementwise binary";
      case TERNARY -> "elementwise ternary";
      case DATA_MOVEMENT -> "data movement";
      case REDUCTION -> "reductions, windows, sort";
      case CONTRACTION -> "contractions";
    };
  }
}
