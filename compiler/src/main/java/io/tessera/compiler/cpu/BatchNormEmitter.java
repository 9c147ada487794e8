package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.ElementalOps;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.ScalarOps;
import java.util.Arrays;
import java.util.List;

/**
 * {@code batch-norm-training(x, scale, offset), epsilon=e, feature_index=f}: per feature, the
 * mean and the biased (population) variance over every other dimension, and x normalized with
 * them, as the interpreter computes it: sums in double over the elements in row-major order (two
 * passes, the variance around the exact mean), mean and variance rounded to the element type, and
 * {@code (x - mean) / sqrt(variance + e) * scale + offset} in double, rounded once.
 */
final class BatchNormEmitter {
  private BatchNormEmitter() {}

  static List<IrArray> training(ComputationEmitter c, Instruction instr) {
    IrBuilder b = c.builder();
    ArrayValue x = c.arrayOf(instr.operand(0));
    ArrayValue scale = c.arrayOf(instr.operand(1));
    ArrayValue offset = c.arrayOf(instr.operand(2));
    ElementType type = x.shape().elementType();
    int[] dims = x.shape().dimensions();
    int feature = Math.toIntExact(instr.requireAttr(Attr.FEATURE_INDEX));
    if (!type.isFloat() || feature < 0 || feature >= dims.length) {
      throw new CompilationException("%" + instr.name() + " (batch-norm-training): feature_index=" + feature
          + " on " + x.shape() + "; it needs a float array with that dimension");
    }
    int features = dims[feature];
    for (ArrayValue v : List.of(scale, offset)) {
      if (v.shape().rank() != 1 || v.shape().dimension(0) != features || !v.shape().elementType().isFloat()) {
        throw new CompilationException("%" + instr.name() + " (batch-norm-training): scale and offset must be float["
            + features + "], got " + v.shape());
      }
    }
    List<IrArray> outputs = c.outputs(instr);
    if (outputs.size() != 3 || !Arrays.equals(outputs.get(0).shape().dimensions(), dims)) {
      throw new CompilationException("%" + instr.name() + " (batch-norm-training): result " + instr.shape()
          + " must be (x's shape, [" + features + "], [" + features + "])");
    }
    long count = x.shape().elementCount() / Math.max(1, features);
    Shape perFeature = Shape.array(ElementType.F64, features);
    IrArray sums = c.temp(instr.name() + ".sums", perFeature);
    IrArray mean = c.temp(instr.name() + ".mean", perFeature);
    IrValue zero = IrValue.fpConst("double", 0);
    IrValue n = IrValue.fpConst("double", count);

    // Mean, then the variance around the unrounded mean, as sums in double.
    for (int pass = 0; pass < 2; pass++) {
      boolean variance = pass == 1;
      LoopEmitter.forRange(b, "bn.zero", IrValue.i64(features), f -> sums.storeLinear(b, f, zero));
      LoopEmitter.forEachIndex(b, "bn.sum", dims, i -> {
        IrValue f = i.get(feature);
        IrValue v = toDouble(b, type, x.at(b, i));
        if (variance) {
          IrValue d = b.fbinop("fsub", v, mean.loadLinear(b, f));
          v = b.fbinop("fmul", d, d);
        }
        sums.storeLinear(b, f, b.fbinop("fadd", sums.loadLinear(b, f), v));
      });
      IrArray target = variance ? outputs.get(2) : mean;
      LoopEmitter.forRange(b, "bn.divide", IrValue.i64(features), f -> {
        IrValue quotient = count == 0 ? zero : b.fbinop("fdiv", sums.loadLinear(b, f), n);
        if (variance) {
          target.storeLinear(b, f, ScalarOps.convert(b, ElementType.F64, type, quotient));
          outputs.get(1).storeLinear(b, f, ScalarOps.convert(b, ElementType.F64, type, mean.loadLinear(b, f)));
        } else {
          target.storeLinear(b, f, quotient);
        }
      });
    }

    IrValue epsilon = IrValue.fpConst("double", instr.requireAttr(Attr.EPSILON));
    IrArray y = outputs.get(0);
    LoopEmitter.forEachIndex(b, "bn.y", dims, i -> {
      IrValue f = i.get(feature);
      IrIndex at = new IrIndex(new IrValue[] {f}, new int[] {features}, f);
      IrValue normalized = ElementalOps.normalize(b, toDouble(b, type, x.at(b, i)),
          toDouble(b, type, outputs.get(1).load(b, at)), toDouble(b, type, outputs.get(2).load(b, at)), epsilon,
          toDouble(b, scale.shape().elementType(), scale.at(b, at)),
          toDouble(b, offset.shape().elementType(), offset.at(b, at)));
      y.store(b, i, ScalarOps.convert(b, ElementType.F64, type, normalized));
    });
    return outputs;
  }

  private static IrValue toDouble(IrBuilder b, ElementType type, IrValue v) {
    return ScalarOps.convert(b, type, ElementType.F64, v);
  }
}
