package io.tessera.spark;

import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.Executable;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * A {@link BatchKernel} that calls the per-row executable once per non-null row, reading each
 * argument and writing each result in place in the Arrow data buffers (no copy, except that
 * {@code pred} tensors are bits in Arrow and bytes in kernel buffers, so those go through a byte
 * buffer). For modules the batching pass cannot batch: correct for every module the backend
 * compiles, but it pays one call per row.
 */
final class RowLoopKernel implements BatchKernel {
  private final Executable executable;
  private final BufferAllocator allocator;
  private int capacity;
  private final List<TensorSpec> parameters;
  private final List<TensorSpec> results;
  private final List<FieldVector> resultVectors = new ArrayList<>();
  /** Per parameter / result: a byte buffer for a pred tensor, null otherwise. */
  private final ArrowBuf[] parameterBytes;
  private final ArrowBuf[] resultBytes;

  RowLoopKernel(CompiledKernel kernel, BufferAllocator allocator, int capacity) {
    this.executable = kernel.perRow();
    this.allocator = allocator;
    this.parameters = kernel.signature().parameters();
    this.results = kernel.signature().resultLeaves();
    this.parameterBytes = new ArrowBuf[parameters.size()];
    this.resultBytes = new ArrowBuf[results.size()];
    allocate(capacity);
  }

  /** Result vectors and byte buffers for batches of up to {@code capacity} rows. */
  private void allocate(int capacity) {
    this.capacity = capacity;
    try {
      for (int i = 0; i < results.size(); i++) {
        TensorSpec r = results.get(i);
        resultVectors.add(ArrowTensors.allocate(r.name(), r, allocator, capacity));
        resultBytes[i] = r.element() == TensorElement.PRED ? bytes(allocator, capacity, r) : null;
      }
      for (int i = 0; i < parameters.size(); i++) {
        TensorSpec p = parameters.get(i);
        parameterBytes[i] = p.element() == TensorElement.PRED ? bytes(allocator, capacity, p) : null;
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static ArrowBuf bytes(BufferAllocator allocator, int capacity, TensorSpec spec) {
    ArrowBuf buf = allocator.buffer(Math.max(1, (long) capacity * spec.elementsPerRow()));
    buf.setZero(0, buf.capacity());
    return buf;
  }

  @Override
  public List<FieldVector> apply(List<FieldVector> arguments, int rows) {
    if (rows > capacity) {
      close();
      allocate(rows);
    }
    int np = parameters.size();
    int nr = results.size();
    long[] inBase = new long[np];
    long[] inSize = new long[np];
    for (int p = 0; p < np; p++) {
      inSize[p] = parameters.get(p).bytesPerRow();
      BaseFixedWidthVector elements = ArrowTensors.elements(arguments.get(p));
      if (parameterBytes[p] != null) {
        bitsToBytes(elements.getDataBuffer(), parameterBytes[p], (long) rows * parameters.get(p).elementsPerRow());
        inBase[p] = parameterBytes[p].memoryAddress();
      } else {
        inBase[p] = elements.getDataBuffer().memoryAddress();
      }
    }
    long[] outBase = new long[nr];
    long[] outSize = new long[nr];
    for (int r = 0; r < nr; r++) {
      outSize[r] = results.get(r).bytesPerRow();
      outBase[r] = resultBytes[r] != null ? resultBytes[r].memoryAddress()
          : ArrowTensors.elements(resultVectors.get(r)).getDataBuffer().memoryAddress();
    }
    long[] in = new long[np];
    long[] out = new long[nr];
    for (int row = 0; row < rows; row++) {
      boolean valid = true;
      for (int p = 0; p < np && valid; p++) {
        valid = !arguments.get(p).isNull(row);
      }
      for (FieldVector v : resultVectors) {
        BitVectorHelper.setValidityBit(v.getValidityBuffer(), row, valid ? 1 : 0);
      }
      if (!valid) {
        continue;
      }
      for (int p = 0; p < np; p++) {
        in[p] = inBase[p] + row * inSize[p];
      }
      for (int r = 0; r < nr; r++) {
        out[r] = outBase[r] + row * outSize[r];
      }
      executable.execute(Executable.STATIC_SHAPES, Buffers.host(in, inSize), Buffers.host(out, outSize));
    }
    for (int r = 0; r < nr; r++) {
      if (resultBytes[r] != null) {
        bytesToBits(resultBytes[r], ArrowTensors.elements(resultVectors.get(r)).getDataBuffer(),
            (long) rows * results.get(r).elementsPerRow());
      }
      ArrowTensors.finish(resultVectors.get(r), rows);
    }
    return resultVectors;
  }

  private static void bitsToBytes(ArrowBuf bits, ArrowBuf bytes, long count) {
    for (long i = 0; i < count; i++) {
      bytes.setByte(i, (bits.getByte(i >>> 3) >>> (i & 7)) & 1);
    }
  }

  private static void bytesToBits(ArrowBuf bytes, ArrowBuf bits, long count) {
    for (long i = 0; i < count; i++) {
      BitVectorHelper.setValidityBit(bits, (int) i, bytes.getByte(i) != 0 ? 1 : 0);
    }
  }

  @Override
  public void close() {
    for (FieldVector v : resultVectors) {
      v.close();
    }
    resultVectors.clear();
    for (ArrowBuf[] bufs : new ArrowBuf[][] {parameterBytes, resultBytes}) {
      for (int i = 0; i < bufs.length; i++) {
        if (bufs[i] != null) {
          bufs[i].close();
          bufs[i] = null;
        }
      }
    }
  }
}
