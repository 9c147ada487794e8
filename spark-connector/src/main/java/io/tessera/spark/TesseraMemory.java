package io.tessera.spark;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow memory of this JVM's Tessera operators: one root allocator, and a child allocator per
 * task that the task closes when it ends (normally, on failure, or when cancelled). Closing a child
 * allocator that still holds buffers fails, so a leak cannot go unnoticed; {@link #allocatedBytes}
 * lets tests check that nothing is held between tasks.
 */
public final class TesseraMemory {
  private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

  private TesseraMemory() {}

  /** A child allocator for one task; the task must close it. */
  static BufferAllocator forTask(String name) {
    return ROOT.newChildAllocator(name, 0, Long.MAX_VALUE);
  }

  /** Bytes currently allocated by Tessera operators in this JVM. */
  public static long allocatedBytes() {
    return ROOT.getAllocatedMemory();
  }

  /** The most bytes Tessera operators have held at once in this JVM. */
  public static long peakBytes() {
    return ROOT.getPeakMemoryAllocation();
  }

  /** Task allocators currently open in this JVM. */
  public static int openTaskAllocators() {
    return ROOT.getChildAllocators().size();
  }
}
