package io.tessera.compiler.gpu;

import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrValue;
import java.util.List;

/**
 * The target part of a kernel: how it is declared and where a thread learns its place in the
 * launch grid. Everything between (the grid-stride loop and the elemental body) is the same for
 * the device ({@link #NVPTX}) and for the host emulation ({@link #EMULATED}), so a kernel checked
 * on the host is the kernel the device runs, but for these reads.
 *
 * <p>Kernels are one-dimensional: x only.
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
  };

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

  /** The start of a kernel's definition, up to its parameter list. */
  abstract String definition(String name);

  /** Parameters after the buffers. */
  abstract List<String> extraParameters();

  /** The value of register {@code r} as an {@code i32}. */
  abstract IrValue read(IrBuilder b, Register r);
}
