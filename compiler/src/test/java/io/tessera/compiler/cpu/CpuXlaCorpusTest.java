package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.XlaCorpus;
import io.tessera.compiler.XlaCorpus.Expected;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.pass.Pipelines;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every module of the XLA corpus ({@code src/test/resources/xla-corpus}: what TensorFlow handed
 * XLA, {@code NAME.hlo}, as given and after Tessera's own CPU pipeline (simplification and
 * fusion), and what XLA's CPU pipeline made of it, {@code NAME.opt.hlo}, with its fusions, loops
 * and layouts) compiled by the CPU backend and run on the corpus inputs, against
 * XLA's own results within the tolerance each entry states. Modules that call XLA runtime
 * routines ({@code custom-call}, e.g. TopK) must fail to compile with a message naming the target.
 * The counts are printed at the end.
 */
class CpuXlaCorpusTest {
  private static final AtomicInteger RAN = new AtomicInteger();
  private static final AtomicInteger REFUSED = new AtomicInteger();

  /**
   * Compiling dominates this test, and LLVM compiles on several threads at once (a context per
   * module), so the checks run on a small pool and each dynamic test waits for its own.
   */
  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), r -> {
        Thread t = new Thread(r, "cpu-corpus");
        t.setDaemon(true);
        return t;
      });

  @TestFactory
  Stream<DynamicTest> corpusModulesMatchXla() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : XlaCorpus.names()) {
      for (String file : List.of(name + ".hlo", name + ".opt.hlo")) {
        tests.add(inPool(file, () -> check(name, file, false)));
      }
      tests.add(inPool(name + ".hlo after Tessera's CPU pipeline", () -> check(name, name + ".hlo", true)));
    }
    assertTrue(tests.size() >= 3 * 40, "the corpus has only " + tests.size() / 3 + " entries");
    return tests.stream();
  }

  private static DynamicTest inPool(String name, Runnable check) {
    Future<?> done = POOL.submit(check);
    return DynamicTest.dynamicTest(name, () -> {
      try {
        done.get();
      } catch (ExecutionException e) {
        throw e.getCause();
      }
    });
  }

  @AfterAll
  static void report() {
    POOL.shutdown();
    System.out.printf(Locale.ROOT, "XLA corpus on the cpu backend: %d modules match XLA, %d refused (custom-call)%n",
        RAN.get(), REFUSED.get());
  }

  private static void check(String name, String file, boolean tesseraPipeline) {
    Module module = XlaCorpus.parse(file);
    if (tesseraPipeline) {
      Pipelines.cpuDefault().run(module); // Tessera's own simplification and fusion
    }
    List<String> targets = XlaCorpus.customCallTargets(module);
    if (!targets.isEmpty()) {
      CompilationException e = assertThrows(CompilationException.class, () -> Oracle.CPU.compile(module).close(),
          file + " calls " + targets + " and must not compile");
      for (String target : targets) {
        assertTrue(e.getMessage().contains("custom-call") && e.getMessage().contains("\"" + target + "\""),
            file + ": the error should name the custom-call target " + target + ": " + e.getMessage());
      }
      REFUSED.incrementAndGet();
      return;
    }
    Expected.load(name).assertMatches(file + " on the cpu backend", Oracle.runCpu(module, XlaCorpus.arguments(name)));
    RAN.incrementAndGet();
  }
}
