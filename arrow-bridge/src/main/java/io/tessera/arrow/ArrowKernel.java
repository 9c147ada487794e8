package io.tessera.arrow;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.pass.Pipelines;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A compiled per-row module that runs on Arrow record batches: compiled once, then
 * {@link #apply} per batch, for batches of any size. Each parameter is fed by one column (see
 * {@link ColumnBinding}); each result (each element of a tuple result) becomes one output column,
 * named by {@link OutputNames} and typed by {@link ArrowTypes#fieldFor}.
 *
 * <p>No copies: the kernel reads the input columns' Arrow data buffers at their own addresses and
 * writes into the output vectors' data buffers, which come from the caller's allocator. The
 * exceptions, both documented in {@link InputColumn}: {@code Bool} columns and {@code pred}
 * results, which Arrow packs into bits, and {@code List} columns whose null rows take no space.
 *
 * <p>Nulls: a row with a null in any input column (or inside a tensor) gets a null in every
 * output column. The kernel still computes such rows, on whatever values the buffers hold there
 * (never outside them); their results are masked by the validity bitmaps, which are combined a
 * 64-bit word at a time, not row by row.
 *
 * <p>Thread-safe: several threads may apply one kernel at once, each to its own batches.
 */
public final class ArrowKernel implements AutoCloseable {
  private final Executable executable;
  private final List<String> parameterNames;
  private final List<Shape> parameterRowShapes;
  /** How messages name each parameter, built once rather than per batch. */
  private final List<String> parameterDescriptions = new ArrayList<>();
  private final List<OutputColumn> outputs = new ArrayList<>();
  private final ColumnBinding columns;
  private final Schema outputSchema;
  /** The binding of the last batch's columns, reused while batches carry the same fields. */
  private volatile BoundColumns lastBound;

  private ArrowKernel(Executable executable, List<String> outputNames, ColumnBinding columns) {
    ExecutableSignature signature = executable.signature();
    this.executable = executable;
    this.columns = columns;
    this.parameterNames = signature.parameterNames();
    List<Shape> rowShapes = new ArrayList<>();
    for (int i = 0; i < signature.parameterShapes().size(); i++) {
      rowShapes.add(rowShape(signature.parameterShapes().get(i), "parameter " + i + " (%" + parameterNames.get(i) + ")"));
    }
    this.parameterRowShapes = List.copyOf(rowShapes);
    for (int i = 0; i < rowShapes.size(); i++) {
      parameterDescriptions.add(InputColumn.describeParameter(i, parameterNames.get(i), rowShapes.get(i)));
    }
    List<Shape> results = signature.resultBufferShapes();
    if (outputNames.size() != results.size()) {
      throw new IllegalArgumentException(outputNames.size() + " output name(s) for " + results.size() + " result(s)");
    }
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      OutputColumn out = new OutputColumn(outputNames.get(i), rowShape(results.get(i), "result " + i));
      outputs.add(out);
      fields.add(out.field());
    }
    this.outputSchema = new Schema(fields);
  }

  /**
   * Wraps an executable compiled from a batched module: every parameter and result buffer has a
   * leading row dimension of runtime size ({@code f32[?,4]}), as the batching pass makes them. The
   * kernel owns the executable and closes it (an executable from a
   * {@link io.tessera.compiler.backend.CompileCache} ignores that); when this method throws, the
   * executable stays the caller's.
   *
   * @param outputNames one column name per result buffer
   * @throws ArrowKernelException when a shape has no row dimension or an element type has no
   *     Arrow type
   */
  public static ArrowKernel forExecutable(Executable batched, List<String> outputNames, ColumnBinding columns) {
    return new ArrowKernel(batched, outputNames, columns);
  }

  /**
   * Compiles per-row module {@code module} on {@code backend} for Arrow batches: parameter
   * {@code f32[784]} takes 784 floats per row. See {@link #compile(Module, ModuleForm, Backend,
   * BackendOptions, ColumnBinding)}.
   */
  public static ArrowKernel compile(Module module, Backend backend, BackendOptions options, ColumnBinding columns) {
    return compile(module, ModuleForm.PER_ROW, backend, options, columns);
  }

  /**
   * Compiles {@code module} on {@code backend} for Arrow batches, once: the batching pass (or the
   * rebatching pass, for a {@link ModuleForm#FIXED_BATCH} module) gives it a row dimension of
   * runtime size, then the backend compiles it after its own HLO passes ({@link Pipelines#forBackend}:
   * simplification, CSE, fusion on the CPU). A module whose parameters already have that
   * dimension ({@code f32[?,784]}) is compiled as it is. Output columns are named after the
   * module's results ({@link OutputNames}); {@code module} itself is not changed.
   *
   * @throws ArrowKernelException when a parameter or result cannot be an Arrow column
   * @throws io.tessera.compiler.pass.PassException naming an operation that cannot be batched
   * @throws io.tessera.compiler.backend.CompilationException when the backend cannot compile it
   */
  public static ArrowKernel compile(Module module, ModuleForm form, Backend backend, BackendOptions options,
      ColumnBinding columns) {
    if (form == ModuleForm.PER_ROW) {
      checkPerRowModule(module);
    }
    List<String> names = OutputNames.of(module);
    // The backend's own HLO passes run on the batched module (the batching pass cannot batch fusions).
    Executable executable = backend.compile(Pipelines.optimizedFor(backend.name(), RowBatching.batched(module, form)),
        options);
    try {
      return new ArrowKernel(executable, names, columns);
    } catch (RuntimeException | Error e) {
      executable.close();
      throw e;
    }
  }

  /** Rejects, before compiling, parameters and results that cannot be Arrow columns. */
  private static void checkPerRowModule(Module perRow) {
    if (RowBatching.isBatched(perRow)) {
      return; // checked on the executable's signature
    }
    for (Instruction p : perRow.entry().parameters()) {
      String what = "parameter " + p.parameterNumber() + " (%" + p.name() + ")";
      if (p.shape().isTuple()) {
        throw new ArrowKernelException(what + " has tuple shape " + p.shape() + "; columns feed array parameters");
      }
      requireArrowType(p.shape(), what);
    }
    List<Shape> results = ExecutableSignature.leaves(perRow.entry().resultShape());
    for (int i = 0; i < results.size(); i++) {
      requireArrowType(results.get(i), "result " + i);
    }
  }

  private static void requireArrowType(Shape shape, String what) {
    if (ArrowTypes.arrowType(shape.elementType()) == null) {
      throw new ArrowKernelException(what + " has element type " + shape.elementType() + ", which no Arrow column holds");
    }
  }

  /** The per-row shape of a batched buffer shape {@code [?, d1, ...]}: {@code [d1, ...]}. */
  private static Shape rowShape(Shape batched, String what) {
    if (!batched.isArray() || batched.rank() == 0 || batched.dimension(0) != Shape.DYNAMIC) {
      throw new ArrowKernelException(what + " has shape " + batched.toStringWithoutLayout()
          + "; a kernel over Arrow batches needs a leading row dimension of runtime size (?), as the batching pass makes");
    }
    requireArrowType(batched, what);
    int[] dims = batched.dimensions();
    for (int d = 1; d < dims.length; d++) {
      if (dims[d] == Shape.DYNAMIC) {
        throw new ArrowKernelException(what + " has shape " + batched.toStringWithoutLayout()
            + "; only the row dimension may have a runtime size");
      }
    }
    return Shape.array(batched.elementType(), Arrays.copyOfRange(dims, 1, dims.length));
  }

  /** The columns {@link #apply} returns: one per result, in order. */
  public Schema outputSchema() {
    return outputSchema;
  }

  /** What each parameter takes per row, in parameter order. */
  public List<Shape> parameterRowShapes() {
    return parameterRowShapes;
  }

  public ColumnBinding columns() {
    return columns;
  }

  /** The backend the kernel runs on, e.g. {@code cpu}. */
  public String backendName() {
    return executable.backendName();
  }

  /**
   * Checks that batches of {@code schema} can feed this kernel: the columns exist, and their
   * types and fixed list sizes fit the parameters. (List lengths are checked per batch.)
   *
   * @throws ArrowKernelException naming the column and parameter at fault
   */
  public void checkInput(Schema schema) {
    bind(schema.getFields());
  }

  private List<InputColumn> bind(List<Field> fields) {
    int[] indices = columns.resolve(fields, parameterRowShapes.size());
    List<InputColumn> inputs = new ArrayList<>();
    for (int p = 0; p < indices.length; p++) {
      inputs.add(InputColumn.bind(fields.get(indices[p]), parameterDescriptions.get(p), parameterRowShapes.get(p)));
    }
    return inputs;
  }

  /**
   * Runs the kernel on every row of {@code batch}, allocating the output columns from the
   * allocator of the batch's first vector. See {@link #apply(VectorSchemaRoot, BufferAllocator)}.
   */
  public VectorSchemaRoot apply(VectorSchemaRoot batch) {
    if (batch.getFieldVectors().isEmpty()) {
      throw new ArrowKernelException("the input batch has no columns");
    }
    return apply(batch, batch.getFieldVectors().get(0).getAllocator());
  }

  /**
   * Runs the kernel on every row of {@code batch} and returns the results as a new batch of the
   * same row count with {@link #outputSchema()}, its vectors allocated from {@code allocator}.
   * The caller owns (and closes) the returned root; {@code batch} is only read.
   *
   * @throws ArrowKernelException when the batch does not fit the parameters; nothing has run
   *     then and nothing stays allocated
   */
  public VectorSchemaRoot apply(VectorSchemaRoot batch, BufferAllocator allocator) {
    int rows = batch.getRowCount();
    List<FieldVector> vectors = batch.getFieldVectors();
    BoundColumns bound = boundColumns(batch.getSchema().getFields(), vectors);
    ColumnBuffer[] in = new ColumnBuffer[bound.parameterCount()];
    OutputColumn.Allocation[] out = new OutputColumn.Allocation[outputs.size()];
    try {
      for (int p = 0; p < in.length; p++) {
        in[p] = bound.input(p).prepare(bound.vector(vectors, p), rows, allocator);
      }
      for (int o = 0; o < out.length; o++) {
        out[o] = outputs.get(o).allocate(rows, allocator);
      }
      if (rows > 0) {
        execute(rows, in, out);
      }
      List<ArrowBuf> rowBitmaps = new ArrayList<>();
      for (ColumnBuffer c : in) {
        rowBitmaps.addAll(c.rowBitmaps());
      }
      List<FieldVector> results = new ArrayList<>(out.length);
      for (OutputColumn.Allocation a : out) {
        results.add(a.finish(rowBitmaps));
      }
      VectorSchemaRoot root = new VectorSchemaRoot(outputSchema, results, rows);
      for (OutputColumn.Allocation a : out) {
        a.handOn();
      }
      return root;
    } finally {
      for (ColumnBuffer c : in) {
        if (c != null) {
          c.close();
        }
      }
      for (OutputColumn.Allocation a : out) {
        if (a != null) {
          a.close();
        }
      }
    }
  }

  /** The binding of a batch's columns: the last one when the batch has its fields, else a new one. */
  private BoundColumns boundColumns(List<Field> fields, List<FieldVector> vectors) {
    BoundColumns last = lastBound;
    if (last != null && last.fits(fields, vectors)) {
      return last;
    }
    int[] indices = columns.resolve(fields, parameterRowShapes.size());
    BoundColumns bound = BoundColumns.bind(fields, vectors, indices, parameterDescriptions, parameterRowShapes);
    lastBound = bound;
    return bound;
  }

  private void execute(int rows, ColumnBuffer[] in, OutputColumn.Allocation[] out) {
    long[] inAddresses = new long[in.length];
    long[] inSizes = new long[in.length];
    for (int i = 0; i < in.length; i++) {
      inAddresses[i] = in[i].address();
      inSizes[i] = in[i].byteSize();
    }
    long[] outAddresses = new long[out.length];
    long[] outSizes = new long[out.length];
    for (int i = 0; i < out.length; i++) {
      outAddresses[i] = out[i].address();
      outSizes[i] = out[i].byteSize();
    }
    executable.execute(rows, Buffers.host(inAddresses, inSizes), Buffers.host(outAddresses, outSizes));
  }

  /** Closes the executable. */
  @Override
  public void close() {
    executable.close();
  }
}
