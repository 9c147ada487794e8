package io.tessera.compiler.cpu;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrValue;

/**
 * One array-shaped part of an HLO value as the CPU emitters see it: either in memory (a
 * parameter, a temporary, a result buffer, the state of a loop) or computed on demand, element
 * by element, by the elemental emitter of the computation that defines it. A tuple-shaped value
 * is a list of these, one per leaf of its shape in order.
 *
 * <p>Equality is that of the parts: two values are equal when they are the same buffer, or the
 * same instruction computed by the same emitter. Loop emission relies on this to recognize a
 * loop state element the body passes through unchanged.
 *
 * @param shape the array's shape
 * @param buffer the memory holding it, or {@code null} when it is computed elementally
 * @param emitter the elemental emitter that computes it (when {@code buffer} is null)
 * @param instr the instruction that emitter computes (when {@code buffer} is null)
 */
record ArrayValue(Shape shape, IrArray buffer, ElementalEmitter emitter, Instruction instr) {

  static ArrayValue inMemory(IrArray buffer) {
    return new ArrayValue(buffer.shape(), buffer, null, null);
  }

  static ArrayValue elemental(ElementalEmitter emitter, Instruction instr) {
    return new ArrayValue(instr.shape(), null, emitter, instr);
  }

  boolean inMemory() {
    return buffer != null;
  }

  /** The element at {@code index}, in its value type: a load, or the elemental computation. */
  IrValue at(IrBuilder b, IrIndex index) {
    return buffer != null ? buffer.load(b, index) : emitter.emit(instr, index);
  }

  @Override
  public String toString() {
    return buffer != null ? "buffer " + buffer.pointer().ref() + " " + shape : "%" + instr.name() + " elemental";
  }
}
