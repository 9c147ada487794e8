package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.CallGraph;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the CPU backend compiles, checked before any code is emitted so that a module it cannot
 * run fails at compile time with one clear message naming the instruction.
 *
 * <p>Supported: every opcode the interpreter runs, in the entry computation and in every
 * computation it calls, except {@code custom-call} (XLA runtime routines such as {@code TopK},
 * which Tessera does not implement) and {@code bitcast-convert} between types of different
 * widths. Entry parameters must be arrays, static or with a dynamic leading dimension, which only
 * the instructions {@link DynamicRowSupport} lists may carry. Computations applied to scalars (the reducers of reduce and reduce-window, the
 * comparators of sort and select-and-scatter, the combiners of scatter, map's function) are
 * emitted as straight-line scalar code, so they may hold elementwise instructions, constants,
 * tuples, calls and fusions of such code only.
 */
final class CpuSupport {
  private CpuSupport() {}

  private enum Use { GENERAL, SCALAR }

  /** Throws for the first instruction, in {@code entry} or a computation it calls, the backend cannot compile. */
  static void check(Computation entry) {
    for (Instruction p : entry.parameters()) {
      Shape s = p.shape();
      if (!s.isArray()) {
        throw notSupported("a " + (s.isTuple() ? "tuple" : s.toString()) + "-shaped parameter", p);
      }
      DynamicRowSupport.check(p);
    }
    check(entry, Use.GENERAL, new IdentityHashMap<>(), new ArrayList<>());
  }

  private static void check(Computation computation, Use use, Map<Computation, Use> checked, List<Computation> path) {
    if (path.contains(computation)) {
      // Calls are inlined per call site, so a cycle would never end (the parser refuses these).
      List<Computation> cycle = new ArrayList<>(path.subList(path.indexOf(computation), path.size()));
      cycle.add(computation);
      throw new CompilationException("computations call each other recursively: " + CallGraph.describe(cycle));
    }
    Use before = checked.get(computation);
    if (before == use || before == Use.SCALAR) {
      return; // scalar checks are the stricter ones
    }
    checked.put(computation, use);
    path.add(computation);
    for (Instruction instr : ComputationEmitter.reachableInOrder(computation)) {
      if (use == Use.SCALAR) {
        checkScalarInstruction(instr, computation);
      } else {
        checkInstruction(instr);
      }
      Use calleeUse = switch (instr.opcode()) {
        case CALL, FUSION, WHILE, CONDITIONAL -> use;
        default -> Use.SCALAR; // reducers, comparators, combiners, mapped functions
      };
      for (Computation called : instr.calledComputations()) {
        check(called, calleeUse, checked, path);
      }
    }
    path.remove(path.size() - 1);
  }

  private static void checkInstruction(Instruction instr) {
    Shape shape = instr.shape();
    if (!shape.isTuple() && !shape.isArray()) {
      throw notSupported(shape + " values", instr);
    }
    Opcode op = instr.opcode();
    if (op == Opcode.CUSTOM_CALL) {
      throw customCall(instr);
    }
    if (op == Opcode.BITCAST_CONVERT
        && instr.operand(0).shape().elementType().bitWidth() != shape.elementType().bitWidth()) {
      throw notSupported("bitcast-convert between types of different widths", instr);
    }
    DynamicRowSupport.check(instr);
  }

  /** Applied computations are emitted as scalar code: elementwise opcodes, constants, parameters, calls of such code. */
  private static void checkScalarInstruction(Instruction instr, Computation computation) {
    Opcode op = instr.opcode();
    boolean elementwise = op.family() == Opcode.Family.UNARY || op.family() == Opcode.Family.BINARY
        || op.family() == Opcode.Family.TERNARY;
    boolean allowed = switch (op) {
      case PARAMETER, CONSTANT, TUPLE, GET_TUPLE_ELEMENT, COPY, RESHAPE, BITCAST, BROADCAST, CALL, FUSION, MAP -> true;
      default -> elementwise;
    };
    if (op == Opcode.CUSTOM_CALL) {
      throw customCall(instr);
    }
    if (!allowed) {
      throw notSupported(op.mnemonic() + " inside " + computation.name() + ", a computation applied to scalars", instr);
    }
    if (!instr.shape().isTuple() && !instr.shape().isScalar()) {
      throw notSupported("a " + instr.shape() + " value inside " + computation.name()
          + ", a computation applied to scalars", instr);
    }
  }

  /** The error for a custom-call: the CPU backend has none of XLA's runtime routines. */
  static CompilationException customCall(Instruction instr) {
    return new CompilationException("not supported by the cpu backend: custom-call %" + instr.name() + " calls target \""
        + instr.attr(Attr.CUSTOM_CALL_TARGET) + "\", an XLA runtime routine Tessera does not implement");
  }

  private static CompilationException notSupported(String what, Instruction instr) {
    return new CompilationException("not supported by the cpu backend yet: " + what + " at %" + instr.name());
  }
}
