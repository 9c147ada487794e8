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
 *
 * <p>Dynamic rows: a module with a dynamic leading dimension takes the row count of each call in
 * argv word 0. Its buffers are checked against the shapes bound to that count, and temporaries
 * with rows need scratch memory in proportion ({@link ScratchLayout}): a frame's scratch grows to
 * the largest call it has served and is kept for the next.
 */
final class CpuExecutable implements Executable {

  /** Native memory one call uses; owned by one caller at a time. */
  private static final class Frame {
    final LongPointer argv;
    final PointerPointer<?> args;
    private BytePointer scratch;
    private long scratchBytes;

    Frame(int argc) {
      // A caller's PointerScope would free memory allocated while it is open; frames outlive the
      // call, so they are allocated in a scope of their own and detached from it.
      try (PointerScope own = new PointerScope()) {
        argv = new LongPointer(argc);
        args = new PointerPointer<>(2);
        keep(own, argv);
        keep(own, args);
      }
      if (argv.isNull() || args.isNull()) {
        throw new OutOfMemoryError("could not allocate a call frame");
      }
    }

    /** The address of at least {@code bytes} bytes of scratch memory (0 when none is needed). */
    long scratch(long bytes) {
      if (bytes > scratchBytes) {
        if (scratch != null) {
          scratch.deallocate();
          scratch = null;
          scratchBytes = 0;
        }
        try (PointerScope own = new PointerScope()) {
          BytePointer p = new BytePointer(bytes);
          if (p.isNull()) {
            throw new OutOfMemoryError("could not allocate " + bytes + " bytes of scratch memory");
          }
          keep(own, p);
          scratch = p;
          scratchBytes = bytes;
        }
      }
      return scratch == null ? 0 : scratch.address();
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
  private final KernelEntry.Abi abi;
  private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  CpuExecutable(String name, JitModule jit, ExecutableSignature signature, KernelEntry.Abi abi) {
    this.name = name;
    this.jit = jit;
    this.signature = signature;
    this.abi = abi;
  }

  @Override
  public String backendName() {
    return CpuBackend.NAME;
  }

  @Override
  public ExecutableSignature signature() {
    return signature;
  }

  /** Bytes of scratch memory one call with {@code rowCount} rows uses for temporaries ({@link ScratchLayout}). */
  @Override
  public long scratchBytes(long rowCount) {
    return abi.scratch().bytes(rowCount);
  }

  @Override
  public void execute(long rowCount, Buffers parameters, Buffers results) {
    signature.checkHostBuffers(rowCount, parameters, results);
    long scratchBytes = abi.scratch().bytes(rowCount);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("executable for module " + name + " is closed");
      }
      Frame frame = frames.poll();
      if (frame == null) {
        frame = new Frame(abi.argc());
      }
      try {
        int w = 0;
        frame.argv.put(w++, abi.dynamicRows() ? rowCount : 0L);
        for (int i = 0; i < parameters.count(); i++) {
          frame.argv.put(w++, parameters.address(i));
        }
        for (int i = 0; i < results.count(); i++) {
          frame.argv.put(w++, results.address(i));
        }
        frame.argv.put(w, frame.scratch(scratchBytes));
        int status = jit.call(frame.argv, abi.argc(), frame.args);
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
