package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** Loading, locating errors in, and shipping modules, without a Spark session. */
class TesseraModuleTest {
  private static final String NEG = "HloModule neg\nENTRY e {\n  x = f32[] parameter(0)\n  ROOT r = f32[] negate(x)\n}\n";

  @Test
  void definitionPositionsFindInstructionsWithOrWithoutPercentAndRoot() {
    String text = "HloModule m\n\nENTRY e {\n  %x = f32[] parameter(0)\n  ROOT y = f32[] negate(%x)\n}\n";
    assertEquals("4:3", TesseraModule.definitionPosition(text, "x"));
    assertEquals("5:8", TesseraModule.definitionPosition(text, "y"));
    assertNull(TesseraModule.definitionPosition(text, "z"));
  }

  @Test
  void everyVerifierProblemGetsItsPosition() {
    String text = "HloModule two\nENTRY e {\n  x = f32[] parameter(0)\n  a = f32[3] negate(x)\n"
        + "  ROOT b = s32[] negate(x)\n}\n";
    TesseraModule.InvalidModuleException e = assertThrows(TesseraModule.InvalidModuleException.class,
        () -> TesseraModule.fromText(text));
    assertTrue(e.getMessage().startsWith("module two is not valid HLO (2 problems):"), e.getMessage());
    assertTrue(e.getMessage().contains("\n  4:3: %a in computation %e"), e.getMessage());
    assertTrue(e.getMessage().contains("\n  5:8: %b in computation %e"), e.getMessage());
  }

  @Test
  void textOrPath() {
    assertEquals("neg", TesseraModule.fromTextOrPath(NEG, new Configuration()).name());
    TesseraModule.InvalidModuleException e = assertThrows(TesseraModule.InvalidModuleException.class,
        () -> TesseraModule.fromTextOrPath("/no/such/model.hlo", new Configuration()));
    assertTrue(e.getMessage().startsWith("cannot read HLO module file /no/such/model.hlo"), e.getMessage());
    assertThrows(TesseraModule.InvalidModuleException.class, () -> TesseraModule.fromTextOrPath("  ", new Configuration()));
  }

  @Test
  void survivesSerializationAndComparesByText() throws Exception {
    TesseraModule m = TesseraModule.fromText(NEG);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(m);
    }
    TesseraModule copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (TesseraModule) in.readObject();
    }
    assertEquals(m, copy);
    assertEquals("neg", copy.module().name(), "parsed again after the trip");
    assertNotEquals(m, TesseraModule.fromText(NEG.replace("negate", "abs")));
  }
}
