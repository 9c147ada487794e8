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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the entry computation of a module into GPU kernels in LLVM IR, run one after another:
 *
 * <ul>
 *   <li>first one kernel per <em>temporary</em>: a dot, a reduce, or a fusion containing one,
 *       whose value other instructions use ({@link Temporaries}); it is computed once into a
 *       buffer of its own, and later kernels load it from there instead of recomputing a loop per
 *       element (the layers of an MLP, a reduce that is broadcast back);
 *   <li>then one kernel per row reduction result ({@link RowReductionEmitter}), one per f32 or
 *       f64 matrix product result ({@link TiledDotEmitter}), and one per distinct dimensions of
 *       the other results.
 * </ul>
 * Temporaries take the same forms.
 *
 * An {@link Form#ELEMENTWISE} kernel is a grid-stride loop over the elements of its outputs
 * ({@code for (i = blockIdx*blockDim + threadIdx; i < n; i += gridDim*blockDim)}) whose body is
 * the shared {@link ElementalEmitter}'s value of every output at element i; a dot or a reduce in
 * it is a loop over the contracting or reduced dimensions for that one element ({@link DotLoop},
 * {@link ReduceLoop}). Results of equal dimensions share a kernel, so their common producers are
 * computed once (XLA's multi-output fusion). Every kernel takes
 * {@code (i64 rows, ptr p0.., ptr r0.., ptr t0..)}: the row count of a dynamic leading dimension
 * and all buffers (parameters, results, temporaries), then what the {@link ThreadGrid} adds.
 *
 * <p>The grid-stride form makes a kernel correct for any launch grid, which is what lets the host
 * emulation run it on a small grid and the runtime pick the grid from the device.
 */
final class GpuKernelEmitter {

  /** How a kernel spreads its work over the launch grid. */
  enum Form {
    /** Each thread computes output elements of its own, a grid-stride loop over them; any grid works. */
    ELEMENTWISE,
    /** Each block reduces rows of its own ({@link RowReductionEmitter}); blocks of whole warps. */
    ROW_REDUCTION,
    /** Each block computes output tiles of a dot ({@link TiledDotEmitter}); blocks of exactly {@value TiledDotEmitter#THREADS} threads. */
    TILED_DOT
  }

  /** A value a kernel stores: an instruction of the entry computation and the buffer it goes to ({@code %r0}, {@code %t0}). */
  record Output(Instruction value, String buffer) {
    IrArray array() {
      return new IrArray(new IrValue("ptr", buffer), value.shape());
    }
  }

  /**
   * One kernel: a loop over the elements of {@code dims} (with {@link Shape#DYNAMIC} for the row
   * count) that writes {@code outputs}, all of those dimensions.
   */
  record Kernel(String name, Form form, int[] dims, List<Output> outputs) {
    /** Elements the kernel's loop runs over for a call with {@code rows} rows. */
    long elementCount(long rows) {
      long n = 1;
      for (int d : dims) {
        n *= d == Shape.DYNAMIC ? rows : d;
      }
      return n;
    }
  }

  /**
   * The kernels of a module in launch order, their IR (target set by the caller before
   * {@link IrModule#text()}), the call signature, and the shapes of the temporaries the kernels
   * take after the results (one buffer each, allocated by the caller for the call).
   */
  record Kernels(IrModule ir, List<Kernel> kernels, ExecutableSignature signature, List<Shape> temporaries) {}

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
    List<Instruction> temporaries = Temporaries.of(entry);
    for (int t = 0; t < temporaries.size(); t++) {
      bufferParams.add("ptr noalias %t" + t);
    }
    List<Kernel> kernels = new ArrayList<>();
    for (int t = 0; t < temporaries.size(); t++) {
      Instruction value = temporaries.get(t);
      kernels.add(kernel(kernels.size(), form(value), List.of(new Output(value, "%t" + t))));
    }
    // A row reduction or a tiled dot is a kernel of its own; other results of equal dimensions share
    // one, and so do results already in a temporary (copied from there).
    Map<String, List<Output>> groups = new LinkedHashMap<>();
    Map<String, Form> forms = new LinkedHashMap<>();
    for (int j = 0; j < leaves.size(); j++) {
      Instruction leaf = leaves.get(j);
      Form form = temporaries.contains(leaf) ? Form.ELEMENTWISE : form(leaf);
      String key = form != Form.ELEMENTWISE ? "result " + j : Arrays.toString(leaf.shape().dimensions());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Output(leaf, "%r" + j));
      forms.put(key, form);
    }
    groups.forEach((key, outputs) -> kernels.add(kernel(kernels.size(), forms.get(key), outputs)));
    Map<Instruction, Output> stored = new IdentityHashMap<>();
    for (Kernel kernel : kernels) {
      try {
        emitKernel(ir, grid, options, kernel, stored, bufferParams);
      } catch (CompilationException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CompilationException("module " + module.name() + " cannot be compiled for the GPU: " + e, e);
      }
      // Later kernels read a temporary from its buffer.
      kernel.outputs().stream().filter(o -> o.buffer().startsWith("%t")).forEach(o -> stored.put(o.value(), o));
    }
    ExecutableSignature signature = new ExecutableSignature(names, params.stream().map(Instruction::shape).toList(),
        root.shape(), leaves.stream().map(Instruction::shape).toList());
    return new Kernels(ir, kernels, signature, temporaries.stream().map(Instruction::shape).toList());
  }

  private static Kernel kernel(int number, Form form, List<Output> outputs) {
    return new Kernel("tessera_kernel_" + number, form, outputs.get(0).value().shape().dimensions(), outputs);
  }

  /** The kernel form that computes {@code value}. */
  private static Form form(Instruction value) {
    if (RowReduction.at(value) != null) {
      return Form.ROW_REDUCTION;
    }
    return TiledDotEmitter.applies(value) ? Form.TILED_DOT : Form.ELEMENTWISE;
  }

  /** Emits {@code kernel}; {@code stored} holds the temporaries earlier kernels computed. */
  private static void emitKernel(IrModule ir, ThreadGrid grid, BackendOptions options, Kernel kernel,
                                 Map<Instruction, Output> stored, List<String> bufferParams) {
    IrBuilder b = new IrBuilder(ir);
    b.setFpFlags(options.fastMath() ? FAST_MATH_FLAGS : "");
    b.setRowCount(new IrValue("i64", "%rows"));
    ElementalEmitter elements = InlinedFusions.emitter(b,
        (p, index) -> new IrArray(new IrValue("ptr", "%p" + p.parameterNumber()), p.shape()).load(b, index),
        (instr, index) -> stored.containsKey(instr) ? stored.get(instr).array().load(b, index) : null);
    Output first = kernel.outputs().get(0);
    switch (kernel.form()) {
      case ROW_REDUCTION -> RowReductionEmitter.emit(b, grid, kernel.name(), RowReduction.at(first.value()), elements,
          first.array());
      case TILED_DOT -> TiledDotEmitter.emit(b, grid, kernel.name(), first.value(), elements, first.array());
      case ELEMENTWISE -> emitElementwise(b, grid, kernel, elements);
    }
    b.retVoid();
    List<String> all = new ArrayList<>();
    all.add("i64 %rows");
    all.addAll(bufferParams);
    all.addAll(grid.extraParameters());
    ir.addFunction(b.functionText(grid.definition(kernel.name()) + "(" + String.join(", ", all) + ") "
        + IrModule.KERNEL_ATTRIBUTES));
  }

  /** The grid-stride loop over the kernel's elements, storing every output at each. */
  private static void emitElementwise(IrBuilder b, ThreadGrid grid, Kernel kernel, ElementalEmitter elements) {
    ThreadGrid.Position at = grid.position(b);
    IrValue start = b.add(b.mul(at.block(), at.blockSize()), at.thread());
    IrValue stride = b.mul(at.blocks(), at.blockSize());
    IrValue count = IrValue.i64(1);
    for (int d : kernel.dims()) {
      count = b.mul(count, b.dimensionSize(d));
    }
    LoopEmitter.forStrided(b, "element", start, stride, count, i -> {
      IrIndex index = IrIndex.fromLinear(b, i, kernel.dims());
      for (Output output : kernel.outputs()) {
        output.array().storeLinear(b, i, elements.emit(output.value(), index));
      }
    });
  }
}
