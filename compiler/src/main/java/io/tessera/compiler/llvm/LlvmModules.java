package io.tessera.compiler.llvm;

import static org.bytedeco.llvm.global.LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy;
import static org.bytedeco.llvm.global.LLVM.LLVMCreatePassBuilderOptions;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeErrorMessage;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposePassBuilderOptions;
import static org.bytedeco.llvm.global.LLVM.LLVMGetErrorMessage;
import static org.bytedeco.llvm.global.LLVM.LLVMRunPasses;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeMessage;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;
import static org.bytedeco.llvm.global.LLVM.LLVMParseIRInContext;
import static org.bytedeco.llvm.global.LLVM.LLVMReturnStatusAction;
import static org.bytedeco.llvm.global.LLVM.LLVMVerifyModule;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;

/** The steps every backend takes on an LLVM module: parse and verify emitted text, optimize for a target machine. */
public final class LlvmModules {
  private LlvmModules() {}

  /**
   * Parses and verifies {@code irText} in {@code context}.
   *
   * @throws CompilationException with LLVM's message when the text does not parse or verify
   */
  public static LLVMModuleRef parse(LLVMContextRef context, String name, String irText) {
    byte[] bytes = irText.getBytes(StandardCharsets.UTF_8);
    BytePointer data = new BytePointer(bytes.length);
    data.put(bytes);
    LLVMMemoryBufferRef buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, bytes.length, new BytePointer(name));
    data.close();
    LLVMModuleRef module = new LLVMModuleRef();
    BytePointer error = new BytePointer((Pointer) null);
    // LLVMParseIRInContext takes ownership of the buffer, on failure too.
    if (LLVMParseIRInContext(context, buffer, module, error) != 0) {
      throw new CompilationException("emitted LLVM IR does not parse: " + takeString(error));
    }
    BytePointer verifyError = new BytePointer((Pointer) null);
    if (LLVMVerifyModule(module, LLVMReturnStatusAction, verifyError) != 0) {
      String message = takeString(verifyError);
      LLVMDisposeModule(module);
      throw new CompilationException("emitted LLVM IR is invalid: " + message);
    }
    takeString(verifyError);
    return module;
  }

  /**
   * Runs LLVM's standard pipeline ({@code default<O3>} or {@code default<O2>}) on {@code module}
   * for target machine {@code tm}, which adds the target's own passes.
   *
   * @throws CompilationException with LLVM's message when a pass fails
   */
  public static void optimize(LLVMModuleRef module, LLVMTargetMachineRef tm, BackendOptions.OptLevel level) {
    LLVMPassBuilderOptionsRef passOptions = LLVMCreatePassBuilderOptions();
    try {
      String pipeline = level == BackendOptions.OptLevel.O3 ? "default<O3>" : "default<O2>";
      LLVMErrorRef error = LLVMRunPasses(module, pipeline, tm, passOptions);
      if (error != null && !error.isNull()) {
        BytePointer message = LLVMGetErrorMessage(error);
        String text = message.getString();
        LLVMDisposeErrorMessage(message);
        throw new CompilationException("LLVM optimization failed: " + text);
      }
    } finally {
      LLVMDisposePassBuilderOptions(passOptions);
    }
  }

  /** The text of an LLVM-allocated message, which is then freed. */
  public static String takeString(BytePointer message) {
    if (message == null || message.isNull()) {
      return "";
    }
    String s = message.getString();
    LLVMDisposeMessage(message);
    return s;
  }
}
