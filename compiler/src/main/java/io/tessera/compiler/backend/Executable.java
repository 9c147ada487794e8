package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A compiled module, ready to run on buffers. Executables are thread-safe: many threads may call
 * {@link #execute} on one executable at once, each with its own buffers.
 *
 * <p>{@link #execute} reads the parameters' and writes the results' buffers in place; it checks
 * every buffer's size and alignment against the shapes before native code runs, and throws
 * {@link IllegalArgumentException} naming the parameter when one does not fit.
 *
 * <p>Runtime row counts: a module whose shapes have a {@link Shape#DYNAMIC} leading dimension
 * (the batching pass makes these) is compiled once and run with the row count of each call;
 * static modules pass {@link #STATIC_SHAPES}. Backends that do not support dynamic dimensions yet
 * reject such modules at compile time.
 */
public interface Executable extends AutoCloseable {

  /** The row count argument of a module whose shapes are all static. */
  long STATIC_SHAPES = -1;

  /** The backend that compiled this executable, e.g. {@code cpu}. */
  String backendName();

  /** Parameters and results: names, shapes, and the result buffers a call takes. */
  ExecutableSignature signature();

  default List<Shape> parameterShapes() {
    return signature().parameterShapes();
  }

  default Shape resultShape() {
    return signature().resultShape();
  }

  /** One array shape per result buffer: the result itself, or each leaf of a tuple result. */
  default List<Shape> resultBufferShapes() {
    return signature().resultBufferShapes();
  }

  /**
   * Runs the module with {@code rowCount} as the size of every dynamic leading dimension
   * ({@link #STATIC_SHAPES} when there is none), synchronously.
   *
   * @throws IllegalArgumentException when a buffer does not fit its shape
   * @throws IllegalStateException after {@link #close}
   */
  void execute(long rowCount, Buffers parameters, Buffers results);

  /**
   * Bytes of working memory one call with {@code rowCount} rows uses for its temporaries, beyond
   * its parameters and results (what a benchmark or a memory budget wants to know), or {@code -1}
   * when the backend does not say.
   */
  default long scratchBytes(long rowCount) {
    return -1;
  }

  /** Runs a module with static shapes, synchronously. */
  default void execute(Buffers parameters, Buffers results) {
    execute(STATIC_SHAPES, parameters, results);
  }

  /**
   * Starts a run and returns when it is queued. Backends with an execution queue (GPU streams)
   * return before the work is done; the CPU backend runs synchronously and returns a completed
   * future. Buffers must stay valid until the future completes.
   */
  default CompletableFuture<Void> executeAsync(long rowCount, Buffers parameters, Buffers results) {
    try {
      execute(rowCount, parameters, results);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Convenience for tests and tools: copies {@code arguments} into fresh host memory, runs, and
   * copies the results back into a literal (a tuple literal for a tuple result).
   */
  default Literal run(List<Literal> arguments) {
    return HostBuffers.run(this, arguments);
  }

  /** Frees the native code and memory; calls after this throw {@link IllegalStateException}. */
  @Override
  void close();
}
