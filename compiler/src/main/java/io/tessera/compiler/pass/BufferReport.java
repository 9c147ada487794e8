package io.tessera.compiler.pass;

import io.tessera.compiler.pass.BufferAssignment.Buffer;
import io.tessera.compiler.pass.BufferAssignment.Kind;
import io.tessera.compiler.pass.BufferAssignment.Member;
import io.tessera.compiler.pass.BufferAssignment.Output;
import io.tessera.compiler.pass.BufferAssignment.Sharing;
import io.tessera.compiler.pass.BufferAssignment.Slot;

/**
 * The text {@code hlo-opt --emit buffers} prints:
 *
 * <pre>
 * buffer assignment of module m, entry computation e (schedule: definition order)
 * temporaries: 2 slots, 128 bytes (192 bytes if no two values shared storage)
 *   slot 0 at offset 0: 32 bytes
 *     %a f32[8] live [1, 3]
 *     %c f32[8] live [3, 4] in place of %a
 *   ...
 * parameters:
 *   %p f32[8] parameter 0
 * constants:
 *   %w f32[8,8] 256 bytes
 * outputs:
 *   output 0: %r f32[8] computed in place
 * </pre>
 */
final class BufferReport {
  /** The row count a batched module's totals are given for (its sizes are also printed per row). */
  static final long REPORTED_ROWS = 1024;

  private BufferReport() {}

  static String of(BufferAssignment a) {
    StringBuilder sb = new StringBuilder();
    sb.append("buffer assignment of module ").append(a.module().name()).append(", entry computation ")
        .append(a.module().entry().name()).append(" (schedule: definition order)\n");
    sb.append("temporaries: ").append(a.slots().size()).append(a.slots().size() == 1 ? " slot, " : " slots, ")
        .append(total(a)).append('\n');
    long[] offsets = a.isDynamic() ? null : a.slotOffsets(0);
    for (Slot s : a.slots()) {
      sb.append("  slot ").append(s.index());
      if (offsets != null) {
        sb.append(" at offset ").append(offsets[s.index()]);
      }
      sb.append(": ").append(s.size()).append('\n');
      for (Buffer b : s.buffers()) {
        appendMembers(sb, b, "    ");
      }
    }
    section(sb, a, Kind.PARAMETER, "parameters:");
    section(sb, a, Kind.CONSTANT, "constants:");
    sb.append("outputs:\n");
    for (Output o : a.outputs()) {
      sb.append("  output ").append(o.index()).append(": ").append(o.value()).append(' ')
          .append(o.value().shape().toStringWithoutLayout())
          .append(o.copy() ? " copied from " + o.buffer().kind().name().toLowerCase() + " " + o.buffer().definingValue()
              : " computed in place").append('\n');
      if (!o.copy() && o.buffer().members().size() > 1) {
        appendMembers(sb, o.buffer(), "    ");
      }
    }
    return sb.toString();
  }

  private static String total(BufferAssignment a) {
    long rows = a.isDynamic() ? REPORTED_ROWS : 0;
    String forRows = a.isDynamic() ? " for " + REPORTED_ROWS + " rows" : "";
    return a.temporaryBytes(rows) + " bytes" + forRows + " (" + a.unsharedTemporaryBytes(rows)
        + " bytes if no two values shared storage)";
  }

  private static void section(StringBuilder sb, BufferAssignment a, Kind kind, String title) {
    sb.append(title).append('\n');
    for (Buffer b : a.buffers()) {
      if (b.kind() == kind) {
        sb.append("  ").append(b.definingValue()).append(' ').append(b.definingValue().shape().toStringWithoutLayout())
            .append(kind == Kind.PARAMETER ? " parameter " + b.number() : " " + b.size()).append('\n');
      }
    }
  }

  private static void appendMembers(StringBuilder sb, Buffer b, String indent) {
    Member first = b.members().get(0);
    for (Member m : b.members()) {
      sb.append(indent).append(m.value()).append(' ').append(m.value().shape().toStringWithoutLayout());
      if (m == first) {
        sb.append(" live [").append(b.start()).append(", ").append(b.end()).append(']');
      } else {
        sb.append(m.sharing() == Sharing.IN_PLACE ? " in place of " : " aliases ").append(first.value());
      }
      sb.append('\n');
    }
  }
}
