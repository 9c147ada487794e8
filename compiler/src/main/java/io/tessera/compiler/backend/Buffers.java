package io.tessera.compiler.backend;

/**
 * The buffers of one call: a native address and a byte length per buffer, in parameter order (or
 * result order: one buffer per array result, one per element of a tuple result). Kernels read
 * and write these buffers in place; nothing is copied.
 *
 * <p>The memory space says where the addresses point: the CPU backend accepts {@link
 * MemorySpace#HOST} only; a GPU backend takes device pointers through the same type.
 */
public final class Buffers {

  /** Where buffer addresses point. */
  public enum MemorySpace { HOST, DEVICE }

  private final MemorySpace space;
  private final long[] addresses;
  private final long[] byteSizes;

  private Buffers(MemorySpace space, long[] addresses, long[] byteSizes) {
    if (addresses.length != byteSizes.length) {
      throw new IllegalArgumentException(addresses.length + " addresses but " + byteSizes.length + " byte sizes");
    }
    this.space = space;
    this.addresses = addresses.clone();
    this.byteSizes = byteSizes.clone();
  }

  /** Host buffers: {@code addresses[i]} points at {@code byteSizes[i]} readable (writable for results) bytes. */
  public static Buffers host(long[] addresses, long[] byteSizes) {
    return new Buffers(MemorySpace.HOST, addresses, byteSizes);
  }

  /** Buffers in {@code space}. */
  public static Buffers of(MemorySpace space, long[] addresses, long[] byteSizes) {
    return new Buffers(space, addresses, byteSizes);
  }

  public MemorySpace space() {
    return space;
  }

  public int count() {
    return addresses.length;
  }

  public long address(int i) {
    return addresses[i];
  }

  public long byteSize(int i) {
    return byteSizes[i];
  }
}
