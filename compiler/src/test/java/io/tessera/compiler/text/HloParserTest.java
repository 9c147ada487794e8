package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ComparisonType;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ConvDimensionNumbers;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.PaddingConfig;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.SliceSpec;
import io.tessera.compiler.hlo.Window;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the parser builds: structure, shapes, typed attribute values and literals. */
class HloParserTest {

  private static final Shape F32 = Shape.scalar(ElementType.F32);

  @Test
  void jaxStyleModuleWithoutPercentSignsOrOperandTypes() {
    Module m = HloParser.parse("""
        HloModule jit_f, entry_computation_layout={(f32[3]{0})->f32[3]{0}}, allow_spmd_sharding_propagation_to_output={true}

        ENTRY main.4 {
          Arg_0.1 = f32[3]{0} parameter(0)
          sine.2 = f32[3]{0} sine(Arg_0.1), metadata={op_name="jit(f)/jit(main)/sin" source_file="<stdin>" source_line=1}
          ROOT cosine.3 = f32[3]{0} cosine(sine.2)
        }
        """);
    assertEquals("jit_f", m.name());
    assertEquals(Map.of("entry_computation_layout", "{(f32[3]{0})->f32[3]{0}}",
        "allow_spmd_sharding_propagation_to_output", "{true}"), m.headerAttributes());
    assertEquals(List.of("entry_computation_layout", "allow_spmd_sharding_propagation_to_output"),
        List.copyOf(m.headerAttributes().keySet()));
    Computation entry = m.entry();
    assertEquals("main.4", entry.name());
    assertEquals(List.of("Arg_0.1", "sine.2", "cosine.3"), entry.instructions().stream().map(Instruction::name).toList());
    Instruction sine = entry.instruction("sine.2");
    assertEquals(Opcode.SINE, sine.opcode());
    assertSame(entry.instruction("Arg_0.1"), sine.operand(0));
    assertEquals(Shape.array(ElementType.F32, new int[] {3}, new int[] {0}), sine.shape());
    assertEquals("{op_name=\"jit(f)/jit(main)/sin\" source_file=\"<stdin>\" source_line=1}",
        sine.attr(Attr.forName("metadata")));
    assertEquals(Attr.Kind.RAW, Attr.forName("metadata").kind());
    assertEquals("cosine.3", entry.root().name());
    assertEquals(0, entry.instruction("Arg_0.1").parameterNumber());
  }

  @Test
  void withoutEntryTheLastComputationIsTheEntryAndWithoutRootTheLastInstructionIsTheRoot() {
    Module m = HloParser.parse("""
        HloModule m
        add {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          ROOT s = f32[] add(x, y)
          unused = f32[] negate(s)
        }
        main {
          p = f32[4] parameter(0)
          z = f32[] constant(0)
          r = f32[] reduce(p, z), dimensions={0}, to_apply=add
        }
        """);
    assertEquals("main", m.entry().name());
    assertEquals("r", m.entry().root().name());
    assertEquals("s", m.computation("add").root().name());
    assertSame(m.computation("add"), m.entry().root().attr(Attr.TO_APPLY));
  }

  @Test
  void namesMayHoldDotsDashesUnderscoresAndDigits() {
    Module m = HloParser.parse("""
        HloModule m.1-x
        %add.3-fused (a_1: f32[], b-2.0: f32[]) -> f32[] {
          %a_1 = f32[] parameter(0)
          %b-2.0 = f32[] parameter(1)
          ROOT %add.3-fused.root = f32[] add(f32[] %a_1, f32[] %b-2.0)
        }
        ENTRY %e {
          %Arg_0.1 = f32[8] parameter(0)
          %init = f32[] constant(0)
          ROOT reduce-window.2 = f32[4] reduce-window(%Arg_0.1, init), window={size=2 stride=2}, to_apply=%add.3-fused
        }
        """);
    assertEquals("m.1-x", m.name());
    Instruction rw = m.entry().instruction("reduce-window.2");
    assertEquals(List.of("Arg_0.1", "init"), rw.operands().stream().map(Instruction::name).toList());
    assertSame(m.computation("add.3-fused"), rw.attr(Attr.TO_APPLY));
    assertEquals(List.of("a_1", "b-2.0"), m.computation("add.3-fused").parameters().stream().map(Instruction::name).toList());
  }

  @Test
  void knownAttributesAreReadIntoTypedValues() {
    Module m = HloParser.parse("""
        HloModule m
        %max (a: f32[], b: f32[]) -> f32[] {
          %a = f32[] parameter(0)
          %b = f32[] parameter(1)
          ROOT %m = f32[] maximum(%a, %b)
        }
        %t (x: f32[]) -> f32[] {
          ROOT %x = f32[] parameter(0)
        }
        ENTRY %e {
          %p = f32[4,6] parameter(0)
          %s = f32[2,2] slice(%p), slice={[0:2], [1:5:2]}
          %z = f32[] constant(0)
          %pad = f32[7,10] pad(%p, %z), padding=1_2x-1_0_1
          %k = f32[3,3,6,2] parameter(1)
          %in = f32[1,4,6,6] parameter(2)
          %conv = f32[1,2,3,2] convolution(%in, %k), window={size=3x3 stride=2x1 pad=1_0x0_0 lhs_dilate=1x2 rhs_dilate=2x1 rhs_reversal=0x1}, dim_labels=b01f_01io->b01f, feature_group_count=1
          %cmp = pred[4,6] compare(%p, %p), direction=GE, type=TOTALORDER
          %rw = f32[2,3] reduce-window(%p, %z), window={size=2x2 stride=2x2}, to_apply=%max
          %t2 = (f32[4,6], f32[2,2]) tuple(%p, %s)
          %g = f32[2,2] get-tuple-element(%t2), index=1
          %i = s32[] parameter(3)
          %c = f32[] conditional(%i, %z, %z), branch_computations={%t, %t}
          %cc = f32[4,6] custom-call(%p), custom_call_target="my\\"target\\n", custom_call_has_side_effect=true
          %fu = f32[] fusion(%z), kind=kLoop, calls=%t
          %srt = f32[4,6] sort(%p), dimensions={1}, is_stable=false, to_apply=%max
          %bz = f32[2] broadcast(%z), dimensions={}
          ROOT %bc = f32[4,6,2] broadcast(%p), dimensions={0,1}
        }
        """);
    Computation e = m.entry();
    assertEquals(new SliceSpec(new long[] {0, 1}, new long[] {2, 5}, new long[] {1, 2}), e.instruction("s").attr(Attr.SLICE));
    assertEquals(new PaddingConfig(List.of(new PaddingConfig.Dim(1, 2, 0), new PaddingConfig.Dim(-1, 0, 1))),
        e.instruction("pad").attr(Attr.PADDING));
    assertEquals(new Window(List.of(new Window.Dim(3, 2, 1, 0, 1, 2, false), new Window.Dim(3, 1, 0, 0, 2, 1, true))),
        e.instruction("conv").attr(Attr.WINDOW));
    assertEquals(ConvDimensionNumbers.parse("b01f_01io->b01f"), e.instruction("conv").attr(Attr.DIM_LABELS));
    assertEquals(1L, e.instruction("conv").attr(Attr.FEATURE_GROUP_COUNT));
    assertEquals(ComparisonDirection.GE, e.instruction("cmp").attr(Attr.DIRECTION));
    assertEquals(ComparisonType.TOTALORDER, e.instruction("cmp").attr(Attr.COMPARISON_TYPE));
    assertEquals(new Window(List.of(new Window.Dim(2, 2, 0, 0, 1, 1, false), new Window.Dim(2, 2, 0, 0, 1, 1, false))),
        e.instruction("rw").attr(Attr.WINDOW));
    assertSame(m.computation("max"), e.instruction("rw").attr(Attr.TO_APPLY));
    assertEquals(1L, e.instruction("g").attr(Attr.INDEX));
    assertEquals(List.of(m.computation("t"), m.computation("t")), e.instruction("c").attr(Attr.BRANCH_COMPUTATIONS));
    assertEquals("my\"target\n", e.instruction("cc").attr(Attr.CUSTOM_CALL_TARGET));
    assertEquals("true", e.instruction("cc").attr(Attr.forName("custom_call_has_side_effect")));
    assertEquals("kLoop", e.instruction("fu").attr(Attr.FUSION_KIND));
    assertSame(m.computation("t"), e.instruction("fu").attr(Attr.CALLS));
    assertEquals(Boolean.FALSE, e.instruction("srt").attr(Attr.IS_STABLE));
    assertArrayEquals(new long[] {1}, e.instruction("srt").attr(Attr.DIMENSIONS));
    assertArrayEquals(new long[0], e.instruction("bz").attr(Attr.DIMENSIONS));
    assertArrayEquals(new long[] {0, 1}, e.root().attr(Attr.DIMENSIONS));
  }

  @Test
  void rawAttributesKeepTheirExactSourceText() {
    String metadata = "{op_type=\"Add\" op_name=\"a, b} and {c\" source_file=\"x.py\" source_line=12}";
    String backendConfig = "{\"known_trip_count\":{\"n\":\"10\"},\"list\":[1,2]}";
    String quotedConfig = "\"{\\\"a\\\": \\\"x,y\\\"}\"";
    Module m = HloParser.parse("HloModule m\nENTRY e {\n"
        + "  p = f32[2] parameter(0), sharding={devices=[2]<=[2]T(0)}, metadata=" + metadata + "\n"
        + "  ROOT n = f32[2] negate(p), backend_config=" + backendConfig + ", frontend_attributes={a=\"1\",b=\"2\"},"
        + " api_version=API_VERSION_STATUS_RETURNING, control-predecessors={%p}, operand_precision={default,default},"
        + " other=" + quotedConfig + ", output_to_operand_aliasing={{}: (0, {})}\n"
        + "}\n");
    Instruction p = m.entry().instruction("p");
    assertEquals("{devices=[2]<=[2]T(0)}", p.attr(Attr.forName("sharding")));
    assertEquals(metadata, p.attr(Attr.forName("metadata")));
    Instruction n = m.entry().root();
    assertEquals(backendConfig, n.attr(Attr.forName("backend_config")));
    assertEquals("{a=\"1\",b=\"2\"}", n.attr(Attr.forName("frontend_attributes")));
    assertEquals("API_VERSION_STATUS_RETURNING", n.attr(Attr.forName("api_version")));
    assertEquals("{%p}", n.attr(Attr.forName("control-predecessors")));
    assertEquals("{default,default}", n.attr(Attr.forName("operand_precision")));
    assertEquals(quotedConfig, n.attr(Attr.forName("other")));
    assertEquals("{{}: (0, {})}", n.attr(Attr.forName("output_to_operand_aliasing")));
    String printed = HloPrinter.print(n);
    assertEquals("%n = f32[2] negate(f32[2] %p), backend_config=" + backendConfig
        + ", frontend_attributes={a=\"1\",b=\"2\"}, api_version=API_VERSION_STATUS_RETURNING, control-predecessors={%p},"
        + " operand_precision={default,default}, other=" + quotedConfig + ", output_to_operand_aliasing={{}: (0, {})}",
        printed);
  }

  @Test
  void shapesWithLayoutsTuplesAndDynamicDimensions() {
    assertEquals(F32, HloParser.parseShape("f32[]"));
    assertEquals(Shape.array(ElementType.BF16, new int[] {2, 3}, new int[] {0, 1}), HloParser.parseShape("bf16[2,3]{0,1}"));
    assertEquals(Shape.array(ElementType.S32, 2, 3), HloParser.parseShape("s32[2, 3]"));
    assertEquals(Shape.array(ElementType.F32, new int[] {8, 128}, new int[] {1, 0}),
        HloParser.parseShape("f32[8,128]{1,0:T(8,128)(2,1)S(1)}"));
    assertEquals(Shape.array(ElementType.F32, new int[] {8}, new int[] {0}), HloParser.parseShape("f32[8]{0:S(1)}"));
    assertEquals(Shape.array(ElementType.F32, Shape.DYNAMIC, 4), HloParser.parseShape("f32[?,4]"));
    Shape bounded = HloParser.parseShape("f32[<=8,2]");
    assertEquals(Shape.array(ElementType.F32, 8, 2), bounded);
    assertFalse(bounded.hasDynamicDimension());
    assertEquals(Shape.tuple(F32, Shape.tuple(Shape.array(ElementType.PRED, 4), Shape.token()), Shape.tuple()),
        HloParser.parseShape("(f32[], (pred[4], token[]), ())"));
    for (ElementType type : ElementType.values()) {
      assertEquals(Shape.scalar(type), HloParser.parseShape(type.mnemonic() + "[]"), type.mnemonic());
    }
  }

  @Test
  void constantsAreReadAgainstTheirDeclaredShape() {
    Module m = HloParser.parse("""
        HloModule m
        ENTRY e {
          a = f32[] constant(1.5)
          b = f32[2,2]{1,0} constant({ {1, 2}, {3, 4} })
          c = pred[3] constant({true, false, true})
          d = f32[5] constant({nan, inf, -inf, -0, 1e-05})
          u = u64[2] constant({18446744073709551615, 0})
          s = s64[] constant(-9223372036854775808)
          h = f16[2] constant({65504, 0.1})
          x = f32[] constant(0x1.8p1)
          t = (f32[], s32[2]) constant((2.5, {7, -8}))
          ROOT el = f32[1000,1000] constant({...})
        }
        """);
    Computation e = m.entry();
    assertEquals(Literal.scalar(ElementType.F32, 1.5), e.instruction("a").literal());
    assertEquals(Literal.ofDoubles(Shape.array(ElementType.F32, 2, 2), 1, 2, 3, 4), e.instruction("b").literal());
    assertEquals(Literal.ofLongs(Shape.array(ElementType.PRED, 3), 1, 0, 1), e.instruction("c").literal());
    Literal d = e.instruction("d").literal();
    assertTrue(Double.isNaN(d.getDouble(0)));
    assertEquals(Double.POSITIVE_INFINITY, d.getDouble(1));
    assertEquals(Double.NEGATIVE_INFINITY, d.getDouble(2));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(d.getDouble(3)));
    assertEquals((double) 1e-05f, d.getDouble(4));
    assertEquals(-1L, e.instruction("u").literal().getLong(0));
    assertEquals(Long.MIN_VALUE, e.instruction("s").literal().getLong(0));
    assertEquals(65504.0, e.instruction("h").literal().getDouble(0));
    assertEquals(0.0999755859375, e.instruction("h").literal().getDouble(1)); // 0.1 rounded to f16
    assertEquals(3.0, e.instruction("x").literal().getDouble(0));
    assertEquals(Literal.tuple(Literal.scalar(ElementType.F32, 2.5), Literal.ofLongs(Shape.array(ElementType.S32, 2), 7, -8)),
        e.instruction("t").literal());
    Instruction elided = e.instruction("el");
    assertEquals(Opcode.CONSTANT, elided.opcode());
    assertNull(elided.attr(Attr.LITERAL));
    assertEquals(Shape.array(ElementType.F32, 1000, 1000), elided.shape());
    assertEquals("%el = f32[1000,1000] constant({...})", HloPrinter.print(elided));
  }

  @Test
  void iotaHasNoOperands() {
    Instruction iota = HloParser.parse("HloModule m\nENTRY e {\n ROOT i = s32[4,3]{1,0} iota(), iota_dimension=1\n}\n").entry().root();
    assertEquals(Opcode.IOTA, iota.opcode());
    assertEquals(0, iota.operandCount());
    assertEquals(1L, iota.attr(Attr.IOTA_DIMENSION));
  }

  @Test
  void commentsMayStandWhereverWhitespaceMay() {
    Module m = HloParser.parse("""
        // leading comment
        HloModule m /* after the name */

        %add (x: f32[], y: f32[]) -> f32[] { // a computation
          %x = f32[] parameter(0) /* block */
          %y = f32[] parameter(1)
          ROOT %s = f32[] add(f32[] %x, /*index=1*/f32[] %y)
        } // add

        ENTRY %e {
          %c = f32[2,2] constant({ /*i0=0*/ {1, 2}, /*i0=1*/ {3, 4} })
          ROOT %t = (f32[2,2], f32[2,2]) tuple(%c, /*index=1*/ %c)
        } // e
        """);
    assertEquals(Literal.ofDoubles(Shape.array(ElementType.F32, 2, 2), 1, 2, 3, 4), m.entry().instruction("c").literal());
    assertEquals(2, m.entry().root().operandCount());
    assertEquals(List.of(), m.headerAttributes().keySet().stream().toList());
  }

  @Test
  void computationsMayBeCalledBeforeTheyAreDefined() {
    Module m = HloParser.parse("""
        HloModule m
        ENTRY e {
          p = f32[2] parameter(0)
          ROOT c = f32[2] call(p), to_apply=later
        }
        later {
          ROOT q = f32[2] parameter(0)
        }
        """);
    assertSame(m.computation("later"), m.entry().root().attr(Attr.TO_APPLY));
    assertEquals("e", m.entry().name());
    // Printed callees first.
    String printed = HloPrinter.print(m);
    assertTrue(printed.indexOf("%later") < printed.indexOf("ENTRY %e"), printed);
  }

  @Test
  void signaturesThatAgreeWithTheBodyAreAccepted() {
    Module m = HloParser.parse("""
        HloModule m
        ENTRY %main.5 (Arg_0.1: f32[3]{0}, t: (s32[], f32[2])) -> (f32[3], s32[]) {
          %Arg_0.1 = f32[3]{0} parameter(0)
          %t = (s32[], f32[2]) parameter(1)
          %i = s32[] get-tuple-element(%t), index=0
          ROOT %r = (f32[3], s32[]) tuple(%Arg_0.1, %i)
        }
        """);
    assertEquals(List.of(Shape.array(ElementType.F32, new int[] {3}, new int[] {0}),
        Shape.tuple(Shape.scalar(ElementType.S32), Shape.array(ElementType.F32, 2))), m.entry().parameterShapes());
  }

  @Test
  void attributesAfterAComputationAreKeptAndPrintedBack() {
    String text = """
        HloModule m

        %host (x: f32[]) -> f32[] {
          %x = f32[] parameter(0)
          ROOT %y = f32[] negate(f32[] %x)
        }, execution_thread="host"

        ENTRY %e (p: f32[]) -> f32[] {
          %p = f32[] parameter(0)
          ROOT %r = f32[] call(f32[] %p), to_apply=%host
        }
        """;
    Module m = HloParser.parse(text);
    assertEquals(Map.of("execution_thread", "\"host\""), m.computation("host").textAttributes());
    assertEquals(Map.of(), m.entry().textAttributes());
    assertEquals(text, HloPrinter.print(m));
  }

  @Test
  void windowsLineEndingsAreWhitespace() {
    Module m = HloParser.parse("HloModule m\r\n\r\nENTRY e {\r\n  p = f32[] parameter(0) // note\r\n"
        + "  ROOT n = f32[] negate(p)\r\n}\r\n");
    assertEquals("n", m.entry().root().name());
  }

  @Test
  void operandAndInstructionShapesKeepLayouts() {
    Module m = HloParser.parse("HloModule m\nENTRY e {\n p = f32[2,3]{0,1} parameter(0)\n"
        + " ROOT t = f32[3,2]{1,0} transpose(f32[2,3]{0,1} p), dimensions={1,0}\n}\n");
    assertArrayEquals(new int[] {0, 1}, m.entry().instruction("p").shape().minorToMajor());
    assertEquals("%t = f32[3,2]{1,0} transpose(f32[2,3]{0,1} %p), dimensions={1,0}", HloPrinter.print(m.entry().root()));
  }
}
