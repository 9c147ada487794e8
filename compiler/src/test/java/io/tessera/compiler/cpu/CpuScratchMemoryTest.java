package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.pass.BufferAssignment;
import io.tessera.compiler.pass.Pipelines;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU kernel's scratch memory: temporaries whose live ranges do not overlap share memory, a
 * dot's epilogue ({@code kOutput} fusion) runs in place in the dot's output (inside the GEMM, on
 * each block as it is finished), and so a fused model
 * needs what buffer assignment says plus the GEMM's packing panels, and no more. Every module is
 * also checked against the interpreter, since memory that is shared too eagerly gives wrong numbers.
 */
class CpuScratchMemoryTest {
  private static final InterpreterBackend INTERPRETER = new InterpreterBackend();

  private static final String MLP = """
      HloModule mlp3
      ENTRY e {
        x = f32[%1$s,64] parameter(0)
        w1 = f32[64,128] parameter(1)
        b1 = f32[128] parameter(2)
        w2 = f32[128,64] parameter(3)
        b2 = f32[64] parameter(4)
        w3 = f32[64,10] parameter(5)
        b3 = f32[10] parameter(6)
        zero = f32[] constant(0)
        d1 = f32[%1$s,128] dot(x, w1), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bb1 = f32[%1$s,128] broadcast(b1), dimensions={1}
        z1 = f32[%1$s,128] add(d1, bb1)
        zb1 = f32[%1$s,128] broadcast(zero), dimensions={}
        h1 = f32[%1$s,128] maximum(z1, zb1)
        d2 = f32[%1$s,64] dot(h1, w2), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bb2 = f32[%1$s,64] broadcast(b2), dimensions={1}
        z2 = f32[%1$s,64] add(d2, bb2)
        zb2 = f32[%1$s,64] broadcast(zero), dimensions={}
        h2 = f32[%1$s,64] maximum(z2, zb2)
        d3 = f32[%1$s,10] dot(h2, w3), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bb3 = f32[%1$s,10] broadcast(b3), dimensions={1}
        ROOT r = f32[%1$s,10] add(d3, bb3)
      }
      """;

  @Test
  void fusedMlpNeedsWhatBufferAssignmentSaysPlusGemmPanels() {
    for (String rows : new String[] {"512", "?"}) {
      Module original = HloParser.parse(MLP.formatted(rows));
      Module optimized = HloParser.parse(MLP.formatted(rows));
      Pipelines.cpuDefault().run(optimized);
      BufferAssignment assignment = BufferAssignment.assign(optimized);
      long panels = ScratchLayout.align(gemmPanels(optimized));
      try (Executable exe = Oracle.CPU.compile(optimized)) {
        for (int n : new int[] {0, 1, 512, 1000}) {
          if (!rows.equals("?") && n != 512) {
            continue;
          }
          long assigned = assignment.temporaryBytes(n);
          assertTrue(n == 0 || assigned > 0, "layer outputs are temporaries");
          assertEquals(assigned + panels, exe.scratchBytes(n), rows + " rows, called with " + n);
        }
        checkAgainstInterpreter(original, exe, rows.equals("?") ? new int[] {0, 1, 77, 1000} : new int[] {512});
      }
    }
  }

  @Test
  void temporariesWithDisjointLiveRangesShareMemory() {
    // Four dots in a chain, each operand an expensive function of the previous dot (computed once
    // into memory): eight temporaries of 64 KiB, at most three of them alive at any one time.
    StringBuilder text = new StringBuilder("HloModule chain\nENTRY e {\n  x = f32[128,128] parameter(0)\n"
        + "  w = f32[128,128] parameter(1)\n  h0 = f32[128,128] tanh(x)\n");
    for (int k = 1; k <= 4; k++) {
      text.append("  d").append(k).append(" = f32[128,128] dot(h").append(k - 1)
          .append(", w), lhs_contracting_dims={1}, rhs_contracting_dims={0}\n");
      text.append("  h").append(k).append(" = f32[128,128] tanh(d").append(k).append(")\n");
    }
    text.append("  ROOT r = f32[128,128] add(h4, h3)\n}\n");
    Module module = HloParser.parse(text.toString());
    try (Executable exe = Oracle.CPU.compile(module)) {
      long array = 128 * 128 * 4;
      long scratch = exe.scratchBytes(Executable.STATIC_SHAPES) - ScratchLayout.align(gemmPanels(module));
      assertTrue(scratch <= 3 * array, "expected at most three arrays of temporaries, got " + scratch + " bytes");
      checkAgainstInterpreter(module, exe, new int[] {128});
    }
  }

  @Test
  void dotEpiloguesRunInPlaceWhenTheyReadTheDotElementwise() {
    String[] inPlace = {
        // bias and ReLU
        "b = f32[40] parameter(2)\n  bb = f32[33,40] broadcast(b), dimensions={1}\n  z = f32[33,40] add(d, bb)\n"
            + "  c = f32[] constant(0)\n  cb = f32[33,40] broadcast(c), dimensions={}\n"
            + "  ROOT r = f32[33,40] maximum(z, cb)",
        // the dot read twice: x * logistic(x)
        "s = f32[33,40] logistic(d)\n  ROOT r = f32[33,40] multiply(d, s)"};
    String[] notInPlace = {
        // a transpose reads other elements of the dot than it writes
        "t = f32[40,33] transpose(d), dimensions={1,0}\n  ROOT r = f32[40,33] negate(t)",
        // another element type: the dot's f32 values do not fit an f64 buffer
        "ROOT r = f64[33,40] convert(d)"};
    for (String epilogue : inPlace) {
      checkEpilogue(epilogue, true);
    }
    for (String epilogue : notInPlace) {
      checkEpilogue(epilogue, false);
    }
  }

  private static void checkEpilogue(String epilogue, boolean inPlace) {
    String text = "HloModule m\nENTRY e {\n  x = f32[33,50] parameter(0)\n  w = f32[50,40] parameter(1)\n"
        + "  d = f32[33,40] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}\n  " + epilogue + "\n}\n";
    Module optimized = HloParser.parse(text);
    Pipelines.cpuDefault().run(optimized);
    Instruction root = optimized.entry().root();
    if (inPlace) {
      assertEquals(Opcode.FUSION, root.opcode(), "the fuse pass makes a kOutput fusion of\n" + optimized);
      assertNotNull(OutputFusions.inPlaceDot(root), epilogue);
    } else if (root.opcode() == Opcode.FUSION) {
      assertNull(OutputFusions.inPlaceDot(root), epilogue);
    }
    if (inPlace) {
      String ir = Oracle.CPU.emitLlvmIr(optimized, BackendOptions.defaults(), false);
      assertTrue(ir.contains("gemm.epilogue"), "the GEMM applies the epilogue to each finished block: " + epilogue);
    }
    try (Executable exe = Oracle.CPU.compile(optimized)) {
      if (inPlace) {
        assertEquals(ScratchLayout.align(gemmPanels(optimized)), exe.scratchBytes(Executable.STATIC_SHAPES),
            "the dot writes the result buffer, so only the GEMM's panels are scratch: " + epilogue);
      }
      checkAgainstInterpreter(HloParser.parse(text), exe, new int[] {33});
    }
  }

  /** The packing panels the GEMM of the largest dot of {@code module} needs (shared by all dots). */
  private static long gemmPanels(Module module) {
    long bytes = 0;
    for (var c : module.computations()) {
      for (Instruction i : c.instructions()) {
        if (i.opcode() == Opcode.DOT) {
          bytes = Math.max(bytes, DotEmitter.scratchBytes(i));
        }
      }
    }
    return bytes;
  }

  /** Runs {@code exe} and the interpreter on {@code reference} with seeded values, for each row count. */
  private static void checkAgainstInterpreter(Module reference, Executable exe, int[] rowCounts) {
    try (Executable interpreter = INTERPRETER.compile(reference)) {
      for (int rows : rowCounts) {
        List<Literal> args = Oracle.uniformArguments(reference, rows, new Random(rows));
        Oracle.assertClose(interpreter.run(args), exe.run(args), Oracle.Tolerance.sums(1e-5, 1e-3),
            reference.name() + ", " + rows + " rows");
      }
    }
  }
}
