package io.tessera.arrow;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow's bit-packed buffers (validity bitmaps and {@code Bool} data: bit {@code i % 8} of byte
 * {@code i / 8}, least significant first), worked on a 64-bit word at a time.
 */
final class Bitmaps {
  /** {@code UNPACK[b]}: the eight bits of byte {@code b} as eight bytes 0/1, bit 0 in the lowest byte. */
  private static final long[] UNPACK = new long[256];

  static {
    for (int b = 0; b < 256; b++) {
      long bytes = 0;
      for (int bit = 0; bit < 8; bit++) {
        bytes |= (long) ((b >>> bit) & 1) << (8 * bit);
      }
      UNPACK[b] = bytes;
    }
  }

  private Bitmaps() {}

  /** Bytes of a bitmap of {@code bits} bits. */
  static long byteSize(long bits) {
    return (bits + 7) / 8;
  }

  /**
   * Writes into {@code out} the AND of {@code bitmaps} over {@code bits} bits (all set when the
   * list is empty); the unused high bits of the last byte are cleared. Each bitmap and {@code out}
   * must hold {@link #byteSize} bytes (checked once; the words are then read without per-access
   * checks).
   */
  static void and(List<ArrowBuf> bitmaps, long bits, ArrowBuf out) {
    long bytes = byteSize(bits);
    out.checkBytes(0, bytes);
    if (bitmaps.isEmpty()) {
      out.setOne(0, bytes);
    } else {
      bitmaps.forEach(b -> b.checkBytes(0, bytes));
      out.setBytes(0, bitmaps.get(0), 0, bytes);
      long target = out.memoryAddress();
      long wordBytes = bytes & ~7L;
      for (int m = 1; m < bitmaps.size(); m++) {
        long in = bitmaps.get(m).memoryAddress();
        for (long w = 0; w < wordBytes; w += 8) {
          MemoryUtil.putLong(target + w, MemoryUtil.getLong(target + w) & MemoryUtil.getLong(in + w));
        }
        for (long b = wordBytes; b < bytes; b++) {
          MemoryUtil.putByte(target + b, (byte) (MemoryUtil.getByte(target + b) & MemoryUtil.getByte(in + b)));
        }
      }
    }
    clearTail(out, bits);
  }

  /** Whether bits {@code [first, first + count)} of {@code bitmap} are all set, a word at a time. */
  static boolean allSet(ArrowBuf bitmap, long first, long count) {
    if (count == 0) {
      return true;
    }
    long end = first + count;
    bitmap.checkBytes(first >>> 3, byteSize(end));
    long bit = first;
    for (; bit < end && (bit & 63) != 0; bit++) {
      if (!get(bitmap, bit)) {
        return false;
      }
    }
    long words = (end - bit) >>> 6;
    if (!allWordsSet(bitmap.memoryAddress() + (bit >>> 3), words)) {
      return false;
    }
    bit += words << 6;
    for (; bit < end; bit++) {
      if (!get(bitmap, bit)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the {@code words} 64-bit words from native address {@code address} are all ones.
   * This scan reads every validity bit of a tensor column per batch, usually from memory (the
   * kernel has just streamed the previous batch through the caches), so it is written for memory
   * speed: the words are read as four sequential streams, one per quarter, which keeps more cache
   * misses in flight than one stream (1.6x on uncached bitmaps); and C2 neither unrolls nor
   * vectorizes a loop that steps a {@code long} address, so blocks of 16 words are ANDed in one
   * written-out expression and tested once, rather than one branch per word (3x when cached).
   */
  private static boolean allWordsSet(long address, long words) {
    long blocks = words >>> 4;
    long quarter = (blocks >>> 2) * 128; // bytes per stream, whole blocks
    long at = address;
    for (long stop = address + quarter; at < stop; at += 128) {
      if ((blockAnd(at) & blockAnd(at + quarter) & blockAnd(at + 2 * quarter) & blockAnd(at + 3 * quarter)) != -1L) {
        return false;
      }
    }
    at = address + 4 * quarter;
    for (long stop = address + blocks * 128; at < stop; at += 128) {
      if (blockAnd(at) != -1L) {
        return false;
      }
    }
    for (long stop = address + words * 8; at < stop; at += 8) {
      if (MemoryUtil.getLong(at) != -1L) {
        return false;
      }
    }
    return true;
  }

  /** The AND of the 16 words (128 bytes) from native address {@code at}. */
  private static long blockAnd(long at) {
    return MemoryUtil.getLong(at) & MemoryUtil.getLong(at + 8) & MemoryUtil.getLong(at + 16)
        & MemoryUtil.getLong(at + 24) & MemoryUtil.getLong(at + 32) & MemoryUtil.getLong(at + 40)
        & MemoryUtil.getLong(at + 48) & MemoryUtil.getLong(at + 56) & MemoryUtil.getLong(at + 64)
        & MemoryUtil.getLong(at + 72) & MemoryUtil.getLong(at + 80) & MemoryUtil.getLong(at + 88)
        & MemoryUtil.getLong(at + 96) & MemoryUtil.getLong(at + 104) & MemoryUtil.getLong(at + 112)
        & MemoryUtil.getLong(at + 120);
  }

  /** Number of clear bits among the first {@code bits} bits of {@code bitmap}. */
  static long countClear(ArrowBuf bitmap, long bits) {
    bitmap.checkBytes(0, byteSize(bits));
    long address = bitmap.memoryAddress();
    long set = 0;
    // Four words per step, written out for the reason given at allWordsSet.
    for (long at = address, stop = address + (bits >>> 8) * 32; at < stop; at += 32) {
      set += Long.bitCount(MemoryUtil.getLong(at)) + Long.bitCount(MemoryUtil.getLong(at + 8))
          + Long.bitCount(MemoryUtil.getLong(at + 16)) + Long.bitCount(MemoryUtil.getLong(at + 24));
    }
    long bit = bits & ~255L;
    for (; bit + 64 <= bits; bit += 64) {
      set += Long.bitCount(MemoryUtil.getLong(address + (bit >>> 3)));
    }
    for (; bit < bits; bit++) {
      set += get(bitmap, bit) ? 1 : 0;
    }
    return bits - set;
  }

  /** Sets the first {@code bits} bits of {@code out} and clears the rest of their last byte. */
  static void setAll(ArrowBuf out, long bits) {
    out.setOne(0, byteSize(bits));
    clearTail(out, bits);
  }

  /** A bitmap of {@code bits} set bits, from {@code allocator}; its capacity is a whole number of words. */
  static ArrowBuf newAllSet(BufferAllocator allocator, long bits) {
    ArrowBuf buf = allocator.buffer((bits + 63) / 64 * 8);
    buf.setOne(0, buf.capacity());
    clearTail(buf, bits);
    return buf;
  }

  static boolean get(ArrowBuf bitmap, long bit) {
    return (bitmap.getByte(bit >>> 3) >>> (bit & 7) & 1) != 0;
  }

  static void clear(ArrowBuf bitmap, long bit) {
    long at = bit >>> 3;
    bitmap.setByte(at, bitmap.getByte(at) & ~(1 << (bit & 7)));
  }

  /**
   * Calls {@code action} with the index of every clear bit among bits
   * {@code [first, first + count)} of {@code bitmap}, skipping whole bytes that are all set.
   */
  static void forEachClear(ArrowBuf bitmap, long first, long count, BitAction action) {
    long end = first + count;
    long bit = first;
    while (bit < end) {
      if ((bit & 7) == 0 && bit + 8 <= end && bitmap.getByte(bit >>> 3) == (byte) 0xFF) {
        bit += 8;
        continue;
      }
      if (!get(bitmap, bit)) {
        action.accept(bit);
      }
      bit++;
    }
  }

  /** Receives a bit index. */
  @FunctionalInterface
  interface BitAction {
    void accept(long bit);
  }

  /**
   * Unpacks bits {@code [first, first + count)} of {@code bits} into {@code count} bytes 0/1 at
   * native address {@code out} (the layout of a {@code pred} kernel buffer).
   */
  static void unpack(ArrowBuf bits, long first, long count, long out) {
    bits.checkBytes(first >>> 3, byteSize(first + count));
    long i = 0;
    if ((first & 7) == 0) {
      long base = bits.memoryAddress() + (first >>> 3);
      for (; i + 8 <= count; i += 8) {
        MemoryUtil.putLong(out + i, UNPACK[MemoryUtil.getByte(base + (i >>> 3)) & 0xFF]);
      }
    }
    for (; i < count; i++) {
      MemoryUtil.putByte(out + i, (byte) (get(bits, first + i) ? 1 : 0));
    }
  }

  /**
   * Packs {@code count} bytes at native address {@code in} into bits {@code [0, count)} of
   * {@code out}; a byte is true when its lowest bit is set ({@code pred} buffers hold 0 or 1).
   */
  static void pack(long in, long count, ArrowBuf out) {
    out.checkBytes(0, byteSize(count));
    long base = out.memoryAddress();
    long i = 0;
    for (; i + 8 <= count; i += 8) {
      // Byte j of the masked word holds bit j; the multiplication gathers them into the top byte.
      long bytes = MemoryUtil.getLong(in + i) & 0x0101010101010101L;
      MemoryUtil.putByte(base + (i >>> 3), (byte) ((bytes * 0x0102040810204080L) >>> 56));
    }
    if (i < count) {
      int last = 0;
      for (long j = i; j < count; j++) {
        last |= (MemoryUtil.getByte(in + j) & 1) << (j - i);
      }
      MemoryUtil.putByte(base + (i >>> 3), (byte) last);
    }
  }

  private static void clearTail(ArrowBuf bitmap, long bits) {
    int used = (int) (bits & 7);
    if (used != 0) {
      long at = bits >>> 3;
      bitmap.setByte(at, bitmap.getByte(at) & ((1 << used) - 1));
    }
  }
}
