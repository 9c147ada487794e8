package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which instructions the CPU backend compiles with a dynamic leading (row) dimension, as the
 * batching pass makes them ({@code f32[?,784]}). The row count is a runtime value, so an opcode
 * qualifies only when its emitter never uses the size of dimension 0 as a constant:
 *
 * <ul>
 *   <li>elementwise opcodes and map, iota, broadcast, reshape and bitcast (rows to rows), transpose
 *       keeping the rows first, copy, tuple, get-tuple-element;
 *   <li>pad, reverse and concatenate, which leave the rows whole (the elemental emitter rejects
 *       padding or concatenating along them), and slice of static operands (slice limits are
 *       constants, so a dynamic operand cannot be sliced);
 *   <li>reduce (over any dimensions, the rows included) and dot (rows as a batch, free or
 *       contracting dimension of the lhs);
 *   <li>sort along a static dimension, each row's slices sorted on their own ({@link SortEmitter});
 *   <li>reduce-window and select-and-scatter whose window is the identity along the rows (size 1,
 *       stride 1, no padding or dilation: what the batching pass gives them), any window elsewhere
 *       ({@link WindowEmitter});
 *   <li>gather reading a dynamic operand dimension only as a batching dimension paired with the
 *       indices' rows (the batching pass's form of a per-row gather or dynamic-slice), or a static
 *       operand at row-dependent indices; dynamic-slice and dynamic-update-slice whose window spans
 *       all the rows, starting at row 0 ({@link io.tessera.compiler.llvm.DynamicIndexing});
 *   <li>scatter, whose bounds check takes the runtime row count ({@link ScatterEmitter});
 *   <li>fusion and call, whose computations are emitted in place and checked instruction by
 *       instruction like the entry's, and while and conditional, whose state and results are
 *       buffers sized and copied by the row count ({@link ControlFlowEmitter}).
 * </ul>
 *
 * The emitters refuse, naming the instruction, what needs the row count at compile time: sorting
 * along the rows, a wider window over them, a start index moving a constant number of rows along
 * them (a dynamic-slice of a dynamic operand, a gather indexing its rows). Any other opcode
 * touching a dynamic shape, and a dynamic dimension anywhere but first, fail at compile time
 * naming the instruction.
 */
final class DynamicRowSupport {
  private DynamicRowSupport() {}

  private static final Set<Opcode> ROW_OPCODES = Set.of(Opcode.PARAMETER, Opcode.CONSTANT, Opcode.IOTA, Opcode.TUPLE,
      Opcode.GET_TUPLE_ELEMENT, Opcode.BROADCAST, Opcode.RESHAPE, Opcode.BITCAST, Opcode.TRANSPOSE, Opcode.SLICE,
      Opcode.REVERSE, Opcode.CONCATENATE, Opcode.PAD, Opcode.COPY, Opcode.MAP, Opcode.REDUCE, Opcode.DOT,
      Opcode.SORT, Opcode.REDUCE_WINDOW, Opcode.SELECT_AND_SCATTER, Opcode.GATHER, Opcode.DYNAMIC_SLICE,
      Opcode.DYNAMIC_UPDATE_SLICE, Opcode.SCATTER, Opcode.FUSION, Opcode.CALL, Opcode.WHILE, Opcode.CONDITIONAL);

  /** Throws when {@code instr} has or reads a dynamic dimension the backend cannot compile. */
  static void check(Instruction instr) {
    List<Shape> shapes = new ArrayList<>(ExecutableSignature.leaves(instr.shape()));
    for (Instruction operand : instr.operands()) {
      shapes.addAll(ExecutableSignature.leaves(operand.shape()));
    }
    boolean dynamic = false;
    for (Shape s : shapes) {
      if (!s.isArray() || !s.hasDynamicDimension()) {
        continue;
      }
      dynamic = true;
      for (int d = 1; d < s.rank(); d++) {
        if (s.isDynamicDimension(d)) {
          throw new CompilationException("not supported by the cpu backend yet: a dynamic dimension other than the "
              + "leading one (" + s.toStringWithoutLayout() + ") at %" + instr.name());
        }
      }
    }
    Opcode op = instr.opcode();
    boolean elementwise = op.family() == Opcode.Family.UNARY || op.family() == Opcode.Family.BINARY
        || op.family() == Opcode.Family.TERNARY;
    if (dynamic && !elementwise && !ROW_OPCODES.contains(op)) {
      throw new CompilationException("not supported by the cpu backend yet: " + op.mnemonic()
          + " with a dynamic dimension at %" + instr.name());
    }
  }
}
