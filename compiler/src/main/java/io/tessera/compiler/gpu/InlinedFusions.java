package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The source of an elemental emitter for GPU kernels: a fusion's value at an index is its fused
 * computation's root at that index, emitted in place with the fusion's operands as that
 * computation's parameters, so a fused module emits the same loop body as the unfused one; and a
 * reduce's or a dot's value at an index is a loop over the reduced or contracting dimensions
 * ({@link ReduceLoop}, {@link DotLoop}), so a thread computes whole output elements. Nothing is
 * materialized here: instructions the kernel emitter placed in buffers come from its lookup.
 */
final class InlinedFusions implements ElementalEmitter.Source {
  /** The values a variadic reduce computed at one index, while they dominate the current point. */
  private record Folded(IrIndex index, List<IrValue> values, int scope) {}

  private final IrBuilder b;
  private final BiFunction<Instruction, IrIndex, IrValue> parameters;
  private final BiFunction<Instruction, IrIndex, IrValue> buffers;
  private final Map<Instruction, ElementalEmitter> fused = new IdentityHashMap<>();
  private final Map<Instruction, List<Folded>> folded = new IdentityHashMap<>();
  private ElementalEmitter self;

  private InlinedFusions(IrBuilder b, BiFunction<Instruction, IrIndex, IrValue> parameters,
                         BiFunction<Instruction, IrIndex, IrValue> buffers) {
    this.b = b;
    this.parameters = parameters;
    this.buffers = buffers;
  }

  /** An emitter whose computation's parameters come from {@code parameters} (instruction, index to value). */
  static ElementalEmitter emitter(IrBuilder b, BiFunction<Instruction, IrIndex, IrValue> parameters) {
    return emitter(b, parameters, (instr, index) -> null);
  }

  /**
   * An emitter as {@link #emitter(IrBuilder, BiFunction)}, where {@code buffers} gives the value
   * of an instruction held in memory, or {@code null} for one to compute.
   */
  static ElementalEmitter emitter(IrBuilder b, BiFunction<Instruction, IrIndex, IrValue> parameters,
                                  BiFunction<Instruction, IrIndex, IrValue> buffers) {
    InlinedFusions source = new InlinedFusions(b, parameters, buffers);
    source.self = new ElementalEmitter(b, source);
    return source.self;
  }

  @Override
  public IrValue valueAt(Instruction instr, IrIndex index) {
    if (instr.opcode() == Opcode.PARAMETER) {
      return parameters.apply(instr, index);
    }
    IrValue stored = buffers.apply(instr, index);
    if (stored != null) {
      return stored;
    }
    return switch (instr.opcode()) {
      case FUSION -> {
        // One emitter per fusion, so values computed inside it are cached like any other.
        ElementalEmitter inner = fused.computeIfAbsent(instr,
            f -> emitter(b, (p, at) -> self.emit(f.operand(p.parameterNumber()), at)));
        yield inner.emit(instr.calledComputations().get(0).root(), index);
      }
      case REDUCE -> fold(instr, index).get(0);
      case DOT -> DotLoop.emit(b, self, instr, index);
      case GET_TUPLE_ELEMENT -> instr.operand(0).opcode() != Opcode.REDUCE ? null
          : fold(instr.operand(0), index).get(Math.toIntExact(instr.requireAttr(Attr.INDEX)));
      default -> null;
    };
  }

  /** A reduce's values at {@code index}: one loop for all the elements of a variadic reduce that are used there. */
  private List<IrValue> fold(Instruction reduce, IrIndex index) {
    List<Folded> done = folded.computeIfAbsent(reduce, k -> new ArrayList<>(1));
    for (Folded f : done) {
      if (f.index() == index && b.isActive(f.scope())) {
        return f.values();
      }
    }
    List<IrValue> values = ReduceLoop.emit(b, self, reduce, index);
    done.add(new Folded(index, values, b.currentScope()));
    return values;
  }
}
