package io.tessera.spark;

import io.tessera.arrow.ArrowKernel;
import io.tessera.arrow.ColumnBinding;
import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompileCache;
import io.tessera.compiler.eval.InterpreterBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels of this JVM (one Spark executor), by module and backend settings: the first task
 * that needs a module compiles it, concurrent tasks wait for that one compilation, and every later
 * task and query reuses it. A failed compilation is not kept: the next task tries again (and fails
 * with the compiler's message).
 *
 * <p>What a module compiles to, best first:
 * <ol>
 *   <li>the module through the batching pass on the requested backend: one call per batch
 *       ({@link ArrowKernel});
 *   <li>the per-row module on the requested backend, called once per row (the batching pass
 *       cannot batch every operation);
 *   <li>with {@code spark.tessera.fallback=true} (the default), the same two on the interpreter,
 *       with a warning.
 * </ol>
 * Row-at-a-time evaluation ({@link TesseraApply#eval}) asks for the per-row form directly.
 * Per-row executables come from one JVM-wide {@link CompileCache}, shared with other users of the
 * compiler in this JVM.
 */
final class KernelCache {
  private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);

  private static final CompileCache PER_ROW = new CompileCache();

  /** What a caller runs: whole batches, or one row at a time. */
  enum Form { BATCHES, ROWS }

  private record Key(String fingerprint, String backend, int device, boolean fallback, Form form) {}

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
   * @throws KernelCompilationException when no allowed backend compiles the module, with the
   *     compilers' messages
   */
  static Lookup get(TesseraModule module, TesseraConf conf, Form form) {
    BackendChoice choice = BackendChoice.forCurrentTask(conf.backend());
    Key key = new Key(module.fingerprint(), choice.backend(), choice.device(), conf.fallback(), form);
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
      CompiledKernel kernel = compile(module, conf, choice, form);
      mine.complete(kernel);
      return new Lookup(kernel, true);
    } catch (RuntimeException | Error e) {
      KERNELS.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static CompiledKernel compile(TesseraModule module, TesseraConf conf, BackendChoice choice, Form form) {
    KernelSignature signature = KernelSignature.of(module);
    String wanted = choice.backend();
    List<String> problems = new ArrayList<>();
    if (choice.note() != null) {
      problems.add(choice.note());
    }
    long start = System.nanoTime();
    BackendOptions options = BackendOptions.defaults().withDevice(choice.device());
    CompiledKernel kernel = compileOn(wanted, options, module, signature, form, problems, start);
    if (kernel == null && conf.fallback() && !wanted.equals(InterpreterBackend.NAME)) {
      kernel = compileOn(InterpreterBackend.NAME, BackendOptions.defaults(), module, signature, form, problems, start);
    }
    if (kernel == null) {
      throw new KernelCompilationException("Tessera could not compile module " + module.name() + " for backend "
          + wanted + ": " + String.join("; ", problems)
          + (conf.fallback() ? "" : " (set " + TesseraConf.FALLBACK + "=true to run it on the interpreter instead)"));
    }
    if (kernel.note() != null) {
      LOG.warn("Tessera runs module {} {}", module.name(), kernel.note());
    }
    LOG.info("Tessera compiled module {} ({}) for backend {}, {}, in {} ms", module.name(),
        module.fingerprint().substring(0, 12), kernel.backend(), kernel.batched() != null ? "batched" : "row by row",
        kernel.compileNanos() / 1_000_000);
    return kernel;
  }

  /** The best form on {@code backendName}, or null with the reasons added to {@code problems}. */
  private static CompiledKernel compileOn(String backendName, BackendOptions options, TesseraModule module,
                                          KernelSignature signature, Form form, List<String> problems, long start) {
    Backend backend = Backends.byName(backendName);
    if (!backend.isAvailable()) {
      problems.add(backendName + " backend not available: " + backend.unavailableReason());
      return null;
    }
    if (form == Form.BATCHES) {
      try {
        ArrowKernel batched = ArrowKernel.compile(module.module(), backend, options,
            ColumnBinding.byPosition());
        return new CompiledKernel(module, signature, batched, null, backendName, note("batched", backendName, problems),
            System.nanoTime() - start);
      } catch (RuntimeException | LinkageError e) {
        problems.add("batched on " + backendName + ": " + e.getMessage());
      }
    }
    try {
      var perRow = PER_ROW.get(backend, module.module(), options);
      return new CompiledKernel(module, signature, null, perRow, backendName, note("row by row", backendName, problems),
          System.nanoTime() - start);
    } catch (RuntimeException | LinkageError e) {
      // Usually the same refusal as for the batched module: say it once.
      String batchedProblem = "batched on " + backendName + ": " + e.getMessage();
      problems.remove(batchedProblem);
      problems.add(backendName + ": " + e.getMessage());
      return null;
    }
  }

  /** Why a kernel is not what was asked for ({@code null} when it is): e.g. "row by row on cpu (batched on cpu: ...)". */
  private static String note(String how, String backendName, List<String> problems) {
    return problems.isEmpty() ? null : how + " on " + backendName + " (" + String.join("; ", problems) + ")";
  }

  /** A module that no allowed backend could compile. */
  static final class KernelCompilationException extends RuntimeException {
    KernelCompilationException(String message) {
      super(message);
    }
  }
}
