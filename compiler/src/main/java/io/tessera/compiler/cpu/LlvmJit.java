package io.tessera.compiler.cpu;

import static org.bytedeco.llvm.global.LLVM.LLVMContextCreate;
import static org.bytedeco.llvm.global.LLVM.LLVMContextDispose;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateMCJITCompilerForModule;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMGetFirstFunction;
import static org.bytedeco.llvm.global.LLVM.LLVMGetFunctionAddress;
import static org.bytedeco.llvm.global.LLVM.LLVMGetIntrinsicID;
import static org.bytedeco.llvm.global.LLVM.LLVMGetNamedFunction;
import static org.bytedeco.llvm.global.LLVM.LLVMGetNextFunction;
import static org.bytedeco.llvm.global.LLVM.LLVMGetValueName;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeMCJITCompilerOptions;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeAsmParser;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeAsmPrinter;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeTarget;
import static org.bytedeco.llvm.global.LLVM.LLVMInt32TypeInContext;
import static org.bytedeco.llvm.global.LLVM.LLVMIsDeclaration;
import static org.bytedeco.llvm.global.LLVM.LLVMLinkInMCJIT;
import static org.bytedeco.llvm.global.LLVM.LLVMLoadLibraryPermanently;
import static org.bytedeco.llvm.global.LLVM.LLVMPrintModuleToString;
import static org.bytedeco.llvm.global.LLVM.LLVMSearchForAddressOfSymbol;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.llvm.LlvmModules;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMExecutionEngineRef;
import org.bytedeco.llvm.LLVM.LLVMMCJITCompilerOptions;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * LLVM's JIT as the CPU backend uses it: parse IR text, verify it, optimize it with the new pass
 * manager ({@code default<O3>}) for the target machine, then generate machine code with MCJIT.
 *
 * <p>Every step that can fail reports through a return code that becomes a
 * {@link CompilationException}. What LLVM cannot report that way it aborts the process for, so
 * this class checks before code generation what would trigger that: every external function
 * the module calls must resolve in this process (libm).
 *
 * <p>Each compiled module gets its own {@code LLVMContext}, so compiles on different threads
 * share no LLVM state.
 */
final class LlvmJit {
  private LlvmJit() {}

  /** Name of the trampoline every kernel module defines: {@code i32 tessera_entry(i32, ptr)}. */
  static final String ENTRY = "tessera_entry";

  /**
   * Math functions LLVM lowers intrinsics to (and the libm functions emitters call); all must
   * resolve in this process for the backend to be available.
   */
  static final List<String> LIBM = List.of("expf", "exp", "logf", "log", "powf", "pow", "sinf", "sin", "cosf",
      "cos", "fmodf", "fmod", "roundevenf", "roundeven", "expm1f", "expm1", "log1pf", "log1p", "cbrtf", "cbrt", "tanhf",
      "tanh", "erff", "erf", "tanf", "tan", "atan2f", "atan2", "exp2f", "exp2", "log2f", "log2", "log10f", "log10",
      "memset", "memcpy", "memmove");

  private static volatile String initFailure;
  private static volatile boolean initialized;

  /** Initializes the native target, MCJIT and symbol lookup once per JVM; throws on failure. */
  static void initialize() {
    if (!initialized) {
      synchronized (LlvmJit.class) {
        if (!initialized && initFailure == null) {
          try {
            initializeNow();
            initialized = true;
          } catch (Throwable t) {
            initFailure = t.getClass().getSimpleName() + ": " + t.getMessage();
          }
        }
      }
    }
    if (!initialized) {
      throw new CompilationException("the LLVM JIT is not available: " + initFailure);
    }
  }

  /** Why the JIT cannot be used, or {@code null} when it can. */
  static String unavailableReason() {
    try {
      initialize();
      return null;
    } catch (CompilationException e) {
      return e.getMessage();
    }
  }

  private static void initializeNow() {
    LLVMLinkInMCJIT();
    if (LLVMInitializeNativeTarget() != 0 || LLVMInitializeNativeAsmPrinter() != 0
        || LLVMInitializeNativeAsmParser() != 0) {
      throw new IllegalStateException("LLVM has no native target for this machine");
    }
    // Makes the symbols of the process (libm, libc) visible to the JIT's symbol resolution.
    LLVMLoadLibraryPermanently((BytePointer) null);
    for (String symbol : LIBM) {
      Pointer p = LLVMSearchForAddressOfSymbol(symbol);
      if (p == null || p.isNull()) {
        throw new IllegalStateException("the C library function " + symbol + " is not loaded in this process");
      }
    }
  }

  /**
   * Parses, verifies, optimizes and JIT-compiles {@code irText} for {@code target}.
   *
   * @param name module name for messages
   * @return the compiled module, owning its LLVM context and engine
   */
  static JitModule compile(String name, String irText, HostTarget target, BackendOptions options) {
    initialize();
    LLVMContextRef context = LLVMContextCreate();
    LLVMModuleRef module = null;
    boolean owned = false; // once the engine owns the module, disposing the context is enough
    try {
      module = parse(context, name, irText);
      optimize(module, target, options);
      checkExternalSymbols(module);
      LLVMExecutionEngineRef engine = createEngine(module, options);
      owned = true;
      JitModule jit = new JitModule(context, engine, LLVMGetNamedFunction(module, ENTRY), LLVMInt32TypeInContext(context));
      // Generate and link the code now, so that compile time and errors belong to compile().
      if (LLVMGetFunctionAddress(engine, ENTRY) == 0) {
        jit.close();
        throw new CompilationException("LLVM did not generate " + ENTRY + " for module " + name);
      }
      return jit;
    } catch (RuntimeException e) {
      if (!owned) {
        if (module != null) {
          LLVMDisposeModule(module);
        }
        LLVMContextDispose(context);
      }
      throw e;
    }
  }

  /** Parses and verifies IR text. */
  static LLVMModuleRef parse(LLVMContextRef context, String name, String irText) {
    return LlvmModules.parse(context, name, irText);
  }

  static void optimize(LLVMModuleRef module, HostTarget target, BackendOptions options) {
    LLVMTargetMachineRef tm = target.createTargetMachine(options.optLevel());
    try {
      LlvmModules.optimize(module, tm, options.optLevel());
    } finally {
      LLVMDisposeTargetMachine(tm);
    }
  }

  /** MCJIT aborts the process on an unresolved symbol, so unresolved ones are reported here first. */
  private static void checkExternalSymbols(LLVMModuleRef module) {
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f != null && !f.isNull(); f = LLVMGetNextFunction(f)) {
      if (LLVMIsDeclaration(f) != 0 && LLVMGetIntrinsicID(f) == 0) {
        String symbol = LLVMGetValueName(f).getString();
        Pointer address = LLVMSearchForAddressOfSymbol(symbol);
        if (address == null || address.isNull()) {
          throw new CompilationException("the kernel calls " + symbol + ", which is not loaded in this process");
        }
      }
    }
  }

  private static LLVMExecutionEngineRef createEngine(LLVMModuleRef module, BackendOptions options) {
    LLVMMCJITCompilerOptions mcjit = new LLVMMCJITCompilerOptions();
    LLVMInitializeMCJITCompilerOptions(mcjit, mcjit.sizeof());
    mcjit.OptLevel(options.optLevel() == BackendOptions.OptLevel.O3 ? 3 : 2);
    LLVMExecutionEngineRef engine = new LLVMExecutionEngineRef();
    BytePointer error = new BytePointer((Pointer) null);
    if (LLVMCreateMCJITCompilerForModule(engine, module, mcjit, mcjit.sizeof(), error) != 0) {
      throw new CompilationException("LLVM could not create the JIT: " + HostTarget.takeString(error));
    }
    return engine;
  }

  /** The optimized IR of {@code irText} as LLVM prints it (for {@code hlo-opt --emit llvm}). */
  static String optimizedIr(String name, String irText, HostTarget target, BackendOptions options) {
    initialize();
    LLVMContextRef context = LLVMContextCreate();
    try {
      LLVMModuleRef module = parse(context, name, irText);
      try {
        optimize(module, target, options);
        return HostTarget.takeString(LLVMPrintModuleToString(module));
      } finally {
        LLVMDisposeModule(module);
      }
    } finally {
      LLVMContextDispose(context);
    }
  }
}
