package io.tessera.compiler.hlo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checked factories of {@link Instruction}. */
class InstructionTest {

  private static final Shape F32_3 = Shape.array(ElementType.F32, 3);
  private final Instruction p = Instruction.parameter("p", 0, F32_3);

  @Test
  void createInfersTheShape() {
    Instruction r = Instruction.create("r", Opcode.EXPONENTIAL, List.of(p), Attributes.EMPTY);
    assertEquals(F32_3, r.shape());
  }

  @Test
  void createNamesTheInstructionWhenOperandsDoNotFit() {
    Instruction q = Instruction.parameter("q", 1, Shape.array(ElementType.F32, 4));
    ShapeException e = assertThrows(ShapeException.class,
        () -> Instruction.create("r", Opcode.ADD, List.of(p, q), Attributes.EMPTY));
    assertEquals("%r: add: operand shapes f32[3] and f32[4] differ", e.getMessage());
  }

  @Test
  void createFailsClearlyForOpcodesWhoseShapeMustBeDeclared() {
    Attributes dims = Attributes.builder().put(Attr.DIMENSIONS, new long[] {1}).build();
    ShapeException e = assertThrows(ShapeException.class,
        () -> Instruction.create("b", Opcode.BROADCAST, List.of(p), dims));
    assertEquals("%b: broadcast: the result shape must be given (broadcast adds dimensions whose sizes only the "
        + "result shape says); create it with a declared shape", e.getMessage());
  }

  @Test
  void createWithAShapeChecksItAndKeepsItsLayout() {
    Attributes dims = Attributes.builder().put(Attr.DIMENSIONS, new long[] {1}).build();
    Shape declared = Shape.array(ElementType.F32, new int[] {2, 3}, new int[] {0, 1});
    Instruction b = Instruction.create("b", Opcode.BROADCAST, declared, List.of(p), dims);
    assertEquals(declared, b.shape());
    Instruction sum = Instruction.create("s", Opcode.ADD, Shape.array(ElementType.F32, new int[] {3}, new int[] {0}),
        List.of(p, p), Attributes.EMPTY);
    assertEquals("f32[3]{0}", sum.shape().toString());
    ShapeException e = assertThrows(ShapeException.class, () -> Instruction.create("s", Opcode.ADD,
        Shape.array(ElementType.F32, 4), List.of(p, p), Attributes.EMPTY));
    assertEquals("%s: add: declared shape f32[4] differs from the inferred shape f32[3]", e.getMessage());
  }

  @Test
  void createChecksTheOperandCount() {
    ShapeException e = assertThrows(ShapeException.class,
        () -> Instruction.create("r", Opcode.ADD, List.of(p), Attributes.EMPTY));
    assertEquals("%r: add takes 2 operands, got 1", e.getMessage());
  }

  @Test
  void createWithShapeLeavesCheckingToTheVerifier() {
    Instruction wrong = Instruction.createWithShape("w", Opcode.ADD, Shape.array(ElementType.S32, 9), List.of(p, p),
        Attributes.EMPTY);
    assertEquals("s32[9]", wrong.shape().toString());
  }

  @Test
  void computationRenameKeepsLookupsRight() {
    Computation c = new Computation("c");
    Instruction added = c.add(p);
    c.rename(added, "input");
    assertEquals("input", added.name());
    assertEquals(added, c.instruction("input"));
    assertEquals(null, c.instruction("p"));
    Instruction other = c.add(Instruction.create("n", Opcode.NEGATE, List.of(added), Attributes.EMPTY));
    assertThrows(IllegalArgumentException.class, () -> c.rename(other, "input"));
  }
}
