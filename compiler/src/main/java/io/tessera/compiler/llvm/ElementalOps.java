package io.tessera.compiler.llvm;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Elemental forms of {@code map} and {@code batch-norm-inference}, and the batch-norm formula. */
public final class ElementalOps {
  private ElementalOps() {}

  /** {@code map(a, b, ...), to_apply=f}: f inlined on the operands' elements at the index. */
  static IrValue map(ElementalEmitter e, Instruction instr, IrIndex index) {
    Computation f = instr.requireAttr(Attr.TO_APPLY);
    List<IrValue> args = new ArrayList<>();
    for (Instruction operand : instr.operands()) {
      if (!Arrays.equals(operand.shape().dimensions(), index.dims())) {
        throw new CompilationException("%" + instr.name() + " (map): operand %" + operand.name() + " has shape "
            + operand.shape() + ", the result " + instr.shape());
      }
      args.add(e.emit(operand, index));
    }
    List<IrValue> result = ElementalEmitter.emitScalarComputation(e.builder(), f, args);
    if (result.size() != 1 || !result.get(0).type().equals(IrTypes.valueType(instr.shape().elementType()))) {
      throw new CompilationException("%" + instr.name() + " (map): to_apply=" + f.name() + " does not return a "
          + instr.shape().elementType() + " scalar");
    }
    return result.get(0);
  }

  /**
   * {@code batch-norm-inference(x, scale, offset, mean, variance)}: per feature f,
   * {@code (x - mean[f]) / sqrt(variance[f] + epsilon) * scale[f] + offset[f]}, computed in
   * double and rounded once to the element type, as the interpreter does.
   */
  static IrValue batchNormInference(ElementalEmitter e, Instruction instr, IrIndex index) {
    IrBuilder b = e.builder();
    ElementType type = instr.shape().elementType();
    int feature = Math.toIntExact(instr.requireAttr(Attr.FEATURE_INDEX));
    if (!type.isFloat() || feature < 0 || feature >= index.rank()) {
      throw new CompilationException("%" + instr.name() + " (batch-norm-inference): feature_index=" + feature
          + " on " + instr.shape() + "; it needs a float array with that dimension");
    }
    int features = index.dims()[feature];
    IrIndex perFeature = new IrIndex(new IrValue[] {index.get(feature)}, new int[] {features}, index.get(feature));
    IrValue x = toDouble(b, e, instr.operand(0), index);
    IrValue scale = toDouble(b, e, instr.operand(1), perFeature);
    IrValue offset = toDouble(b, e, instr.operand(2), perFeature);
    IrValue mean = toDouble(b, e, instr.operand(3), perFeature);
    IrValue variance = toDouble(b, e, instr.operand(4), perFeature);
    IrValue epsilon = IrValue.fpConst("double", instr.requireAttr(Attr.EPSILON));
    IrValue y = normalize(b, x, mean, variance, epsilon, scale, offset);
    return ScalarOps.convert(b, ElementType.F64, type, y);
  }

  /** {@code (x - mean) / sqrt(variance + epsilon) * scale + offset} in double, in that order. */
  public static IrValue normalize(IrBuilder b, IrValue x, IrValue mean, IrValue variance, IrValue epsilon,
                                  IrValue scale, IrValue offset) {
    IrValue deviation = b.callExternal("double", "llvm.sqrt.f64", b.fbinop("fadd", variance, epsilon));
    IrValue normalized = b.fbinop("fdiv", b.fbinop("fsub", x, mean), deviation);
    return b.fbinop("fadd", b.fbinop("fmul", normalized, scale), offset);
  }

  private static IrValue toDouble(IrBuilder b, ElementalEmitter e, Instruction operand, IrIndex index) {
    ElementType t = operand.shape().elementType();
    if (!t.isFloat() || !Arrays.equals(operand.shape().dimensions(), index.dims())) {
      throw new CompilationException("batch norm operand %" + operand.name() + " has shape " + operand.shape()
          + ", expected float " + Arrays.toString(index.dims()));
    }
    return ScalarOps.convert(b, t, ElementType.F64, e.emit(operand, index));
  }
}
