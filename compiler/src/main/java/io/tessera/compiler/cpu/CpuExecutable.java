package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * A module compiled by {@link CpuBackend}: JIT code plus the per-call native state it needs.
 *
 * <p>Every call checks its buffers against the signature, then takes a {@link Frame} (the argv
 * words, the scratch memory for temporaries and the argument slots of {@code LLVMRunFunction})
 * from a pool, so concurrent calls never share memory and a call allocates no native memory once
 * the pool has as many frames as there are concurrent callers. A read-write lock keeps
 * {@link #close} from freeing code or frames while a call runs.
 */
final class CpuExecutable implements Executable {

  /** Native memory one call uses; owned by one caller at a time. */
  private static final class Frame {
    final LongPointer argv;
    final BytePointer scratch;
    final PointerPointer<?> args;

    Frame(int argc, long scratchBytes) {
      // A caller's PointerScope would free memory allocated while it is open; frames outlive the
      // call, so they are allocated in a scope of their own and detached from it.
      try (PointerScope own = new PointerScope()) {
        argv = new LongPointer(argc);
        args = new PointerPointer<>(2);
        scratch = scratchBytes > 0 ? new BytePointer(scratchBytes) : null;
        keep(own, argv);
        keep(own, args);
        if (scratch != null) {
          keep(own, scratch);
        }
      }
      if (argv.isNull() || args.isNull() || (scratch != null && scratch.isNull())) {
        throw new OutOfMemoryError("could not allocate " + scratchBytes + " bytes of scratch memory");
      }
    }

    /** Takes {@code p} out of {@code scope} without freeing it (detaching drops the scope's reference). */
    private static void keep(PointerScope scope, Pointer p) {
      p.retainReference();
      scope.detach(p);
    }

    void free() {
      argv.deallocate();
      args.deallocate();
      if (scratch != null) {
        scratch.deallocate();
      }
    }
  }

  private final String name;
  private final JitModule jit;
  private final ExecutableSignature signature;
  private final long scratchBytes;
  private final int argc;
  private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  CpuExecutable(String name, JitModule jit, ExecutableSignature signature, long scratchBytes, int argc) {
    this.name = name;
    this.jit = jit;
    this.signature = signature;
    this.scratchBytes = scratchBytes;
    this.argc = argc;
  }

  @Override
  public String backendName() {
    return CpuBackend.NAME;
  }

  @Override
  public ExecutableSignature signature() {
    return signature;
  }

  /** Bytes of scratch memory one call uses for temporaries. */
  long scratchBytes() {
    return scratchBytes;
  }

  @Override
  public void execute(long rowCount, Buffers parameters, Buffers results) {
    if (rowCount != STATIC_SHAPES) {
      throw new IllegalArgumentException("module " + name + " has static shapes; pass STATIC_SHAPES, not a row count of "
          + rowCount);
    }
    signature.checkHostBuffers(parameters, results);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("executable for module " + name + " is closed");
      }
      Frame frame = frames.poll();
      if (frame == null) {
        frame = new Frame(argc, scratchBytes);
      }
      try {
        int w = 0;
        frame.argv.put(w++, 0L);
        for (int i = 0; i < parameters.count(); i++) {
          frame.argv.put(w++, parameters.address(i));
        }
        for (int i = 0; i < results.count(); i++) {
          frame.argv.put(w++, results.address(i));
        }
        frame.argv.put(w, frame.scratch == null ? 0L : frame.scratch.address());
        int status = jit.call(frame.argv, argc, frame.args);
        if (status != 0) {
          throw new IllegalStateException("kernel of module " + name + " returned status " + status);
        }
      } finally {
        frames.offer(frame);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      List<Frame> all = new ArrayList<>(frames);
      frames.clear();
      all.forEach(Frame::free);
      jit.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "CpuExecutable[" + name + ", " + signature.parameterShapes() + " -> " + signature.resultShape() + "]";
  }
}
