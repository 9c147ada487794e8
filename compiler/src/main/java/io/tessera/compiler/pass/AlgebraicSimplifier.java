package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.SliceSpec;
import java.util.List;

/**
 * Small algebraic rewrites, as XLA's {@code AlgebraicSimplifier}. Each rule replaces an
 * instruction by one of its (transitive) operands or by ONE new instruction over them, so a rule
 * never grows the module:
 *
 * <ul>
 *   <li>{@code x+0}, {@code 0+x}, {@code x-0}, {@code x*1}, {@code 1*x}, {@code x/1} → {@code x},
 *       for floats only where that is exact: {@code x + -0} and {@code x - +0};
 *   <li>{@code x*0} → {@code 0} for integers and pred only: for floats it is NaN when {@code x}
 *       is NaN or infinite, and {@code -0} when {@code x} is negative;
 *   <li>{@code -(-x)}, {@code not(not(x))} → {@code x};
 *   <li>reshape to the operand's shape → the operand; reshape of reshape → one reshape;
 *   <li>transpose of transpose → one transpose with the composed permutation, or nothing when
 *       that is the identity; broadcast of broadcast (a scalar broadcast in steps) → one broadcast;
 *   <li>slice of slice → one slice; a slice that keeps everything → its operand;
 *   <li>convert to the operand's type, concatenate of one operand, pad by nothing, reverse of no
 *       dimension → the operand;
 *   <li>select with a constant predicate → the chosen operand; select between one value twice →
 *       that value.
 * </ul>
 *
 * <p>Every rewrite is exact, bit for bit. XLA also rewrites {@code x + +0} to {@code x} for floats,
 * which turns {@code -0 + +0} ({@code +0}) into {@code -0}; Tessera does not, because modules it
 * compiles from Spark SQL must give exactly Spark's results ({@code CAST(a + 0.0 AS STRING)} shows
 * the sign). "0" and "1" are constants holding only that value, or broadcasts of one.
 */
public final class AlgebraicSimplifier implements Pass {

  @Override
  public String name() {
    return "simplify";
  }

  @Override
  public boolean run(Module module) {
    boolean changed = false;
    for (Computation c : module.computations()) {
      for (Instruction i : List.copyOf(c.instructions())) {
        Instruction replacement = simplify(i);
        if (replacement != null) {
          replace(c, i, replacement);
          changed = true;
        }
      }
    }
    return changed;
  }

  /** Puts {@code replacement} (an operand, or a new instruction named as {@code old}) in place of {@code old}. */
  private static void replace(Computation c, Instruction old, Instruction replacement) {
    if (replacement.parent() == null) {
      c.replaceInstruction(old, replacement);
    } else {
      c.replaceAllUses(old, replacement);
      c.remove(old);
    }
  }

  /** What {@code i} simplifies to, or {@code null} when no rule applies. */
  static Instruction simplify(Instruction i) {
    return switch (i.opcode()) {
      case ADD -> zeroIsIdentity(i, true);
      case SUBTRACT -> zeroIsIdentity(i, false);
      case MULTIPLY -> multiply(i);
      case DIVIDE -> ConstantValues.isAll(i.operand(1), 1) ? i.operand(0) : null;
      case NEGATE, NOT -> i.operand(0).opcode() == i.opcode() ? i.operand(0).operand(0) : null;
      case RESHAPE -> reshape(i);
      case TRANSPOSE -> transpose(i);
      case BROADCAST -> broadcast(i);
      case SLICE -> slice(i);
      case CONVERT -> sameShape(i, i.operand(0)) ? i.operand(0) : null;
      case CONCATENATE -> i.operandCount() == 1 ? i.operand(0) : null;
      case PAD -> isNoPadding(i.requireAttr(Attr.PADDING)) ? i.operand(0) : null;
      case REVERSE -> i.requireAttr(Attr.DIMENSIONS).length == 0 ? i.operand(0) : null;
      case SELECT -> select(i);
      default -> null;
    };
  }

  /** {@code x+0}, {@code 0+x} (when {@code commutes}) and {@code x-0}. */
  private static Instruction zeroIsIdentity(Instruction i, boolean commutes) {
    if (ConstantValues.isIdentityZero(i.operand(1), commutes)) {
      return i.operand(0);
    }
    return commutes && ConstantValues.isIdentityZero(i.operand(0), true) ? i.operand(1) : null;
  }

  private static Instruction multiply(Instruction i) {
    for (int k = 0; k < 2; k++) {
      Instruction x = i.operand(k);
      Instruction other = i.operand(1 - k);
      if (ConstantValues.isAll(other, 1)) {
        return x;
      }
      if (!i.shape().elementType().isFloat() && ConstantValues.isAll(other, 0)) {
        return other; // already the zeros of the result's shape
      }
    }
    return null;
  }

  private static Instruction reshape(Instruction i) {
    Instruction x = i.operand(0);
    if (sameShape(i, x)) {
      return x;
    }
    if (x.opcode() == Opcode.RESHAPE) {
      Instruction inner = x.operand(0);
      return sameShape(i, inner) ? inner : Instruction.create(i.name(), Opcode.RESHAPE, i.shape(), List.of(inner),
          i.attributes());
    }
    return null;
  }

  private static Instruction transpose(Instruction i) {
    long[] outer = i.requireAttr(Attr.DIMENSIONS);
    Instruction x = i.operand(0);
    if (isIdentity(outer)) {
      return x;
    }
    if (x.opcode() != Opcode.TRANSPOSE) {
      return null;
    }
    // Result dimension d is x's dimension outer[d], which is the inner operand's dimension inner[outer[d]].
    long[] inner = x.requireAttr(Attr.DIMENSIONS);
    long[] composed = new long[outer.length];
    for (int d = 0; d < outer.length; d++) {
      composed[d] = inner[(int) outer[d]];
    }
    Instruction source = x.operand(0);
    if (isIdentity(composed)) {
      return source;
    }
    return Instruction.create(i.name(), Opcode.TRANSPOSE, i.shape(), List.of(source),
        i.attributes().with(Attr.DIMENSIONS, composed));
  }

  private static Instruction broadcast(Instruction i) {
    long[] outer = i.requireAttr(Attr.DIMENSIONS);
    Instruction x = i.operand(0);
    if (sameShape(i, x) && isIdentity(outer)) {
      return x;
    }
    if (x.opcode() != Opcode.BROADCAST) {
      return null;
    }
    // The inner operand's dimension k went to x's dimension inner[k], which goes to outer[inner[k]].
    long[] inner = x.requireAttr(Attr.DIMENSIONS);
    long[] composed = new long[inner.length];
    for (int k = 0; k < inner.length; k++) {
      composed[k] = outer[(int) inner[k]];
    }
    return Instruction.create(i.name(), Opcode.BROADCAST, i.shape(), List.of(x.operand(0)),
        i.attributes().with(Attr.DIMENSIONS, composed));
  }

  private static Instruction slice(Instruction i) {
    SliceSpec outer = i.requireAttr(Attr.SLICE);
    Instruction x = i.operand(0);
    if (sameShape(i, x) && !x.shape().hasDynamicDimension() && isWholeRange(outer, x.shape())) {
      return x;
    }
    if (x.opcode() != Opcode.SLICE) {
      return null;
    }
    // x[j] = source[s1 + j*k1] and result[n] = x[s2 + n*k2] = source[(s1 + s2*k1) + n*(k1*k2)].
    SliceSpec inner = x.requireAttr(Attr.SLICE);
    int rank = outer.rank();
    long[] starts = new long[rank];
    long[] limits = new long[rank];
    long[] strides = new long[rank];
    for (int d = 0; d < rank; d++) {
      starts[d] = inner.start(d) + outer.start(d) * inner.stride(d);
      strides[d] = inner.stride(d) * outer.stride(d);
      long count = i.shape().dimension(d);
      limits[d] = count == 0 ? starts[d] : starts[d] + (count - 1) * strides[d] + 1;
    }
    return Instruction.create(i.name(), Opcode.SLICE, i.shape(), List.of(x.operand(0)),
        i.attributes().with(Attr.SLICE, new SliceSpec(starts, limits, strides)));
  }

  private static Instruction select(Instruction i) {
    Instruction pred = i.operand(0);
    if (i.operand(1) == i.operand(2)) {
      return i.operand(1);
    }
    if (ConstantValues.isAll(pred, 1)) {
      return i.operand(1);
    }
    return ConstantValues.isAll(pred, 0) ? i.operand(2) : null;
  }

  private static boolean sameShape(Instruction a, Instruction b) {
    return a.shape().equalsIgnoringLayout(b.shape());
  }

  private static boolean isIdentity(long[] permutation) {
    for (int d = 0; d < permutation.length; d++) {
      if (permutation[d] != d) {
        return false;
      }
    }
    return true;
  }

  private static boolean isWholeRange(SliceSpec spec, Shape shape) {
    for (int d = 0; d < spec.rank(); d++) {
      if (spec.start(d) != 0 || spec.stride(d) != 1 || spec.limit(d) != shape.dimension(d)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNoPadding(PaddingConfig padding) {
    for (PaddingConfig.Dim d : padding.dims()) {
      if (d.low() != 0 || d.high() != 0 || d.interior() != 0) {
        return false;
      }
    }
    return true;
  }
}
