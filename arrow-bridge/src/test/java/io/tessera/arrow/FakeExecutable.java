package io.tessera.arrow;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.ArrayList;
import java.util.List;

/**
 * An executable over batched shapes that records every call's row count and buffers and computes
 * its results in Java: it stands in for a backend, so that tests can check exactly which memory
 * the bridge hands over.
 */
public final class FakeExecutable implements Executable {

  /** The computation: reads {@code in} buffers and writes {@code out} buffers (native addresses). */
  @FunctionalInterface
  public interface Body {
    void run(long rows, long[] in, long[] out);
  }

  /** One call to {@link #execute}. */
  public record Call(long rows, long[] inAddresses, long[] inSizes, long[] outAddresses, long[] outSizes) {}

  private final ExecutableSignature signature;
  private final Body body;
  public final List<Call> calls = new ArrayList<>();
  public boolean closed;

  /**
   * @param parameters batched parameter shapes, e.g. {@code "f32[?,4]", "f32[?]"}
   * @param result the batched result shape, e.g. {@code "(f32[?], s32[?,2])"}
   */
  public FakeExecutable(List<String> parameters, String result, Body body) {
    List<String> names = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      names.add("p" + i);
      shapes.add(HloParser.parseShape(parameters.get(i)));
    }
    Shape resultShape = HloParser.parseShape(result);
    this.signature = new ExecutableSignature(names, shapes, resultShape, ExecutableSignature.leaves(resultShape));
    this.body = body;
  }

  @Override
  public String backendName() {
    return "fake";
  }

  @Override
  public ExecutableSignature signature() {
    return signature;
  }

  @Override
  public void execute(long rowCount, Buffers parameters, Buffers results) {
    long[] inAddresses = new long[parameters.count()];
    long[] inSizes = new long[parameters.count()];
    for (int i = 0; i < inAddresses.length; i++) {
      inAddresses[i] = parameters.address(i);
      inSizes[i] = parameters.byteSize(i);
      check(signature.parameterShapes().get(i), rowCount, inSizes[i]);
    }
    long[] outAddresses = new long[results.count()];
    long[] outSizes = new long[results.count()];
    for (int i = 0; i < outAddresses.length; i++) {
      outAddresses[i] = results.address(i);
      outSizes[i] = results.byteSize(i);
      check(signature.resultBufferShapes().get(i), rowCount, outSizes[i]);
    }
    calls.add(new Call(rowCount, inAddresses, inSizes, outAddresses, outSizes));
    body.run(rowCount, inAddresses, outAddresses);
  }

  /** As a backend does: a buffer must hold {@code rows} rows of its shape. */
  private static void check(Shape batched, long rows, long bytes) {
    long perRow = batched.elementType().byteSize();
    for (int d = 1; d < batched.rank(); d++) {
      perRow *= batched.dimension(d);
    }
    if (bytes < rows * perRow) {
      throw new IllegalArgumentException("buffer of " + bytes + " bytes for " + rows + " rows of " + batched);
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
