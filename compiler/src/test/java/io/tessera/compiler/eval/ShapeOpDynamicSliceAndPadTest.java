package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.text.HloParser;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** dynamic-slice and dynamic-update-slice (clamped starts) and pad (negative and interior padding). */
class ShapeOpDynamicSliceAndPadTest {

  private static final String MATRIX = "s32[3,4] {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}}";

  private static Literal run(String hlo, String... args) {
    return new Interpreter().run(HloParser.parse(hlo), Arrays.stream(args).map(HloParser::parseLiteral).toList());
  }

  private static void check(String expected, Literal actual) {
    assertEquals(HloParser.parseLiteral(expected), actual);
  }

  private static Literal dynamicSlice(String indexType, long row, long column) {
    String hlo = """
        HloModule m
        ENTRY e {
          p = s32[3,4] parameter(0)
          i = %1$s[] parameter(1)
          j = %1$s[] parameter(2)
          ROOT r = s32[2,2] dynamic-slice(p, i, j), dynamic_slice_sizes={2,2}
        }
        """.formatted(indexType);
    boolean unsigned = indexType.startsWith("u");
    return run(hlo, MATRIX, indexType + "[] " + (unsigned ? Long.toUnsignedString(row) : row),
        indexType + "[] " + (unsigned ? Long.toUnsignedString(column) : column));
  }

  @Test
  void dynamicSliceInRange() {
    check("s32[2,2] {{5, 6}, {9, 10}}", dynamicSlice("s32", 1, 1));
    check("s32[2,2] {{2, 3}, {6, 7}}", dynamicSlice("u8", 0, 2));
  }

  @Test
  void dynamicSliceClampsStartsSoTheSliceFits() {
    check("s32[2,2] {{6, 7}, {10, 11}}", dynamicSlice("s32", 5, 3)); // clamped to (1, 2)
    check("s32[2,2] {{0, 1}, {4, 5}}", dynamicSlice("s32", -4, -1)); // clamped to (0, 0)
    check("s32[2,2] {{6, 7}, {10, 11}}", dynamicSlice("u64", Long.MIN_VALUE, -1)); // u64 above 2^63: huge
    check("s32[2,2] {{4, 5}, {8, 9}}", dynamicSlice("s64", 1, Long.MIN_VALUE));
  }

  @Test
  void dynamicSliceWithAnIndexVector() {
    String hlo = """
        HloModule m
        ENTRY e {
          p = s32[3,4] parameter(0)
          s = s32[2] parameter(1)
          ROOT r = s32[1,3] dynamic-slice(p, s), dynamic_slice_sizes={1,3}
        }
        """;
    check("s32[1,3] {{9, 10, 11}}", run(hlo, MATRIX, "s32[2] {2, 7}"));
  }

  @Test
  void dynamicUpdateSliceWritesAClampedWindow() {
    String hlo = """
        HloModule m
        ENTRY e {
          p = s32[3,4] parameter(0)
          u = s32[2,2] parameter(1)
          i = s32[] parameter(2)
          j = s32[] parameter(3)
          ROOT r = s32[3,4] dynamic-update-slice(p, u, i, j)
        }
        """;
    String update = "s32[2,2] {{-1, -2}, {-3, -4}}";
    check("s32[3,4] {{0, 1, 2, 3}, {4, -1, -2, 7}, {8, -3, -4, 11}}", run(hlo, MATRIX, update, "s32[] 1", "s32[] 1"));
    // Starts (7, -2) clamp to (1, 0).
    check("s32[3,4] {{0, 1, 2, 3}, {-1, -2, 6, 7}, {-3, -4, 10, 11}}", run(hlo, MATRIX, update, "s32[] 7", "s32[] -2"));
  }

  @Test
  void dynamicUpdateSliceLeavesTheOperandUnchanged() {
    String hlo = """
        HloModule m
        ENTRY e {
          p = f32[3] parameter(0)
          u = f32[1] parameter(1)
          i = s32[] parameter(2)
          d = f32[3] dynamic-update-slice(p, u, i)
          ROOT t = (f32[3], f32[3]) tuple(p, d)
        }
        """;
    Literal r = run(hlo, "f32[3] {1, 2, 3}", "f32[1] {9}", "s32[] 2");
    check("f32[3] {1, 2, 3}", r.tupleElement(0));
    check("f32[3] {1, 2, 9}", r.tupleElement(1));
  }

  private static Literal pad(String input, String value, String resultShape, String padding) {
    String shape = input.substring(0, input.indexOf(']') + 1);
    String scalar = shape.substring(0, shape.indexOf('[')) + "[]";
    String hlo = "HloModule m\nENTRY e {\n  p = " + shape + " parameter(0)\n  v = " + scalar + " parameter(1)\n"
        + "  ROOT r = " + resultShape + " pad(p, v), padding=" + padding + "\n}\n";
    return run(hlo, input, scalar + " " + value);
  }

  @Test
  void padEdgesAndInterior() {
    check("f32[7] {9, 1, 9, 2, 9, 3, 9}", pad("f32[3] {1, 2, 3}", "9", "f32[7]", "1_1_1"));
    check("s32[2,5] {{0, 0, 1, 2, 0}, {0, 0, 3, 4, 0}}",
        pad("s32[2,2] {{1, 2}, {3, 4}}", "0", "s32[2,5]", "0_0x2_1"));
  }

  @Test
  void negativePaddingCuts() {
    check("s32[2] {2, 3}", pad("s32[4] {1, 2, 3, 4}", "0", "s32[2]", "-1_-1"));
    // Interior first, then cut: {1, 0, 2, 0, 3} with one cut from the low edge and two added high.
    check("s32[6] {7, 2, 7, 3, 7, 7}", pad("s32[3] {1, 2, 3}", "7", "s32[6]", "-1_2_1"));
    check("s32[2] {5, 5}", pad("s32[2] {1, 2}", "5", "s32[2]", "-3_3"));
  }

  @Test
  void padOfAnEmptyArrayIsAllPadding() {
    check("pred[3] {true, true, true}", pad("pred[0] {}", "true", "pred[3]", "1_2_4"));
  }

  @Test
  void padRejectsAWrongResultShape() {
    assertThrows(EvaluationException.class, () -> pad("s32[2] {1, 2}", "0", "s32[5]", "1_1"));
  }
}
