/**
 * Runs compiled kernels on Arrow record batches without copying them. Depends on the compiler and
 * Arrow Java only, never on Spark.
 *
 * <p>{@link io.tessera.arrow.ArrowKernel} compiles a module that describes one row (parameter
 * {@code f32[16]}: sixteen floats per row) once, then applies it to batches of any size; each
 * parameter takes one column ({@link io.tessera.arrow.ColumnBinding}), each result (each tuple
 * element) gives one column.
 *
 * <h2>Types</h2>
 *
 * <table>
 *   <caption>Arrow column type for each per-row parameter or result shape</caption>
 *   <tr><th>per row</th><th>Arrow column</th></tr>
 *   <tr><td>{@code f16[] f32[] f64[]}</td><td>{@code Float2 Float4 Float8}</td></tr>
 *   <tr><td>{@code s8[] s16[] s32[] s64[]}</td><td>{@code TinyInt SmallInt Int BigInt}</td></tr>
 *   <tr><td>{@code u8[] u16[] u32[] u64[]}</td><td>{@code UInt1 UInt2 UInt4 UInt8}</td></tr>
 *   <tr><td>{@code pred[]}</td><td>{@code Bit} (bool)</td></tr>
 *   <tr><td>{@code T[d]}</td><td>{@code FixedSizeList(d)}, {@code List} or {@code LargeList} of
 *       the column type of {@code T[]} (results: {@code FixedSizeList})</td></tr>
 *   <tr><td>{@code T[d1,d2,...]}</td><td>the same, nested: a list of {@code d1} lists of {@code d2}
 *       ...</td></tr>
 * </table>
 *
 * Types must match exactly (no implicit conversion); {@code bf16} has no Arrow type. A
 * {@code List} row of the wrong length is an error naming the first such row, never padded.
 *
 * <h2>Zero copy, and the two exceptions</h2>
 *
 * The kernel reads each input column's Arrow data buffer at its own address (for lists, the
 * innermost child's buffer from the first row's first element) and writes each result into the
 * data buffer of an output vector allocated from the caller's allocator. Two cases copy, into
 * scratch memory from the same allocator, freed when the batch is done:
 * <ul>
 *   <li>{@code Bit} columns and {@code pred} results: Arrow packs booleans into bits, kernels
 *       use a byte per value; they are unpacked and packed a word at a time.
 *   <li>{@code List} columns whose null rows take no space (how Spark and pyarrow write them):
 *       the rows are gathered into a dense buffer. Lists whose null rows keep their full length,
 *       and {@code FixedSizeList} columns, are read in place.
 * </ul>
 *
 * <h2>Nulls</h2>
 *
 * A row with a null in any input column, or a null inside one of its tensors, is null in every
 * output column. The validity bitmaps are combined 64 bits at a time; the kernel still computes
 * null rows on whatever their buffers hold (in bounds) and the result is masked.
 *
 * <p>{@link io.tessera.arrow.tools.ArrowApplyCommand} is the {@code tessera arrow-apply} tool over
 * Arrow IPC files.
 */
package io.tessera.arrow;
