package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HLO module: named computations (callees before callers, as XLA prints them), one of them the
 * entry, and the header attributes of the {@code HloModule} line kept as text
 * ({@code entry_computation_layout}, {@code is_scheduled}, ...).
 */
public final class Module {
  private final String name;
  private final List<Computation> computations = new ArrayList<>();
  private final Map<String, String> headerAttributes = new LinkedHashMap<>();
  private Computation entry;

  public Module(String name) {
    this.name = Objects.requireNonNull(name);
  }

  public String name() {
    return name;
  }

  /** Adds a computation; its name must be new in this module. */
  public Computation add(Computation computation) {
    if (computation(computation.name()) != null) {
      throw new IllegalArgumentException("module " + name + " already has a computation named " + computation.name());
    }
    computations.add(computation);
    return computation;
  }

  /** Removes a computation that nothing calls and that is not the entry. */
  public void remove(Computation computation) {
    if (computation == entry) {
      throw new IllegalArgumentException("cannot remove the entry computation " + computation.name());
    }
    computations.remove(computation);
  }

  /**
   * Puts {@code replacement} at {@code old}'s place in the order (and makes it the entry if
   * {@code old} was); it may carry {@code old}'s name. Instructions that call {@code old} are not
   * changed: the caller points them at the replacement.
   *
   * @throws IllegalArgumentException when {@code old} is not in this module, or another
   *     computation has the replacement's name
   */
  public void replaceComputation(Computation old, Computation replacement) {
    int index = computations.indexOf(old);
    if (index < 0) {
      throw new IllegalArgumentException("computation " + old.name() + " is not in module " + name);
    }
    Computation named = computation(replacement.name());
    if (named != null && named != old) {
      throw new IllegalArgumentException("module " + name + " already has a computation named " + replacement.name());
    }
    computations.set(index, replacement);
    if (entry == old) {
      entry = replacement;
    }
  }

  public void setEntry(Computation entry) {
    if (!computations.contains(entry)) {
      throw new IllegalArgumentException("entry " + entry.name() + " is not in module " + name);
    }
    this.entry = entry;
  }

  /** The {@code ENTRY} computation. */
  public Computation entry() {
    if (entry == null) {
      throw new IllegalStateException("module " + name + " has no entry computation");
    }
    return entry;
  }

  /** Computations in order, callees first. */
  public List<Computation> computations() {
    return Collections.unmodifiableList(computations);
  }

  /** The computation named {@code name}, or {@code null}. */
  public Computation computation(String name) {
    for (Computation c : computations) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** Header attributes ({@code name=value} text after {@code HloModule name,}), in order; mutable. */
  public Map<String, String> headerAttributes() {
    return headerAttributes;
  }

  @Override
  public String toString() {
    return "HloModule " + name;
  }
}
