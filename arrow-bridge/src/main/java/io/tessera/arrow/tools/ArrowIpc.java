package io.tessera.arrow.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil.CodecType;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;

/**
 * Arrow's two IPC formats: the file format (magic {@code ARROW1} at both ends, a footer indexing
 * the batches) and the stream format (a schema message, then batches until an end marker). Files
 * are recognised by their leading magic, anything else is read as a stream. Either may hold
 * buffers compressed with LZ4 (frame format) or ZSTD, as pyarrow and Arrow C++ write them with
 * {@code compression=}; readers decompress them, writers compress when asked.
 */
enum ArrowIpc {
  FILE, STREAM;

  private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

  /** The format of the file at {@code path}, by its first bytes. */
  static ArrowIpc detect(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
      while (head.hasRemaining() && channel.read(head) >= 0) {
        // keep reading: a channel may return fewer bytes than asked
      }
      return head.hasRemaining() || !head.flip().equals(ByteBuffer.wrap(MAGIC)) ? STREAM : FILE;
    }
  }

  /** A reader over {@code path} in this format; each batch it loads replaces the previous one. */
  ArrowReader open(Path path, BufferAllocator allocator) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    CommonsCompressionFactory codecs = CommonsCompressionFactory.INSTANCE;
    return this == FILE ? new ArrowFileReader(channel, allocator, codecs) : new ArrowStreamReader(channel, allocator, codecs);
  }

  /**
   * A writer of {@code root}'s batches in this format to {@code channel}, compressing each buffer
   * with {@code codec} ({@link CodecType#NO_COMPRESSION} for none).
   */
  ArrowWriter writer(VectorSchemaRoot root, DictionaryProvider dictionaries, WritableByteChannel channel, CodecType codec) {
    // Arrow's compressing factory knows only the real codecs; "none" has a factory of its own.
    CompressionCodec.Factory codecs = codec == CodecType.NO_COMPRESSION
        ? NoCompressionCodec.Factory.INSTANCE : CommonsCompressionFactory.INSTANCE;
    return this == FILE
        ? new ArrowFileWriter(root, dictionaries, channel, Map.of(), IpcOption.DEFAULT, codecs, codec)
        : new ArrowStreamWriter(root, dictionaries, channel, IpcOption.DEFAULT, codecs, codec);
  }

  /** The codec named on the command line: {@code none}, {@code lz4} (LZ4 frame) or {@code zstd}. */
  static CodecType codec(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> CodecType.NO_COMPRESSION;
      case "lz4" -> CodecType.LZ4_FRAME;
      case "zstd" -> CodecType.ZSTD;
      default -> throw new IllegalArgumentException("--compression must be none, lz4 or zstd, got '" + name + "'");
    };
  }

  @Override
  public String toString() {
    return this == FILE ? "Arrow IPC file" : "Arrow IPC stream";
  }
}
