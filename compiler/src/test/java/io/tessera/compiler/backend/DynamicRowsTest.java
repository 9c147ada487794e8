package io.tessera.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Binding dynamic dimensions to a row count: shapes, byte sizes, modules and signatures. */
class DynamicRowsTest {
  private static final Shape ROWS_BY_3 = Shape.array(ElementType.F32, Shape.DYNAMIC, 3);

  @Test
  void bindsShapesAndTuples() {
    assertEquals(Shape.array(ElementType.F32, 5, 3), DynamicRows.bind(ROWS_BY_3, 5));
    assertEquals(Shape.tuple(Shape.array(ElementType.F32, 0, 3), Shape.scalar(ElementType.S32)),
        DynamicRows.bind(Shape.tuple(ROWS_BY_3, Shape.scalar(ElementType.S32)), 0));
    Shape fixed = Shape.array(ElementType.S8, 4);
    assertSame(fixed, DynamicRows.bind(fixed, 9));
    assertThrows(IllegalArgumentException.class, () -> DynamicRows.bind(ROWS_BY_3, -1));
    assertThrows(IllegalArgumentException.class, () -> DynamicRows.bind(ROWS_BY_3, 1L << 31));
  }

  @Test
  void byteSizesFollowTheRowCountAndOverflowIsAnError() {
    assertEquals(12 * 1000L, DynamicRows.byteSize(ROWS_BY_3, 1000));
    assertEquals(0, DynamicRows.byteSize(ROWS_BY_3, 0));
    assertEquals(12 * 3_000_000_000L, DynamicRows.byteSize(ROWS_BY_3, 3_000_000_000L)); // more rows than an int holds
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DynamicRows.byteSize(ROWS_BY_3, Long.MAX_VALUE / 4));
    assertTrue(e.getMessage().contains("more than 2^63 bytes"), e.getMessage());
  }

  @Test
  void bindsModulesOnACopyAndLeavesQuotedTextAlone() {
    Module m = HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[?,3] parameter(0), metadata={op_name="x[?,3]"}
          ROOT n = f32[?,3] negate(x)
        }
        """);
    Module bound = DynamicRows.bind(m, 7);
    assertEquals("f32[7,3]", bound.entry().root().shape().toStringWithoutLayout());
    assertTrue(HloPrinter.print(bound).contains("\"x[?,3]\""), HloPrinter.print(bound));
    assertEquals("f32[?,3]", m.entry().root().shape().toStringWithoutLayout(), "the original is unchanged");
    assertEquals("f32[7,?1] \"a\\\"[?]\" s32[7]", DynamicRows.replaceDynamicSizes("f32[?,?1] \"a\\\"[?]\" s32[?]", "7"));
  }

  @Test
  void signaturesCheckRowCounts() {
    ExecutableSignature sig = new ExecutableSignature(List.of("x"), List.of(ROWS_BY_3), ROWS_BY_3, List.of(ROWS_BY_3));
    assertTrue(sig.hasDynamicRows());
    assertEquals(Shape.array(ElementType.F32, 2, 3), sig.bind(2).parameterShapes().get(0));
    assertThrows(IllegalArgumentException.class, () -> sig.checkRowCount(Executable.STATIC_SHAPES));
    ExecutableSignature fixed = sig.bind(2);
    assertSame(fixed, fixed.bind(Executable.STATIC_SHAPES));
    assertThrows(IllegalArgumentException.class, () -> fixed.checkRowCount(2));
  }
}
