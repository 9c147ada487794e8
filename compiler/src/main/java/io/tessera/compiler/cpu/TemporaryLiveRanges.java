package io.tessera.compiler.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When each temporary of an emitted kernel is in use, read off the kernel's IR text: the steps of
 * the schedule (the entry computation's instructions, in the order they were emitted) during
 * whose code the temporary's pointer, or any value computed from it, appears.
 *
 * <p>Reading the emitted code rather than the HLO is what makes the ranges right for this backend:
 * an elementwise instruction has no code where it is defined but is computed inside each loop that
 * consumes it, so the temporaries it reads are in use where those loops are, which only the code
 * shows. Every loop, and every nested computation (a loop body, a branch), is emitted inside one
 * step, so a temporary whose uses all lie in steps before another's first is dead before that one
 * is written, across loop iterations too. Values computed from a temporary (addresses, and
 * conservatively anything else) extend its range to their own uses, followed through phi nodes.
 */
final class TemporaryLiveRanges {
  private static final Pattern VALUE = Pattern.compile("%[A-Za-z0-9_.$-]+");
  private static final Pattern DEFINITION = Pattern.compile("^\\s*(%[A-Za-z0-9_.$-]+) = ");

  /** A temporary's steps, first and last included; {@code null} for one the code never mentions. */
  record Steps(int first, int last) {}

  private TemporaryLiveRanges() {}

  /**
   * @param body the kernel body's IR text
   * @param stepStarts where each step's code starts in {@code body}, ascending
   * @param temporaries the temporaries' value names ({@code %t0}, ...)
   * @return the steps of each temporary, in the order of {@code temporaries}
   */
  static List<Steps> of(String body, int[] stepStarts, List<String> temporaries) {
    Map<String, Integer> temporary = new HashMap<>();
    for (int t = 0; t < temporaries.size(); t++) {
      temporary.put(temporaries.get(t), t);
    }
    List<Line> lines = parse(body, stepStarts);
    Map<String, BitSet> derived = derivations(lines, temporary);
    int[] first = new int[temporaries.size()];
    int[] last = new int[temporaries.size()];
    Arrays.fill(first, Integer.MAX_VALUE);
    Arrays.fill(last, -1);
    for (Line line : lines) {
      BitSet used = uses(line, temporary, derived);
      for (int t = used.nextSetBit(0); t >= 0; t = used.nextSetBit(t + 1)) {
        first[t] = Math.min(first[t], line.step);
        last[t] = Math.max(last[t], line.step);
      }
    }
    List<Steps> out = new ArrayList<>();
    for (int t = 0; t < temporaries.size(); t++) {
      out.add(last[t] < 0 ? null : new Steps(first[t], last[t]));
    }
    return out;
  }

  /** One instruction line: its step, the value it defines (or null) and the values it mentions. */
  private record Line(int step, String defines, List<String> mentions) {}

  private static List<Line> parse(String body, int[] stepStarts) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    int step = -1;
    while (start < body.length()) {
      int end = body.indexOf('\n', start);
      if (end < 0) {
        end = body.length();
      }
      while (step + 1 < stepStarts.length && stepStarts[step + 1] <= start) {
        step++;
      }
      String text = body.substring(start, end);
      Matcher def = DEFINITION.matcher(text);
      String defines = def.find() ? def.group(1) : null;
      List<String> mentions = new ArrayList<>();
      Matcher m = VALUE.matcher(text);
      int from = defines == null ? 0 : def.end();
      while (m.find(from)) {
        mentions.add(m.group());
        from = m.end();
      }
      lines.add(new Line(Math.max(step, 0), defines, mentions));
      start = end + 1;
    }
    return lines;
  }

  /** The temporaries each defined value is computed from, to a fixed point (phis refer forward). */
  private static Map<String, BitSet> derivations(List<Line> lines, Map<String, Integer> temporary) {
    Map<String, BitSet> derived = new HashMap<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Line line : lines) {
        if (line.defines == null) {
          continue;
        }
        BitSet from = uses(line, temporary, derived);
        if (from.isEmpty()) {
          continue;
        }
        BitSet known = derived.get(line.defines);
        if (known == null) {
          derived.put(line.defines, from);
          changed = true;
        } else if (!isSubset(from, known)) {
          known.or(from);
          changed = true;
        }
      }
    }
    return derived;
  }

  /** The temporaries {@code line} uses, directly or through values computed from them. */
  private static BitSet uses(Line line, Map<String, Integer> temporary, Map<String, BitSet> derived) {
    BitSet used = new BitSet();
    for (String value : line.mentions) {
      Integer t = temporary.get(value);
      if (t != null) {
        used.set(t);
      }
      BitSet d = derived.get(value);
      if (d != null) {
        used.or(d);
      }
    }
    return used;
  }

  private static boolean isSubset(BitSet a, BitSet b) {
    BitSet rest = (BitSet) a.clone();
    rest.andNot(b);
    return rest.isEmpty();
  }
}
