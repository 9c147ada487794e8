package io.tessera.compiler.pass;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs buffers with known live ranges into slots of one arena, the sharing step of buffer
 * assignment: {@link BufferAssignment} packs the temporaries of a module's schedule with it, and
 * a backend whose code generator materializes a different set of values (the CPU backend keeps
 * most elementwise values in registers) packs its own temporaries with the same rule.
 *
 * <p>Live ranges are closed intervals of schedule steps: a buffer defined at step 3 and last read
 * at step 5 occupies 3, 4 and 5, so a buffer still read at a step never shares with one written
 * at that step (in-place updates are the caller's business). Buffers are placed in order of their
 * first step; each takes the smallest free slot that fits it, else grows the largest free slot (a
 * slot is as large as its largest buffer), else opens a new slot. Static buffers and buffers that
 * grow with the row count never share a slot.
 */
public final class SlotPacker {
  private SlotPacker() {}

  /** A buffer to place: live from step {@code start} to step {@code end}, both included. */
  public record LiveRange(int start, int end, BufferSize size) {
    public LiveRange {
      if (end < start) {
        throw new IllegalArgumentException("live range [" + start + ", " + end + "] ends before it starts");
      }
    }
  }

  /**
   * Where the buffers went.
   *
   * @param slotOf the slot of each range, by the range's position in the input list
   * @param slotSizes the size of each slot: the largest of its buffers
   */
  public record Packing(int[] slotOf, List<BufferSize> slotSizes) {
    /** The ranges (by input position) placed in slot {@code slot}, in input order. */
    public List<Integer> members(int slot) {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < slotOf.length; i++) {
        if (slotOf[i] == slot) {
          out.add(i);
        }
      }
      return out;
    }
  }

  /** Packs {@code ranges}; they need not be sorted. */
  public static Packing pack(List<LiveRange> ranges) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      order.add(i);
    }
    order.sort((x, y) -> Integer.compare(ranges.get(x).start(), ranges.get(y).start())); // stable
    int[] slotOf = new int[ranges.size()];
    List<BufferSize> sizes = new ArrayList<>();
    List<Integer> busyUntil = new ArrayList<>();
    for (int i : order) {
      LiveRange r = ranges.get(i);
      int chosen = -1;
      for (int s = 0; s < sizes.size(); s++) {
        if (busyUntil.get(s) >= r.start() || sizes.get(s).isDynamic() != r.size().isDynamic()) {
          continue;
        }
        if (chosen < 0 || better(r.size(), sizes.get(s), sizes.get(chosen))) {
          chosen = s;
        }
      }
      if (chosen < 0) {
        chosen = sizes.size();
        sizes.add(r.size());
        busyUntil.add(r.end());
      } else if (r.size().magnitude() > sizes.get(chosen).magnitude()) {
        sizes.set(chosen, r.size());
      }
      busyUntil.set(chosen, Math.max(busyUntil.get(chosen), r.end()));
      slotOf[i] = chosen;
    }
    return new Packing(slotOf, List.copyOf(sizes));
  }

  /** Whether slot size {@code candidate} suits {@code need} better than {@code current}. */
  private static boolean better(BufferSize need, BufferSize candidate, BufferSize current) {
    long n = need.magnitude();
    long c = candidate.magnitude();
    long k = current.magnitude();
    boolean cFits = c >= n;
    boolean kFits = k >= n;
    if (cFits != kFits) {
      return cFits;
    }
    return cFits ? c < k : c > k; // the tightest fit, or else the largest to grow
  }
}
