package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The source of an elemental emitter over a computation that uses loop fusions: a fusion's value
 * at an index is its fused computation's root at that index, emitted in place with the fusion's
 * operands as that computation's parameters. So a fused module emits the same loop body as the
 * unfused one, and nothing is materialized.
 */
final class InlinedFusions implements ElementalEmitter.Source {
  private final IrBuilder b;
  private final BiFunction<Instruction, IrIndex, IrValue> parameters;
  private final Map<Instruction, ElementalEmitter> fused = new IdentityHashMap<>();
  private ElementalEmitter self;

  private InlinedFusions(IrBuilder b, BiFunction<Instruction, IrIndex, IrValue> parameters) {
    this.b = b;
    this.parameters = parameters;
  }

  /** An emitter whose computation's parameters come from {@code parameters} (instruction, index to value). */
  static ElementalEmitter emitter(IrBuilder b, BiFunction<Instruction, IrIndex, IrValue> parameters) {
    InlinedFusions source = new InlinedFusions(b, parameters);
    source.self = new ElementalEmitter(b, source);
    return source.self;
  }

  @Override
  public IrValue valueAt(Instruction instr, IrIndex index) {
    if (instr.opcode() == Opcode.PARAMETER) {
      return parameters.apply(instr, index);
    }
    if (instr.opcode() != Opcode.FUSION) {
      return null;
    }
    // One emitter per fusion, so values computed inside it are cached like any other.
    ElementalEmitter inner = fused.computeIfAbsent(instr,
        f -> emitter(b, (p, at) -> self.emit(f.operand(p.parameterNumber()), at)));
    return inner.emit(instr.calledComputations().get(0).root(), index);
  }
}
