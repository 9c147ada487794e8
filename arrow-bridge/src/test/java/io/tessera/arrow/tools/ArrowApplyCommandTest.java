package io.tessera.arrow.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.arrow.ArrowKernel;
import io.tessera.arrow.ColumnBinding;
import io.tessera.arrow.FakeExecutable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.compression.CompressionUtil.CodecType;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The arrow-apply command on real Arrow IPC files, with a Java stand-in for the compiled kernel
 * (out = 2 x + y): formats, batches, column selection, renaming, and what a failed run leaves.
 */
class ArrowApplyCommandTest {
  private static final String PER_ROW_AXPY = """
      HloModule axpy
      ENTRY e {
        x = f32[] parameter(0)
        y = f32[] parameter(1)
        two = f32[] constant(2)
        tx = f32[] multiply(two, x)
        ROOT z = f32[] add(tx, y)
      }
      """;
  private static final Schema XY = new Schema(List.of(
      Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
      Field.nullable("y", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
      Field.nullable("id", new ArrowType.Int(32, true))));

  @TempDir
  Path dir;
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  private final List<FakeExecutable> executables = new ArrayList<>();

  private static float getFloat(long address, long index) {
    return Float.intBitsToFloat(MemoryUtil.getInt(address + 4 * index));
  }

  /** Stands in for the backend: a kernel computing 2 x + y, whatever module is given. */
  private ArrowKernel axpyKernel(ColumnBinding columns) {
    FakeExecutable exe = new FakeExecutable(List.of("f32[?]", "f32[?]"), "f32[?]", (rows, in, out) -> {
      for (long r = 0; r < rows; r++) {
        MemoryUtil.putInt(out[0] + 4 * r, Float.floatToRawIntBits(2 * getFloat(in[0], r) + getFloat(in[1], r)));
      }
    });
    executables.add(exe);
    return ArrowKernel.forExecutable(exe, List.of("z"), columns);
  }

  private int run(String... args) {
    return ArrowApplyCommand.run(List.of(args), err, Long.MAX_VALUE, (module, form, backend, columns) -> axpyKernel(columns));
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private Path hlo(String text) throws IOException {
    return Files.writeString(dir.resolve("m.hlo"), text);
  }

  /** Writes batches of the given sizes; row i (counting across batches) has x = i, y = 100 i, id = i. */
  private Path writeXy(String name, ArrowIpc format, int... batchRows) throws IOException {
    return writeXy(name, format, CodecType.NO_COMPRESSION, batchRows);
  }

  private Path writeXy(String name, ArrowIpc format, CodecType codec, int... batchRows) throws IOException {
    Path path = dir.resolve(name);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(XY, allocator);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowWriter writer = format.writer(root, null, channel, codec)) {
      writer.start();
      int next = 0;
      for (int n : batchRows) {
        root.allocateNew();
        Float4Vector x = (Float4Vector) root.getVector("x");
        Float4Vector y = (Float4Vector) root.getVector("y");
        IntVector id = (IntVector) root.getVector("id");
        for (int i = 0; i < n; i++, next++) {
          x.setSafe(i, next);
          y.setSafe(i, 100f * next);
          id.setSafe(i, next);
        }
        root.setRowCount(n);
        writer.writeBatch();
      }
      writer.end();
    }
    return path;
  }

  /** The batches of an Arrow file as rows of objects, one list per batch. */
  private static List<List<List<Object>>> read(Path path, List<String> expectedColumns) throws IOException {
    List<List<List<Object>>> batches = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = ArrowIpc.detect(path).open(path, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertEquals(expectedColumns, root.getSchema().getFields().stream().map(Field::getName).toList());
      while (reader.loadNextBatch()) {
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < root.getRowCount(); r++) {
          List<Object> row = new ArrayList<>();
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            row.add(root.getVector(c).getObject(r));
          }
          rows.add(row);
        }
        batches.add(rows);
      }
    }
    return batches;
  }

  private List<Path> filesInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  @Test
  void writesTheInputColumnsAndTheResultsBatchByBatchInTheFileFormat() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 3, 0, 2);
    byte[] before = Files.readAllBytes(in);
    Path out = dir.resolve("out.arrow");
    assertEquals(0, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--columns", "x,y", "--in", in.toString(), "--out",
        out.toString()), err());
    assertEquals(ArrowIpc.FILE, ArrowIpc.detect(out));
    assertEquals(List.of(
        List.of(List.of(0f, 0f, 0, 0f), List.of(1f, 100f, 1, 102f), List.of(2f, 200f, 2, 204f)),
        List.of(),
        List.of(List.of(3f, 300f, 3, 306f), List.of(4f, 400f, 4, 408f))), read(out, List.of("x", "y", "id", "z")));
    assertArrayEquals(before, Files.readAllBytes(in), "the input is only read");
    assertEquals(List.of(in, out), filesInDir().stream().filter(p -> !p.toString().endsWith(".hlo")).toList(),
        "no temporary file left behind");
    assertTrue(err().contains("wrote " + out + " (Arrow IPC file): 5 rows in 3 batches"), err());
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out),
        "the output gets the permissions of any new file, not a temporary file's");
  }

  @Test
  void streamFormatInGivesStreamFormatOut() throws IOException {
    Path in = writeXy("in.arrows", ArrowIpc.STREAM, 2, 2);
    Path out = dir.resolve("out.arrows");
    assertEquals(0, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns=y,x"), err());
    assertEquals(ArrowIpc.STREAM, ArrowIpc.detect(out));
    List<List<List<Object>>> batches = read(out, List.of("x", "y", "id", "z"));
    assertEquals(List.of(3f, 300f, 3, 603f), batches.get(1).get(1), "z = 2 y + x: --columns feeds y first");
  }

  @Test
  void compressedInputsAreReadAndTheOutputIsCompressedWhenAsked() throws IOException {
    String module = hlo(PER_ROW_AXPY).toString();
    Path plainIn = writeXy("plain.arrow", ArrowIpc.FILE, 300, 200);
    Path plainOut = dir.resolve("plain-out.arrow");
    assertEquals(0, run("--hlo", module, "--columns", "x,y", "--in", plainIn.toString(), "--out", plainOut.toString()), err());
    List<List<List<Object>>> expected = read(plainOut, List.of("x", "y", "id", "z"));
    for (String[] c : new String[][] {{"zstd", "file"}, {"lz4", "stream"}}) {
      CodecType codec = ArrowIpc.codec(c[0]);
      ArrowIpc format = c[1].equals("file") ? ArrowIpc.FILE : ArrowIpc.STREAM;
      Path in = writeXy("in-" + c[0] + ".arrow", format, codec, 300, 200);
      Path out = dir.resolve("out-" + c[0] + ".arrow");
      assertEquals(0, run("--hlo", module, "--columns", "x,y", "--in", in.toString(), "--out", out.toString(),
          "--compression", c[0]), err());
      assertEquals(format, ArrowIpc.detect(out));
      assertEquals(expected, read(out, List.of("x", "y", "id", "z")), c[0] + " " + c[1]);
      byte expectedCodec = c[0].equals("zstd") ? CompressionType.ZSTD : CompressionType.LZ4_FRAME;
      assertEquals(List.of(expectedCodec, expectedCodec), bodyCodecs(out), c[0] + ": each batch's body is compressed");
    }
    assertEquals(List.of((byte) -1, (byte) -1), bodyCodecs(plainOut), "uncompressed by default");
    errBytes.reset();
    assertEquals(2, run("--hlo", module, "--in", plainIn.toString(), "--out", "b", "--compression", "gzip"));
    assertTrue(err().startsWith("tessera: arrow-apply: --compression must be none, lz4 or zstd, got 'gzip'"), err());
  }

  /**
   * The compression codec each record batch message of an IPC file or stream declares ({@code -1}
   * for none), read from the messages themselves: a file holds a stream after its 8-byte magic.
   */
  private static List<Byte> bodyCodecs(Path path) throws IOException {
    List<Byte> codecs = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      if (ArrowIpc.detect(path) == ArrowIpc.FILE) {
        channel.position(8);
      }
      MessageChannelReader messages = new MessageChannelReader(new ReadChannel(channel), allocator);
      for (MessageResult m = messages.readNext(); m != null; m = messages.readNext()) {
        if (m.getBodyBuffer() != null) {
          m.getBodyBuffer().close();
        }
        if (m.getMessage().headerType() == MessageHeader.RecordBatch) {
          RecordBatch batch = (RecordBatch) m.getMessage().header(new RecordBatch());
          BodyCompression compression = batch.compression();
          codecs.add(compression == null ? (byte) -1 : compression.codec());
        }
      }
    }
    return codecs;
  }

  @Test
  void aResultNamedLikeAnInputColumnIsRenamed() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 1);
    Path out = dir.resolve("out.arrow");
    int status = ArrowApplyCommand.run(List.of("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out",
        out.toString(), "--columns", "x,y"), err, Long.MAX_VALUE,
        (module, form, backend, columns) -> ArrowKernel.forExecutable(
            new FakeExecutable(List.of("f32[?]", "f32[?]"), "f32[?]", (r, i, o) -> { }), List.of("id"), columns));
    assertEquals(0, status, err());
    read(out, List.of("x", "y", "id", "id_result"));
    assertTrue(err().contains("result 'id' is written as 'id_result'"), err());
  }

  @Test
  void progressLinesReportRowsAsBatchesComplete() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 4, 4, 4);
    int status = ArrowApplyCommand.run(List.of("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out",
        dir.resolve("out.arrow").toString(), "--columns", "x,y"), err, 0, (module, form, backend, columns) -> axpyKernel(columns));
    assertEquals(0, status, err());
    assertTrue(err().contains("arrow-apply: 4 rows in 1 batch,"), err());
    assertTrue(err().contains("arrow-apply: 8 rows in 2 batches,"), err());
    assertTrue(err().contains("arrow-apply: 12 rows in 3 batches,"), err());
  }

  @Test
  void aMissingColumnFailsBeforeAnyBatchAndWritesNothing() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 3);
    Path out = dir.resolve("out.arrow");
    assertEquals(1, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns", "x,w"));
    assertEquals("tessera: arrow-apply: no column 'w' in the input (columns: x, y, id)\n", err());
    assertFalse(Files.exists(out));
    assertTrue(executables.get(0).calls.isEmpty());
  }

  @Test
  void tooManyColumnsForTheParametersNeedsColumnNames() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 3);
    assertEquals(1, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out",
        dir.resolve("out.arrow").toString()));
    assertEquals("tessera: arrow-apply: the module takes 2 parameter(s) but the input has 3 column(s) (x, y, id); name"
        + " the columns that feed the parameters\n", err());
  }

  @Test
  void aBadRowInALaterBatchLeavesNoOutputAndKeepsAnOlderOutputFile() throws IOException {
    // Batches of a List<float> column feeding f32[2] rows; the second batch has a row of 3.
    Path in = dir.resolve("lists.arrow");
    Schema schema = new Schema(List.of(new Field("v", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))))));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        FileChannel channel = FileChannel.open(in, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowWriter writer = ArrowIpc.FILE.writer(root, null, channel, CodecType.NO_COMPRESSION)) {
      writer.start();
      for (float[][] batch : new float[][][] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8, 9}}}) {
        ListVector v = (ListVector) root.getVector("v");
        v.allocateNew();
        Float4Vector items = (Float4Vector) v.getDataVector();
        int next = 0;
        for (int r = 0; r < batch.length; r++) {
          v.startNewValue(r);
          for (float f : batch[r]) {
            items.setSafe(next++, f);
          }
          v.endValue(r, batch[r].length);
        }
        items.setValueCount(next);
        root.setRowCount(batch.length);
        writer.writeBatch();
      }
      writer.end();
    }
    Path out = Files.writeString(dir.resolve("out.arrow"), "an older result");
    FakeExecutable exe = new FakeExecutable(List.of("f32[?,2]"), "f32[?]", (r, i, o) -> { });
    int status = ArrowApplyCommand.run(List.of("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out",
        out.toString()), err, Long.MAX_VALUE, (module, form, backend, columns) -> ArrowKernel.forExecutable(exe, List.of("s"), columns));
    assertEquals(1, status);
    assertEquals("tessera: arrow-apply: wrong tensor length: column 'v' row 1 holds 3 values, parameter 0 (%p0, f32[2]"
        + " per row) takes 2\n", err());
    assertEquals(1, exe.calls.size(), "the first batch ran, the second did not");
    assertEquals("an older result", Files.readString(out));
    assertEquals(List.of(dir.resolve("lists.arrow"), dir.resolve("m.hlo"), out), filesInDir());
  }

  @Test
  void theOutputMayNotBeTheInput() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 1);
    byte[] before = Files.readAllBytes(in);
    assertEquals(2, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out",
        dir.resolve(".").resolve("in.arrow").toString()));
    assertTrue(err().startsWith("tessera: arrow-apply: --out names the input file"), err());
    assertArrayEquals(before, Files.readAllBytes(in));
  }

  @Test
  void usageErrors() throws IOException {
    assertEquals(2, run("--in", "a.arrow", "--out", "b.arrow"));
    assertTrue(err().startsWith("tessera: arrow-apply: missing --hlo\nusage: tessera arrow-apply"), err());
    errBytes.reset();
    assertEquals(2, run("--hlo", "m.hlo", "--in", "a", "--out", "b", "--rows", "5"));
    assertTrue(err().startsWith("tessera: arrow-apply: unknown option --rows"), err());
    errBytes.reset();
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 1);
    assertEquals(2, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out", "b", "--backend", "tpu"));
    assertTrue(err().startsWith("tessera: arrow-apply: unknown backend 'tpu' (available: interpreter, cpu"), err());
  }

  @Test
  void missingAndMalformedInputs() throws IOException {
    assertEquals(1, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", dir.resolve("none.arrow").toString(), "--out",
        dir.resolve("o.arrow").toString()));
    assertEquals("tessera: arrow-apply: no such file: " + dir.resolve("none.arrow") + "\n", err());
    errBytes.reset();
    Path junk = Files.writeString(dir.resolve("junk.arrow"), "not arrow at all");
    assertEquals(1, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", junk.toString(), "--out",
        dir.resolve("o.arrow").toString()));
    assertTrue(err().startsWith("tessera: arrow-apply: "), err());
    assertFalse(Files.exists(dir.resolve("o.arrow")));
    errBytes.reset();
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 1);
    assertEquals(1, run("--hlo", hlo("HloModule broken\nENTRY e {").toString(), "--in", in.toString(), "--out",
        dir.resolve("o.arrow").toString()));
    assertTrue(err().startsWith("tessera: arrow-apply: " + dir.resolve("m.hlo") + ":"), err());
  }

  @Test
  void anInputWithoutBatchesGivesAnOutputWithTheSchemaAndNoBatches() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE);
    Path out = dir.resolve("out.arrow");
    assertEquals(0, run("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns", "x,y"), err());
    assertEquals(List.of(), read(out, List.of("x", "y", "id", "z")));
  }

  /** Runs the command as bin/tessera does, with the real backend. */
  private int runForReal(String... args) {
    return ArrowApplyCommand.run(List.of(args), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), err);
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "cpu"})
  void aPerRowModuleRunsOnTheRealBackends(String backend) throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 3, 2);
    Path out = dir.resolve("out.arrow");
    assertEquals(0, runForReal("--hlo", hlo(PER_ROW_AXPY).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns", "x,y", "--backend", backend), err());
    assertEquals(List.of(
        List.of(List.of(0f, 0f, 0, 0f), List.of(1f, 100f, 1, 102f), List.of(2f, 200f, 2, 204f)),
        List.of(List.of(3f, 300f, 3, 306f), List.of(4f, 400f, 4, 408f))), read(out, List.of("x", "y", "id", "z")));
  }

  @Test
  void rebatchTakesAModuleWithAFixedBatch() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.STREAM, 3);
    Path out = dir.resolve("out.arrows");
    String fixedBatch = """
        HloModule axpy8
        ENTRY e {
          x = f32[8] parameter(0)
          y = f32[8] parameter(1)
          two = f32[] constant(2)
          twos = f32[8] broadcast(two), dimensions={}
          tx = f32[8] multiply(twos, x)
          ROOT z = f32[8] add(tx, y)
        }
        """;
    assertEquals(0, runForReal("--hlo", hlo(fixedBatch).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns", "x,y", "--backend", "interpreter", "--rebatch"), err());
    assertEquals(List.of(List.of(List.of(0f, 0f, 0, 0f), List.of(1f, 100f, 1, 102f), List.of(2f, 200f, 2, 204f))),
        read(out, List.of("x", "y", "id", "z")));
  }

  @Test
  void aModuleThatCannotBeBatchedFailsWithTheReasonAndWritesNothing() throws IOException {
    Path in = writeXy("in.arrow", ArrowIpc.FILE, 3);
    Path out = dir.resolve("out.arrow");
    String rowsTied = """
        HloModule fixed
        ENTRY e {
          x = f32[8] parameter(0)
          y = f32[8] parameter(1)
          zero = f32[] constant(0)
          total = f32[] reduce(x, zero), dimensions={0}, to_apply=add
          totals = f32[8] broadcast(total), dimensions={}
          ROOT z = f32[8] add(totals, y)
        }
        add {
          a = f32[] parameter(0)
          b = f32[] parameter(1)
          ROOT s = f32[] add(a, b)
        }
        """;
    assertEquals(1, runForReal("--hlo", hlo(rowsTied).toString(), "--in", in.toString(), "--out", out.toString(),
        "--columns", "x,y", "--backend", "interpreter", "--rebatch"));
    assertTrue(err().startsWith("tessera: arrow-apply: ") && err().contains("%total"), err());
    assertFalse(Files.exists(out));
  }
}
