package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes run in order, as XLA's {@code HloPassPipeline}. A stage is one pass, or a fixed-point
 * group whose passes repeat until a whole round changes nothing (XLA's {@code HloPassFix}), at most
 * a given number of rounds: rewrites such as simplification and CSE expose work for each other.
 *
 * <p>Options: the {@link Verifier} after every pass that changed the module (a broken module is
 * then blamed on the pass that broke it), and a dump folder that receives the module as HLO text
 * before the first pass ({@code 000.input.hlo}) and after every pass that changed it
 * ({@code 001.simplify.hlo}, ...), as {@code --xla_dump_to} does.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder("cpu")
 *     .fixedPoint("simplification", 8, new AlgebraicSimplifier(), new Cse(), new DeadCodeElimination())
 *     .add(new Fusion())
 *     .verifyBetweenPasses(true)
 *     .build();
 * }</pre>
 */
public final class Pipeline implements Pass {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /** One pass, or a fixed-point group of passes (a single pass is a group of one round). */
  private record Stage(String name, List<Pass> passes, int maxRounds) {}

  private final String name;
  private final List<Stage> stages;
  private final boolean verify;
  private final Path dumpDirectory;

  private Pipeline(Builder b) {
    this.name = b.name;
    this.stages = List.copyOf(b.stages);
    this.verify = b.verify;
    this.dumpDirectory = b.dumpDirectory;
  }

  /** Starts a pipeline called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  /** Every pass in order, members of fixed-point groups included (once each). */
  public List<Pass> passes() {
    List<Pass> all = new ArrayList<>();
    for (Stage s : stages) {
      all.addAll(s.passes());
    }
    return all;
  }

  /**
   * Runs every stage on {@code module}.
   *
   * @return whether any pass changed the module
   * @throws PassException when verification is on and the input, or the module after a pass, is
   *     not well formed (the message names the pass), or a pass cannot handle the module
   */
  @Override
  public boolean run(Module module) {
    Run run = new Run(module);
    run.dump("input");
    if (verify) {
      run.verify(null);
    }
    boolean changed = false;
    for (Stage stage : stages) {
      changed |= run.stage(stage);
    }
    return changed;
  }

  /** The state of one run: the module and the dump counter. */
  private final class Run {
    private final Module module;
    private int dumpCount;

    Run(Module module) {
      this.module = module;
    }

    boolean stage(Stage stage) {
      boolean changedAtAll = false;
      for (int round = 1; round <= stage.maxRounds(); round++) {
        boolean changed = false;
        for (Pass pass : stage.passes()) {
          changed |= runPass(pass);
        }
        changedAtAll |= changed;
        if (!changed) {
          return changedAtAll;
        }
      }
      if (stage.maxRounds() > 1) {
        // XLA's HloPassFix stops at its cap too: the module is still valid, just not at a fixed point.
        LOG.warn("pipeline {}: fixed-point group {} still changed module {} after {} rounds",
            name, stage.name(), module.name(), stage.maxRounds());
      }
      return changedAtAll;
    }

    private boolean runPass(Pass pass) {
      boolean changed = pass.run(module);
      LOG.debug("pipeline {}: pass {} {}", name, pass.name(), changed ? "changed the module" : "made no change");
      if (changed) {
        dump(pass.name());
        if (verify) {
          verify(pass);
        }
      }
      return changed;
    }

    void verify(Pass after) {
      List<String> problems = Verifier.problems(module);
      if (!problems.isEmpty()) {
        String when = after == null ? "before the first pass" : "after pass " + after.name();
        throw new PassException("pipeline " + name + ": module " + module.name() + " is not well formed " + when
            + ": " + String.join("; ", problems));
      }
    }

    void dump(String step) {
      if (dumpDirectory == null) {
        return;
      }
      Path file = dumpDirectory.resolve(String.format("%03d.%s.hlo", dumpCount++, step));
      try {
        Files.createDirectories(dumpDirectory);
        Files.writeString(file, HloPrinter.print(module));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the dump " + file, e);
      }
    }
  }

  /** Assembles a pipeline in order. */
  public static final class Builder {
    private final String name;
    private final List<Stage> stages = new ArrayList<>();
    private boolean verify;
    private Path dumpDirectory;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name);
    }

    /** Appends a pass that runs once. */
    public Builder add(Pass pass) {
      stages.add(new Stage(pass.name(), List.of(Objects.requireNonNull(pass)), 1));
      return this;
    }

    /**
     * Appends a group whose passes run in order, round after round, until a round changes nothing
     * or {@code maxRounds} rounds have run.
     */
    public Builder fixedPoint(String groupName, int maxRounds, Pass... passes) {
      if (maxRounds < 1) {
        throw new IllegalArgumentException("a fixed-point group needs at least one round, got " + maxRounds);
      }
      if (passes.length == 0) {
        throw new IllegalArgumentException("fixed-point group " + groupName + " has no passes");
      }
      stages.add(new Stage(groupName, List.of(passes), maxRounds));
      return this;
    }

    /** Runs the {@link Verifier} on the input and after every pass that changed the module. */
    public Builder verifyBetweenPasses(boolean on) {
      this.verify = on;
      return this;
    }

    /** Writes the module as HLO text into {@code directory} before the first pass and after each change. */
    public Builder dumpTo(Path directory) {
      this.dumpDirectory = directory;
      return this;
    }

    public Pipeline build() {
      return new Pipeline(this);
    }
  }
}
