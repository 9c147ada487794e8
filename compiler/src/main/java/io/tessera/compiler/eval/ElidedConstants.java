package io.tessera.compiler.eval;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Gives values to elided constants. XLA dumps large constants as {@code constant({...})}; the
 * parser keeps such a constant without a literal, and, as XLA's {@code run_hlo_module} does, a
 * module can still be run once this class fills them with seeded pseudo-random values:
 *
 * <ul>
 *   <li>floats: uniform in [-1, 1), rounded to the element type;
 *   <li>signed integers: uniform in [-4, 4]; unsigned integers: uniform in [0, 8] (small, so
 *       that constants used as indices or shift amounts stay meaningful);
 *   <li>pred: true or false with equal chance.
 * </ul>
 *
 * <p>The same module text and seed always give the same values ({@link Random}'s sequence is
 * fixed by its specification), so runs are reproducible.
 */
public final class ElidedConstants {
  private static final int SIGNED_RANGE = 4;
  private static final int UNSIGNED_MAX = 8;

  private ElidedConstants() {}

  /**
   * Replaces every elided constant of {@code module} (in any computation) with a constant of the
   * same name, shape and other attributes whose literal is drawn from a generator seeded with
   * {@code seed}; constants are visited in module order, then definition order.
   *
   * @return how many constants were filled
   */
  public static int fill(Module module, long seed) {
    Random random = new Random(seed);
    int filled = 0;
    for (Computation computation : module.computations()) {
      List<Instruction> elided = new ArrayList<>();
      for (Instruction instruction : computation.instructions()) {
        if (instruction.opcode() == Opcode.CONSTANT && instruction.attr(Attr.LITERAL) == null) {
          elided.add(instruction);
        }
      }
      for (Instruction constant : elided) {
        computation.replaceInstruction(constant, filledConstant(constant, random));
        filled++;
      }
    }
    return filled;
  }

  private static Instruction filledConstant(Instruction elided, Random random) {
    Attributes.Builder attrs = Attributes.builder().put(Attr.LITERAL, randomLiteral(elided.shape(), random));
    for (Attr<?> attr : elided.attributes().keys()) {
      copy(attrs, attr, elided.attributes());
    }
    return Instruction.createWithShape(elided.name(), Opcode.CONSTANT, elided.shape(), List.of(), attrs.build());
  }

  @SuppressWarnings("unchecked")
  private static void copy(Attributes.Builder into, Attr<?> attr, Attributes from) {
    into.put((Attr<Object>) attr, from.get(attr));
  }

  /**
   * A literal of {@code shape} with values drawn from {@code random} as the class comment says;
   * {@code run-hlo} also generates missing arguments with it.
   */
  public static Literal randomLiteral(Shape shape, Random random) {
    if (shape.isTuple()) {
      List<Literal> elements = new ArrayList<>();
      for (Shape element : shape.tupleShapes()) {
        elements.add(randomLiteral(element, random));
      }
      return Literal.tuple(elements);
    }
    if (!shape.isArray() || shape.hasDynamicDimension()) {
      throw new EvaluationException("cannot generate values of shape " + shape.toStringWithoutLayout()
          + (shape.isArray() ? ": a dynamic dimension has no size" : ""));
    }
    Literal literal = Literal.zeros(shape);
    ElementType type = shape.elementType();
    int n = literal.elementCount();
    if (type.isFloat()) {
      for (int i = 0; i < n; i++) {
        literal.setDouble(i, random.nextDouble() * 2 - 1);
      }
    } else if (type.isPred()) {
      for (int i = 0; i < n; i++) {
        literal.setLong(i, random.nextBoolean() ? 1 : 0);
      }
    } else if (type.isSigned()) {
      for (int i = 0; i < n; i++) {
        literal.setLong(i, random.nextInt(2 * SIGNED_RANGE + 1) - SIGNED_RANGE);
      }
    } else {
      for (int i = 0; i < n; i++) {
        literal.setLong(i, random.nextInt(UNSIGNED_MAX + 1));
      }
    }
    return literal;
  }
}
