package io.tessera.compiler.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Views of native memory the caller owns (Arrow buffers, kernel buffers) as Java byte buffers. */
public final class NativeMemory {
  private NativeMemory() {}

  /**
   * A little-endian {@link ByteBuffer} over {@code bytes} bytes at address {@code start}. The view does
   * not own the memory: it must not be used after the memory is freed.
   */
  public static ByteBuffer view(long start, long bytes) {
    if (bytes == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (start == 0) {
      throw new IllegalArgumentException("null address for a buffer of " + bytes + " bytes");
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("buffer of " + bytes + " bytes is larger than a Java view allows");
    }
    // JavaCPP sets a pointer's address only from native code or a subclass.
    Pointer at = new Pointer() {
      {
        address = start;
      }
    };
    return new BytePointer(at).capacity(bytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }
}
