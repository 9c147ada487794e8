package io.tessera.compiler;

import io.tessera.compiler.backend.Backend;

import io.tessera.compiler.cpu.CpuBackend;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.gpu.GpuBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The backends of this build, by the name the command line and configuration use
 * ({@code interpreter}, {@code cpu}, {@code gpu}). One explicit table: no reflection, no service loading.
 */
public final class Backends {
  private static final Map<String, Supplier<Backend>> FACTORIES = new LinkedHashMap<>();

  static {
    FACTORIES.put(InterpreterBackend.NAME, InterpreterBackend::new);
    FACTORIES.put(CpuBackend.NAME, CpuBackend::new);
    FACTORIES.put(GpuBackend.NAME, GpuBackend::new);
  }

  private Backends() {}

  /** Backend names in preference order of listing. */
  public static List<String> names() {
    return List.copyOf(FACTORIES.keySet());
  }

  /**
   * The backend called {@code name}.
   *
   * @throws IllegalArgumentException naming the known backends when there is none by that name
   */
  public static Backend byName(String name) {
    Supplier<Backend> factory = FACTORIES.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown backend '" + name + "' (available: " + String.join(", ", names()) + ")");
    }
    return factory.get();
  }
}
