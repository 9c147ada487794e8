package io.tessera.compiler.gpu;

import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.LoopEmitter;
import java.util.List;
import java.util.function.Consumer;

/**
 * The target part of a kernel: how it is declared and where a thread learns its place in the
 * launch grid. Everything between (the grid-stride loop and the elemental body) is the same for
 * the device ({@link #NVPTX}) and for the host emulation ({@link #EMULATED}), so a kernel checked
 * on the host is the kernel the device runs, but for these reads.
 *
 * <p>Kernels are one-dimensional: x only. Reduction kernels also use block-shared memory, a
 * barrier and warp shuffles; the emulation runs them with one thread per block
 * ({@link HostEmulation}), where those are trivial. The tiled dot writes its barrier-separated
 * phases explicitly ({@link #forEachThread}), which the emulation runs for every thread of the
 * block before the next phase, as the barriers order them on the device.
 */
enum ThreadGrid {
  /**
   * The device: PTX special registers through NVVM intrinsics, and a {@code ptx_kernel}
   * function (LLVM 20's spelling of {@code nvvm.annotations} "kernel"). Pointer parameters stay
   * generic: NVPTX's argument lowering moves a kernel's pointer arguments to the global address
   * space itself.
   */
  NVPTX {
    @Override
    String definition(String name) {
      return "define ptx_kernel void @" + name;
    }

    @Override
    List<String> extraParameters() {
      return List.of();
    }

    @Override
    IrValue read(IrBuilder b, Register r) {
      return b.callExternal("i32", "llvm.nvvm.read.ptx.sreg." + r.ptx);
    }

    @Override
    IrValue sharedArray(IrModule ir, String name, String elementType, int count) {
      ir.addGlobal("@" + name + " = internal addrspace(3) global [" + count + " x " + elementType + "] undef, align 8");
      return new IrValue("ptr addrspace(3)", "@" + name);
    }

    @Override
    void barrier(IrBuilder b) {
      b.callExternal("void", "llvm.nvvm.barrier0");
    }

    /** The calling thread is the one thread the phase runs here. */
    @Override
    void forEachThread(IrBuilder b, Position at, Consumer<IrValue> body) {
      body.accept(at.thread());
    }

    /** A register (an alloca that mem2reg promotes): each thread has its own. */
    @Override
    PerThread perThread(IrBuilder b, String type, int threads) {
      IrValue slot = b.alloca(type);
      return (builder, thread) -> slot;
    }

    /** The value travels as 32-bit words: narrower integers widened, floats and 64-bit values split. */
    @Override
    IrValue shuffleDown(IrBuilder b, IrValue v, int offset, IrValue identity) {
      return switch (v.type()) {
        case "float" -> b.cast("bitcast", shuffleWord(b, b.cast("bitcast", v, "i32"), offset), "float");
        case "i32" -> shuffleWord(b, v, offset);
        case "i1", "i8", "i16" -> b.cast("trunc", shuffleWord(b, b.cast("zext", v, "i32"), offset), v.type());
        case "double", "i64" -> {
          IrValue bits = b.cast("bitcast", v, "i64");
          IrValue low = shuffleWord(b, b.cast("trunc", bits, "i32"), offset);
          IrValue high = shuffleWord(b, b.cast("trunc", b.binop("lshr", bits, IrValue.i64(32)), "i32"), offset);
          IrValue joined = b.or(b.cast("zext", low, "i64"), b.binop("shl", b.cast("zext", high, "i64"), IrValue.i64(32)));
          yield b.cast("bitcast", joined, v.type());
        }
        default -> throw new IllegalArgumentException("no warp shuffle of " + v.type());
      };
    }

    /** {@code shfl.sync.down.b32} over the full warp; lanes past 31 read their own value (clamp 31). */
    private IrValue shuffleWord(IrBuilder b, IrValue word, int offset) {
      return b.callExternal("i32", "llvm.nvvm.shfl.sync.down.i32", IrValue.i32(-1), word, IrValue.i32(offset),
          IrValue.i32(31));
    }
  },

  /**
   * The host: an ordinary internal function that takes the four register values as arguments,
   * called by a driver that loops over every block and thread of the grid ({@link HostEmulation}).
   */
  EMULATED {
    @Override
    String definition(String name) {
      return "define internal void @" + name;
    }

    @Override
    List<String> extraParameters() {
      return java.util.Arrays.stream(Register.values()).map(r -> "i32 %" + r.ptx).toList();
    }

    @Override
    IrValue read(IrBuilder b, Register r) {
      return new IrValue("i32", "%" + r.ptx);
    }

    /** One array for the whole grid: blocks run one after another, each done with it before the next. */
    @Override
    IrValue sharedArray(IrModule ir, String name, String elementType, int count) {
      ir.addGlobal("@" + name + " = internal global [" + count + " x " + elementType + "] zeroinitializer, align 8");
      return new IrValue("ptr", "@" + name);
    }

    /**
     * Nothing to wait for: a row reduction runs one thread per block, and a kernel with phases
     * ({@link #forEachThread}) has run every thread of its block through the phase before it
     * reaches the barrier.
     */
    @Override
    void barrier(IrBuilder b) {
    }

    /** Every thread of the block in turn: one phase of the block, between two barriers. */
    @Override
    void forEachThread(IrBuilder b, Position at, Consumer<IrValue> body) {
      LoopEmitter.forRange(b, "thread", at.blockSize(), body);
    }

    /** One slot per thread of the block, in an array, so values survive from one phase to the next. */
    @Override
    PerThread perThread(IrBuilder b, String type, int threads) {
      IrValue slots = b.alloca("[" + threads + " x " + type + "]");
      return (builder, thread) -> builder.gep(type, slots, thread);
    }

    /** A warp of one thread: no other lane, so the combination's identity. */
    @Override
    IrValue shuffleDown(IrBuilder b, IrValue v, int offset, IrValue identity) {
      return identity;
    }
  };

  /** A variable each thread of a block has its own copy of. */
  interface PerThread {
    /** A pointer to {@code thread}'s copy. */
    IrValue at(IrBuilder b, IrValue thread);
  }

  /** The registers a grid-stride loop reads, with their PTX names. */
  enum Register {
    /** The thread's index in its block. */
    TID("tid.x"),
    /** Threads per block. */
    NTID("ntid.x"),
    /** The block's index in the grid. */
    CTAID("ctaid.x"),
    /** Blocks in the grid. */
    NCTAID("nctaid.x");

    final String ptx;

    Register(String ptx) {
      this.ptx = ptx;
    }
  }

  /**
   * Where the calling thread is, as {@code i64} values: its index in the block, the block's size,
   * the block's index in the grid and the grid's size in blocks.
   */
  record Position(IrValue thread, IrValue blockSize, IrValue block, IrValue blocks) {}

  /** Reads the thread's {@link Position}. */
  Position position(IrBuilder b) {
    return new Position(b.cast("zext", read(b, Register.TID), "i64"), b.cast("zext", read(b, Register.NTID), "i64"),
        b.cast("zext", read(b, Register.CTAID), "i64"), b.cast("zext", read(b, Register.NCTAID), "i64"));
  }

  /** The start of a kernel's definition, up to its parameter list. */
  abstract String definition(String name);

  /** Parameters after the buffers. */
  abstract List<String> extraParameters();

  /** The value of register {@code r} as an {@code i32}. */
  abstract IrValue read(IrBuilder b, Register r);

  /** Defines a block-shared array {@code @name} of {@code count} elements; returns a pointer to it. */
  abstract IrValue sharedArray(IrModule ir, String name, String elementType, int count);

  /** Waits until every thread of the block is here and sees the others' shared-memory writes. */
  abstract void barrier(IrBuilder b);

  /**
   * Runs {@code body} (given the thread's index in the block) for the threads of the calling
   * block, as one phase of a kernel whose blocks synchronize at barriers: on the device each
   * thread runs its own part, the emulation runs the part of every thread of the block in turn
   * ({@link HostEmulation}). Code outside phases must be the same for every thread of a block
   * (loop bounds from the block's index only), and values pass from one phase to the next only
   * through {@link #perThread} variables and shared memory.
   */
  abstract void forEachThread(IrBuilder b, Position at, Consumer<IrValue> body);

  /** A variable of {@code type} for each of up to {@code threads} threads of the block, kept across phases. */
  abstract PerThread perThread(IrBuilder b, String type, int threads);

  /**
   * The value {@code v} of the lane {@code offset} above this one in the warp
   * ({@code __shfl_down_sync} over the full warp); {@code identity} is what the reduction would
   * combine for a missing lane.
   */
  abstract IrValue shuffleDown(IrBuilder b, IrValue v, int offset, IrValue identity);
}
