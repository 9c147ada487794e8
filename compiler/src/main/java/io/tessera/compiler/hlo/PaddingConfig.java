package io.tessera.compiler.hlo;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code padding=} attribute of {@code pad}: per dimension, the low and high edge padding
 * (negative values cut) and the interior padding between elements, printed {@code low_high} or
 * {@code low_high_interior}, dimensions joined by {@code x}.
 */
public record PaddingConfig(List<Dim> dims) {

  /** Padding of one dimension. */
  public record Dim(long low, long high, long interior) {
    @Override
    public String toString() {
      return interior == 0 ? low + "_" + high : low + "_" + high + "_" + interior;
    }
  }

  public PaddingConfig {
    dims = List.copyOf(dims);
  }

  public int rank() {
    return dims.size();
  }

  public Dim dim(int i) {
    return dims.get(i);
  }

  @Override
  public String toString() {
    return dims.stream().map(Dim::toString).collect(Collectors.joining("x"));
  }
}
