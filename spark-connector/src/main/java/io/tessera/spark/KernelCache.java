package io.tessera.spark;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompileCache;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.InterpreterBackend;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels of this JVM (one Spark executor), by module and backend settings: the first task
 * that needs a module compiles it, concurrent tasks wait for that one compilation, and every later
 * task and query reuses it. A failed compilation is remembered only as a fallback decision; with
 * {@code spark.tessera.fallback=false} the next task tries again and fails with the compiler's
 * message.
 *
 * <p>Executables come from one JVM-wide {@link CompileCache}, so other users of the compiler in
 * this JVM share them too.
 */
final class KernelCache {
  private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);

  private static final CompileCache COMPILED = new CompileCache();

  private record Key(String fingerprint, String backend, boolean fallback) {}

  private static final ConcurrentHashMap<Key, CompletableFuture<CompiledKernel>> KERNELS = new ConcurrentHashMap<>();

  /**
   * A kernel for one task.
   *
   * @param kernel the compiled kernel
   * @param compiledNow whether this request compiled it (false: a cache hit, possibly after
   *     waiting for another task's compilation)
   */
  record Lookup(CompiledKernel kernel, boolean compiledNow) {}

  private KernelCache() {}

  /**
   * The kernel for {@code module} under {@code conf}'s backend settings, compiling it on first use.
   *
   * @throws KernelCompilationException when the backend cannot compile the module and fallback is
   *     off, with the compiler's message
   */
  static Lookup get(TesseraModule module, TesseraConf conf) {
    Key key = new Key(module.fingerprint(), conf.backend(), conf.fallback());
    CompletableFuture<CompiledKernel> mine = new CompletableFuture<>();
    CompletableFuture<CompiledKernel> existing = KERNELS.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        return new Lookup(existing.join(), false);
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : e;
      }
    }
    try {
      CompiledKernel kernel = compile(module, conf);
      mine.complete(kernel);
      return new Lookup(kernel, true);
    } catch (RuntimeException | Error e) {
      KERNELS.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** Number of kernels held (for tests). */
  static int size() {
    return KERNELS.size();
  }

  /** The backend {@code requested} means on this executor: {@code auto} picks the CPU when it works. */
  static String resolveBackend(String requested) {
    if (!requested.equals(TesseraConf.AUTO)) {
      return requested;
    }
    // The GPU joins this list when its backend exists (the task's assigned device then matters).
    for (String candidate : new String[] {"cpu"}) {
      if (Backends.names().contains(candidate) && Backends.byName(candidate).isAvailable()) {
        return candidate;
      }
    }
    return InterpreterBackend.NAME;
  }

  private static CompiledKernel compile(TesseraModule module, TesseraConf conf) {
    KernelSignature signature = KernelSignature.of(module);
    String wanted = resolveBackend(conf.backend());
    long start = System.nanoTime();
    try {
      Executable executable = compileOn(Backends.byName(wanted), module);
      long nanos = System.nanoTime() - start;
      LOG.info("Tessera compiled module {} ({}) for backend {} in {} ms", module.name(),
          module.fingerprint().substring(0, 12), wanted, nanos / 1_000_000);
      return new CompiledKernel(module, signature, executable, wanted, null, nanos);
    } catch (RuntimeException | LinkageError e) {
      if (!conf.fallback() || wanted.equals(InterpreterBackend.NAME)) {
        throw new KernelCompilationException("Tessera could not compile module " + module.name() + " for backend "
            + wanted + ": " + e.getMessage()
            + (conf.fallback() ? "" : " (set " + TesseraConf.FALLBACK + "=true to run it on the interpreter instead)"), e);
      }
      String reason = wanted + " backend: " + e.getMessage();
      LOG.warn("Tessera runs module {} on the interpreter, slowly: the {}", module.name(), reason);
      Executable executable = compileOn(new InterpreterBackend(), module);
      return new CompiledKernel(module, signature, executable, InterpreterBackend.NAME, reason,
          System.nanoTime() - start);
    }
  }

  private static Executable compileOn(Backend backend, TesseraModule module) {
    if (!backend.isAvailable()) {
      throw new KernelCompilationException("backend " + backend.name() + " is not available here: "
          + backend.unavailableReason(), null);
    }
    return COMPILED.get(backend, module.module(), BackendOptions.defaults());
  }

  /** A module that could not be compiled (and was not allowed to fall back to the interpreter). */
  static final class KernelCompilationException extends RuntimeException {
    KernelCompilationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
