package io.tessera.compiler.pass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The passes a command line can name ({@code hlo-opt --passes simplify,cse,dce}), each with a
 * one-line summary. A name may carry an argument after a colon ({@code rebatch:1}); passes that
 * take none refuse one. Backends do not look passes up here: they assemble their pipelines in code
 * ({@link Pipelines}).
 */
public final class PassRegistry {

  /** A pass name, what it does, and how to make one from its argument ({@code null} when none). */
  private record Entry(String name, String summary, Function<String, Pass> factory) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    register("simplify", "algebraic simplification (x+0, x*1, reshape/transpose/broadcast/slice chains, ...)",
        AlgebraicSimplifier::new);
    register("constant-fold", "evaluate instructions whose operands are all constants", ConstantFolding::new);
    register("cse", "common-subexpression elimination", Cse::new);
    register("dce", "dead instruction and computation elimination", DeadCodeElimination::new);
    register("fuse", "loop, reduce-input and dot-epilogue fusion into fusion instructions", Fusion::new);
    register("inline", "replace calls by the bodies of the computations they call", CallInliner::new);
    register("batch", "per-row module -> batched module: a leading row dimension ? on parameters and results",
        BatchingPass::new);
    registerWithArgument("rebatch", "fixed-batch module -> batch size ?; rebatch:D or rebatch:D0/-/D2 name the"
        + " batch dimension of each parameter", RebatchingPass::parse);
    registerWithArgument("unbatch", "fixed-batch module -> the per-row module tessera_apply takes (f32[8,16] ->"
        + " f32[16]); unbatch:D or unbatch:D0/-/D2 as rebatch", UnbatchingPass::parse);
  }

  private PassRegistry() {}

  private static void register(String name, String summary, Supplier<Pass> noArgument) {
    ENTRIES.put(name, new Entry(name, summary, argument -> {
      if (argument != null) {
        throw new IllegalArgumentException("pass '" + name + "' takes no argument, got '" + argument + "'");
      }
      return noArgument.get();
    }));
  }

  private static void registerWithArgument(String name, String summary, Function<String, Pass> factory) {
    ENTRIES.put(name, new Entry(name, summary, factory));
  }

  /** Every registered name, in registration order. */
  public static List<String> names() {
    return List.copyOf(ENTRIES.keySet());
  }

  /** {@code name  summary} lines for help texts. */
  public static String describe() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : ENTRIES.values()) {
      sb.append(String.format("  %-14s %s%n", e.name(), e.summary()));
    }
    return sb.toString();
  }

  /**
   * The pass {@code spec} names: {@code name} or {@code name:argument}.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones) or an
   *     argument the pass does not accept
   */
  public static Pass create(String spec) {
    String trimmed = spec.strip();
    int colon = trimmed.indexOf(':');
    String name = colon < 0 ? trimmed : trimmed.substring(0, colon);
    String argument = colon < 0 ? null : trimmed.substring(colon + 1);
    Entry entry = ENTRIES.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("unknown pass '" + name + "' (available: " + String.join(", ", names()) + ")");
    }
    return entry.factory().apply(argument);
  }

  /**
   * A verifying pipeline of the comma-separated passes in {@code specs}, in order, dumping into
   * {@code dumpDirectory} when it is not {@code null}.
   */
  public static Pipeline pipeline(String specs, Path dumpDirectory) {
    List<Pass> passes = new ArrayList<>();
    for (String spec : specs.split(",")) {
      if (spec.isBlank()) {
        throw new IllegalArgumentException("empty pass name in '" + specs + "'");
      }
      passes.add(create(spec));
    }
    Pipeline.Builder b = Pipeline.builder("hlo-opt").verifyBetweenPasses(true).dumpTo(dumpDirectory);
    passes.forEach(b::add);
    return b.build();
  }
}
