package io.tessera.compiler.hlo;

/** The {@code direction=} of a {@code compare}, as XLA prints it. */
public enum ComparisonDirection {
  EQ, NE, GE, GT, LE, LT;

  /** The direction that gives the same answer with the operands swapped ({@code a<b == b>a}). */
  public ComparisonDirection swapped() {
    return switch (this) {
      case EQ, NE -> this;
      case GE -> LE;
      case GT -> LT;
      case LE -> GE;
      case LT -> GT;
    };
  }
}
