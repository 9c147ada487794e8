package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tessera.compiler.eval.EvaluationException;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential tests, one opcode at a time: every elementwise opcode on every element type the
 * reference interpreter accepts, plus every conversion pair, on special and random values. A
 * combination the interpreter rejects (exp on s32) gets no test; one it accepts and the CPU
 * backend rejects fails.
 *
 * <p>Results must be bitwise equal, except for transcendental functions: the interpreter
 * computes them in double (StrictMath) and rounds once, the CPU uses its own approximations
 * (VectorMath; f16/bf16 through float), so those may differ by a few units in the last place.
 */
class CpuVsInterpreterOpsTest {
  private static final ElementType[] TYPES = {ElementType.PRED, ElementType.S8, ElementType.S16, ElementType.S32,
      ElementType.S64, ElementType.U8, ElementType.U16, ElementType.U32, ElementType.U64, ElementType.F16,
      ElementType.BF16, ElementType.F32, ElementType.F64};
  private static final int N = 48;

  @TestFactory
  Stream<DynamicTest> unaryOpcodes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Opcode op : Opcode.values()) {
      if (op.family() != Opcode.Family.UNARY || op == Opcode.CONVERT || op == Opcode.BITCAST_CONVERT
          || op == Opcode.REDUCE_PRECISION) {
        continue;
      }
      for (ElementType t : TYPES) {
        ElementType result = op == Opcode.IS_FINITE ? ElementType.PRED : t;
        String text = module("p0 = " + t + "[" + N + "] parameter(0)\n"
            + "ROOT r = " + result + "[" + N + "] " + op.mnemonic() + "(p0)");
        add(tests, op + " " + t, text, Oracle.elementwiseTolerance(op, t), t);
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> binaryOpcodes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Opcode op : Opcode.values()) {
      if (op.family() != Opcode.Family.BINARY || op == Opcode.COMPARE) {
        continue;
      }
      for (ElementType t : TYPES) {
        String text = module("p0 = " + t + "[" + N + "] parameter(0)\np1 = " + t + "[" + N + "] parameter(1)\n"
            + "ROOT r = " + t + "[" + N + "] " + op.mnemonic() + "(p0, p1)");
        add(tests, op + " " + t, text, Oracle.elementwiseTolerance(op, t), t, t);
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> comparisons() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      for (ComparisonDirection d : ComparisonDirection.values()) {
        List<String> types = new ArrayList<>(List.of(""));
        if (t.isFloat()) {
          types.add(", type=TOTALORDER");
        }
        for (String type : types) {
          String text = module("p0 = " + t + "[" + N + "] parameter(0)\np1 = " + t + "[" + N + "] parameter(1)\n"
              + "ROOT r = pred[" + N + "] compare(p0, p1), direction=" + d + type);
          add(tests, "compare " + d + type + " " + t, text, Oracle.Tolerance.EXACT, t, t);
        }
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> selectAndClamp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType t : TYPES) {
      add(tests, "select " + t, module("p0 = pred[" + N + "] parameter(0)\np1 = " + t + "[" + N + "] parameter(1)\n"
          + "p2 = " + t + "[" + N + "] parameter(2)\nROOT r = " + t + "[" + N + "] select(p0, p1, p2)"),
          Oracle.Tolerance.EXACT, ElementType.PRED, t, t);
      add(tests, "clamp " + t, module("p0 = " + t + "[" + N + "] parameter(0)\np1 = " + t + "[" + N + "] parameter(1)\n"
          + "p2 = " + t + "[" + N + "] parameter(2)\nROOT r = " + t + "[" + N + "] clamp(p0, p1, p2)"),
          Oracle.Tolerance.EXACT, t, t, t);
      add(tests, "clamp scalar bounds " + t, module("p0 = " + t + "[] parameter(0)\np1 = " + t + "[" + N + "] parameter(1)\n"
          + "p2 = " + t + "[] parameter(2)\nROOT r = " + t + "[" + N + "] clamp(p0, p1, p2)"),
          Oracle.Tolerance.EXACT, t, t, t);
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> conversions() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ElementType from : TYPES) {
      for (ElementType to : TYPES) {
        add(tests, "convert " + from + " to " + to, module("p0 = " + from + "[" + N + "] parameter(0)\n"
            + "ROOT r = " + to + "[" + N + "] convert(p0)"), Oracle.Tolerance.EXACT, from);
        if (from.bitWidth() == to.bitWidth() && from != ElementType.PRED) {
          add(tests, "bitcast-convert " + from + " to " + to, module("p0 = " + from + "[" + N + "] parameter(0)\n"
              + "ROOT r = " + to + "[" + N + "] bitcast-convert(p0)"), Oracle.Tolerance.EXACT, from);
        }
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> reducePrecision() {
    List<DynamicTest> tests = new ArrayList<>();
    int[][] formats = {{5, 10}, {8, 7}, {8, 23}, {4, 3}, {5, 2}, {8, 0}, {11, 52}, {3, 1}};
    for (ElementType t : List.of(ElementType.F16, ElementType.BF16, ElementType.F32, ElementType.F64)) {
      for (int[] f : formats) {
        add(tests, "reduce-precision e" + f[0] + "m" + f[1] + " " + t, module("p0 = " + t + "[" + N + "] parameter(0)\n"
            + "ROOT r = " + t + "[" + N + "] reduce-precision(p0), exponent_bits=" + f[0] + ", mantissa_bits=" + f[1]),
            Oracle.Tolerance.EXACT, t);
      }
    }
    return tests.stream();
  }

  private static String module(String body) {
    return "HloModule m\nENTRY e {\n" + body + "\n}\n";
  }

  /**
   * Adds a test of {@code text} on seeded values of {@code argTypes} if the interpreter defines it;
   * the interpreter's answer is computed here, so an undefined combination makes no test.
   */
  private static void add(List<DynamicTest> tests, String name, String text, Oracle.Tolerance tolerance,
                          ElementType... argTypes) {
    Module module = HloParser.parse(text);
    Random random = new Random(name.hashCode());
    List<Literal> args = new ArrayList<>();
    for (int i = 0; i < argTypes.length; i++) {
      int[] dims = module.entry().parameter(i).shape().dimensions();
      args.add(Oracle.values(argTypes[i], dims, random));
    }
    Literal expected;
    try {
      expected = Oracle.INTERPRETER.run(module, args);
    } catch (EvaluationException e) {
      assertFalse(e.getMessage().contains("not evaluated yet"), "interpreter missing an evaluator: " + e.getMessage());
      return; // not defined on this type
    }
    tests.add(DynamicTest.dynamicTest(name, () ->
        Oracle.assertClose(expected, Oracle.runCpu(module, args), tolerance, name + " on " + args)));
  }
}
