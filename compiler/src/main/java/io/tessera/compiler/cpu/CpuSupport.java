package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.Collection;

/**
 * What the CPU backend compiles today, checked before any code is emitted so that a module it
 * cannot run fails at compile time with one clear message:
 * {@code not supported by the cpu backend yet: OPCODE at %name}.
 *
 * <p>Supported: parameters (arrays, static or with a dynamic leading dimension: {@link
 * DynamicRowSupport}), constants, iota; every elementwise opcode (unary,
 * binary, compare, select, clamp, convert, bitcast-convert between equal widths,
 * reduce-precision); broadcast, reshape, bitcast (as a reshape), transpose, slice, reverse,
 * concatenate, pad, copy; reduce (any scalar reducer, variadic too); dot; tuple and
 * get-tuple-element around the result. Everything else (control flow, calls, map, fusion,
 * gather/scatter, dynamic slices, windows, sort, convolution, custom calls) is not yet.
 */
final class CpuSupport {
  private CpuSupport() {}

  /** Throws for the first instruction of {@code reachable} (and of the computations they apply) the backend cannot compile. */
  static void check(Collection<Instruction> reachable) {
    for (Instruction instr : reachable) {
      checkInstruction(instr);
      if (instr.opcode() == Opcode.REDUCE) {
        Computation reducer = instr.calledComputations().get(0);
        for (Instruction inner : reducer.instructions()) {
          checkScalarInstruction(inner);
        }
      }
    }
  }

  private static void checkInstruction(Instruction instr) {
    if (instr.opcode() == Opcode.PARAMETER) {
      Shape s = instr.shape();
      if (!s.isArray()) {
        throw notSupported("a " + (s.isTuple() ? "tuple" : s.toString()) + "-shaped parameter", instr);
      }
      DynamicRowSupport.check(instr);
      return;
    }
    if (!instr.shape().isTuple() && !instr.shape().isArray()) {
      throw notSupported(instr.shape() + " values", instr);
    }
    if (!isSupported(instr)) {
      throw notSupported(instr.opcode().mnemonic(), instr);
    }
    DynamicRowSupport.check(instr);
  }

  /** Reducers are emitted as scalar code: elementwise opcodes, constants and parameters only. */
  private static void checkScalarInstruction(Instruction instr) {
    Opcode op = instr.opcode();
    boolean elementwise = op.family() == Opcode.Family.UNARY || op.family() == Opcode.Family.BINARY
        || op.family() == Opcode.Family.TERNARY;
    if (!(elementwise || op == Opcode.PARAMETER || op == Opcode.CONSTANT || op == Opcode.TUPLE
        || op == Opcode.GET_TUPLE_ELEMENT || op == Opcode.COPY || op == Opcode.RESHAPE || op == Opcode.BITCAST
        || op == Opcode.BROADCAST)) {
      throw notSupported(op.mnemonic() + " inside a reducer", instr);
    }
  }

  private static boolean isSupported(Instruction instr) {
    Opcode op = instr.opcode();
    return switch (op.family()) {
      case UNARY, BINARY, TERNARY -> op != Opcode.BITCAST_CONVERT
          || instr.operand(0).shape().elementType().bitWidth() == instr.shape().elementType().bitWidth();
      case LEAF -> true;
      case STRUCTURE -> true;
      case DATA_MOVEMENT -> switch (op) {
        case BROADCAST, RESHAPE, BITCAST, TRANSPOSE, SLICE, REVERSE, CONCATENATE, PAD, COPY -> true;
        default -> false;
      };
      case REDUCTION -> op == Opcode.REDUCE;
      case CONTRACTION -> op == Opcode.DOT;
      case CONTROL -> false;
    };
  }

  private static CompilationException notSupported(String what, Instruction instr) {
    return new CompilationException("not supported by the cpu backend yet: " + what + " at %" + instr.name());
  }
}
