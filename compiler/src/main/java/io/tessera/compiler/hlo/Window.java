package io.tessera.compiler.hlo;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@code window={size=3x3 stride=2x2 pad=1_1x1_1 lhs_dilate=1x1 rhs_dilate=1x1
 * rhs_reversal=0x0}} attribute of convolution, reduce-window and select-and-scatter. Fields
 * that equal their defaults (stride 1, pad 0, dilations 1, no reversal) are not printed.
 *
 * <p>XLA names: {@code lhs_dilate} is the base dilation (of the input), {@code rhs_dilate} the
 * window dilation (of the kernel).
 */
public record Window(List<Dim> dims) {

  /** One spatial dimension of a window. */
  public record Dim(long size, long stride, long padLow, long padHigh,
                    long baseDilation, long windowDilation, boolean reversal) {
    /** A window dimension of {@code size} with every other field at its default. */
    public static Dim of(long size) {
      return new Dim(size, 1, 0, 0, 1, 1, false);
    }
  }

  public Window {
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
    StringBuilder sb = new StringBuilder("{");
    if (!dims.isEmpty()) {
      sb.append("size=").append(join(d -> Long.toString(d.size())));
      appendIf(sb, "stride", d -> d.stride() != 1, d -> Long.toString(d.stride()));
      appendIf(sb, "pad", d -> d.padLow() != 0 || d.padHigh() != 0, d -> d.padLow() + "_" + d.padHigh());
      appendIf(sb, "lhs_dilate", d -> d.baseDilation() != 1, d -> Long.toString(d.baseDilation()));
      appendIf(sb, "rhs_dilate", d -> d.windowDilation() != 1, d -> Long.toString(d.windowDilation()));
      appendIf(sb, "rhs_reversal", Dim::reversal, d -> d.reversal() ? "1" : "0");
    }
    return sb.append('}').toString();
  }

  private void appendIf(StringBuilder sb, String key, Predicate<Dim> nonDefault, Function<Dim, String> value) {
    if (dims.stream().anyMatch(nonDefault)) {
      sb.append(' ').append(key).append('=').append(join(value));
    }
  }

  private String join(Function<Dim, String> value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.size(); i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(value.apply(dims.get(i)));
    }
    return sb.toString();
  }
}
