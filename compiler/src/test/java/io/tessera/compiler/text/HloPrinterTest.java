package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printer writes what XLA's {@code HloModule::ToString()} writes. */
class HloPrinterTest {

  @Test
  void printsAModuleInXlaStyle() {
    Module m = HloParser.parse("""
        HloModule jit_f, entry_computation_layout={(f32[3]{0})->f32[]}, is_scheduled=true
        ENTRY main {
          x = f32[3]{0} parameter(0)
          z = f32[] constant(0)
          ROOT r = f32[] reduce(x, z), dimensions={0}, to_apply=sum
        }
        sum {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b), metadata={op_name="add"}
        }
        """);
    assertEquals("""
        HloModule jit_f, entry_computation_layout={(f32[3]{0})->f32[]}, is_scheduled=true

        %sum (a: f32[], b: f32[]) -> f32[] {
          %a = f32[] parameter(0)
          %b = f32[] parameter(1)
          ROOT %s = f32[] add(f32[] %a, f32[] %b), metadata={op_name="add"}
        }

        ENTRY %main (x: f32[3]) -> f32[] {
          %x = f32[3]{0} parameter(0)
          %z = f32[] constant(0)
          ROOT %r = f32[] reduce(f32[3]{0} %x, f32[] %z), dimensions={0}, to_apply=%sum
        }
        """, HloPrinter.print(m));
  }

  @Test
  void longOperandListsAndTuplesGetIndexMarkers() {
    Computation c = new Computation("e");
    Instruction p = c.add(Instruction.parameter("p", 0, Shape.scalar(ElementType.S32)));
    List<Instruction> seven = java.util.Collections.nCopies(7, p);
    Shape tupleShape = Shape.tuple(java.util.Collections.nCopies(7, Shape.scalar(ElementType.S32)));
    Instruction t = c.add(Instruction.createWithShape("t", Opcode.TUPLE, tupleShape, seven, Attributes.EMPTY));
    assertEquals("%t = (s32[], s32[], s32[], s32[], s32[], /*index=5*/s32[], s32[]) tuple(s32[] %p, s32[] %p,"
        + " s32[] %p, s32[] %p, s32[] %p, /*index=5*/s32[] %p, s32[] %p)", HloPrinter.print(t));
  }

  @Test
  void knownAttributesPrintByKind() {
    Computation callee = new Computation("callee");
    Attributes attrs = Attributes.builder()
        .put(Attr.DIMENSIONS, new long[] {1, 0})
        .put(Attr.CUSTOM_CALL_TARGET, "a\"b\\c\n\u0001")
        .put(Attr.CALLED_COMPUTATIONS, List.of(callee, callee))
        .put(Attr.TO_APPLY, callee)
        .put(Attr.IS_STABLE, true)
        .put(Attr.INDEX, -3L)
        .put(Attr.FUSION_KIND, "kLoop")
        .put(Attr.raw("backend_config"), "{\"x\":1}")
        .build();
    Computation c = new Computation("e");
    Instruction p = c.add(Instruction.parameter("p", 0, Shape.array(ElementType.F32, 2, 3)));
    Instruction cc = Instruction.createWithShape("cc", Opcode.CUSTOM_CALL, Shape.array(ElementType.F32, 3, 2), List.of(p), attrs);
    assertEquals("%cc = f32[3,2] custom-call(f32[2,3] %p), dimensions={1,0}, custom_call_target=\"a\\\"b\\\\c\\n\\001\","
        + " called_computations={%callee, %callee}, to_apply=%callee, is_stable=true, index=-3, kind=kLoop,"
        + " backend_config={\"x\":1}", HloPrinter.print(cc));
  }

  @Test
  void escapedStringsReadBackToTheSameText() {
    String target = "tab\there \"quoted\" back\\slash \u0007 end";
    Module m = HloParser.parse("HloModule m\nENTRY e {\n ROOT c = f32[] custom-call(), custom_call_target="
        + CEscapes.quote(target) + "\n}\n");
    assertEquals(target, m.entry().root().attr(Attr.CUSTOM_CALL_TARGET));
    Module again = HloParser.parse(HloPrinter.print(m));
    assertEquals(target, again.entry().root().attr(Attr.CUSTOM_CALL_TARGET));
    assertEquals("a\nb\u0000z", HloParser.parse("HloModule m\nENTRY e {\n ROOT c = f32[] custom-call(),"
        + " custom_call_target=\"a\\x0ab\\0z\"\n}\n").entry().root().attr(Attr.CUSTOM_CALL_TARGET));
  }

  @Test
  void constantsPrintTheirValuesOrTheElision() {
    Computation c = new Computation("e");
    Instruction scalar = c.add(Instruction.constant("s", Literal.scalar(ElementType.F32, -0.0)));
    Instruction matrix = c.add(Instruction.constant("m", Literal.ofLongs(Shape.array(ElementType.PRED, 2, 2), 1, 0, 0, 1)));
    Instruction tuple = c.add(Instruction.constant("t",
        Literal.tuple(Literal.scalar(ElementType.U64, -1L), Literal.ofDoubles(Shape.array(ElementType.BF16, 2), 1e-5, 2.5))));
    Instruction elided = c.add(Instruction.createWithShape("x", Opcode.CONSTANT, Shape.array(ElementType.F32, 9),
        List.of(), Attributes.EMPTY));
    assertEquals("%s = f32[] constant(-0)", HloPrinter.print(scalar));
    assertEquals("%m = pred[2,2] constant({{true, false}, {false, true}})", HloPrinter.print(matrix));
    assertEquals("%t = (u64[], bf16[2]) constant((18446744073709551615, {1.001358e-05, 2.5}))", HloPrinter.print(tuple));
    assertEquals("%x = f32[9] constant({...})", HloPrinter.print(elided));
  }

  @Test
  void aScalarPadPrintsAnEmptyPaddingThatParsesBack() {
    String text = """
        HloModule m
        ENTRY e {
          x = f32[] parameter(0)
          v = f32[] constant(0)
          ROOT p = f32[] pad(x, v), padding=, metadata={op_name="pad"}
        }
        """;
    Module m = HloParser.parse(text);
    String printed = HloPrinter.print(m);
    assertEquals(printed, HloPrinter.print(HloParser.parse(printed)));
    assertEquals(0, m.entry().root().requireAttr(Attr.PADDING).rank());
  }
}
