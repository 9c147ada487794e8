package io.tessera.compiler.cpu;

import io.tessera.compiler.llvm.IrModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The exported functions around the internal kernel
 * {@code void tessera_kernel(i64 rows, ptr params.., ptr results.., ptr temps..)}:
 *
 * <ul>
 *   <li>for the JIT, {@code i32 tessera_entry(i32 argc, ptr argv)}, the one signature
 *       {@code LLVMRunFunction} calls from Java ({@link JitModule}); {@code argv} holds 64-bit
 *       words: the row count, the parameter addresses, the result addresses, the scratch address;
 *   <li>for ahead-of-time objects, the C function
 *       {@code int32_t NAME(int64_t rows, const void* const* params, void* const* results, void* scratch)}
 *       that {@link CHeaderWriter} declares.
 * </ul>
 *
 * Both check what native code can check (argc, a negative row count of a dynamic module), place
 * the slots of temporaries in the scratch buffer as {@link ScratchLayout} says, and call the kernel.
 */
final class KernelEntry {
  private KernelEntry() {}

  static final int STATUS_OK = 0;
  /** The JIT trampoline got a different number of argv words than the kernel takes. */
  static final int STATUS_BAD_ARGC = 1;
  /** A module with a dynamic leading dimension was called with a negative row count. */
  static final int STATUS_BAD_ROWS = 2;

  /**
   * What calling the kernel takes.
   *
   * @param parameters number of parameter buffers
   * @param results number of result buffers
   * @param scratch where the temporaries go
   * @param dynamicRows whether some shape has a dynamic leading dimension
   */
  record Abi(int parameters, int results, ScratchLayout scratch, boolean dynamicRows) {
    /** argv words of the JIT trampoline: rows, parameters, results, scratch. */
    int argc() {
      return 1 + parameters + results + 1;
    }
  }

  /** {@code i32 tessera_entry(i32 argc, ptr argv)}: returns {@link #STATUS_BAD_ARGC} on a wrong argc. */
  static String jitTrampoline(Abi abi) {
    Body body = new Body("define i32 @" + LlvmJit.ENTRY + "(i32 %argc, ptr %argv) " + IrModule.KERNEL_ATTRIBUTES);
    body.line("%argc.ok = icmp eq i32 %argc, " + abi.argc());
    body.check("%argc.ok", STATUS_BAD_ARGC);
    body.line("%rows = load i64, ptr %argv, align 8");
    int word = 1;
    for (int i = 0; i < abi.parameters() + abi.results(); i++, word++) {
      body.args.add("ptr " + argvPointer(body, "%a" + word, word));
    }
    String scratch = abi.scratch().count() > 0 ? argvPointer(body, "%scratch", word) : null;
    return body.finish(abi, scratch);
  }

  /**
   * {@code i32 NAME(i64 rows, ptr params, ptr results, ptr scratch)}: the entry of an
   * ahead-of-time object, an ordinary C function with external linkage.
   */
  static String aotFunction(Abi abi, String symbol) {
    Body body = new Body("define i32 @" + symbol + "(i64 %rows, ptr %params, ptr %results, ptr %scratch) "
        + IrModule.KERNEL_ATTRIBUTES);
    for (int i = 0; i < abi.parameters(); i++) {
      body.args.add("ptr " + arrayPointer(body, "%p" + i, "%params", i));
    }
    for (int j = 0; j < abi.results(); j++) {
      body.args.add("ptr " + arrayPointer(body, "%r" + j, "%results", j));
    }
    return body.finish(abi, abi.scratch().count() > 0 ? "%scratch" : null);
  }

  private static String argvPointer(Body body, String name, int word) {
    body.line(name + ".slot = getelementptr inbounds i64, ptr %argv, i64 " + word);
    body.line(name + ".word = load i64, ptr " + name + ".slot, align 8");
    body.line(name + " = inttoptr i64 " + name + ".word to ptr");
    return name;
  }

  private static String arrayPointer(Body body, String name, String array, int index) {
    body.line(name + ".slot = getelementptr inbounds ptr, ptr " + array + ", i64 " + index);
    body.line(name + " = load ptr, ptr " + name + ".slot, align 8");
    return name;
  }

  /** The text of one entry function under construction. */
  private static final class Body {
    final StringBuilder sb = new StringBuilder();
    final List<String> args = new ArrayList<>();
    private int checks;

    Body(String signature) {
      sb.append(signature).append(" {\nentry:\n");
    }

    void line(String text) {
      sb.append("  ").append(text).append('\n');
    }

    /** Returns {@code status} unless {@code ok} (an i1) holds. */
    void check(String ok, int status) {
      String fail = "fail." + checks;
      String pass = "pass." + checks++;
      line("br i1 " + ok + ", label %" + pass + ", label %" + fail);
      sb.append(fail).append(":\n");
      line("ret i32 " + status);
      sb.append(pass).append(":\n");
    }

    /** Checks the row count, places the temporaries, calls the kernel and returns 0. */
    String finish(Abi abi, String scratch) {
      if (abi.dynamicRows()) {
        line("%rows.ok = icmp sge i64 %rows, 0");
        check("%rows.ok", STATUS_BAD_ROWS);
      }
      List<String> temps = new ArrayList<>();
      String next = Long.toString(abi.scratch().staticBytes()); // where the next dynamic temporary starts
      List<ScratchLayout.Slot> layout = abi.scratch().slots();
      for (int t = 0; t < layout.size(); t++) {
        ScratchLayout.Slot temp = layout.get(t);
        String offset = temp.dynamic() ? next : Long.toString(temp.offset());
        line("%t" + t + " = getelementptr inbounds i8, ptr " + scratch + ", i64 " + offset);
        temps.add("ptr %t" + t);
        if (temp.dynamic()) {
          // align(rows * rowBytes): the formula of ScratchLayout.bytes
          line("%t" + t + ".bytes = mul nuw nsw i64 %rows, " + temp.bytes());
          line("%t" + t + ".up = add nuw nsw i64 %t" + t + ".bytes, " + (ScratchLayout.ALIGN - 1));
          line("%t" + t + ".size = and i64 %t" + t + ".up, " + (-ScratchLayout.ALIGN));
          line("%t" + t + ".end = add nuw nsw i64 " + next + ", %t" + t + ".size");
          next = "%t" + t + ".end";
        }
      }
      List<String> all = new ArrayList<>();
      all.add("i64 %rows");
      all.addAll(args);
      all.addAll(temps);
      line("call void " + CpuKernelEmitter.KERNEL + "(" + String.join(", ", all) + ")");
      line("ret i32 " + STATUS_OK);
      sb.append("}\n");
      return sb.toString();
    }
  }
}
