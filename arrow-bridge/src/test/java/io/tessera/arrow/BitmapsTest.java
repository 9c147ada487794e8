package io.tessera.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.junit.jupiter.api.Test;

class BitmapsTest {

  @Test
  void andCombinesWordsAndTailAndClearsBitsPastTheEnd() {
    Random random = new Random(7);
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int bits : new int[] {1, 8, 63, 64, 65, 200, 1000}) {
        List<ArrowBuf> maps = new ArrayList<>();
        boolean[][] expected = new boolean[3][bits];
        for (int m = 0; m < 3; m++) {
          ArrowBuf buf = allocator.buffer(Bitmaps.byteSize(bits));
          buf.setZero(0, buf.capacity());
          for (int i = 0; i < bits; i++) {
            expected[m][i] = random.nextInt(10) != 0;
            if (expected[m][i]) {
              buf.setByte(i / 8, buf.getByte(i / 8) | (1 << (i % 8)));
            }
          }
          maps.add(buf);
        }
        try (ArrowBuf out = allocator.buffer(Bitmaps.byteSize(bits))) {
          out.setOne(0, out.capacity());
          Bitmaps.and(maps, bits, out);
          for (int i = 0; i < bits; i++) {
            assertEquals(expected[0][i] && expected[1][i] && expected[2][i], Bitmaps.get(out, i), bits + " bits, bit " + i);
          }
          for (long i = bits; i < Bitmaps.byteSize(bits) * 8; i++) {
            assertEquals(false, Bitmaps.get(out, i), "bit " + i + " past the end");
          }
          Bitmaps.and(List.of(), bits, out);
          for (int i = 0; i < bits; i++) {
            assertEquals(true, Bitmaps.get(out, i));
          }
        }
        maps.forEach(ArrowBuf::close);
      }
    }
  }

  @Test
  void packAndUnpackAreInverseFromAnyStartingBit() {
    Random random = new Random(11);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowBuf bits = allocator.buffer(16);
        ArrowBuf bytes = allocator.buffer(128);
        ArrowBuf repacked = allocator.buffer(16)) {
      for (int i = 0; i < 16; i++) {
        bits.setByte(i, random.nextInt(256));
      }
      for (int first : new int[] {0, 3, 8, 13}) {
        int count = 128 - 16 - first % 8;
        Bitmaps.unpack(bits, first, count, bytes.memoryAddress());
        for (int i = 0; i < count; i++) {
          assertEquals(Bitmaps.get(bits, first + i) ? 1 : 0, MemoryUtil.getByte(bytes.memoryAddress() + i), "bit " + (first + i));
        }
        repacked.setZero(0, 16);
        Bitmaps.pack(bytes.memoryAddress(), count, repacked);
        for (int i = 0; i < count; i++) {
          assertEquals(Bitmaps.get(bits, first + i), Bitmaps.get(repacked, i), "bit " + i);
        }
      }
    }
  }

  @Test
  void forEachClearVisitsExactlyTheClearBitsOfTheRange() {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowBuf map = Bitmaps.newAllSet(allocator, 100)) {
      for (int bit : new int[] {2, 9, 16, 17, 63, 64, 99}) {
        Bitmaps.clear(map, bit);
      }
      List<Long> seen = new ArrayList<>();
      Bitmaps.forEachClear(map, 5, 90, seen::add);
      assertEquals(List.of(9L, 16L, 17L, 63L, 64L), seen);
    }
  }

  @Test
  void allSetAndCountClearAgreeWithBitByBitAnswersAcrossWordsAndBlocks() {
    int bits = 5000;
    try (BufferAllocator allocator = new RootAllocator();
        ArrowBuf map = Bitmaps.newAllSet(allocator, bits)) {
      assertEquals(true, Bitmaps.allSet(map, 0, bits));
      assertEquals(0, Bitmaps.countClear(map, bits));
      for (int clear : new int[] {0, 63, 64, 1023, 1024, 2100, 4999}) {
        Bitmaps.clear(map, clear);
        for (int[] range : new int[][] {{0, bits}, {1, 1030}, {64, 1024}, {1025, 3000}, {clear, 1}, {clear + 1, bits - clear - 1}}) {
          boolean expected = true;
          for (int i = range[0]; i < range[0] + range[1]; i++) {
            expected &= Bitmaps.get(map, i);
          }
          assertEquals(expected, Bitmaps.allSet(map, range[0], range[1]), "bit " + clear + " clear, range " + range[0] + "+" + range[1]);
        }
        assertEquals(1, Bitmaps.countClear(map, bits));
        map.setOne(0, map.capacity());
      }
    }
  }

  @Test
  void countClearAndAllSetMatchBitByBitOnRandomBitmapsOfEveryTailLength() {
    Random random = new Random(5);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowBuf map = allocator.buffer(1024)) {
      for (int bits : new int[] {1, 7, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 2047, 2111, 8000}) {
        for (int density : new int[] {2, 50, 5000}) {
          map.setOne(0, map.capacity());
          for (int i = 0; i < bits; i++) {
            if (random.nextInt(density) == 0) {
              Bitmaps.clear(map, i);
            }
          }
          long expectedClear = 0;
          for (int i = 0; i < bits; i++) {
            expectedClear += Bitmaps.get(map, i) ? 0 : 1;
          }
          assertEquals(expectedClear, Bitmaps.countClear(map, bits), bits + " bits, 1 in " + density + " clear");
          assertEquals(expectedClear == 0, Bitmaps.allSet(map, 0, bits), bits + " bits, 1 in " + density + " clear");
          int first = Math.min(1 + random.nextInt(100), bits - 1); // also unaligned starts
          boolean expectedAllSet = true;
          for (int i = first; i < bits; i++) {
            expectedAllSet &= Bitmaps.get(map, i);
          }
          assertEquals(expectedAllSet, Bitmaps.allSet(map, first, bits - first), "from bit " + first + " of " + bits);
        }
      }
    }
  }

  @Test
  void allSetFindsOneClearBitAnywhereInTheFourStreamsTheRemainingBlocksAndTheTail() {
    // 14 blocks of 16 words (the four streams take 3 blocks each, 2 are left) and 100 more bits.
    int bits = 14 * 1024 + 100;
    try (BufferAllocator allocator = new RootAllocator();
        ArrowBuf map = Bitmaps.newAllSet(allocator, bits)) {
      assertEquals(true, Bitmaps.allSet(map, 0, bits));
      for (int clear = 0; clear < bits; clear += 37) {
        Bitmaps.clear(map, clear);
        assertEquals(false, Bitmaps.allSet(map, 0, bits), "bit " + clear + " clear");
        assertEquals(true, Bitmaps.allSet(map, 0, clear), "bits before " + clear);
        assertEquals(true, Bitmaps.allSet(map, clear + 1, bits - clear - 1), "bits after " + clear);
        map.setOne(0, map.capacity());
      }
    }
  }
}
