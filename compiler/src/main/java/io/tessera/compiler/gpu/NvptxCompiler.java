package io.tessera.compiler.gpu;

import static org.bytedeco.llvm.global.LLVM.LLVMAssemblyFile;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelAggressive;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeModelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMContextCreate;
import static org.bytedeco.llvm.global.LLVM.LLVMContextDispose;
import static org.bytedeco.llvm.global.LLVM.LLVMCopyStringRepOfTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateMemoryBufferWithContentsOfFile;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetDataLayout;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeMemoryBuffer;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferSize;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferStart;
import static org.bytedeco.llvm.global.LLVM.LLVMGetFirstFunction;
import static org.bytedeco.llvm.global.LLVM.LLVMGetNextFunction;
import static org.bytedeco.llvm.global.LLVM.LLVMGetTargetFromTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMGetValueName;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNVPTXAsmPrinter;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNVPTXTarget;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNVPTXTargetInfo;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNVPTXTargetMC;
import static org.bytedeco.llvm.global.LLVM.LLVMInternalLinkage;
import static org.bytedeco.llvm.global.LLVM.LLVMIsDeclaration;
import static org.bytedeco.llvm.global.LLVM.LLVMLinkModules2;
import static org.bytedeco.llvm.global.LLVM.LLVMParseBitcodeInContext2;
import static org.bytedeco.llvm.global.LLVM.LLVMRelocDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMSetLinkage;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.llvm.IrModule;
import io.tessera.compiler.llvm.LlvmModules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;

/**
 * Kernel IR to PTX text, in memory, with LLVM's NVPTX target: parse, link libdevice when the
 * kernels call it, optimize ({@code default<O3>} with the NVPTX target machine, which also runs
 * {@code NVVMReflect} so libdevice's {@code __nvvm_reflect} branches fold), then print PTX for the
 * chosen {@code sm_XX}. Each compile has its own LLVM context.
 */
final class NvptxCompiler {
  static final String TRIPLE = "nvptx64-nvidia-cuda";
  /** The architecture when neither the options nor a device name one: Ampere, the oldest tensor-core generation in use. */
  static final String DEFAULT_ARCH = "sm_80";

  private static final Pattern ARCH = Pattern.compile("sm_[0-9]{2,3}[a-z]?");
  /** libdevice reads this flag through __nvvm_reflect: 0 keeps denormals (no flush to zero), as the CPU does. */
  private static final String MODULE_FLAGS = "\n!llvm.module.flags = !{!0}\n!0 = !{i32 4, !\"nvvm-reflect-ftz\", i32 0}\n";

  private static volatile boolean initialized;

  private NvptxCompiler() {}

  /** Checks the form of an architecture name such as {@code sm_80} or {@code sm_90a}. */
  static String checkArch(String arch) {
    if (!ARCH.matcher(arch).matches()) {
      throw new IllegalArgumentException("GPU architecture '" + arch + "' is not of the form sm_XX (e.g. sm_80, sm_90)");
    }
    return arch;
  }

  /** The PTX of {@code ir} for {@code arch}; sets the module's target first. */
  static String ptx(String name, IrModule ir, String arch, BackendOptions options, Optional<Path> libdevice) {
    initialize();
    LLVMTargetMachineRef tm = targetMachine(arch, options.optLevel());
    LLVMContextRef context = LLVMContextCreate();
    try {
      ir.setTarget(TRIPLE, dataLayout(tm));
      String text = ir.text();
      LLVMModuleRef module = LlvmModules.parse(context, name, text + MODULE_FLAGS);
      try {
        if (text.contains("@__nv_")) {
          link(context, module, libdevice.orElseThrow(() -> new CompilationException(
              "the kernels call libdevice, but no CUDA toolkit with " + Libdevice.RELATIVE_PATH + " was found")));
        }
        LlvmModules.optimize(module, tm, options.optLevel());
        return emit(tm, module);
      } finally {
        LLVMDisposeModule(module);
      }
    } finally {
      LLVMContextDispose(context);
      LLVMDisposeTargetMachine(tm);
    }
  }

  private static void initialize() {
    if (!initialized) {
      synchronized (NvptxCompiler.class) {
        LLVMInitializeNVPTXTargetInfo();
        LLVMInitializeNVPTXTarget();
        LLVMInitializeNVPTXTargetMC();
        LLVMInitializeNVPTXAsmPrinter();
        initialized = true;
      }
    }
  }

  private static LLVMTargetMachineRef targetMachine(String arch, BackendOptions.OptLevel level) {
    LLVMTargetRef target = new LLVMTargetRef();
    BytePointer error = new BytePointer((Pointer) null);
    if (LLVMGetTargetFromTriple(new BytePointer(TRIPLE), target, error) != 0) {
      throw new CompilationException("LLVM has no NVPTX target: " + LlvmModules.takeString(error));
    }
    int codeGen = level == BackendOptions.OptLevel.O3 ? LLVMCodeGenLevelAggressive : LLVMCodeGenLevelDefault;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, TRIPLE, checkArch(arch), "", codeGen, LLVMRelocDefault,
        LLVMCodeModelDefault);
    if (tm == null || tm.isNull()) {
      throw new CompilationException("LLVM could not create an NVPTX target machine for " + arch);
    }
    return tm;
  }

  private static String dataLayout(LLVMTargetMachineRef tm) {
    LLVMTargetDataRef data = LLVMCreateTargetDataLayout(tm);
    try {
      return LlvmModules.takeString(LLVMCopyStringRepOfTargetData(data));
    } finally {
      LLVMDisposeTargetData(data);
    }
  }

  /**
   * Links libdevice into {@code module} and makes its functions internal, so that optimization
   * inlines the ones called and drops the rest (the library has hundreds).
   */
  private static void link(LLVMContextRef context, LLVMModuleRef module, Path bitcode) {
    LLVMMemoryBufferRef buffer = new LLVMMemoryBufferRef();
    BytePointer error = new BytePointer((Pointer) null);
    if (LLVMCreateMemoryBufferWithContentsOfFile(new BytePointer(bitcode.toString()), buffer, error) != 0) {
      throw new CompilationException("cannot read libdevice " + bitcode + ": " + LlvmModules.takeString(error));
    }
    LLVMModuleRef library = new LLVMModuleRef();
    try {
      if (LLVMParseBitcodeInContext2(context, buffer, library) != 0) {
        throw new CompilationException("libdevice " + bitcode + " is not LLVM bitcode this LLVM reads");
      }
    } finally {
      LLVMDisposeMemoryBuffer(buffer);
    }
    // LLVMLinkModules2 takes the library, on failure too.
    if (LLVMLinkModules2(module, library) != 0) {
      throw new CompilationException("linking libdevice " + bitcode + " failed");
    }
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f != null && !f.isNull(); f = LLVMGetNextFunction(f)) {
      if (LLVMIsDeclaration(f) == 0 && LLVMGetValueName(f).getString().startsWith("__nv_")) {
        LLVMSetLinkage(f, LLVMInternalLinkage);
      }
    }
  }

  private static String emit(LLVMTargetMachineRef tm, LLVMModuleRef module) {
    BytePointer error = new BytePointer((Pointer) null);
    LLVMMemoryBufferRef out = new LLVMMemoryBufferRef();
    if (org.bytedeco.llvm.global.LLVM.LLVMTargetMachineEmitToMemoryBuffer(tm, module, LLVMAssemblyFile, error, out) != 0) {
      throw new CompilationException("NVPTX code generation failed: " + LlvmModules.takeString(error));
    }
    try {
      BytePointer start = LLVMGetBufferStart(out);
      long size = LLVMGetBufferSize(out);
      byte[] bytes = new byte[Math.toIntExact(size)];
      start.capacity(size).get(bytes);
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] == 0) {
        end--; // the buffer may carry a terminating NUL
      }
      return new String(bytes, 0, end, StandardCharsets.UTF_8);
    } finally {
      LLVMDisposeMemoryBuffer(out);
    }
  }
}
