/**
 * XLA's HLO text format: {@link io.tessera.compiler.text.HloParser} reads modules, shapes and
 * literals as XLA, JAX ({@code as_hlo_text()}) and TensorFlow ({@code --xla_dump_to}) print them;
 * {@link io.tessera.compiler.text.HloPrinter} writes them back the way XLA does, so that
 * {@code print(parse(text))} reads back to the same module.
 *
 * <p>Reading is split by what is read: {@code TextCursor} (whitespace, comments, names, numbers,
 * error positions), {@code ShapeParser}, {@code LiteralParser}, {@code AttributeParser} (typed
 * values by {@link io.tessera.compiler.hlo.Attr.Kind}, raw text otherwise) and {@code HloParser}
 * (modules, computations, instructions, name resolution). Every malformed input ends in one
 * {@link io.tessera.compiler.text.HloParseException} with a line and column.
 */
package io.tessera.compiler.text;
