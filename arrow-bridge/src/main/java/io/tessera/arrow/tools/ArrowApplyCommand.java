package io.tessera.arrow.tools;

import io.tessera.arrow.ArrowKernel;
import io.tessera.arrow.ColumnBinding;
import io.tessera.arrow.ModuleForm;
import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParseException;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionUtil.CodecType;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code tessera arrow-apply --hlo FILE --in IN.arrow --out OUT.arrow [--columns a,b] [--backend cpu]
 * [--rebatch]}: runs a per-row HLO module over every row of an Arrow IPC file (file or stream
 * format) and writes the input columns followed by one column per result, in the input's format.
 * With {@code --rebatch} the module instead takes a fixed batch in the leading dimension of its
 * parameters, as exported models do ({@link ModuleForm#FIXED_BATCH}).
 *
 * <p>Batch by batch: one input batch and its results are in memory at a time, whatever the file
 * size. Every check that needs no data (columns, types, fixed tensor lengths, the parameter
 * count) runs before the first batch; a list row of the wrong length stops the run at its batch.
 * The output is written under a temporary name and renamed at the end, so a failed run leaves no
 * output file; the input is only read.
 *
 * <p>A result whose name is already an input column's is written as {@code name_result}.
 */
public final class ArrowApplyCommand {
  static final String USAGE = String.join("\n",
      "usage: tessera arrow-apply --hlo FILE --in IN.arrow --out OUT.arrow [--columns a,b] [--backend cpu|interpreter]",
      "                           [--rebatch] [--compression none|lz4|zstd]",
      "  runs a per-row HLO module on every row of an Arrow IPC file (file or stream format) and writes",
      "  the input columns plus one column per result; --columns names the columns that feed the",
      "  parameters, in order (default: all columns, one per parameter); --rebatch takes a module with",
      "  a fixed batch in the leading dimension of its parameters (f32[8,784]) instead of one row;",
      "  compressed inputs (LZ4 or ZSTD buffers) are read as they are; --compression compresses the",
      "  output's buffers (default none)");

  private static final Set<String> OPTIONS = Set.of("hlo", "in", "out", "columns", "backend", "compression");
  private static final Set<String> FLAGS = Set.of("rebatch");
  private static final long PROGRESS_INTERVAL_NANOS = 2_000_000_000L;

  private ArrowApplyCommand() {}

  public static void main(String[] args) {
    // Arrow logs its allocator choice at INFO; the tool's stderr is for its own messages.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /**
   * Runs the command; returns the exit status (0, 1 on failure, 2 on a usage error). Only
   * {@code --help} prints on {@code out}: results go to the output file, messages to {@code err}.
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    return run(args, err, PROGRESS_INTERVAL_NANOS, ArrowApplyCommand::compile);
  }

  /** How the command turns the module into a kernel (tests substitute their own executables). */
  @FunctionalInterface
  interface KernelSource {
    ArrowKernel compile(Module module, ModuleForm form, Backend backend, ColumnBinding columns);
  }

  private static ArrowKernel compile(Module module, ModuleForm form, Backend backend, ColumnBinding columns) {
    return ArrowKernel.compile(module, form, backend, BackendOptions.defaults(), columns);
  }

  static int run(List<String> args, PrintStream err, long progressIntervalNanos, KernelSource kernels) {
    try {
      Map<String, String> options = parse(args);
      apply(options, err, progressIntervalNanos, kernels);
      return 0;
    } catch (UsageException e) {
      err.println("tessera: arrow-apply: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (IOException e) {
      err.println("tessera: arrow-apply: " + oneLine(e));
      return 1;
    } catch (RuntimeException e) {
      err.println("tessera: arrow-apply: " + oneLine(e));
      return 1;
    }
  }

  private static void apply(Map<String, String> options, PrintStream err, long progressIntervalNanos, KernelSource kernels)
      throws IOException {
    Path in = Path.of(options.get("in"));
    Path out = Path.of(options.get("out"));
    if (!Files.isRegularFile(in)) {
      throw new IllegalArgumentException("no such file: " + in);
    }
    if (Files.exists(out) && Files.isSameFile(in, out)) {
      throw new UsageException("--out names the input file; the input is never overwritten");
    }
    ColumnBinding columns = options.containsKey("columns")
        ? ColumnBinding.byName(Arrays.asList(options.get("columns").split(",", -1)))
        : ColumnBinding.byPosition();
    Backend backend = backend(options.getOrDefault("backend", "cpu"));
    CodecType codec;
    try {
      codec = ArrowIpc.codec(options.getOrDefault("compression", "none"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Module module = readModule(options.get("hlo"));
    ArrowIpc format = ArrowIpc.detect(in);

    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = format.open(in, allocator)) {
      Schema inputSchema = reader.getVectorSchemaRoot().getSchema();
      ModuleForm form = options.containsKey("rebatch") ? ModuleForm.FIXED_BATCH : ModuleForm.PER_ROW;
      try (ArrowKernel kernel = kernels.compile(module, form, backend, columns)) {
        kernel.checkInput(inputSchema);
        Schema outputSchema = outputSchema(inputSchema, kernel.outputSchema(), err);
        Progress progress = new Progress(err, progressIntervalNanos);
        try (AtomicFile target = AtomicFile.create(out);
            VectorSchemaRoot written = VectorSchemaRoot.create(outputSchema, allocator);
            ArrowWriter writer = format.writer(written, reader, target.channel(), codec)) {
          writer.start();
          while (reader.loadNextBatch()) {
            VectorSchemaRoot batch = reader.getVectorSchemaRoot();
            try (VectorSchemaRoot results = kernel.apply(batch, allocator)) {
              load(written, outputSchema, batch, results);
            }
            writer.writeBatch();
            progress.batchDone(batch.getRowCount());
          }
          writer.end();
          target.commit();
        }
        err.println("tessera: arrow-apply: wrote " + out + " (" + format + "): " + progress.summary(System.nanoTime()));
      }
    }
  }

  /**
   * Loads the input columns and the results of one batch into the writer's root. The buffers are
   * shared (reference-counted), not copied.
   */
  private static void load(VectorSchemaRoot written, Schema outputSchema, VectorSchemaRoot batch, VectorSchemaRoot results) {
    List<FieldVector> vectors = new ArrayList<>(batch.getFieldVectors());
    vectors.addAll(results.getFieldVectors());
    VectorSchemaRoot both = new VectorSchemaRoot(outputSchema.getFields(), vectors, batch.getRowCount());
    try (ArrowRecordBatch record = new VectorUnloader(both).getRecordBatch()) {
      new VectorLoader(written).load(record);
    }
  }

  /** The input's fields, then the results' (renamed where they would repeat an input column's name). */
  private static Schema outputSchema(Schema input, Schema results, PrintStream err) {
    List<Field> fields = new ArrayList<>(input.getFields());
    Set<String> taken = new HashSet<>();
    input.getFields().forEach(f -> taken.add(f.getName()));
    for (Field f : results.getFields()) {
      String name = f.getName();
      for (int k = 1; !taken.add(name); k++) {
        name = f.getName() + "_result" + (k == 1 ? "" : "_" + k);
      }
      if (!name.equals(f.getName())) {
        err.println("tessera: arrow-apply: result '" + f.getName() + "' is written as '" + name
            + "' (the input has a column of that name)");
      }
      fields.add(new Field(name, f.getFieldType(), f.getChildren()));
    }
    return new Schema(fields, input.getCustomMetadata());
  }

  private static Backend backend(String name) {
    Backend backend;
    try {
      backend = Backends.byName(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (!backend.isAvailable()) {
      throw new IllegalStateException("backend " + name + " is not available here: " + backend.unavailableReason());
    }
    return backend;
  }

  private static Module readModule(String file) {
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Module module;
    try {
      module = HloParser.parse(text);
    } catch (HloParseException e) {
      throw new IllegalArgumentException(file + ":" + e.getMessage(), e);
    }
    Verifier.verify(module);
    return module;
  }

  /**
   * {@code --name value} or {@code --name=value} pairs, and flags without a value (present: mapped
   * to {@code ""}); {@code --hlo}, {@code --in} and {@code --out} are required.
   */
  static Map<String, String> parse(List<String> args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (FLAGS.contains(name) && value == null) {
        value = "";
      } else if (!OPTIONS.contains(name)) {
        throw new UsageException(FLAGS.contains(name) ? "option --" + name + " takes no value" : "unknown option --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (options.put(name, value) != null) {
        throw new UsageException("option --" + name + " is given twice");
      }
    }
    for (String required : List.of("hlo", "in", "out")) {
      if (!options.containsKey(required)) {
        throw new UsageException("missing --" + required);
      }
    }
    return options;
  }

  private static String oneLine(Throwable e) {
    String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    int nl = msg.indexOf('\n');
    return nl >= 0 ? msg.substring(0, nl) : msg;
  }

  /** A command line that cannot run as given: the message is printed with the usage. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
