package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloPrinter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compiled executables by module, so that each distinct module is compiled once per JVM (a Spark
 * executor compiles a UDF's kernel once, not once per task or batch).
 *
 * <p>The key is a SHA-256 fingerprint of the module's text as {@link HloPrinter} prints it, plus
 * the backend's name, its {@linkplain Backend#targetDescription target description} and the
 * options. Thread-safe: concurrent requests for one key wait for a single compilation; a failed
 * compilation is not cached (the next request tries again) and its exception reaches every waiter.
 *
 * <p>The cache owns its executables: the ones it returns ignore {@code close()}, and
 * {@link #close()} frees them all.
 */
public final class CompileCache implements AutoCloseable {

  private record Key(String fingerprint, String backend, String target, BackendOptions options) {}

  private final ConcurrentHashMap<Key, CompletableFuture<Executable>> entries = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong compilations = new AtomicLong();
  private volatile boolean closed;

  /**
   * The executable for {@code module} on {@code backend} with {@code options}, compiling it on
   * first request.
   *
   * @throws CompilationException when compilation fails
   */
  public Executable get(Backend backend, Module module, BackendOptions options) {
    if (closed) {
      throw new IllegalStateException("compile cache is closed");
    }
    Key key = new Key(fingerprint(HloPrinter.print(module)), backend.name(), backend.targetDescription(options), options);
    CompletableFuture<Executable> mine = new CompletableFuture<>();
    CompletableFuture<Executable> existing = entries.putIfAbsent(key, mine);
    if (existing == null) {
      compilations.incrementAndGet();
      try {
        mine.complete(new Shared(backend.compile(module, options)));
      } catch (RuntimeException | Error e) {
        entries.remove(key, mine);
        mine.completeExceptionally(e);
        throw e;
      }
      return mine.join();
    }
    hits.incrementAndGet();
    try {
      return existing.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new CompilationException("compilation failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompilationException("interrupted while waiting for a compilation", e);
    }
  }

  /** Number of modules compiled through this cache. */
  public long compilations() {
    return compilations.get();
  }

  /** Number of requests answered by an executable compiled earlier (or being compiled). */
  public long hits() {
    return hits.get();
  }

  /** Number of executables held. */
  public int size() {
    return entries.size();
  }

  /** Closes every executable; the cache cannot be used afterwards. */
  @Override
  public void close() {
    closed = true;
    List<CompletableFuture<Executable>> all = new ArrayList<>(entries.values());
    entries.clear();
    for (CompletableFuture<Executable> f : all) {
      if (f.isDone() && !f.isCompletedExceptionally()) {
        ((Shared) f.join()).delegate.close();
      }
    }
  }

  /** SHA-256 of {@code text} in hex. */
  static String fingerprint(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A cached executable: everything but {@code close()} goes to the real one. */
  private static final class Shared implements Executable {
    private final Executable delegate;

    Shared(Executable delegate) {
      this.delegate = delegate;
    }

    @Override
    public String backendName() {
      return delegate.backendName();
    }

    @Override
    public ExecutableSignature signature() {
      return delegate.signature();
    }

    @Override
    public void execute(long rowCount, Buffers parameters, Buffers results) {
      delegate.execute(rowCount, parameters, results);
    }

    @Override
    public long scratchBytes(long rowCount) {
      return delegate.scratchBytes(rowCount);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> executeAsync(long rowCount, Buffers parameters, Buffers results) {
      return delegate.executeAsync(rowCount, parameters, results);
    }

    @Override
    public io.tessera.compiler.hlo.Literal run(List<io.tessera.compiler.hlo.Literal> arguments) {
      return delegate.run(arguments);
    }

    @Override
    public void close() {
      // Owned by the cache.
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
