package io.tessera.compiler.cpu;

import static org.bytedeco.llvm.global.LLVM.LLVMContextDispose;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateGenericValueOfInt;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateGenericValueOfPointer;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeExecutionEngine;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeGenericValue;
import static org.bytedeco.llvm.global.LLVM.LLVMGenericValueToInt;
import static org.bytedeco.llvm.global.LLVM.LLVMRunFunction;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMExecutionEngineRef;
import org.bytedeco.llvm.LLVM.LLVMGenericValueRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * A JIT-compiled kernel module: its LLVM context, the MCJIT engine that owns the code, and the
 * trampoline {@code i32 tessera_entry(i32 argc, ptr argv)}.
 *
 * <p>Java 17 cannot call a native function pointer without JNI, but MCJIT's
 * {@code LLVMRunFunction} calls functions of exactly the signature {@code i32 (i32, ptr)}
 * directly (measured: about 1 µs per call), so every kernel is reached through that trampoline,
 * which unpacks {@code argv} (an array of 64-bit words: buffer addresses) and calls the kernel.
 *
 * <p>Thread-safety: {@link #call} may run on many threads at once (MCJIT looks the function up
 * under its own lock, then calls it unlocked); {@link #close} must not overlap any call, which
 * {@link CpuExecutable} guarantees.
 */
final class JitModule implements AutoCloseable {
  private final LLVMContextRef context;
  private final LLVMExecutionEngineRef engine;
  private final LLVMValueRef entry;
  private final LLVMTypeRef i32;
  private boolean closed;

  JitModule(LLVMContextRef context, LLVMExecutionEngineRef engine, LLVMValueRef entry, LLVMTypeRef i32) {
    this.context = context;
    this.engine = engine;
    this.entry = entry;
    this.i32 = i32;
  }

  /**
   * Runs the trampoline on {@code argv} ({@code argc} words); {@code args} is a two-slot pointer
   * array the caller owns (reused across calls). Returns the kernel's status (0 on success).
   */
  int call(LongPointer argv, int argc, PointerPointer<?> args) {
    LLVMGenericValueRef count = LLVMCreateGenericValueOfInt(i32, argc, 0);
    LLVMGenericValueRef vector = LLVMCreateGenericValueOfPointer(argv);
    try {
      args.put(0, count).put(1, vector);
      LLVMGenericValueRef result = LLVMRunFunction(engine, entry, 2, args);
      int status = (int) LLVMGenericValueToInt(result, 1);
      LLVMDisposeGenericValue(result);
      return status;
    } finally {
      LLVMDisposeGenericValue(count);
      LLVMDisposeGenericValue(vector);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LLVMDisposeExecutionEngine(engine); // also frees the module and its code
      LLVMContextDispose(context);
    }
  }
}
