package io.tessera.arrow.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;

/**
 * Arrow's two IPC formats: the file format (magic {@code ARROW1} at both ends, a footer indexing
 * the batches) and the stream format (a schema message, then batches until an end marker). Files
 * are recognised by their leading magic, anything else is read as a stream.
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
    return this == FILE ? new ArrowFileReader(channel, allocator) : new ArrowStreamReader(channel, allocator);
  }

  /** A writer of {@code root}'s batches in this format to {@code channel}. */
  ArrowWriter writer(VectorSchemaRoot root, DictionaryProvider dictionaries, WritableByteChannel channel) {
    return this == FILE ? new ArrowFileWriter(root, dictionaries, channel) : new ArrowStreamWriter(root, dictionaries, channel);
  }

  @Override
  public String toString() {
    return this == FILE ? "Arrow IPC file" : "Arrow IPC stream";
  }
}
