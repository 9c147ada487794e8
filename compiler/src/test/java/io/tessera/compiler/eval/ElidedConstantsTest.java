package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.ElementValues;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElidedConstantsTest {

  private static final String MODULE = """
      HloModule m

      %pick (pair: (f32[2,3], s32[4])) -> s32[4] {
        %pair = (f32[2,3], s32[4]) parameter(0)
        %w = f32[2,3]{1,0} constant({...}), metadata={op_name="weights"}
        ROOT %second = s32[4] get-tuple-element(%pair), index=1
      }

      ENTRY %e (p: f32[]) -> (f32[2,3], s32[4], pred[5], u8[3], bf16[4], (f64[2], s16[2]), f32[]) {
        %p = f32[] parameter(0)
        %f = f32[2,3]{1,0} constant({...})
        %i = s32[4] constant({...})
        %b = pred[5] constant({...})
        %u = u8[3] constant({...})
        %h = bf16[4] constant({...})
        %t = (f64[2], s16[2]) constant({...})
        %kept = f32[] constant(7)
        ROOT %r = (f32[2,3], s32[4], pred[5], u8[3], bf16[4], (f64[2], s16[2]), f32[]) tuple(%f, %i, %b, %u, %h, %t, %kept)
      }
      """;

  @Test
  void fillsEveryElidedConstantInEveryComputation() {
    Module module = HloParser.parse(MODULE);
    assertEquals(7, ElidedConstants.fill(module, 1));
    for (Computation computation : module.computations()) {
      for (Instruction instruction : computation.instructions()) {
        if (instruction.opcode() == Opcode.CONSTANT) {
          assertNotNull(instruction.attr(Attr.LITERAL), instruction.toString());
          assertEquals(instruction.shape(), instruction.literal().shape(), instruction.toString());
        }
      }
    }
    assertEquals(0, ElidedConstants.fill(module, 1), "nothing left to fill");
  }

  @Test
  void keepsNamesAttributesPositionAndUses() {
    Module module = HloParser.parse(MODULE);
    Computation entry = module.entry();
    List<String> namesBefore = entry.instructions().stream().map(Instruction::name).toList();
    ElidedConstants.fill(module, 7);
    assertEquals(namesBefore, entry.instructions().stream().map(Instruction::name).toList());
    Instruction f = entry.instruction("f");
    assertSame(f, entry.root().operand(0));
    assertSame(entry.instruction("t"), entry.root().operand(5));
    assertSame(entry, f.parent());
    assertEquals(Literal.scalar(ElementType.F32, 7.0), entry.instruction("kept").literal());
    Instruction w = module.computation("pick").instruction("w");
    assertEquals("{op_name=\"weights\"}", w.attr(Attr.forName("metadata")));
    assertTrue(HloPrinter.print(w).endsWith(", metadata={op_name=\"weights\"}"), HloPrinter.print(w));
  }

  @Test
  void valuesAreSeededSmallAndInRange() {
    Module a = HloParser.parse(MODULE);
    Module b = HloParser.parse(MODULE);
    Module c = HloParser.parse(MODULE);
    ElidedConstants.fill(a, 123);
    ElidedConstants.fill(b, 123);
    ElidedConstants.fill(c, 124);
    assertEquals(HloPrinter.print(a), HloPrinter.print(b), "same seed, same values");
    assertNotEquals(HloPrinter.print(a), HloPrinter.print(c), "another seed, other values");

    Computation entry = a.entry();
    for (double v : entry.instruction("f").literal().floatStorage()) {
      assertTrue(v >= -1 && v < 1, "float " + v);
      assertEquals(v, (float) v, "rounded to f32");
    }
    for (double v : entry.instruction("h").literal().floatStorage()) {
      assertTrue(v >= -1 && v <= 1, "bf16 " + v);
      assertEquals(v, ElementValues.roundFloat(ElementType.BF16, v), "rounded to bf16");
    }
    for (long v : entry.instruction("i").literal().intStorage()) {
      assertTrue(v >= -4 && v <= 4, "s32 " + v);
    }
    for (long v : entry.instruction("u").literal().intStorage()) {
      assertTrue(v >= 0 && v <= 8, "u8 " + v);
    }
    for (long v : entry.instruction("b").literal().intStorage()) {
      assertTrue(v == 0 || v == 1, "pred " + v);
    }
    Literal tuple = entry.instruction("t").literal();
    assertEquals(Shape.tuple(Shape.array(ElementType.F64, 2), Shape.array(ElementType.S16, 2)), tuple.shape());
  }

  @Test
  void theFilledModuleEvaluates() {
    Module module = HloParser.parse(MODULE);
    Literal argument = Literal.scalar(ElementType.F32, 0.0);
    EvaluationException elided = assertThrows(EvaluationException.class,
        () -> new Interpreter().run(module, List.of(argument)));
    assertTrue(elided.getMessage().contains("%f"), elided.getMessage());

    ElidedConstants.fill(module, 5);
    Literal result = new Interpreter().run(module, List.of(argument));
    assertEquals(module.entry().instruction("f").literal(), result.tupleElement(0));
    assertEquals(module.entry().instruction("t").literal(), result.tupleElement(5));
    assertEquals(Literal.scalar(ElementType.F32, 7.0), result.tupleElement(6));
  }
}
