package io.tessera.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow IPC files in and out of {@code bin/tessera arrow-apply}, no Spark involved: writes the
 * batch-inference features ({@code id bigint}, {@code features fixed_size_list<float>[32]}, as
 * {@link BatchInference#feature}), and reads back what arrow-apply wrote.
 *
 * <pre>
 *   bin/tessera-example arrow-files write /tmp/tessera/in.arrow [--rows 100000]
 *   bin/tessera arrow-apply --hlo examples/hlo/mlp32.hlo --in /tmp/tessera/in.arrow --out /tmp/tessera/out.arrow --columns features
 *   bin/tessera-example arrow-files read /tmp/tessera/out.arrow
 * </pre>
 */
public final class ArrowFiles {
  /** Rows per record batch written. */
  static final int BATCH_ROWS = 8192;
  private static final int WIDTH = 32;
  private static final int SHOWN = 5;

  /** A column of float tensors read back: its name and every row's values. */
  public record FloatColumn(String name, List<float[]> rows) {}

  private ArrowFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || !Set.of("write", "read").contains(args[0])) {
      throw new IllegalArgumentException("usage: arrow-files write FILE [--rows N] | arrow-files read FILE");
    }
    Path file = Path.of(args[1]);
    Arguments a = new Arguments(List.of(args).subList(2, args.length), Set.of("rows"));
    if (args[0].equals("write")) {
      long rows = a.number("rows", 100_000);
      write(file, rows);
      System.out.printf(Locale.ROOT, "wrote %s: %,d rows (id bigint, features fixed_size_list<float>[%d])%n", file,
          rows, WIDTH);
    } else {
      FloatColumn result = readLastColumn(file, System.out);
      for (int r = 0; r < Math.min(SHOWN, result.rows().size()); r++) {
        System.out.printf(Locale.ROOT, "row %d   %s = %s%n", r, result.name(), Arrays.toString(result.rows().get(r)));
      }
    }
  }

  /** Writes {@code rows} rows of features to an Arrow IPC file, {@value #BATCH_ROWS} rows a batch. */
  public static void write(Path file, long rows) throws IOException {
    Field element = new Field("item", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        null);
    Schema schema = new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true)),
        new Field("features", FieldType.notNullable(new ArrowType.FixedSizeList(WIDTH)), List.of(element))));
    try (BufferAllocator allocator = new RootAllocator();
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
         FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
             StandardOpenOption.TRUNCATE_EXISTING);
         ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
      BigIntVector ids = (BigIntVector) root.getVector("id");
      FixedSizeListVector features = (FixedSizeListVector) root.getVector("features");
      writer.start();
      for (long start = 0; start < rows; start += BATCH_ROWS) {
        int n = (int) Math.min(BATCH_ROWS, rows - start);
        ids.allocateNew(n);
        features.setInitialCapacity(n); // and n * WIDTH floats for its data vector
        features.allocateNew();
        Float4Vector values = (Float4Vector) features.getDataVector();
        for (int r = 0; r < n; r++) {
          long id = start + r;
          ids.set(r, id);
          features.setNotNull(r);
          for (int j = 0; j < WIDTH; j++) {
            values.set(r * WIDTH + j, BatchInference.feature(id, j));
          }
        }
        values.setValueCount(n * WIDTH);
        root.setRowCount(n);
        writer.writeBatch();
      }
      writer.end();
    }
  }

  /** Prints the file's schema and row count, and returns its last column (a result of arrow-apply). */
  public static FloatColumn readLastColumn(Path file, PrintStream out) throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
         FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
         ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      out.printf(Locale.ROOT, "%s: %s%n", file, root.getSchema());
      List<float[]> rows = new ArrayList<>();
      String name = null;
      while (reader.loadNextBatch()) {
        List<FieldVector> vectors = root.getFieldVectors();
        FixedSizeListVector column = (FixedSizeListVector) vectors.get(vectors.size() - 1);
        name = column.getName();
        Float4Vector values = (Float4Vector) column.getDataVector();
        int width = column.getListSize();
        for (int r = 0; r < root.getRowCount(); r++) {
          float[] v = new float[width];
          for (int k = 0; k < width; k++) {
            v[k] = values.get(r * width + k);
          }
          rows.add(v);
        }
      }
      out.printf(Locale.ROOT, "%,d rows%n", rows.size());
      return new FloatColumn(name, rows);
    }
  }
}
