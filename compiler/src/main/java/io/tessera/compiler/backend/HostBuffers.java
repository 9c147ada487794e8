package io.tessera.compiler.backend;

import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Runs an executable on literals through host memory: each argument is encoded
 * ({@link LiteralBytes}) into freshly allocated native memory, the results are decoded back, and
 * all the memory is freed before returning. For tests, tools and small inputs; production callers
 * pass their own buffers to {@link Executable#execute}.
 *
 * <p>For a module with a dynamic leading dimension the row count is taken from the arguments:
 * every argument for a parameter with a {@code ?} must have the same number of rows there.
 */
public final class HostBuffers {
  private HostBuffers() {}

  /** {@link Executable#run}: copies in, executes, copies out. */
  @SuppressWarnings("try") // the scope frees, on exit, all native memory allocated inside it
  public static Literal run(Executable executable, List<Literal> arguments) {
    ExecutableSignature declared = executable.signature();
    if (arguments.size() != declared.parameterShapes().size()) {
      throw new IllegalArgumentException("expected " + declared.parameterShapes().size() + " argument(s), got "
          + arguments.size());
    }
    long rows = rowCount(declared, arguments);
    ExecutableSignature sig = declared.bind(rows);
    List<Shape> params = sig.parameterShapes();
    for (int i = 0; i < params.size(); i++) {
      if (!arguments.get(i).shape().equalsIgnoringLayout(params.get(i))) {
        throw new IllegalArgumentException("argument " + i + " has shape " + arguments.get(i).shape().toStringWithoutLayout()
            + ", parameter %" + sig.parameterNames().get(i) + " expects " + params.get(i).toStringWithoutLayout());
      }
    }
    try (PointerScope scope = new PointerScope()) {
      long[] inAddresses = new long[params.size()];
      long[] inSizes = new long[params.size()];
      for (int i = 0; i < params.size(); i++) {
        BytePointer memory = allocate(params.get(i).byteSize());
        LiteralBytes.write(arguments.get(i), view(memory, params.get(i).byteSize()));
        inAddresses[i] = memory.address();
        inSizes[i] = params.get(i).byteSize();
      }
      List<Shape> outShapes = sig.resultBufferShapes();
      List<BytePointer> outs = new ArrayList<>();
      long[] outAddresses = new long[outShapes.size()];
      long[] outSizes = new long[outShapes.size()];
      for (int i = 0; i < outShapes.size(); i++) {
        BytePointer memory = allocate(outShapes.get(i).byteSize());
        outs.add(memory);
        outAddresses[i] = memory.address();
        outSizes[i] = outShapes.get(i).byteSize();
      }
      executable.execute(rows, Buffers.host(inAddresses, inSizes), Buffers.host(outAddresses, outSizes));
      List<Literal> leaves = new ArrayList<>();
      for (int i = 0; i < outShapes.size(); i++) {
        leaves.add(LiteralBytes.read(outShapes.get(i), view(outs.get(i), outShapes.get(i).byteSize())));
      }
      return assemble(sig.resultShape(), leaves, new int[] {0});
    }
  }

  /**
   * The row count the arguments give the dynamic dimensions of the parameters, or {@link
   * Executable#STATIC_SHAPES} for a static signature.
   *
   * @throws IllegalArgumentException when arguments disagree on it, or no parameter has rows
   */
  public static long rowCount(ExecutableSignature sig, List<Literal> arguments) {
    if (!sig.hasDynamicRows()) {
      return Executable.STATIC_SHAPES;
    }
    long rows = -1;
    for (int i = 0; i < Math.min(arguments.size(), sig.parameterShapes().size()); i++) {
      Shape p = sig.parameterShapes().get(i);
      Shape a = arguments.get(i).shape();
      if (!p.isArray() || !a.isArray()) {
        continue;
      }
      for (int d = 0; d < p.rank() && d < a.rank(); d++) {
        if (p.isDynamicDimension(d)) {
          if (rows >= 0 && a.dimension(d) != rows) {
            throw new IllegalArgumentException("argument " + i + " has " + a.dimension(d) + " rows in dimension " + d
                + ", an earlier argument " + rows);
          }
          rows = a.dimension(d);
        }
      }
    }
    if (rows < 0) {
      throw new IllegalArgumentException("no parameter has a dynamic dimension to take the row count from; results "
          + sig.resultShape().toStringWithoutLayout() + " need one");
    }
    return rows;
  }

  /** Native memory of at least one byte (so that even empty arrays have a valid address), zeroed. */
  private static BytePointer allocate(long bytes) {
    BytePointer p = new BytePointer(Math.max(bytes, 1));
    if (p.isNull()) {
      throw new OutOfMemoryError("could not allocate " + bytes + " bytes of native memory");
    }
    p.fill(0);
    return p;
  }

  private static ByteBuffer view(BytePointer memory, long bytes) {
    if (bytes == 0) {
      return ByteBuffer.allocate(0);
    }
    return memory.capacity(Math.max(bytes, 1)).limit(bytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Rebuilds the (possibly nested) result literal from its leaves in order. */
  private static Literal assemble(Shape shape, List<Literal> leaves, int[] next) {
    if (!shape.isTuple()) {
      return leaves.get(next[0]++);
    }
    List<Literal> elements = new ArrayList<>();
    for (Shape s : shape.tupleShapes()) {
      elements.add(assemble(s, leaves, next));
    }
    return Literal.tuple(elements);
  }
}
