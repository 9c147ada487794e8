package io.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.spark.sql.internal.SQLConf;
import org.junit.jupiter.api.Test;

/** Reading spark.tessera.* settings, without a Spark session. */
class TesseraConfTest {

  private static TesseraConf read(String... keyValues) {
    SQLConf conf = new SQLConf();
    for (int i = 0; i < keyValues.length; i += 2) {
      conf.setConfString(keyValues[i], keyValues[i + 1]);
    }
    return TesseraConf.from(conf);
  }

  @Test
  void defaults() {
    assertEquals(TesseraConf.defaults(), read());
    assertEquals(65536, read().batchRows());
    assertEquals("auto", read().backend());
  }

  @Test
  void valuesAreParsedAndNormalized() {
    TesseraConf c = read(TesseraConf.BATCH_ROWS, " 1024 ", TesseraConf.BATCH_BYTES, "4096", TesseraConf.BACKEND, "CPU",
        TesseraConf.FALLBACK, "False");
    assertEquals(new TesseraConf(1024, 4096, "cpu", false, false), c);
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals("spark.tessera.batchRows must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> read(TesseraConf.BATCH_ROWS, "0")).getMessage());
    assertEquals("spark.tessera.batchRows must be at most 2147483647, got 3000000000",
        assertThrows(IllegalArgumentException.class, () -> read(TesseraConf.BATCH_ROWS, "3000000000")).getMessage());
    assertEquals("spark.tessera.fallback must be true or false, got 'maybe'",
        assertThrows(IllegalArgumentException.class, () -> read(TesseraConf.FALLBACK, "maybe")).getMessage());
    assertEquals("spark.tessera.backend must be auto or one of [interpreter, cpu, gpu], got 'tpu'",
        assertThrows(IllegalArgumentException.class, () -> read(TesseraConf.BACKEND, "tpu")).getMessage());
  }
}
