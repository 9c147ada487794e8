package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.llvm.IrArray;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import io.tessera.compiler.pass.BufferSize;
import io.tessera.compiler.pass.SlotPacker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the entry computation of a module into one LLVM IR module with two functions:
 *
 * <ul>
 *   <li>{@code tessera_kernel(i64 %rows, ptr noalias %p0.., ptr noalias %r0.., ptr noalias %s0..)}:
 *       the computation, over parameter, result and temporary buffers;
 *   <li>an exported entry ({@link KernelEntry}): the trampoline {@code i32 tessera_entry(i32 argc,
 *       ptr argv)} that {@link JitModule} calls, or the C function of an ahead-of-time object.
 * </ul>
 *
 * <p>Dynamic rows: shapes may have a {@link Shape#DYNAMIC} leading dimension. Its size is the
 * kernel's {@code %rows} argument: loops over it run to {@code %rows} ({@link
 * IrBuilder#dimensionSize}), and index arithmetic never needs it (row-major offsets do not use
 * the size of dimension 0), so the module is compiled once for every row count.
 *
 * <p>The body is the entry computation emitted by {@link ComputationEmitter}: elementwise and
 * data-movement instructions are computed inside the loops of the instructions that consume them
 * (XLA's loop fusion), so only parameters, results and the outputs of the instructions that need
 * memory (reduce, dot, convolution, sort, scatter, windows, loops, branches), and expensive
 * elementwise values that several loops read ({@link MaterializationPolicy}), live in buffers. Such an
 * output that is a result goes straight into the caller's result buffer; the others
 * ("temporaries") get 64-byte-aligned slots of one scratch buffer per call ({@link
 * ScratchLayout}), which {@link CpuExecutable} keeps per concurrent caller and reuses, so a call
 * allocates nothing. Temporaries whose live ranges in the emitted code do not overlap share a
 * slot ({@link #assignSlots}), so the scratch memory is what buffer assignment would give these
 * temporaries.
 * Results of equal dimensions that no emitter wrote are computed in one shared loop (XLA's
 * multi-output fusion).
 */
final class CpuKernelEmitter {

  /** The IR of a compiled module and what calling it needs. */
  record KernelIr(String text, ExecutableSignature signature, KernelEntry.Abi abi) {}

  static final String KERNEL = "@tessera_kernel";
  private static final String FAST_MATH_FLAGS = "reassoc nsz arcp contract afn";

  private final Computation entry;
  private final IrModule ir;
  private final IrBuilder b;
  private final List<String> kernelParams = new ArrayList<>();
  private final Module module;
  private final ScratchLayout scratch = new ScratchLayout();
  /** The temporaries handed out during emission, {@code %t0, %t1, ...}; slots are assigned afterwards. */
  private final List<Shape> temporaries = new ArrayList<>();
  /** Where the code of each step of the schedule starts in the body ({@link TemporaryLiveRanges}). */
  private final List<Integer> stepStarts = new ArrayList<>();

  private CpuKernelEmitter(Module module, HostTarget target) {
    this.module = module;
    this.entry = module.entry();
    this.ir = new IrModule(module.name());
    if (target != null) {
      ir.setTarget(target.triple(), target.dataLayout());
      ir.setTargetAttributes(target.functionAttributes());
    }
    this.b = new IrBuilder(ir);
  }

  /**
   * Emits the kernel of {@code module}'s entry computation with the JIT's trampoline.
   *
   * @param target the CPU to tune for, or {@code null} to emit target-independent IR
   * @throws CompilationException for anything the backend does not support yet
   */
  static KernelIr emit(Module module, HostTarget target, BackendOptions options) {
    return guarded(module, () -> new CpuKernelEmitter(module, target).emitKernel(options, null));
  }

  /**
   * Emits the kernel of {@code module}'s entry computation with the C entry function
   * {@code symbol} of an ahead-of-time object ({@link KernelEntry#aotFunction}).
   */
  static KernelIr emitAot(Module module, HostTarget target, BackendOptions options, String symbol) {
    return guarded(module, () -> new CpuKernelEmitter(module, target).emitKernel(options, symbol));
  }

  /** Any failure of a module the verifier would refuse (the backend does not require it) becomes a compile error. */
  private static KernelIr guarded(Module module, java.util.function.Supplier<KernelIr> emission) {
    try {
      return emission.get();
    } catch (CompilationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CompilationException("module " + module.name() + " cannot be compiled: " + e, e);
    }
  }

  private KernelIr emitKernel(BackendOptions options, String aotSymbol) {
    b.setFpFlags(options.fastMath() ? FAST_MATH_FLAGS : "");
    b.setRowCount(new IrValue("i64", "%rows"));
    CpuSupport.check(entry);
    kernelParams.add("i64 %rows");
    List<Instruction> params = entry.parameters();
    List<ComputationEmitter.LeafRef> leaves = ComputationEmitter.resolveLeaves(entry.root());

    List<List<ArrayValue>> arguments = new ArrayList<>();
    List<String> parameterNames = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Instruction p = params.get(i);
      if (p.parameterNumber() != i) {
        throw new CompilationException("the entry's parameters are not numbered 0.." + (params.size() - 1)
            + ": %" + p.name() + " is parameter " + p.parameterNumber());
      }
      arguments.add(List.of(ArrayValue.inMemory(new IrArray(new IrValue("ptr", "%p" + i), p.shape()))));
      kernelParams.add(pointerParam("%p" + i, p.shape()));
      parameterNames.add(p.name());
    }
    List<Shape> leafShapes = ComputationEmitter.leafShapes(entry.root().shape());
    IrArray[] resultArrays = new IrArray[leafShapes.size()];
    for (int j = 0; j < leafShapes.size(); j++) {
      resultArrays[j] = new IrArray(new IrValue("ptr", "%r" + j), leafShapes.get(j));
      kernelParams.add(pointerParam("%r" + j, leafShapes.get(j)));
    }

    // A materialized instruction that is a result writes straight into the caller's buffer.
    boolean[] claimed = new boolean[leaves.size()];
    ComputationEmitter.Destinations destinations = (instr, leaf) -> {
      for (int j = 0; j < leaves.size(); j++) {
        if (!claimed[j] && leaves.get(j).equals(new ComputationEmitter.LeafRef(instr, leaf))) {
          claimed[j] = true;
          return resultArrays[j];
        }
      }
      return null;
    };
    IrValue packing = gemmPacking();
    ComputationEmitter.Scratch scratchMemory = new ComputationEmitter.Scratch() {
      @Override
      public IrArray allocate(String hint, Shape shape) {
        return allocateTemp(hint, shape);
      }

      @Override
      public IrValue gemmPacking() {
        return packing;
      }
    };
    List<ArrayValue> results = new ComputationEmitter(b, scratchMemory, destinations, entry, arguments)
        .onEachStep(() -> stepStarts.add(b.position()))
        .emit();
    stepStarts.add(b.position());
    emitRemainingResults(results, resultArrays);
    b.retVoid();
    assignSlots();
    ir.addFunction(b.functionText("define internal void " + KERNEL + "(" + String.join(", ", kernelParams) + ") "
        + IrModule.KERNEL_ATTRIBUTES));
    ExecutableSignature signature = new ExecutableSignature(parameterNames,
        params.stream().map(Instruction::shape).toList(), entry.root().shape(), leafShapes);
    KernelEntry.Abi abi = new KernelEntry.Abi(params.size(), leafShapes.size(), scratch, signature.hasDynamicRows());
    ir.addFunction(aotSymbol == null ? KernelEntry.jitTrampoline(abi) : KernelEntry.aotFunction(abi, aotSymbol));
    return new KernelIr(ir.text(), signature, abi);
  }

  /**
   * One temporary for the GEMM's packed panels, as large as the largest dot of any computation
   * needs ({@link DotEmitter#scratchBytes}) and shared by all (dots run one at a time); or
   * {@code null} when no dot uses the GEMM.
   */
  private IrValue gemmPacking() {
    long bytes = 0;
    for (Computation c : module.computations()) {
      for (Instruction instr : c.instructions()) {
        if (instr.opcode() == Opcode.DOT) {
          bytes = Math.max(bytes, DotEmitter.scratchBytes(instr));
        }
      }
    }
    return bytes == 0 ? null : allocateTemp("gemm.packing", Shape.array(ElementType.U8, Math.toIntExact(bytes))).pointer();
  }

  /** A temporary, {@code %tN} in the body until {@link #assignSlots} gives it a slot of the scratch memory. */
  private IrArray allocateTemp(String hint, Shape shape) {
    String name = "%t" + temporaries.size();
    temporaries.add(shape);
    return new IrArray(new IrValue("ptr", name), shape);
  }

  /**
   * Gives the temporaries slots of the scratch memory: those whose live ranges do not overlap
   * share one ({@link TemporaryLiveRanges}, {@link SlotPacker}, the rule buffer assignment packs
   * with). Each slot is one noalias kernel parameter {@code %sN}, and every temporary in it is
   * renamed to that parameter: temporaries that share memory must be seen by LLVM as one object,
   * or noalias would let it move one's accesses across the other's.
   */
  private void assignSlots() {
    List<String> names = new ArrayList<>();
    for (int t = 0; t < temporaries.size(); t++) {
      names.add("%t" + t);
    }
    List<TemporaryLiveRanges.Steps> steps = TemporaryLiveRanges.of(b.bodyText(),
        stepStarts.stream().mapToInt(Integer::intValue).toArray(), names);
    List<Integer> used = new ArrayList<>();
    List<SlotPacker.LiveRange> ranges = new ArrayList<>();
    for (int t = 0; t < temporaries.size(); t++) {
      if (steps.get(t) != null) {
        used.add(t);
        ranges.add(new SlotPacker.LiveRange(steps.get(t).first(), steps.get(t).last(),
            BufferSize.of(temporaries.get(t))));
      }
    }
    SlotPacker.Packing packing = SlotPacker.pack(ranges);
    for (BufferSize size : packing.slotSizes()) {
      int slot = scratch.add(size);
      kernelParams.add("ptr noalias " + (size.isDynamic() || size.fixedBytes() == 0 ? ""
          : "dereferenceable(" + size.fixedBytes() + ") ") + "%s" + slot);
    }
    Map<String, String> rename = new HashMap<>();
    for (int i = 0; i < used.size(); i++) {
      rename.put("%t" + used.get(i), "%s" + packing.slotOf()[i]);
    }
    b.rewriteBody(body -> TEMPORARY.matcher(body).replaceAll(m -> Matcher.quoteReplacement(rename.get(m.group()))));
  }

  /** A temporary's name in the body: {@code %t} and digits, not the start of a longer name. */
  private static final Pattern TEMPORARY = Pattern.compile("%t\\d+(?![A-Za-z0-9_.$-])");

  /** Writes the results no emitter wrote in place, one loop per distinct result dimensions. */
  private void emitRemainingResults(List<ArrayValue> results, IrArray[] resultArrays) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int j = 0; j < results.size(); j++) {
      ArrayValue v = results.get(j);
      if (v.buffer() == resultArrays[j]) {
        continue;
      }
      if (v.inMemory()) {
        ComputationEmitter.copy(b, v.buffer(), resultArrays[j]);
        continue;
      }
      groups.computeIfAbsent(Arrays.toString(v.shape().dimensions()), k -> new ArrayList<>()).add(j);
    }
    for (List<Integer> group : groups.values()) {
      int[] dims = results.get(group.get(0)).shape().dimensions();
      LoopEmitter.forEachIndex(b, "result", dims, index -> {
        for (int j : group) {
          resultArrays[j].store(b, index, results.get(j).at(b, index));
        }
      });
    }
  }

  /**
   * A kernel pointer parameter: no aliasing (checked by the caller), dereferenceable over the
   * array when its size is static.
   */
  private static String pointerParam(String name, Shape shape) {
    long bytes = shape.hasDynamicDimension() ? 0 : shape.byteSize();
    return "ptr noalias " + (bytes > 0 ? "dereferenceable(" + bytes + ") " : "") + name;
  }
}
