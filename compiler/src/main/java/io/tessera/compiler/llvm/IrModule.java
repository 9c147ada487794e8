package io.tessera.compiler.llvm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of one LLVM IR module under construction: declarations (intrinsics, libm), helper
 * functions defined once, constant globals and function bodies. Emitting text rather than calling
 * LLVM's C builder keeps the emitters readable and lets tools print exactly what was compiled;
 * the backend parses the text with {@code LLVMParseIRInContext}.
 *
 * <p>Two attribute groups are written: {@code #0} for kernel functions and {@code #1} for small
 * helpers that must be inlined; both carry the target CPU and features when a backend sets them.
 */
public final class IrModule {
  /** Attribute group of kernel functions. */
  public static final String KERNEL_ATTRIBUTES = "#0";
  /** Attribute group of helpers that are always inlined. */
  public static final String HELPER_ATTRIBUTES = "#1";

  private final String name;
  private final Map<String, String> declarations = new LinkedHashMap<>();
  private final Map<String, String> helpers = new LinkedHashMap<>();
  private final List<String> globals = new ArrayList<>();
  private final Map<Object, String> constantsByKey = new java.util.IdentityHashMap<>();
  private final List<String> functions = new ArrayList<>();
  private String targetTriple;
  private String dataLayout;
  private String targetAttributes = "";
  private MathLibrary mathLibrary = MathLibrary.OWN;
  private int globalCounter;

  public IrModule(String name) {
    this.name = name;
  }

  /** Sets the target triple and data layout written at the top (both optional). */
  public void setTarget(String triple, String dataLayout) {
    this.targetTriple = triple;
    this.dataLayout = dataLayout;
  }

  /**
   * Sets the target attributes of every function, e.g. {@code "target-cpu"="znver2"
   * "target-features"="+avx2,..."}: code generation reads them per function, so the JIT emits
   * host instructions even though its own target machine is generic.
   */
  public void setTargetAttributes(String attributes) {
    this.targetAttributes = attributes == null ? "" : attributes;
  }

  /** Where the module's transcendental functions come from; {@link MathLibrary#OWN} unless a target sets one. */
  public MathLibrary mathLibrary() {
    return mathLibrary;
  }

  public void setMathLibrary(MathLibrary library) {
    this.mathLibrary = java.util.Objects.requireNonNull(library);
  }

  /**
   * True when the target has a fused multiply-add instruction: its features name {@code +fma}, its
   * CPU is x86-64-v3/v4, or it is AArch64 (FMA is in the base instruction set). False when no
   * target was set. Emitters that need an exact product use {@code llvm.fma} only then: elsewhere
   * LLVM would lower it to a call of libm's {@code fma}.
   */
  public boolean hasFusedMultiplyAdd() {
    return targetAttributes.contains("+fma") || targetAttributes.contains("\"x86-64-v3\"")
        || targetAttributes.contains("\"x86-64-v4\"") || (targetTriple != null && targetTriple.startsWith("aarch64"));
  }

  /** Declares external function {@code symbol} with {@code declaration} (a full {@code declare} line), once. */
  public void declare(String symbol, String declaration) {
    declarations.putIfAbsent(symbol, declaration);
  }

  /** True when helper {@code symbol} has been defined. */
  public boolean hasHelper(String symbol) {
    return helpers.containsKey(symbol);
  }

  /** Defines helper function {@code symbol} with the full text of its definition, once. */
  public void defineHelper(String symbol, String definition) {
    helpers.putIfAbsent(symbol, definition);
  }

  /** Appends a function definition. */
  public void addFunction(String definition) {
    functions.add(definition);
  }

  /**
   * Adds a private constant holding {@code bytes} (little-endian element data), aligned to 64
   * bytes, and returns its name ({@code @hint.N}).
   */
  public String addConstant(String hint, byte[] bytes) {
    String global = "@" + IrBuilder.sanitize(hint) + ".c" + (globalCounter++);
    StringBuilder sb = new StringBuilder(bytes.length * 3 + 80);
    sb.append(global).append(" = private unnamed_addr constant [").append(bytes.length).append(" x i8] c\"");
    for (byte v : bytes) {
      int u = v & 0xFF;
      if (u >= 0x20 && u < 0x7F && u != '"' && u != '\\') {
        sb.append((char) u);
      } else {
        sb.append('\\').append(Character.forDigit(u >> 4, 16)).append(Character.forDigit(u & 0xF, 16));
      }
    }
    sb.append("\", align 64");
    globals.add(sb.toString());
    return global;
  }

  /** Adds a global variable with the full text of its definition (e.g. a GPU kernel's shared memory). */
  public void addGlobal(String definition) {
    globals.add(definition);
  }

  /** Like {@link #addConstant}, once per {@code key} (compared by identity): later calls return the same global. */
  public String addConstantOnce(Object key, String hint, java.util.function.Supplier<byte[]> bytes) {
    return constantsByKey.computeIfAbsent(key, k -> addConstant(hint, bytes.get()));
  }

  /** The module's complete text. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("; ModuleID = '").append(name).append("'\n");
    sb.append("source_filename = \"").append(name).append("\"\n");
    if (dataLayout != null) {
      sb.append("target datalayout = \"").append(dataLayout).append("\"\n");
    }
    if (targetTriple != null) {
      sb.append("target triple = \"").append(targetTriple).append("\"\n");
    }
    sb.append('\n');
    for (String g : globals) {
      sb.append(g).append('\n');
    }
    if (!globals.isEmpty()) {
      sb.append('\n');
    }
    for (String d : declarations.values()) {
      sb.append(d).append('\n');
    }
    if (!declarations.isEmpty()) {
      sb.append('\n');
    }
    for (String h : helpers.values()) {
      sb.append(h).append('\n');
    }
    for (String f : functions) {
      sb.append(f).append('\n');
    }
    sb.append("attributes ").append(KERNEL_ATTRIBUTES).append(" = { nounwind ").append(targetAttributes).append("}\n");
    sb.append("attributes ").append(HELPER_ATTRIBUTES).append(" = { alwaysinline nounwind ").append(targetAttributes)
        .append("}\n");
    return sb.toString();
  }
}
