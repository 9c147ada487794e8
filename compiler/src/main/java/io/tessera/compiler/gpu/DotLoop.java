package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.llvm.DotDimensions;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.FloatFormats;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrTypes;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.ScalarOps;

/**
 * The value of a {@code dot} at one output element: a loop over the contracting dimensions (in
 * row-major order) summing products of operand elements computed elementally, so transposed,
 * broadcast or otherwise fused operands need no buffer. Any dimension numbers
 * ({@link DotDimensions}). Accumulation follows the CPU's {@code DotEmitter}: in the result type
 * for f32, f64 and integers (operands converted to it), in f32 rounded once for f16 and bf16, as
 * OR of ANDs for pred.
 *
 * <p>On the GPU each thread computes one output element: threads of a warp take adjacent elements
 * of the output's last (rhs-free) dimension, so their rhs loads coalesce when rhs's free
 * dimension is its last, and their lhs loads are one broadcast address. No shared memory: each
 * operand element is read from global memory (or the L1/L2 caches) once per output element that
 * uses it.
 */
final class DotLoop {
  private DotLoop() {}

  /** Emits {@code dot}'s value at {@code out}, reading its operands through {@code operands}. */
  static IrValue emit(IrBuilder b, ElementalEmitter operands, Instruction dot, IrIndex out) {
    Instruction lhs = dot.operand(0);
    Instruction rhs = dot.operand(1);
    DotDimensions a = DotDimensions.analyze(dot, lhs.shape(), rhs.shape(), dot.shape());
    ElementType t = dot.shape().elementType();
    if (!t.isFloat() && (lhs.shape().elementType().isFloat() || rhs.shape().elementType().isFloat())) {
      throw new CompilationException("%" + dot.name() + " (dot): float operands with an " + t + " result");
    }
    boolean pred = t == ElementType.PRED;
    ElementType acc = t == ElementType.F32 || t == ElementType.F64 || t.isInteger() ? t
        : pred ? ElementType.PRED : ElementType.F32;
    String vt = IrTypes.valueType(acc);
    IrValue zero = pred ? IrValue.bool(false) : acc.isFloat() ? IrValue.fpConst(vt, 0) : IrValue.intConst(vt, 0);
    IrValue slot = b.alloca(vt);
    b.store(zero, slot, 1);
    IrIndex[] parts = a.splitResultIndex(out);
    int[] lhsDims = lhs.shape().dimensions();
    int[] rhsDims = rhs.shape().dimensions();
    LoopEmitter.forEachIndex(b, "dot.k", a.k(), ki -> {
      IrValue x = ScalarOps.convert(b, lhs.shape().elementType(), acc,
          operands.emit(lhs, a.l().index(lhsDims, parts[0], parts[1], ki)));
      IrValue y = ScalarOps.convert(b, rhs.shape().elementType(), acc,
          operands.emit(rhs, a.r().index(rhsDims, parts[0], parts[2], ki)));
      IrValue sum = b.load(vt, slot, 1);
      if (pred) {
        sum = b.or(sum, b.and(x, y));
      } else if (acc.isFloat()) {
        sum = b.fbinop("fadd", sum, b.fbinop("fmul", x, y));
      } else {
        sum = b.add(sum, b.mul(x, y));
      }
      b.store(sum, slot, 1);
    });
    IrValue result = b.load(vt, slot, 1);
    return acc == t ? result : FloatFormats.roundTo(b, t, result);
  }
}
