package io.tessera.compiler.cpu;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the entry computation of a module into one LLVM IR module with two functions:
 *
 * <ul>
 *   <li>{@code tessera_kernel(i64 %rows, ptr noalias %p0.., ptr noalias %r0.., ptr noalias %t0..)}:
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
 * <p>Fusion and buffers: every elementwise and data-movement instruction is computed elementally
 * inside the loop of the instruction that consumes it, so only these live in memory: parameters,
 * the results, the outputs of {@code reduce} and {@code dot}, and the operands of {@code dot}
 * (read many times each, so computed once into a buffer). A reduce or dot whose output is a
 * result writes straight into the caller's result buffer. The other ones ("temporaries") get
 * 64-byte-aligned slices of one scratch buffer per call, which {@link CpuExecutable} keeps per
 * concurrent caller and reuses, so a call allocates nothing. Results of equal dimensions that are
 * not written by a reduce or dot are computed in one shared loop (XLA's multi-output fusion).
 */
final class CpuKernelEmitter {

  /** The IR of a compiled module and what calling it needs. */
  record KernelIr(String text, ExecutableSignature signature, KernelEntry.Abi abi) {}

  /** One array value: an array-shaped instruction (index 0) or output {@code index} of a tuple-shaped reduce. */
  private record Output(Instruction instr, int index) {
    Shape shape() {
      return instr.shape().isTuple() ? instr.shape().tupleShape(index) : instr.shape();
    }
  }

  static final String KERNEL = "@tessera_kernel";
  private static final String FAST_MATH_FLAGS = "reassoc nsz arcp contract afn";

  private final Computation entry;
  private final IrModule ir;
  private final IrBuilder b;
  private final Map<Output, IrArray> buffers = new HashMap<>();
  private final Set<Output> available = new HashSet<>();
  private final ElementalEmitter elemental;

  private CpuKernelEmitter(Module module, HostTarget target) {
    this.entry = module.entry();
    this.ir = new IrModule(module.name());
    if (target != null) {
      ir.setTarget(target.triple(), target.dataLayout());
      ir.setTargetAttributes(target.functionAttributes());
    }
    this.b = new IrBuilder(ir);
    this.elemental = new ElementalEmitter(b, this::source);
  }

  /**
   * Emits the kernel of {@code module}'s entry computation with the JIT's trampoline.
   *
   * @param target the CPU to tune for, or {@code null} to emit target-independent IR
   * @throws CompilationException for anything the backend does not support yet
   */
  static KernelIr emit(Module module, HostTarget target, BackendOptions options) {
    return new CpuKernelEmitter(module, target).emitKernel(options, null);
  }

  /**
   * Emits the kernel of {@code module}'s entry computation with the C entry function
   * {@code symbol} of an ahead-of-time object ({@link KernelEntry#aotFunction}).
   */
  static KernelIr emitAot(Module module, HostTarget target, BackendOptions options, String symbol) {
    return new CpuKernelEmitter(module, target).emitKernel(options, symbol);
  }

  private KernelIr emitKernel(BackendOptions options, String aotSymbol) {
    b.setFpFlags(options.fastMath() ? FAST_MATH_FLAGS : "");
    b.setRowCount(new IrValue("i64", "%rows"));
    List<Instruction> reachable = reachableInOrder();
    CpuSupport.check(reachable);
    List<Instruction> params = entry.parameters();
    List<Output> leaves = new ArrayList<>();
    flatten(entry.root(), leaves);
    Set<Output> materialized = plan(reachable);

    List<String> kernelParams = new ArrayList<>();
    kernelParams.add("i64 %rows");
    List<String> parameterNames = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Instruction p = params.get(i);
      if (p.parameterNumber() != i) {
        throw new CompilationException("the entry's parameters are not numbered 0.." + (params.size() - 1)
            + ": %" + p.name() + " is parameter " + p.parameterNumber());
      }
      Output o = new Output(p, 0);
      buffers.put(o, new IrArray(new IrValue("ptr", "%p" + i), p.shape()));
      available.add(o);
      kernelParams.add(pointerParam("%p" + i, p.shape()));
      parameterNames.add(p.name());
    }
    IrArray[] resultArrays = new IrArray[leaves.size()];
    boolean[] written = new boolean[leaves.size()];
    for (int j = 0; j < leaves.size(); j++) {
      Output o = leaves.get(j);
      resultArrays[j] = new IrArray(new IrValue("ptr", "%r" + j), o.shape());
      kernelParams.add(pointerParam("%r" + j, o.shape()));
      if (materialized.contains(o) && !buffers.containsKey(o)) {
        buffers.put(o, resultArrays[j]);
        written[j] = true;
      }
    }
    ScratchLayout scratch = new ScratchLayout();
    for (Output o : materialized) {
      if (!buffers.containsKey(o)) {
        String name = "%t" + scratch.add(o.shape());
        buffers.put(o, new IrArray(new IrValue("ptr", name), o.shape()));
        kernelParams.add(pointerParam(name, o.shape()));
      }
    }

    for (Instruction instr : reachable) {
      emitMaterialized(instr, materialized);
    }
    emitRemainingResults(leaves, resultArrays, written);
    b.retVoid();
    ir.addFunction(b.functionText("define internal void " + KERNEL + "(" + String.join(", ", kernelParams) + ") "
        + IrModule.KERNEL_ATTRIBUTES));
    List<Shape> leafShapes = leaves.stream().map(Output::shape).toList();
    ExecutableSignature signature = new ExecutableSignature(parameterNames,
        params.stream().map(Instruction::shape).toList(), entry.root().shape(), leafShapes);
    KernelEntry.Abi abi = new KernelEntry.Abi(params.size(), leaves.size(), scratch, signature.hasDynamicRows());
    ir.addFunction(aotSymbol == null ? KernelEntry.jitTrampoline(abi) : KernelEntry.aotFunction(abi, aotSymbol));
    return new KernelIr(ir.text(), signature, abi);
  }

  // ---- planning ------------------------------------------------------------------------------

  /** Instructions the root depends on, in definition order. */
  private List<Instruction> reachableInOrder() {
    Set<Instruction> seen = new HashSet<>();
    Deque<Instruction> work = new ArrayDeque<>();
    work.push(entry.root());
    while (!work.isEmpty()) {
      Instruction i = work.pop();
      if (seen.add(i)) {
        i.operands().forEach(work::push);
      }
    }
    // Parameters always count, used or not: callers pass a buffer for each.
    seen.addAll(entry.parameters());
    return entry.instructions().stream().filter(seen::contains).toList();
  }

  /** Array values that live in memory, in definition order. */
  private Set<Output> plan(List<Instruction> reachable) {
    Set<Output> materialized = new LinkedHashSet<>();
    for (Instruction instr : reachable) {
      if (instr.opcode() == Opcode.REDUCE) {
        int outputs = instr.shape().isTuple() ? instr.shape().tupleShapes().size() : 1;
        for (int k = 0; k < outputs; k++) {
          materialized.add(new Output(instr, k));
        }
      } else if (instr.opcode() == Opcode.DOT) {
        for (Instruction operand : instr.operands()) {
          Output o = resolve(operand);
          Opcode op = o.instr().opcode();
          if (op != Opcode.PARAMETER && op != Opcode.CONSTANT && !materialized.contains(o)) {
            materialized.add(o);
          }
        }
        materialized.add(new Output(instr, 0));
      }
    }
    return materialized;
  }

  /** The array value an instruction denotes, looking through get-tuple-element. */
  private static Output resolve(Instruction instr) {
    if (instr.opcode() != Opcode.GET_TUPLE_ELEMENT) {
      return new Output(instr, 0);
    }
    int k = Math.toIntExact(instr.requireAttr(Attr.INDEX));
    Output base = resolve(instr.operand(0));
    Instruction t = base.instr();
    if (t.opcode() == Opcode.TUPLE) {
      if (k < 0 || k >= t.operandCount()) {
        throw new CompilationException("%" + instr.name() + ": tuple index " + k + " out of range");
      }
      return resolve(t.operand(k));
    }
    if (t.shape().isTuple() && base.index() == 0 && k >= 0 && k < t.shape().tupleShapes().size()) {
      return new Output(t, k);
    }
    throw new CompilationException("%" + instr.name() + " takes element " + k + " of %" + t.name() + " of shape " + t.shape());
  }

  /** The result's leaves in order: one array value per result buffer. */
  private static void flatten(Instruction instr, List<Output> out) {
    Output o = resolve(instr);
    Instruction t = o.instr();
    if (t.opcode() == Opcode.TUPLE) {
      for (Instruction op : t.operands()) {
        flatten(op, out);
      }
    } else if (t.shape().isTuple() && instr.opcode() != Opcode.GET_TUPLE_ELEMENT) {
      for (int k = 0; k < t.shape().tupleShapes().size(); k++) {
        out.add(new Output(t, k));
      }
    } else {
      out.add(o);
    }
  }

  // ---- emission ------------------------------------------------------------------------------

  /** What the elemental emitter cannot compute: values already in memory. */
  private IrValue source(Instruction instr, IrIndex index) {
    Output o = instr.opcode() == Opcode.GET_TUPLE_ELEMENT ? resolve(instr) : new Output(instr, 0);
    if (available.contains(o)) {
      return buffers.get(o).load(b, index);
    }
    if (o.instr() != instr) {
      return elemental.emit(o.instr(), index); // get-tuple-element of a tuple instruction
    }
    return null;
  }

  private void emitMaterialized(Instruction instr, Set<Output> materialized) {
    switch (instr.opcode()) {
      case PARAMETER -> { }
      case REDUCE -> {
        int outputs = instr.shape().isTuple() ? instr.shape().tupleShapes().size() : 1;
        List<IrArray> arrays = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
          arrays.add(buffers.get(new Output(instr, k)));
        }
        ReduceEmitter.emit(b, elemental, instr, arrays);
        for (int k = 0; k < outputs; k++) {
          available.add(new Output(instr, k));
        }
      }
      case DOT -> {
        Output o = new Output(instr, 0);
        DotEmitter.emit(b, instr, operandArray(instr.operand(0)), operandArray(instr.operand(1)), buffers.get(o));
        available.add(o);
      }
      default -> {
        Output o = new Output(instr, 0);
        if (materialized.contains(o)) {
          IrArray target = buffers.get(o);
          LoopEmitter.forEachIndex(b, instr.name(), o.shape().dimensions(),
              index -> target.store(b, index, elemental.emit(instr, index)));
          available.add(o);
        }
      }
    }
  }

  /** A dot operand in memory: a parameter, a materialized value, or a constant's global. */
  private IrArray operandArray(Instruction operand) {
    Output o = resolve(operand);
    if (available.contains(o)) {
      return buffers.get(o);
    }
    if (o.instr().opcode() == Opcode.CONSTANT) {
      Literal literal = o.instr().attr(Attr.LITERAL);
      if (literal == null) {
        throw new CompilationException("constant %" + o.instr().name() + " is elided ({...}) in the text; give its values");
      }
      String global = ir.addConstantOnce(o.instr(), o.instr().name(), () -> LiteralBytes.toBytes(literal));
      return new IrArray(new IrValue("ptr", global), literal.shape());
    }
    throw new IllegalStateException("dot operand %" + operand.name() + " was not materialized");
  }

  /** Writes the results no reduce or dot wrote, one loop per distinct result dimensions. */
  private void emitRemainingResults(List<Output> leaves, IrArray[] resultArrays, boolean[] written) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int j = 0; j < leaves.size(); j++) {
      if (!written[j]) {
        groups.computeIfAbsent(Arrays.toString(leaves.get(j).shape().dimensions()), k -> new ArrayList<>()).add(j);
      }
    }
    for (List<Integer> group : groups.values()) {
      int[] dims = leaves.get(group.get(0)).shape().dimensions();
      LoopEmitter.forEachIndex(b, "result", dims, index -> {
        for (int j : group) {
          Output o = leaves.get(j);
          IrValue v = available.contains(o) ? buffers.get(o).load(b, index) : elemental.emit(o.instr(), index);
          resultArrays[j].store(b, index, v);
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
