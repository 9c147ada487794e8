package io.tessera.compiler.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.compiler.hlo.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed text gives one HloParseException saying where and what was expected. */
class HloParseErrorTest {

  /** Parses {@code text}, expects a failure at {@code line}:{@code column}, returns its detail. */
  private static String errorAt(String text, int line, int column) {
    HloParseException e = assertThrows(HloParseException.class, () -> HloParser.parse(text));
    assertEquals(line + ":" + column, e.line() + ":" + e.column(), e.getMessage());
    assertTrue(e.getMessage().startsWith(line + ":" + column + ": " + e.detail()), e.getMessage());
    return e.detail();
  }

  private static String module(String... entryLines) {
    return "HloModule m\nENTRY e {\n" + String.join("\n", entryLines) + "\n}\n";
  }

  @Test
  void unknownOpcode() {
    assertEquals("unknown opcode 'foo'", errorAt(module("  p = f32[] parameter(0)", "  ROOT r = f32[] foo(p)"), 4, 18));
  }

  @Test
  void wrongOperandCountNamesTheInstruction() {
    assertEquals("%r: add takes 2 operands, got 1",
        errorAt(module("  p = f32[] parameter(0)", "  ROOT r = f32[] add(p)"), 4, 18));
    assertEquals("%n: negate takes 1 operand, got 2",
        errorAt(module("  p = f32[] parameter(0)", "  ROOT n = f32[] negate(p, p)"), 4, 18));
  }

  @Test
  void literalWithTheWrongElementCount() {
    assertEquals("expected 3 element(s) in dimension 0 of f32[3], got 2",
        errorAt(module("  ROOT c = f32[3] constant({1, 2})"), 3, 33));
    assertEquals("expected '}' after 3 element(s) in dimension 0 of f32[3], got ','",
        errorAt(module("  ROOT c = f32[3] constant({1, 2, 3, 4})"), 3, 36));
    assertEquals("expected '{', got '1'", errorAt(module("  ROOT c = f32[2,2] constant({1, 2, 3, 4})"), 3, 31));
  }

  @Test
  void badNumbers() {
    assertEquals("bad f32 value '1.2.3'", errorAt(module("  ROOT c = f32[] constant(1.2.3)"), 3, 27));
    assertEquals("value 200 is out of range for s8", errorAt(module("  ROOT c = s8[2] constant({1, 200})"), 3, 31));
    assertEquals("value -1 is out of range for u32", errorAt(module("  ROOT c = u32[] constant(-1)"), 3, 27));
    assertEquals("bad s32 value '1.5'", errorAt(module("  ROOT c = s32[] constant(1.5)"), 3, 27));
    assertEquals("bad pred value '2' (expected true or false)", errorAt(module("  ROOT c = pred[] constant(2)"), 3, 28));
    assertEquals("expected a f32 value, got ')'", errorAt(module("  ROOT c = f32[] constant()"), 3, 27));
  }

  @Test
  void unbalancedBraces() {
    assertEquals("expected '}', got end of input",
        errorAt("HloModule m\nENTRY e {\n  ROOT p = f32[] parameter(0), metadata={op_name=\"x\"\n", 4, 1));
    assertEquals("expected ']', got ')'",
        errorAt(module("  ROOT p = f32[] parameter(0), sharding={devices=[2)0,1}"), 3, 52));
    assertEquals("expected '}' closing computation %e, got end of input",
        errorAt("HloModule m\nENTRY e {\n  ROOT p = f32[] parameter(0)\n", 4, 1));
  }

  @Test
  void unknownElementType() {
    assertEquals("unknown element type 'c64'", errorAt(module("  ROOT p = c64[2] parameter(0)"), 3, 12));
  }

  @Test
  void missingEquals() {
    assertEquals("expected '=', got 'f32'", errorAt(module("  p f32[] parameter(0)"), 3, 5));
    assertEquals("expected '=', got '{'", errorAt(module("  p = f32[] parameter(0), dimensions{0}"), 3, 37));
  }

  @Test
  void undefinedAndDuplicateNames() {
    assertEquals("undefined operand %q", errorAt(module("  p = f32[] parameter(0)", "  ROOT r = f32[] negate(q)"), 4, 25));
    assertEquals("duplicate instruction name %p", errorAt(module("  p = f32[] parameter(0)", "  p = f32[] negate(p)"), 4, 3));
    assertEquals("undefined computation %nope",
        errorAt(module("  p = f32[4] parameter(0)", "  z = f32[] constant(0)",
            "  ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=%nope"), 5, 57));
    assertEquals("duplicate computation name %c",
        errorAt("HloModule m\nc {\n ROOT p = f32[] parameter(0)\n}\nc {\n ROOT q = f32[] parameter(0)\n}\n", 5, 1));
    assertEquals("operand %x is not defined in computation %e",
        errorAt("HloModule m\nc {\n ROOT x = f32[] parameter(0)\n}\nENTRY e {\n ROOT y = f32[] negate(x)\n}\n", 6, 24));
    assertEquals("duplicate parameter number 0 in computation %e",
        errorAt(module("  p = f32[] parameter(0)", "  q = f32[] parameter(0)"), 4, 23));
    assertEquals("computations call each other recursively: %ping -> %pong -> %ping",
        errorAt("HloModule m\nping {\n a = f32[] parameter(0)\n ROOT b = f32[] call(a), to_apply=pong\n}\n"
            + "pong {\n c = f32[] parameter(0)\n ROOT d = f32[] call(c), to_apply=ping\n}\n"
            + "ENTRY main {\n p = f32[] parameter(0)\n ROOT r = f32[] call(p), to_apply=ping\n}\n", 4, 35));
    assertEquals("computation %c calls itself",
        errorAt("HloModule m\nc {\n p = f32[] parameter(0)\n ROOT q = f32[] call(p), to_apply=c\n}\n", 4, 35));
  }

  @Test
  void malformedValuesOfKnownAttributes() {
    String p = "  p = f32[4] parameter(0)";
    assertEquals("expected an integer in dimensions, got 'a'",
        errorAt(module(p, "  ROOT t = f32[4] transpose(p), dimensions={a}"), 4, 45));
    assertEquals("unknown direction 'XX'",
        errorAt(module(p, "  ROOT c = pred[4] compare(p, p), direction=XX"), 4, 45));
    assertEquals("unknown type 'EXACT'",
        errorAt(module(p, "  ROOT c = pred[4] compare(p, p), direction=LT, type=EXACT"), 4, 54));
    assertEquals("expected true or false for is_stable, got 'yes'",
        errorAt(module(p, "  ROOT s = f32[4] sort(p), dimensions={0}, is_stable=yes"), 4, 54));
    assertEquals("expected a quoted string, got 'foo'",
        errorAt(module(p, "  ROOT c = f32[4] custom-call(p), custom_call_target=foo"), 4, 54));
    assertEquals("expected ':', got ']'",
        errorAt(module(p, "  ROOT s = f32[2] slice(p), slice={[0]}"), 4, 38));
    assertEquals("unknown window field 'sizes'",
        errorAt(module(p, "  z = f32[] constant(0)", "  ROOT r = f32[2] reduce-window(p, z), window={sizes=2}"), 5, 48));
    assertEquals("window stride has 2 dimension(s), size has 1",
        errorAt(module(p, "  z = f32[] constant(0)", "  ROOT r = f32[2] reduce-window(p, z), window={size=2 stride=2x2}"), 5, 65));
    assertEquals("window pad '1' must be low_high",
        errorAt(module(p, "  z = f32[] constant(0)", "  ROOT r = f32[2] reduce-window(p, z), window={size=2 pad=1}"), 5, 59));
    assertEquals("padding '1_2_3_4' must be low_high or low_high_interior",
        errorAt(module(p, "  z = f32[] constant(0)", "  ROOT r = f32[8] pad(p, z), padding=1_2_3_4, metadata={}"), 5, 38));
    assertTrue(errorAt(module("  ROOT c = f32[1,1,1,1] convolution(p, p), dim_labels=b01f_01xo->b01f".replace("p, p", "f32[] p, f32[] p")
        .replace("ROOT", "p = f32[] parameter(0)\n  ROOT")), 4, 67).contains("unknown label 'x'"));
    assertEquals("expected an integer for index, got 'x'",
        errorAt(module(p, "  ROOT g = f32[] get-tuple-element(p), index=x"), 4, 46));
    assertEquals("expected a computation name for to_apply, got '{'",
        errorAt(module(p, "  ROOT c = f32[4] call(p), to_apply={}"), 4, 37));
    assertEquals("duplicate attribute dimensions",
        errorAt(module(p, "  ROOT t = f32[4] transpose(p), dimensions={0}, dimensions={0}"), 4, 49));
    assertEquals("literal is written inside the parentheses, not as an attribute",
        errorAt(module(p, "  ROOT n = f32[4] negate(p), literal=1"), 4, 38));
  }

  @Test
  void structuralMistakes() {
    assertEquals("expected 'HloModule', got 'ENTRY'", errorAt("ENTRY e {\n ROOT p = f32[] parameter(0)\n}\n", 1, 1));
    assertEquals("expected a computation name, got end of input", errorAt("HloModule m\n", 2, 1));
    assertEquals("computation %e has no instructions", errorAt("HloModule m\nENTRY e {\n}\n", 3, 1));
    assertEquals("second ROOT in computation %e (the root is %p)",
        errorAt(module("  ROOT p = f32[] parameter(0)", "  ROOT q = f32[] negate(p)"), 4, 3));
    assertEquals("second ENTRY computation %f (the entry is %e)",
        errorAt("HloModule m\nENTRY e {\n ROOT p = f32[] parameter(0)\n}\nENTRY f {\n ROOT q = f32[] parameter(0)\n}\n", 5, 1));
    assertEquals("operand %p is written with shape f32[3] but has shape f32[]",
        errorAt(module("  p = f32[] parameter(0)", "  ROOT n = f32[] negate(f32[3] p)"), 4, 25));
    assertEquals("computation %e is declared to return f32[2], but its root %p has shape f32[]",
        errorAt("HloModule m\nENTRY e (p: f32[]) -> f32[2] {\n ROOT p = f32[] parameter(0)\n}\n", 2, 23));
    assertEquals("layout [0, 0] is not a permutation", errorAt(module("  ROOT p = f32[2,3]{0,0} parameter(0)"), 3, 20));
    assertEquals("unterminated /* comment", errorAt(module("  ROOT p = f32[] parameter(0) /* oops"), 3, 31));
    assertEquals("unterminated string", errorAt(module("  ROOT p = f32[] parameter(0), metadata={op_name=\"x}"), 3, 50));
    assertEquals("expected an opcode, got '('", errorAt(module("  ROOT p = f32[] (0)"), 3, 18));
    assertEquals("expected a dimension size, got 'x'", errorAt(module("  ROOT p = f32[x] parameter(0)"), 3, 16));
  }

  @Test
  void signatureMustListTheParametersWithTheirShapes() {
    assertEquals("the signature of computation %e gives x shape f32[3], but parameter(0) %x has shape f32[]",
        errorAt("HloModule m\nENTRY e (x: f32[3]) -> f32[] {\n ROOT x = f32[] parameter(0)\n}\n", 2, 13));
    assertEquals("the signature of computation %e lists 1 parameter(s), but the computation has 2",
        errorAt("HloModule m\nENTRY e (x: f32[]) -> f32[] {\n x = f32[] parameter(0)\n"
            + " y = f32[] parameter(1)\n ROOT s = f32[] add(x, y)\n}\n", 2, 9));
    assertEquals("the signature of computation %e lists 0 parameter(s), but the computation has 1",
        errorAt("HloModule m\nENTRY e () -> f32[] {\n ROOT x = f32[] parameter(0)\n}\n", 2, 9));
    assertEquals("the signature of computation %c lists y as parameter 1, but the computation has no parameter(1)",
        errorAt("HloModule m\nc (x: f32[], y: f32[]) -> f32[] {\n x = f32[] parameter(0)\n"
            + " z = f32[] parameter(2)\n ROOT s = f32[] add(x, z)\n}\n", 2, 17));
    // Parameters are listed in number order, whatever order the instructions come in; layouts
    // and names do not take part.
    Module m = HloParser.parse("HloModule m\nENTRY e (a: s32[2], b: f32[]) -> f32[] {\n"
        + " b = f32[] parameter(1)\n a = s32[2]{0} parameter(0)\n ROOT r = f32[] negate(b)\n}\n");
    assertEquals(2, m.entry().parameterCount());
  }

  @Test
  void messageShowsTheLineWithACaret() {
    HloParseException e = assertThrows(HloParseException.class,
        () -> HloParser.parse(module("  p = f32[] parameter(0)", "  ROOT r = f32[] foo(p)")));
    assertEquals("4:18: unknown opcode 'foo'\n    ROOT r = f32[] foo(p)\n                   ^", e.getMessage());
  }

  @Test
  void literalAndShapeEntryPointsRejectTrailingText() {
    HloParseException e = assertThrows(HloParseException.class, () -> HloParser.parseLiteral("f32[2] {1, 2} x"));
    assertEquals("expected end of input, got 'x'", e.detail());
    assertEquals(15, e.column());
    e = assertThrows(HloParseException.class, () -> HloParser.parseShape("f32[2]]"));
    assertEquals("1:7", e.line() + ":" + e.column());
  }

  @Test
  void absurdNestingIsAnErrorNotAStackOverflow() {
    String deep = "(".repeat(100_000);
    HloParseException shape = assertThrows(HloParseException.class, () -> HloParser.parseShape(deep));
    assertEquals("tuple shapes nested deeper than 256", shape.detail());
    assertEquals(257, shape.column());
    HloParseException literal = assertThrows(HloParseException.class, () -> HloParser.parseLiteral(deep));
    assertEquals("tuple literals nested deeper than 256", literal.detail());
    HloParseException raw = assertThrows(HloParseException.class,
        () -> HloParser.parse(module("  ROOT p = f32[] parameter(0), sharding=" + "{".repeat(100_000))));
    assertEquals("expected '}', got end of input", raw.detail());
  }

  private static String corpusText(String name) {
    try (InputStream in = HloParseErrorTest.class.getResourceAsStream("/hlo/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every prefix of a module either parses or fails with an HloParseException. The timeout is a
   * hang guard (the whole loop takes about a second), not a performance check.
   */
  @ParameterizedTest
  @ValueSource(strings = {"cpu_after_optimizations.hlo", "literals.hlo", "raw_attributes.hlo", "convolution.hlo"})
  void everyTruncationFailsCleanly(String file) {
    String text = corpusText(file);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int length = 0; length < text.length(); length++) {
        parseOrParseError(text.substring(0, length), "prefix of length " + length);
      }
    });
  }

  /** Deleting any one character gives a module or an HloParseException, never another failure. */
  @ParameterizedTest
  @ValueSource(strings = {"jax_mlp.hlo", "reduce_window.hlo", "custom_call.hlo"})
  void everySingleCharacterDeletionFailsCleanly(String file) {
    String text = corpusText(file);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int i = 0; i < text.length(); i++) {
        parseOrParseError(text.substring(0, i) + text.substring(i + 1), "deleting character " + i);
      }
    });
  }

  private static void parseOrParseError(String text, String what) {
    try {
      HloParser.parse(text);
    } catch (HloParseException expected) {
      assertTrue(expected.line() >= 1 && expected.column() >= 1, what);
    } catch (RuntimeException e) {
      fail(what + " threw " + e, e);
    }
  }
}
