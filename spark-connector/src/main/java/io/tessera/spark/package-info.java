/**
 * The Spark 4.1 extension: {@code spark.sql.extensions=io.tessera.spark.TesseraExtensions}.
 *
 * <h2>From SQL to a kernel</h2>
 * <ul>
 *   <li>{@link io.tessera.spark.TesseraExtensions} installs the {@code tessera_apply(module, cols...)}
 *       function ({@link io.tessera.spark.TesseraFunctions}) and the plan rules
 *       ({@link io.tessera.spark.TesseraColumnarRule}); {@link io.tessera.spark.Tessera} is the same for
 *       DataFrame code, plus functions registered under their own name.
 *   <li>At analysis the module is read and verified on the driver ({@link io.tessera.spark.TesseraModule},
 *       errors with {@code line:col}) and the columns are checked against its parameters
 *       ({@link io.tessera.spark.KernelSignature}); the call is a {@link io.tessera.spark.TesseraApply}.
 *   <li>After planning, calls in projections, filters and aggregate functions
 *       ({@link io.tessera.spark.AggregateExtraction}) move into a {@link io.tessera.spark.TesseraEvalExec}.
 *       Calls anywhere else run one row at a time ({@link io.tessera.spark.RowEvaluator}).
 *   <li>Per task ({@link io.tessera.spark.EvalTask}): rows are batched into Arrow
 *       ({@link io.tessera.spark.RowInput}), or a columnar child's batches are taken as they are
 *       ({@link io.tessera.spark.ColumnarInput}); {@link io.tessera.spark.TensorWriter}s write the
 *       arguments in the kernels' tensor layout ({@link io.tessera.spark.ArrowTensors}); the kernel
 *       runs ({@link io.tessera.spark.ArrowBatchKernel} over arrow-bridge's {@code ArrowKernel}, or
 *       {@link io.tessera.spark.RowLoopKernel} for modules the batching pass cannot batch); results
 *       leave as a {@code ColumnarBatch} over the kernel's own vectors
 *       ({@link io.tessera.spark.TensorColumnVector}).
 *   <li>{@link io.tessera.spark.KernelCache} compiles each module once per executor JVM;
 *       {@link io.tessera.spark.TesseraMemory} accounts for every Arrow byte, per task.
 * </ul>
 *
 * <h2>Settings ({@link io.tessera.spark.TesseraConf})</h2>
 * {@code spark.tessera.batchRows} (65536), {@code spark.tessera.batchBytes} (64 MiB),
 * {@code spark.tessera.backend} ({@code auto}, {@code cpu}, {@code interpreter}),
 * {@code spark.tessera.fallback} (true: a module the backend cannot compile runs on the interpreter,
 * with a warning), {@code spark.tessera.compileExpressions} (false: when true, plain arithmetic,
 * comparisons, logic, conditionals and numeric casts in projections and filters run as compiled
 * modules too: {@link io.tessera.spark.ExpressionCompilation}, {@link io.tessera.spark.ExpressionTranslator}).
 *
 * <h2>Visibility</h2>
 * {@code EXPLAIN} shows {@code TesseraEval} with its calls, backend and batch size;
 * {@code EXPLAIN FORMATTED} adds each module's source, fingerprint and signature. SQL metrics:
 * output rows, batches, kernel time, rows-to-Arrow time, compile time, compilations, compile cache
 * hits, calls run by the interpreter, calls run row by row, argument batches passed without copy.
 * Each compilation logs one line.
 */
package io.tessera.spark;
