package io.tessera.compiler.hlo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The attributes of one instruction, in the order they were given (the printer keeps that order).
 * Immutable: {@link #with} returns a copy.
 */
public final class Attributes {

  public static final Attributes EMPTY = new Attributes(new LinkedHashMap<>());

  private final Map<Attr<?>, Object> values;

  private Attributes(Map<Attr<?>, Object> values) {
    this.values = values;
  }

  /** Starts a set of attributes. */
  public static Builder builder() {
    return new Builder();
  }

  /** The value of {@code attr}, or {@code null} when absent. */
  @SuppressWarnings("unchecked")
  public <T> T get(Attr<T> attr) {
    return (T) values.get(attr);
  }

  /** The value of {@code attr}, or {@code fallback} when absent. */
  public <T> T getOrDefault(Attr<T> attr, T fallback) {
    T value = get(attr);
    return value != null ? value : fallback;
  }

  public boolean has(Attr<?> attr) {
    return values.containsKey(attr);
  }

  /** The attributes present, in order. */
  public Set<Attr<?>> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** A copy with {@code attr} set to {@code value} (kept in place when already present). */
  public <T> Attributes with(Attr<T> attr, T value) {
    Map<Attr<?>, Object> copy = new LinkedHashMap<>(values);
    copy.put(attr, value);
    return new Attributes(copy);
  }

  /** A copy without {@code attr}. */
  public Attributes without(Attr<?> attr) {
    Map<Attr<?>, Object> copy = new LinkedHashMap<>(values);
    copy.remove(attr);
    return new Attributes(copy);
  }

  /** Every computation named by an attribute, in attribute order. */
  public List<Computation> calledComputations() {
    List<Computation> called = new ArrayList<>();
    for (Map.Entry<Attr<?>, Object> e : values.entrySet()) {
      switch (e.getKey().kind()) {
        case COMPUTATION -> called.add((Computation) e.getValue());
        case COMPUTATION_LIST -> {
          for (Object c : (List<?>) e.getValue()) {
            called.add((Computation) c);
          }
        }
        default -> { }
      }
    }
    return called;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Attributes other) || !values.keySet().equals(other.values.keySet())) {
      return false;
    }
    for (Map.Entry<Attr<?>, Object> e : values.entrySet()) {
      if (!valueEquals(e.getValue(), other.values.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean valueEquals(Object a, Object b) {
    if (a instanceof long[] x && b instanceof long[] y) {
      return Arrays.equals(x, y);
    }
    // Computations compare by identity: two calls of one computation are equal.
    return a == b || (a != null && a.equals(b));
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<Attr<?>, Object> e : values.entrySet()) {
      Object v = e.getValue();
      h += e.getKey().hashCode() ^ (v instanceof long[] arr ? Arrays.hashCode(arr) : v.hashCode());
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<Attr<?>, Object> e : values.entrySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      Object v = e.getValue();
      sb.append(e.getKey().name()).append('=')
          .append(v instanceof long[] arr ? Arrays.toString(arr) : v instanceof Computation c ? c.name() : v);
    }
    return sb.append('}').toString();
  }

  /** Collects attributes in order. */
  public static final class Builder {
    private final Map<Attr<?>, Object> values = new LinkedHashMap<>();

    private Builder() {}

    public <T> Builder put(Attr<T> attr, T value) {
      if (value == null) {
        throw new IllegalArgumentException("attribute " + attr + " has no value");
      }
      values.put(attr, value instanceof long[] arr ? arr.clone() : value);
      return this;
    }

    public boolean has(Attr<?> attr) {
      return values.containsKey(attr);
    }

    public Attributes build() {
      return new Attributes(new LinkedHashMap<>(values));
    }
  }
}
