package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.compiler.pass.SlotPacker.LiveRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotPackerTest {
  private static LiveRange fixed(int start, int end, long bytes) {
    return new LiveRange(start, end, new BufferSize(bytes, 0));
  }

  @Test
  void buffersShareOnlyWhenOneIsDeadBeforeTheOtherIsWritten() {
    // b is read at step 2, where c is written: they must not share; d starts after a and b end.
    SlotPacker.Packing p = SlotPacker.pack(List.of(fixed(0, 1, 100), fixed(1, 2, 100), fixed(2, 3, 100),
        fixed(3, 4, 100)));
    assertArrayEquals(new int[] {0, 1, 0, 1}, p.slotOf());
    assertEquals(List.of(new BufferSize(100, 0), new BufferSize(100, 0)), p.slotSizes());
  }

  @Test
  void aFreeSlotGrowsToItsLargestBufferAndTheTightestFitWins() {
    SlotPacker.Packing p = SlotPacker.pack(List.of(fixed(0, 0, 64), fixed(0, 0, 256), fixed(1, 1, 200),
        fixed(1, 1, 500)));
    assertArrayEquals(new int[] {0, 1, 1, 0}, p.slotOf(), "200 fits the 256 slot; 500 grows the 64 one");
    assertEquals(List.of(new BufferSize(500, 0), new BufferSize(256, 0)), p.slotSizes());
  }

  @Test
  void staticAndPerRowBuffersNeverShareAndInputOrderDoesNotMatter() {
    SlotPacker.Packing p = SlotPacker.pack(List.of(new LiveRange(5, 6, new BufferSize(0, 32)), fixed(0, 1, 64),
        new LiveRange(0, 2, new BufferSize(0, 16))));
    // The per-row buffer at step 5 reuses the other per-row slot (free after step 2), not the static one.
    assertArrayEquals(new int[] {1, 0, 1}, p.slotOf());
    assertEquals(List.of(0, 2), p.members(1));
    assertEquals(List.of(new BufferSize(64, 0), new BufferSize(0, 32)), p.slotSizes());
  }

  @Test
  void aRangeThatEndsBeforeItStartsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> fixed(3, 2, 8));
  }
}
