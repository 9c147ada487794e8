package io.tessera.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputNamesTest {

  @Test
  void anArrayResultIsNamedAfterTheRoot() {
    assertEquals(List.of("score"), OutputNames.of(HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[4] parameter(0)
          zero = f32[] constant(0)
          ROOT score = f32[] maximum(zero, zero)
        }
        """)));
  }

  @Test
  void aTupleRootIsNamedAfterItsOperandsAndRepeatsAreMadeUnique() {
    assertEquals(List.of("sum", "product", "sum_1", "sum_2"), OutputNames.of(HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[] parameter(0)
          y = f32[] parameter(1)
          sum = f32[] add(x, y)
          product = f32[] multiply(x, y)
          pair = (f32[], f32[]) tuple(sum, sum)
          ROOT t = (f32[], f32[], (f32[], f32[])) tuple(sum, product, pair)
        }
        """)));
  }

  @Test
  void aTupleValueThatIsNotATupleInstructionNumbersItsElements() {
    assertEquals(List.of("p.0", "p.1"), OutputNames.of(HloParser.parse("""
        HloModule m
        ENTRY e {
          ROOT p = (f32[], s32[2]) parameter(0)
        }
        """)));
  }
}
