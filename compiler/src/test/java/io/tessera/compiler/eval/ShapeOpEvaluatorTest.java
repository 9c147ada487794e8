package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** broadcast, reshape, transpose, slice, reverse, concatenate, copy, bitcast and iota. */
class ShapeOpEvaluatorTest {

  private static Literal run(String hlo, String... args) {
    return new Interpreter().run(HloParser.parse(hlo), Arrays.stream(args).map(HloParser::parseLiteral).toList());
  }

  /** {@code ROOT r = <resultShape> op(p)<attributes>} on {@code input} (literal text). */
  private static Literal unary(String op, String input, String resultShape, String attributes) {
    String shape = input.substring(0, input.indexOf(']') + 1);
    return run("HloModule m\nENTRY e {\n  p = " + shape + " parameter(0)\n  ROOT r = " + resultShape + " " + op
        + "(p)" + attributes + "\n}\n", input);
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  @Test
  void broadcastScalarAndAlongChosenDimensions() {
    check("f32[2,3] {{7, 7, 7}, {7, 7, 7}}", unary("broadcast", "f32[] 7", "f32[2,3]", ", dimensions={}"));
    check("s32[2,3] {{1, 2, 3}, {1, 2, 3}}", unary("broadcast", "s32[3] {1, 2, 3}", "s32[2,3]", ", dimensions={1}"));
    check("s32[2,3] {{1, 1, 1}, {2, 2, 2}}", unary("broadcast", "s32[2] {1, 2}", "s32[2,3]", ", dimensions={0}"));
    // Operand dimensions may land in another order than the result's.
    check("pred[3,2,2] {{{true, false}, {true, false}}, {{false, true}, {false, true}}, {{true, true}, {true, true}}}",
        unary("broadcast", "pred[2,3] {{true, false, true}, {false, true, true}}", "pred[3,2,2]", ", dimensions={2,0}"));
  }

  @Test
  void reshapeKeepsRowMajorOrder() {
    check("f32[3,2] {{1, 2}, {3, 4}, {5, 6}}", unary("reshape", "f32[2,3] {{1, 2, 3}, {4, 5, 6}}", "f32[3,2]", ""));
    check("s8[] 5", unary("reshape", "s8[1,1] {{5}}", "s8[]", ""));
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> unary("reshape", "f32[2] {1, 2}", "f32[3]", ""));
    assertTrue(e.getMessage().contains("%r"), e.getMessage());
  }

  @Test
  void copyAndBitcastKeepValues() {
    check("f16[2,2]{0,1} {{1, 2}, {3, 4}}", unary("copy", "f16[2,2] {{1, 2}, {3, 4}}", "f16[2,2]{0,1}", ""));
    check("u32[4] {1, 2, 3, 4}", unary("bitcast", "u32[2,2] {{1, 2}, {3, 4}}", "u32[4]", ""));
  }

  @Test
  void bitcastToAnotherElementTypeReadsTheRowMajorBytes() {
    // 1.0f is 0x3F800000 and -2.0f is 0xC0000000; narrower parts go least significant first.
    check("s32[2] {1065353216, -1073741824}", unary("bitcast", "f32[2] {1, -2}", "s32[2]", ""));
    check("u16[2,2] {{0, 16256}, {0, 49152}}", unary("bitcast", "f32[2] {1, -2}", "u16[2,2]", ""));
    check("f32[] 1", unary("bitcast", "u8[2,2] {{0, 0}, {128, 63}}", "f32[]", ""));
  }

  @Test
  void transposePermutesDimensions() {
    check("f32[3,2] {{1, 4}, {2, 5}, {3, 6}}",
        unary("transpose", "f32[2,3] {{1, 2, 3}, {4, 5, 6}}", "f32[3,2]", ", dimensions={1,0}"));
    // result[i][j][k] = operand[j][k][i]
    check("s32[2,2,3] {{{0, 2, 4}, {6, 8, 10}}, {{1, 3, 5}, {7, 9, 11}}}",
        unary("transpose", "s32[2,3,2] {{{0, 1}, {2, 3}, {4, 5}}, {{6, 7}, {8, 9}, {10, 11}}}", "s32[2,2,3]",
            ", dimensions={2,0,1}"));
    assertThrows(EvaluationException.class,
        () -> unary("transpose", "f32[2,3] {{1, 2, 3}, {4, 5, 6}}", "f32[3,2]", ", dimensions={0,0}"));
  }

  @Test
  void sliceWithStrides() {
    String m = "s32[3,4] {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}}";
    check("s32[2,2] {{5, 6}, {9, 10}}", unary("slice", m, "s32[2,2]", ", slice={[1:3], [1:3]}"));
    check("s32[2,2] {{0, 2}, {8, 10}}", unary("slice", m, "s32[2,2]", ", slice={[0:3:2], [0:4:2]}"));
    check("s32[1,2] {{5, 7}}", unary("slice", m, "s32[1,2]", ", slice={[1:2], [1:4:2]}"));
    check("s32[0,4] {}", unary("slice", m, "s32[0,4]", ", slice={[2:2], [0:4]}"));
    assertThrows(EvaluationException.class, () -> unary("slice", m, "s32[2,2]", ", slice={[2:4], [0:2]}"));
  }

  @Test
  void reverseListedDimensions() {
    String m = "f32[2,3] {{1, 2, 3}, {4, 5, 6}}";
    check("f32[2,3] {{3, 2, 1}, {6, 5, 4}}", unary("reverse", m, "f32[2,3]", ", dimensions={1}"));
    check("f32[2,3] {{6, 5, 4}, {3, 2, 1}}", unary("reverse", m, "f32[2,3]", ", dimensions={0,1}"));
    check(m, unary("reverse", m, "f32[2,3]", ", dimensions={}"));
  }

  @Test
  void concatenateAlongEachDimension() {
    String rows = """
        HloModule m
        ENTRY e {
          a = s32[1,2] parameter(0)
          b = s32[2,2] parameter(1)
          ROOT r = s32[3,2] concatenate(a, b), dimensions={0}
        }
        """;
    check("s32[3,2] {{1, 2}, {3, 4}, {5, 6}}", run(rows, "s32[1,2] {{1, 2}}", "s32[2,2] {{3, 4}, {5, 6}}"));
    String columns = """
        HloModule m
        ENTRY e {
          a = f32[2,1] parameter(0)
          b = f32[2,0] parameter(1)
          c = f32[2,2] parameter(2)
          ROOT r = f32[2,3] concatenate(a, b, c), dimensions={1}
        }
        """;
    check("f32[2,3] {{1, 3, 4}, {2, 5, 6}}",
        run(columns, "f32[2,1] {{1}, {2}}", "f32[2,0] {{}, {}}", "f32[2,2] {{3, 4}, {5, 6}}"));
  }

  @Test
  void iotaOfEveryElementTypeFamily() {
    String hlo = "HloModule m\nENTRY e {\n  ROOT r = %s iota(), iota_dimension=%d\n}\n";
    check("s32[2,3] {{0, 1, 2}, {0, 1, 2}}", run(hlo.formatted("s32[2,3]", 1)));
    check("f32[2,3] {{0, 0, 0}, {1, 1, 1}}", run(hlo.formatted("f32[2,3]", 0)));
    check("pred[3] {false, true, true}", run(hlo.formatted("pred[3]", 0)));
    check("u8[1,2,2] {{{0, 0}, {1, 1}}}", run(hlo.formatted("u8[1,2,2]", 1)));
    // 2049 is not an f16 value: it rounds to even, 2048.
    Literal f16 = run(hlo.formatted("f16[2050]", 0));
    assertEquals(2048.0, f16.getDouble(2049));
    assertEquals(2047.0, f16.getDouble(2047));
    Literal s8 = run(hlo.formatted("s8[130]", 0));
    assertEquals(-128, s8.getLong(128)); // wraps
  }
}
