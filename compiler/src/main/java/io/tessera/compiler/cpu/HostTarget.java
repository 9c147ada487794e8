package io.tessera.compiler.cpu;

import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelAggressive;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeModelJITDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMCopyStringRepOfTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetDataLayout;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMGetDefaultTargetTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMGetHostCPUFeatures;
import static org.bytedeco.llvm.global.LLVM.LLVMGetHostCPUName;
import static org.bytedeco.llvm.global.LLVM.LLVMGetTargetFromTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMRelocDefault;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;

/**
 * The code generation target of the CPU backend: the host's triple, CPU name and features (as
 * LLVM detects them, e.g. {@code znver2} with {@code +avx2,+fma,...}) unless options override
 * them, and the matching data layout.
 *
 * @param triple the LLVM target triple
 * @param cpu the CPU name for {@code "target-cpu"}
 * @param features the feature string for {@code "target-features"}
 * @param dataLayout the data layout string the target machine uses
 */
record HostTarget(String triple, String cpu, String features, String dataLayout) {

  /** The host target, with the CPU name and features of {@code options} where given. */
  static HostTarget resolve(BackendOptions options) {
    LlvmJit.initialize();
    String triple = takeString(LLVMGetDefaultTargetTriple());
    String cpu = options.cpuName() != null ? options.cpuName() : takeString(LLVMGetHostCPUName());
    String features = options.cpuFeatures() != null ? options.cpuFeatures() : takeString(LLVMGetHostCPUFeatures());
    LLVMTargetMachineRef tm = createTargetMachine(triple, cpu, features, options.optLevel());
    try {
      LLVMTargetDataRef data = LLVMCreateTargetDataLayout(tm);
      String layout = takeString(LLVMCopyStringRepOfTargetData(data));
      LLVMDisposeTargetData(data);
      return new HostTarget(triple, cpu, features, layout);
    } finally {
      LLVMDisposeTargetMachine(tm);
    }
  }

  /** The function attributes that make code generation use this CPU and its features. */
  String functionAttributes() {
    return "\"target-cpu\"=\"" + cpu + "\" \"target-features\"=\"" + features + "\"";
  }

  /** A target machine for this target; the caller disposes it. */
  LLVMTargetMachineRef createTargetMachine(BackendOptions.OptLevel level) {
    return createTargetMachine(triple, cpu, features, level);
  }

  private static LLVMTargetMachineRef createTargetMachine(String triple, String cpu, String features,
                                                          BackendOptions.OptLevel level) {
    LLVMTargetRef target = new LLVMTargetRef();
    BytePointer error = new BytePointer((BytePointer) null);
    if (LLVMGetTargetFromTriple(new BytePointer(triple), target, error) != 0) {
      throw new CompilationException("LLVM has no target for " + triple + ": " + takeString(error));
    }
    int codeGenLevel = level == BackendOptions.OptLevel.O3 ? LLVMCodeGenLevelAggressive : LLVMCodeGenLevelDefault;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, codeGenLevel, LLVMRelocDefault,
        LLVMCodeModelJITDefault);
    if (tm == null || tm.isNull()) {
      throw new CompilationException("LLVM could not create a target machine for " + triple + " cpu " + cpu);
    }
    return tm;
  }

  /** The text of an LLVM-allocated message, which is then freed. */
  static String takeString(BytePointer message) {
    return io.tessera.compiler.llvm.LlvmModules.takeString(message);
  }
}
