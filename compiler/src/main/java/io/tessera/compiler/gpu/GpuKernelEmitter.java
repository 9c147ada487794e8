package io.tessera.compiler.gpu;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.ElementalEmitter;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrIndex;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.llvm.MathLibrary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the entry computation of a module into GPU kernels in LLVM IR: one per row reduction
 * result ({@link RowReductionEmitter}) and one per distinct dimensions of the other results, a
 * grid-stride loop over the elements of its results
 * ({@code for (i = blockIdx*blockDim + threadIdx; i < n; i += gridDim*blockDim)}) whose body is
 * the shared {@link ElementalEmitter}'s value of every result at element i. Results of equal
 * dimensions share a kernel, so their common producers are computed once (XLA's multi-output
 * fusion). Every kernel takes {@code (i64 rows, ptr p0.., ptr r0..)}: the row count of a
 * dynamic leading dimension and all buffers, then what the {@link ThreadGrid} adds.
 *
 * <p>The grid-stride form makes a kernel correct for any launch grid, which is what lets the host
 * emulation run it on a small grid and the runtime pick the grid from the device.
 */
final class GpuKernelEmitter {

  /** How a kernel spreads its work over the launch grid. */
  enum Form {
    /** Each thread computes elements of its own, a grid-stride loop over them; any grid works. */
    ELEMENTWISE,
    /** Each block reduces rows of its own ({@link RowReductionEmitter}); blocks of whole warps. */
    ROW_REDUCTION
  }

  /**
   * One kernel: a loop over the elements of {@code dims} (with {@link Shape#DYNAMIC} for the row
   * count) that writes result buffers {@code results}.
   */
  record Kernel(String name, Form form, int[] dims, List<Integer> results) {
    /** Elements the kernel's loop runs over for a call with {@code rows} rows. */
    long elementCount(long rows) {
      long n = 1;
      for (int d : dims) {
        n *= d == Shape.DYNAMIC ? rows : d;
      }
      return n;
    }
  }

  /** The kernels of a module, their IR (target set by the caller before {@link IrModule#text()}) and the call signature. */
  record Kernels(IrModule ir, List<Kernel> kernels, ExecutableSignature signature) {}

  private static final String FAST_MATH_FLAGS = "reassoc nsz arcp contract afn";

  private GpuKernelEmitter() {}

  /**
   * Emits the kernels of {@code module}'s entry computation for {@code grid}, taking
   * transcendental functions from {@code math}.
   *
   * @throws CompilationException naming the instruction the backend does not support
   */
  static Kernels emit(Module module, ThreadGrid grid, MathLibrary math, BackendOptions options) {
    Computation entry = module.entry();
    GpuSupport.check(entry);
    IrModule ir = new IrModule(module.name());
    ir.setMathLibrary(math);
    List<Instruction> params = entry.parameters();
    List<String> bufferParams = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).parameterNumber() != i) {
        throw new CompilationException("the entry's parameters are not numbered 0.." + (params.size() - 1));
      }
      bufferParams.add("ptr noalias %p" + i);
      names.add(params.get(i).name());
    }
    Instruction root = entry.root();
    List<Instruction> leaves = root.opcode() == Opcode.TUPLE ? root.operands() : List.of(root);
    for (int j = 0; j < leaves.size(); j++) {
      bufferParams.add("ptr noalias %r" + j);
    }
    // A reduction is a kernel of its own; elementwise results of equal dimensions share one.
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int j = 0; j < leaves.size(); j++) {
      String key = RowReduction.at(leaves.get(j)) != null ? "reduction " + j : Arrays.toString(leaves.get(j).shape().dimensions());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
    }
    List<Kernel> kernels = new ArrayList<>();
    for (List<Integer> group : groups.values()) {
      Instruction first = leaves.get(group.get(0));
      Form form = RowReduction.at(first) != null ? Form.ROW_REDUCTION : Form.ELEMENTWISE;
      Kernel kernel = new Kernel("tessera_kernel_" + kernels.size(), form, first.shape().dimensions(), group);
      try {
        emitKernel(ir, grid, options, kernel, leaves, bufferParams);
      } catch (CompilationException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CompilationException("module " + module.name() + " cannot be compiled for the GPU: " + e, e);
      }
      kernels.add(kernel);
    }
    ExecutableSignature signature = new ExecutableSignature(names, params.stream().map(Instruction::shape).toList(),
        root.shape(), leaves.stream().map(Instruction::shape).toList());
    return new Kernels(ir, kernels, signature);
  }

  private static void emitKernel(IrModule ir, ThreadGrid grid, BackendOptions options, Kernel kernel,
                                 List<Instruction> leaves, List<String> bufferParams) {
    IrBuilder b = new IrBuilder(ir);
    b.setFpFlags(options.fastMath() ? FAST_MATH_FLAGS : "");
    b.setRowCount(new IrValue("i64", "%rows"));
    ElementalEmitter elements = InlinedFusions.emitter(b, (p, index) ->
        new IrArray(new IrValue("ptr", "%p" + p.parameterNumber()), p.shape()).load(b, index));
    if (kernel.form() == Form.ROW_REDUCTION) {
      int j = kernel.results().get(0);
      RowReductionEmitter.emit(b, grid, kernel.name(), RowReduction.at(leaves.get(j)), elements,
          new IrArray(new IrValue("ptr", "%r" + j), leaves.get(j).shape()));
    } else {
      emitElementwise(b, grid, kernel, leaves, elements);
    }
    b.retVoid();
    List<String> all = new ArrayList<>();
    all.add("i64 %rows");
    all.addAll(bufferParams);
    all.addAll(grid.extraParameters());
    ir.addFunction(b.functionText(grid.definition(kernel.name()) + "(" + String.join(", ", all) + ") "
        + IrModule.KERNEL_ATTRIBUTES));
  }

  /** The grid-stride loop over the kernel's elements, storing every result at each. */
  private static void emitElementwise(IrBuilder b, ThreadGrid grid, Kernel kernel, List<Instruction> leaves,
                                      ElementalEmitter elements) {
    ThreadGrid.Position at = grid.position(b);
    IrValue start = b.add(b.mul(at.block(), at.blockSize()), at.thread());
    IrValue stride = b.mul(at.blocks(), at.blockSize());
    IrValue count = IrValue.i64(1);
    for (int d : kernel.dims()) {
      count = b.mul(count, b.dimensionSize(d));
    }
    LoopEmitter.forStrided(b, "element", start, stride, count, i -> {
      IrIndex index = IrIndex.fromLinear(b, i, kernel.dims());
      for (int j : kernel.results()) {
        new IrArray(new IrValue("ptr", "%r" + j), leaves.get(j).shape()).storeLinear(b, i, elements.emit(leaves.get(j), index));
      }
    });
  }
}
