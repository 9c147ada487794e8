package io.tessera.compiler.cpu;

import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelAggressive;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeModelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMContextCreate;
import static org.bytedeco.llvm.global.LLVM.LLVMContextDispose;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy;
import static org.bytedeco.llvm.global.LLVM.LLVMCopyStringRepOfTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateBinary;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetDataLayout;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeBinary;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeMemoryBuffer;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeSectionIterator;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeSymbolIterator;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferSize;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferStart;
import static org.bytedeco.llvm.global.LLVM.LLVMGetHostCPUFeatures;
import static org.bytedeco.llvm.global.LLVM.LLVMGetHostCPUName;
import static org.bytedeco.llvm.global.LLVM.LLVMGetSymbolName;
import static org.bytedeco.llvm.global.LLVM.LLVMGetTargetFromTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAllAsmPrinters;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAllTargetInfos;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAllTargetMCs;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAllTargets;
import static org.bytedeco.llvm.global.LLVM.LLVMMoveToContainingSection;
import static org.bytedeco.llvm.global.LLVM.LLVMMoveToNextSymbol;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFile;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFileCopySectionIterator;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFileCopySymbolIterator;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFileIsSectionIteratorAtEnd;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFileIsSymbolIteratorAtEnd;
import static org.bytedeco.llvm.global.LLVM.LLVMRelocPIC;
import static org.bytedeco.llvm.global.LLVM.LLVMTargetMachineEmitToMemoryBuffer;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Module;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMBinaryRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMSectionIteratorRef;
import org.bytedeco.llvm.LLVM.LLVMSymbolIteratorRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;

/**
 * Ahead-of-time compilation, as XLA's tfcompile does it: the CPU backend's kernel for a module,
 * compiled by LLVM's target machine into a relocatable ELF object for x86-64 or AArch64 Linux,
 * with an entry function of the C ABI that {@link CHeaderWriter} declares:
 *
 * <pre>
 *   int32_t NAME(int64_t rows, const void* const* params, void* const* results, void* scratch);
 * </pre>
 *
 * A C or C++ program links the object with no JVM and no LLVM at run time (and {@code -lm} for
 * the math functions it calls). The code is position-independent, so it links into PIE
 * executables and shared libraries alike, and it is the same kernel the JIT runs: the same
 * emitter, the same O2/O3 pipeline, only the entry differs ({@link KernelEntry}).
 *
 * <p>The CPU is generic by default ({@code x86-64}, AArch64 {@code generic}), so the object runs
 * on any machine of its architecture; {@link BackendOptions#withCpu} picks another
 * ({@code x86-64-v3}, {@code neoverse-n1}) or {@value #NATIVE_CPU} for this machine's CPU and
 * features.
 */
public final class AotCompiler {
  private AotCompiler() {}

  /** The CPU name that means this machine's CPU with its features. */
  public static final String NATIVE_CPU = "native";

  private static final Pattern C_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> RESERVED = Set.of("main", "auto", "break", "case", "char", "const", "continue",
      "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
      "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "class", "delete", "new", "namespace", "template", "this",
      "private", "public", "protected", "virtual", "operator", "friend", "true", "false");

  /** An architecture objects can be compiled for (Linux, ELF). */
  public enum Architecture {
    X86_64("x86_64-unknown-linux-gnu", "x86-64", "X86-64"),
    AARCH64("aarch64-unknown-linux-gnu", "generic", "AArch64");

    private final String triple;
    private final String genericCpu;
    private final String elfMachine;

    Architecture(String triple, String genericCpu, String elfMachine) {
      this.triple = triple;
      this.genericCpu = genericCpu;
      this.elfMachine = elfMachine;
    }

    /** The LLVM target triple objects are compiled for. */
    public String triple() {
      return triple;
    }

    /** The CPU name compiled for when none is given: the architecture's baseline. */
    public String genericCpu() {
      return genericCpu;
    }

    /** The machine name {@code readelf -h} prints for objects of this architecture. */
    public String elfMachine() {
      return elfMachine;
    }

    /** The name as the command line spells it: {@code x86_64}, {@code aarch64}. */
    public String cliName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The architecture named {@code name} ({@code x86_64}, {@code aarch64}; {@code x86-64} and
     * {@code arm64} too).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Architecture parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "x86_64", "x86-64", "amd64" -> X86_64;
        case "aarch64", "arm64" -> AARCH64;
        default -> throw new IllegalArgumentException("unknown target '" + name + "' (expected x86_64 or aarch64)");
      };
    }

    /** The architecture of this machine, or {@code null} when it is neither. */
    public static Architecture host() {
      String arch = System.getProperty("os.arch", "");
      return switch (arch) {
        case "amd64", "x86_64" -> X86_64;
        case "aarch64", "arm64" -> AARCH64;
        default -> null;
      };
    }
  }

  /**
   * A compiled object and its header.
   *
   * @param symbol the entry function's name
   * @param architecture what the object runs on
   * @param cpu the CPU name code was generated for
   * @param features the LLVM feature string code was generated with ({@code ""}: the CPU's own)
   * @param object the relocatable ELF object's bytes
   * @param header the C header's text
   * @param undefinedSymbols the functions the object calls and the linker must find (libm, libc)
   */
  public record Artifact(String symbol, Architecture architecture, String cpu, String features, byte[] object,
                         String header, List<String> undefinedSymbols) {}

  /**
   * Compiles {@code module} into an object with entry function {@code symbol}, for
   * {@code architecture}, and writes its header.
   *
   * @param sourceName the module's file name, for the header's comment
   * @throws IllegalArgumentException when {@code symbol} is not a usable C identifier
   * @throws CompilationException when the module uses what the CPU backend does not support, or
   *     LLVM fails
   */
  public static Artifact compile(Module module, String symbol, Architecture architecture, BackendOptions options,
                                 String sourceName) {
    checkSymbol(symbol);
    LlvmJit.initialize();
    initializeAllTargets();
    HostTarget target = resolve(architecture, options);
    CpuKernelEmitter.KernelIr kernel = CpuKernelEmitter.emitAot(module, target, options, symbol);
    if (Pattern.compile("(?m)^declare [^\\n]* @" + Pattern.quote(symbol) + "\\(").matcher(kernel.text()).find()) {
      throw new IllegalArgumentException("the entry function cannot be named " + symbol
          + ": the kernel calls a C library function of that name");
    }
    byte[] object = emitObject(module.name(), kernel.text(), target, options);
    List<String> undefined = undefinedSymbols(object, module.name());
    String header = CHeaderWriter.write(new CHeaderWriter.Description(symbol, module.name(), sourceName,
        architecture.triple(), target.cpu(), target.features(), options, kernel.signature(), kernel.abi(), undefined));
    return new Artifact(symbol, architecture, target.cpu(), target.features(), object, header, undefined);
  }

  /** Checks that {@code symbol} can name a C function of an object linked with others. */
  public static void checkSymbol(String symbol) {
    if (!C_IDENTIFIER.matcher(symbol).matches()) {
      throw new IllegalArgumentException("'" + symbol + "' is not a C identifier (letters, digits and '_', not starting"
          + " with a digit); it names the entry function");
    }
    if (RESERVED.contains(symbol)) {
      throw new IllegalArgumentException("'" + symbol + "' is a C/C++ keyword or main; choose another entry name");
    }
    if (LlvmJit.LIBM.contains(symbol)) {
      // LLVM lowers math intrinsics to calls of these, which would then call the kernel itself.
      throw new IllegalArgumentException("'" + symbol + "' is a C library function kernels call; choose another entry"
          + " name");
    }
  }

  private static volatile boolean targetsInitialized;

  /** Registers every target LLVM was built with, so that any architecture can be compiled for. */
  private static void initializeAllTargets() {
    if (!targetsInitialized) {
      synchronized (AotCompiler.class) {
        if (!targetsInitialized) {
          LLVMInitializeAllTargetInfos();
          LLVMInitializeAllTargets();
          LLVMInitializeAllTargetMCs();
          LLVMInitializeAllAsmPrinters();
          targetsInitialized = true;
        }
      }
    }
  }

  /** The target: the architecture's triple, the CPU and features asked for, and the data layout. */
  private static HostTarget resolve(Architecture architecture, BackendOptions options) {
    String cpu = options.cpuName() != null ? options.cpuName() : architecture.genericCpu();
    String features = options.cpuFeatures() != null ? options.cpuFeatures() : "";
    if (cpu.equals(NATIVE_CPU)) {
      if (Architecture.host() != architecture) {
        throw new IllegalArgumentException("cpu 'native' means this machine's CPU, which is not " + architecture.cliName());
      }
      cpu = HostTarget.takeString(LLVMGetHostCPUName());
      features = options.cpuFeatures() != null ? options.cpuFeatures() : HostTarget.takeString(LLVMGetHostCPUFeatures());
    }
    LLVMTargetMachineRef tm = createTargetMachine(architecture.triple(), cpu, features, options.optLevel());
    try {
      LLVMTargetDataRef data = LLVMCreateTargetDataLayout(tm);
      String layout = HostTarget.takeString(LLVMCopyStringRepOfTargetData(data));
      LLVMDisposeTargetData(data);
      return new HostTarget(architecture.triple(), cpu, features, layout);
    } finally {
      LLVMDisposeTargetMachine(tm);
    }
  }

  /** A target machine for position-independent code; the caller disposes it. */
  private static LLVMTargetMachineRef createTargetMachine(String triple, String cpu, String features,
                                                          BackendOptions.OptLevel level) {
    LLVMTargetRef target = new LLVMTargetRef();
    BytePointer error = new BytePointer((Pointer) null);
    if (LLVMGetTargetFromTriple(new BytePointer(triple), target, error) != 0) {
      throw new CompilationException("this LLVM build has no target for " + triple + ": " + HostTarget.takeString(error));
    }
    int codeGen = level == BackendOptions.OptLevel.O3 ? LLVMCodeGenLevelAggressive : LLVMCodeGenLevelDefault;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, codeGen, LLVMRelocPIC,
        LLVMCodeModelDefault);
    if (tm == null || tm.isNull()) {
      throw new CompilationException("LLVM could not create a target machine for " + triple + " cpu " + cpu);
    }
    return tm;
  }

  /** Parses, verifies and optimizes the IR as the JIT does, then emits an object file into memory. */
  private static byte[] emitObject(String name, String irText, HostTarget target, BackendOptions options) {
    LLVMContextRef context = LLVMContextCreate();
    try {
      LLVMModuleRef module = LlvmJit.parse(context, name, irText);
      try {
        LlvmJit.optimize(module, target, options);
        LLVMTargetMachineRef tm = createTargetMachine(target.triple(), target.cpu(), target.features(),
            options.optLevel());
        try {
          BytePointer error = new BytePointer((Pointer) null);
          LLVMMemoryBufferRef buffer = new LLVMMemoryBufferRef();
          if (LLVMTargetMachineEmitToMemoryBuffer(tm, module, LLVMObjectFile, error, buffer) != 0) {
            throw new CompilationException("LLVM could not emit an object file for " + target.triple() + ": "
                + HostTarget.takeString(error));
          }
          try {
            byte[] bytes = new byte[Math.toIntExact(LLVMGetBufferSize(buffer))];
            LLVMGetBufferStart(buffer).get(bytes);
            return bytes;
          } finally {
            LLVMDisposeMemoryBuffer(buffer);
          }
        } finally {
          LLVMDisposeTargetMachine(tm);
        }
      } finally {
        LLVMDisposeModule(module);
      }
    } finally {
      LLVMContextDispose(context);
    }
  }

  /**
   * The symbols {@code object} uses but does not define (in no section): what the linker must
   * find in the C library and libm. Sorted. ELF's file symbol has no section either; it is the
   * IR's source file name, {@code sourceFileName}.
   */
  static List<String> undefinedSymbols(byte[] object, String sourceFileName) {
    BytePointer data = new BytePointer(object.length);
    data.put(object);
    LLVMMemoryBufferRef buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, object.length,
        new BytePointer("object"));
    data.close();
    LLVMContextRef context = LLVMContextCreate();
    BytePointer error = new BytePointer((Pointer) null);
    LLVMBinaryRef binary = LLVMCreateBinary(buffer, context, error);
    try {
      if (binary == null || binary.isNull()) {
        throw new CompilationException("LLVM cannot read back the object it wrote: " + HostTarget.takeString(error));
      }
      Set<String> names = new TreeSet<>();
      LLVMSymbolIteratorRef symbols = LLVMObjectFileCopySymbolIterator(binary);
      LLVMSectionIteratorRef section = LLVMObjectFileCopySectionIterator(binary);
      try {
        for (; LLVMObjectFileIsSymbolIteratorAtEnd(binary, symbols) == 0; LLVMMoveToNextSymbol(symbols)) {
          String symbol = LLVMGetSymbolName(symbols).getString();
          LLVMMoveToContainingSection(section, symbols);
          if (LLVMObjectFileIsSectionIteratorAtEnd(binary, section) != 0 && !symbol.isEmpty()
              && !symbol.equals(sourceFileName)) {
            names.add(symbol);
          }
        }
      } finally {
        LLVMDisposeSymbolIterator(symbols);
        LLVMDisposeSectionIterator(section);
      }
      return List.copyOf(names);
    } finally {
      if (binary != null && !binary.isNull()) {
        LLVMDisposeBinary(binary);
      }
      LLVMDisposeMemoryBuffer(buffer);
      LLVMContextDispose(context);
    }
  }
}
