package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.Opcode;

/**
 * Where the transcendental elementwise functions of a module come from. The shared emitter asks
 * the module's library ({@link IrModule#mathLibrary()}) first, so a target can swap in its own
 * functions (the GPU backend: libdevice's {@code __nv_expf}) while everything else stays shared,
 * as XLA's GPU elemental emitter overrides only its math calls.
 */
public interface MathLibrary {

  /** The project's own straight-line approximations ({@link VectorMath}): no calls, any target. */
  MathLibrary OWN = new MathLibrary() {
    @Override
    public IrValue unary(IrBuilder b, Opcode op, IrValue x) {
      return VectorMath.unary(b, op, x);
    }

    @Override
    public IrValue binary(IrBuilder b, Opcode op, IrValue x, IrValue y) {
      return VectorMath.binary(b, op, x, y);
    }
  };

  /** {@code op} on float or double {@code x}, or {@code null} when {@code op} is not a math function here. */
  IrValue unary(IrBuilder b, Opcode op, IrValue x);

  /** {@code op} on {@code x, y} ({@code power}, {@code atan2}), or {@code null} when not a math function here. */
  IrValue binary(IrBuilder b, Opcode op, IrValue x, IrValue y);
}
