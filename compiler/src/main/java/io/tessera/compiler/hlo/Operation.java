package io.tessera.compiler.hlo;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One operation whose shape is being inferred: an opcode applied to operand shapes, with its
 * attributes and, where the caller has one, the shape it declares. The per-family rule classes
 * ({@link ElementwiseShapes}, {@link DataMovementShapes}, ...) read their inputs through the
 * checked accessors here, so every failure reads {@code "<opcode>: <what does not fit>"}.
 */
final class Operation {
  final Opcode opcode;
  final List<Shape> operands;
  final Attributes attributes;
  /** The shape the caller declares, or {@code null}; never used by rules that can infer alone. */
  final Shape declared;

  Operation(Opcode opcode, List<Shape> operands, Attributes attributes, Shape declared) {
    this.opcode = opcode;
    this.operands = operands;
    this.attributes = attributes;
    this.declared = declared;
  }

  /** A {@link ShapeException} whose message is prefixed with the opcode. */
  ShapeException fail(String detail) {
    return new ShapeException(opcode.mnemonic() + ": " + detail);
  }

  int operandCount() {
    return operands.size();
  }

  Shape operand(int i) {
    return operands.get(i);
  }

  /** Requires exactly {@code n} operands. */
  void requireOperandCount(int n) {
    if (operands.size() != n) {
      throw fail("takes " + n + " operand" + (n == 1 ? "" : "s") + ", got " + operands.size());
    }
  }

  /** Operand {@code i}, which must be an array (not a tuple or token); {@code role} names it in messages. */
  Shape array(int i, String role) {
    if (i >= operands.size()) {
      throw fail(role + " is missing: got " + operands.size() + " operand(s)");
    }
    Shape s = operands.get(i);
    if (!s.isArray()) {
      throw fail(role + " must be an array, got " + str(s));
    }
    return s;
  }

  /** The declared shape, required: the result of this opcode cannot be derived from its operands. */
  Shape requireDeclared(String why) {
    if (declared == null) {
      throw fail("the result shape must be given (" + why + "); create it with a declared shape");
    }
    return declared;
  }

  /** The declared shape, which must be an array. */
  Shape declaredArray(String why) {
    Shape s = requireDeclared(why);
    if (!s.isArray()) {
      throw fail("the result must be an array, declared " + str(s));
    }
    return s;
  }

  <T> T require(Attr<T> attr) {
    T value = attributes.get(attr);
    if (value == null) {
      throw fail("needs attribute " + attr.name());
    }
    return value;
  }

  <T> T optional(Attr<T> attr, T fallback) {
    return attributes.getOrDefault(attr, fallback);
  }

  /** A called computation; it must have a root so that its signature is known. */
  Computation computation(Attr<Computation> attr) {
    Computation c = require(attr);
    requireRoot(c, attr.name());
    return c;
  }

  void requireRoot(Computation c, String role) {
    if (c.root() == null) {
      throw fail(role + " computation %" + c.name() + " has no root");
    }
  }

  /**
   * A non-negative integer attribute that must lie in {@code [0, bound)}; {@code what} names the
   * bound in the message (e.g. "rank 2").
   */
  int index(Attr<Long> attr, int bound, String what) {
    long v = require(attr);
    if (v < 0 || v >= bound) {
      throw fail(attr.name() + "=" + v + " is out of range for " + what);
    }
    return (int) v;
  }

  /**
   * Checks that every entry of {@code dims} (attribute {@code name}) is a dimension number in
   * {@code [0, rank)} and that none repeats; returns them as ints.
   */
  int[] dimensionList(String name, long[] dims, int rank) {
    int[] out = new int[dims.length];
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] >= rank) {
        throw fail(name + "=" + list(dims) + ": dimension " + dims[i] + " is out of range for rank " + rank);
      }
      if (!seen.add(dims[i])) {
        throw fail(name + "=" + list(dims) + " repeats dimension " + dims[i]);
      }
      out[i] = (int) dims[i];
    }
    return out;
  }

  /** Requires {@code dims} (attribute {@code name}) to be in increasing order. */
  void requireSorted(String name, long[] dims) {
    for (int i = 1; i < dims.length; i++) {
      if (dims[i - 1] > dims[i]) {
        throw fail(name + "=" + list(dims) + " must be sorted");
      }
    }
  }

  /** Requires the element types of two shapes to be equal (Tessera allows no mixed precision). */
  void requireSameElementType(Shape a, String roleA, Shape b, String roleB) {
    if (a.elementType() != b.elementType()) {
      throw fail(roleA + " " + str(a) + " and " + roleB + " " + str(b) + " differ in element type");
    }
  }

  /** Checks that computation {@code c} (attribute {@code role}) has exactly this signature. */
  void checkSignature(String role, Computation c, List<Shape> params, Shape result) {
    List<Shape> actual = c.parameterShapes();
    if (actual.size() != params.size()) {
      throw fail(role + " computation %" + c.name() + " takes " + actual.size() + " parameter(s), expected "
          + params.size() + " " + signature(params, result));
    }
    for (int i = 0; i < params.size(); i++) {
      if (!actual.get(i).equalsIgnoringLayout(params.get(i))) {
        throw fail(role + " computation %" + c.name() + " parameter " + i + " is " + str(actual.get(i))
            + ", expected " + str(params.get(i)) + " in " + signature(params, result));
      }
    }
    if (!c.resultShape().equalsIgnoringLayout(result)) {
      throw fail(role + " computation %" + c.name() + " returns " + str(c.resultShape())
          + ", expected " + str(result));
    }
  }

  static String signature(List<Shape> params, Shape result) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < params.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(str(params.get(i)));
    }
    return sb.append(") -> ").append(str(result)).toString();
  }

  /** XLA's text form of an int list: {@code {1,0}}. */
  static String list(long[] values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? "," : "").append(values[i]);
    }
    return sb.append('}').toString();
  }

  static String list(int[] values) {
    long[] l = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      l[i] = values[i];
    }
    return list(l);
  }

  /** A shape in messages: layouts do not take part in inference, so they are left out. */
  static String str(Shape s) {
    return s.toStringWithoutLayout();
  }

  static boolean contains(long[] values, long v) {
    for (long x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  // Dimension arithmetic with dynamic sizes: a size derived from a DYNAMIC size is DYNAMIC, and a
  // bound check against a DYNAMIC size is left to run time.

  static boolean isDynamic(long size) {
    return size == Shape.DYNAMIC;
  }

  /** {@code size <= bound}, treating a dynamic bound as large enough. */
  static boolean fits(long size, int bound) {
    return isDynamic(bound) || size <= bound;
  }
}
