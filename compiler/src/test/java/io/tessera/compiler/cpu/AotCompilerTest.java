package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.eval.InterpreterBackend;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ahead-of-time objects tested for real: each test writes the object and header, builds a C
 * driver with the machine's gcc (a cross gcc and qemu-aarch64 for AArch64), runs it and compares
 * what it prints with the interpreter. The driver is generic: it reads each parameter's bytes
 * from a file, sizes every buffer with the header's functions, calls the entry and prints each
 * result buffer as one line of hex bytes. Tests whose tools are missing are skipped with a
 * message saying which.
 */
class AotCompilerTest {
  private static final InterpreterBackend INTERPRETER = new InterpreterBackend();
  private static final Oracle.Tolerance SUMS = Oracle.Tolerance.sums(2e-5, 1e-5);
  private static final long[] ROWS = {0, 1, 7, 1000};

  /** A static module over several element types: pred and f16 encodings, integer math, libm calls. */
  private static final String TYPES = """
      HloModule types
      ENTRY e {
        h = f16[6] parameter(0)
        b = pred[6] parameter(1)
        i = s64[6] parameter(2)
        f = f32[6] convert(h)
        t = f32[6] tanh(f)
        l = f32[6] log-plus-one(f)
        s = f32[6] add(t, l)
        z = f32[6] constant({0, 0, 0, 0, 0, 0})
        sel = f32[6] select(b, s, z)
        back = f16[6] convert(sel)
        two = s64[] constant(3)
        tb = s64[6] broadcast(two), dimensions={}
        q = s64[6] remainder(i, tb)
        n = pred[6] not(b)
        ROOT out = (f16[6], s64[6], pred[6]) tuple(back, q, n)
      }
      """;

  private static final String DRIVER = """
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      #include "@NAME@.h"

      static void* read_file(const char* path, size_t bytes) {
        void* p = malloc(bytes > 0 ? bytes : 1);
        FILE* f = fopen(path, "rb");
        if (p == NULL || f == NULL || fread(p, 1, bytes, f) != bytes) {
          fprintf(stderr, "cannot read %zu bytes from %s\\n", bytes, path);
          exit(4);
        }
        fclose(f);
        return p;
      }

      /* usage: driver ROWS PARAM0.bin PARAM1.bin ... */
      int main(int argc, char** argv) {
        if (argc != 2 + @PREFIX@_NUM_PARAMS) {
          fprintf(stderr, "expected %d parameter files\\n", @PREFIX@_NUM_PARAMS);
          return 5;
        }
        int64_t rows = atoll(argv[1]);
        const void* params[@PREFIX@_NUM_PARAMS + 1];
        void* results[@PREFIX@_NUM_RESULTS + 1];
        size_t n = rows < 0 ? 0 : (size_t)rows;
        for (int i = 0; i < @PREFIX@_NUM_PARAMS; i++) {
          params[i] = read_file(argv[2 + i], @NAME@_param_bytes(i, (int64_t)n));
        }
        for (int i = 0; i < @PREFIX@_NUM_RESULTS; i++) {
          size_t bytes = @NAME@_result_bytes(i, (int64_t)n);
          results[i] = malloc(bytes > 0 ? bytes : 1);
          memset(results[i], 0xAB, bytes);
        }
        size_t scratch_bytes = @PREFIX@_SCRATCH_BYTES(n);
        void* scratch = NULL;
        if (scratch_bytes > 0) {
          scratch = aligned_alloc(@PREFIX@_SCRATCH_ALIGN, (scratch_bytes + 63) / 64 * 64);
        }
        int status = @NAME@(rows, params, results, scratch);
        printf("status %d\\n", status);
        if (status != @PREFIX@_OK) {
          return 0;
        }
        for (int i = 0; i < @PREFIX@_NUM_RESULTS; i++) {
          const unsigned char* r = (const unsigned char*)results[i];
          size_t bytes = @NAME@_result_bytes(i, rows);
          for (size_t k = 0; k < bytes; k++) {
            printf("%02x", r[k]);
          }
          printf("\\n");
        }
        return 0;
      }
      """;

  @TempDir
  Path dir;

  @Test
  void x86ObjectLinkedIntoACProgramMatchesTheInterpreterOnEveryRowCount() throws Exception {
    requireTool("gcc", "gcc is not installed: the x86-64 object cannot be linked into a C program here");
    requireHost(AotCompiler.Architecture.X86_64);
    Path program = build(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.X86_64, List.of("gcc"), List.of());
    Random random = new Random(11);
    Literal w = uniform(new int[] {16, 8}, random);
    for (long rows : ROWS) {
      List<Literal> args = List.of(uniform(new int[] {(int) rows, 16}, random), w);
      compare(CpuDynamicRowsTest.DENSE, program, List.of(), rows, args, SUMS);
    }
  }

  @Test
  void x86ObjectsOfReductionsOverRowsDataMovementAndElementTypesMatchTheInterpreter() throws Exception {
    requireTool("gcc", "gcc is not installed: the x86-64 object cannot be linked into a C program here");
    requireHost(AotCompiler.Architecture.X86_64);
    Random random = new Random(12);
    Path overRows = build(CpuDynamicRowsTest.OVER_ROWS, "over_rows", AotCompiler.Architecture.X86_64, List.of("gcc"),
        List.of());
    Path movement = build(CpuDynamicRowsTest.MOVEMENT, "movement", AotCompiler.Architecture.X86_64, List.of("gcc"),
        List.of());
    for (long rows : ROWS) {
      compare(CpuDynamicRowsTest.OVER_ROWS, overRows, List.of(), rows,
          List.of(uniform(new int[] {(int) rows, 5}, random)), Oracle.Tolerance.sums(1e-4, 1e-4));
      compare(CpuDynamicRowsTest.MOVEMENT, movement, List.of(), rows, List.of(
          Oracle.values(ElementType.S32, new int[] {(int) rows, 4, 3}, random),
          Oracle.values(ElementType.S32, new int[] {(int) rows, 12}, random)), Oracle.Tolerance.EXACT);
    }
    Path types = build(TYPES, "types", AotCompiler.Architecture.X86_64, List.of("gcc"), List.of());
    compare(TYPES, types, List.of(), -1, List.of(
        HloParser.parseLiteral("f16[6] {0.5, -0.25, 3, 1e-3, -0.75, 65504}"),
        HloParser.parseLiteral("pred[6] {1, 1, 0, 1, 1, 1}"),
        HloParser.parseLiteral("s64[6] {7, -7, 9223372036854775807, -9223372036854775808, 0, 5}")),
        Oracle.Tolerance.ulps(1));
  }

  @Test
  void aNegativeRowCountIsRefusedByTheCFunction() throws Exception {
    requireTool("gcc", "gcc is not installed: the x86-64 object cannot be linked into a C program here");
    requireHost(AotCompiler.Architecture.X86_64);
    Path program = build(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.X86_64, List.of("gcc"), List.of());
    List<Literal> args = List.of(uniform(new int[] {0, 16}, new Random(1)), uniform(new int[] {16, 8}, new Random(2)));
    List<String> lines = runDriver(program, List.of(), -3, args);
    assertEquals("status " + KernelEntry.STATUS_BAD_ROWS, lines.get(0));
  }

  @Test
  void headerCompilesAsStrictC99AndCpp() throws Exception {
    requireTool("gcc", "gcc is not installed: the header cannot be compiled here");
    AotCompiler.Artifact a = write(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.X86_64);
    Path c = dir.resolve("use.c");
    Files.writeString(c, "#include \"dense.h\"\n#include \"dense.h\"\n"
        + "size_t total(int64_t rows) { return dense_param_bytes(0, rows) + DENSE_SCRATCH_BYTES(rows); }\n");
    exec(List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c", c.toString(), "-o",
        dir.resolve("use.o").toString()), 60);
    if (onPath("g++")) {
      Path cpp = dir.resolve("use.cc");
      Files.writeString(cpp, "#include \"dense.h\"\nint (*entry)(int64_t, const void* const*, void* const*, void*) = "
          + "dense;\nsize_t bytes = dense_result_bytes(1, 3);\n");
      exec(List.of("g++", "-std=c++11", "-Wall", "-Wextra", "-Werror", "-c", cpp.toString(), "-o",
          dir.resolve("usecc.o").toString()), 60);
    } else {
      System.err.println("AotCompilerTest: g++ is not installed; the header was compiled as C only");
    }
    assertTrue(a.header().contains("int32_t dense(int64_t rows, const void* const* params, void* const* results, "
        + "void* scratch);"), a.header());
    assertTrue(a.header().contains("#define DENSE_PARAM0_BYTES(rows) ((size_t)(rows) * 64u)"), a.header());
    assertTrue(a.header().contains("#define DENSE_PARAM0_DIMS {-1, 16}"), a.header());
    assertTrue(a.header().contains("#define DENSE_PARAM1_BYTES(rows) ((size_t)512u)"), a.header());
    assertTrue(a.header().contains("#define DENSE_RESULT1_BYTES(rows) ((size_t)(rows) * 4u)"), a.header());
    assertTrue(a.header().contains("#define DENSE_DYNAMIC_ROWS 1"), a.header());
    // exp is inline straight-line code (VectorMath), even for generic x86-64 (no FMA, no SSE4.1).
    assertEquals(List.of(), a.undefinedSymbols());
    assertTrue(a.header().contains("the object calls no library function"), a.header());
  }

  @Test
  void aarch64ObjectIsAnAarch64RelocatableAndRunsUnderQemu() throws Exception {
    AotCompiler.Artifact a = write(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.AARCH64);
    assertEquals("ELF", new String(a.object(), 1, 3, StandardCharsets.US_ASCII));
    assertEquals(183, (a.object()[18] & 0xFF) | (a.object()[19] & 0xFF) << 8, "e_machine EM_AARCH64");
    if (onPath("readelf")) {
      String elf = exec(List.of("readelf", "-h", dir.resolve("dense.o").toString()), 30);
      assertTrue(elf.matches("(?s).*Machine:\\s+AArch64.*"), elf);
      assertTrue(elf.matches("(?s).*Type:\\s+REL .*"), elf);
    } else {
      System.err.println("AotCompilerTest: readelf is not installed; the AArch64 ELF header was checked by its bytes");
    }
    boolean canRun = onPath("aarch64-linux-gnu-gcc") && onPath("qemu-aarch64");
    assumeTrue(canRun, () -> skip("aarch64-linux-gnu-gcc or qemu-aarch64 is not installed (Debian packages "
        + "gcc-aarch64-linux-gnu and qemu-user): the AArch64 object was checked but not run"));
    Path program = build(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.AARCH64,
        List.of("aarch64-linux-gnu-gcc", "-static"), List.of());
    Random random = new Random(13);
    Literal w = uniform(new int[] {16, 8}, random);
    for (long rows : ROWS) {
      compare(CpuDynamicRowsTest.DENSE, program, List.of("qemu-aarch64"), rows,
          List.of(uniform(new int[] {(int) rows, 16}, random), w), SUMS);
    }
  }

  @Test
  void x86ObjectHasTheEntrySymbolAndNothingElseGlobal() throws Exception {
    requireTool("nm", "nm is not installed: the object's symbols cannot be listed here");
    write(CpuDynamicRowsTest.DENSE, "dense", AotCompiler.Architecture.X86_64);
    String symbols = exec(List.of("nm", "-g", "--defined-only", dir.resolve("dense.o").toString()), 30);
    assertEquals(List.of("T dense"), symbols.lines().map(l -> l.substring(l.indexOf(' ') + 1)).toList(), symbols);
  }

  @Test
  void badEntryNamesAndUnsupportedModulesAreRefused() {
    Module m = HloParser.parse(CpuDynamicRowsTest.DENSE);
    for (String bad : List.of("9lives", "my-kernel", "int", "main", "expf", "")) {
      assertThrows(IllegalArgumentException.class, () -> AotCompiler.compile(m, bad, AotCompiler.Architecture.X86_64,
          BackendOptions.defaults(), null), bad);
    }
    CompilationException e = assertThrows(CompilationException.class, () -> AotCompiler.compile(HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[4,?] parameter(0)
          ROOT n = f32[4,?] negate(x)
        }
        """), "k", AotCompiler.Architecture.AARCH64, BackendOptions.defaults(), null));
    assertTrue(e.getMessage().contains("%x"), e.getMessage());
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Compiles {@code hlo} and writes NAME.o and NAME.h into the temporary directory. */
  private AotCompiler.Artifact write(String hlo, String name, AotCompiler.Architecture arch) throws IOException {
    AotCompiler.Artifact a = AotCompiler.compile(HloParser.parse(hlo), name, arch, BackendOptions.defaults(),
        name + ".hlo");
    Files.write(dir.resolve(name + ".o"), a.object());
    Files.writeString(dir.resolve(name + ".h"), a.header());
    return a;
  }

  /** Writes the object, header and driver, and links them with {@code cc} (a command and its flags). */
  private Path build(String hlo, String name, AotCompiler.Architecture arch, List<String> cc, List<String> flags)
      throws IOException, InterruptedException {
    write(hlo, name, arch);
    Path driver = dir.resolve(name + "_driver.c");
    Files.writeString(driver, DRIVER.replace("@NAME@", name).replace("@PREFIX@", name.toUpperCase()));
    Path program = dir.resolve(name + "_" + arch.cliName());
    List<String> command = new ArrayList<>(cc);
    command.addAll(List.of("-std=c11", "-O1", "-Wall", "-Werror", "-I", dir.toString(), driver.toString(),
        dir.resolve(name + ".o").toString(), "-lm", "-o", program.toString()));
    command.addAll(flags);
    exec(command, 120);
    return program;
  }

  /** Runs the driver on {@code args} and compares its results with the interpreter's. */
  private void compare(String hlo, Path program, List<String> launcher, long rows, List<Literal> args,
                       Oracle.Tolerance tolerance) throws IOException, InterruptedException {
    Module module = HloParser.parse(hlo);
    Literal expected;
    try (Executable interpreter = INTERPRETER.compile(module)) {
      expected = interpreter.run(args);
    }
    List<String> lines = runDriver(program, launcher, rows, args);
    assertEquals("status 0", lines.get(0), module.name() + " with " + rows + " rows");
    List<Shape> leaves = ExecutableSignature.leaves(module.entry().resultShape());
    List<Literal> actual = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      Shape shape = io.tessera.compiler.backend.DynamicRows.bind(leaves.get(i), Math.max(rows, 0));
      byte[] bytes = HexFormat.of().parseHex(lines.get(1 + i));
      assertEquals(shape.byteSize(), bytes.length, "bytes of result " + i);
      actual.add(LiteralBytes.read(shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)));
    }
    Literal result = module.entry().resultShape().isTuple() ? Literal.tuple(actual) : actual.get(0);
    Oracle.assertClose(expected, result, tolerance, module.name() + " object with " + rows + " rows");
  }

  private List<String> runDriver(Path program, List<String> launcher, long rows, List<Literal> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(launcher);
    command.add(program.toString());
    command.add(Long.toString(rows));
    for (int i = 0; i < args.size(); i++) {
      Path file = dir.resolve("arg" + i + ".bin");
      Files.write(file, LiteralBytes.toBytes(args.get(i)));
      command.add(file.toString());
    }
    return exec(command, 120).lines().toList();
  }

  /** Runs {@code command}; returns its stdout, failing the test with its output on a non-zero status. */
  private String exec(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
    }
    String stdout = Files.readString(out);
    if (p.exitValue() != 0) {
      fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + Files.readString(err) + stdout);
    }
    return stdout;
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void requireTool(String tool, String why) {
    assumeTrue(onPath(tool), () -> skip(why));
  }

  private static void requireHost(AotCompiler.Architecture arch) {
    assumeTrue(AotCompiler.Architecture.host() == arch,
        () -> skip("this machine is not " + arch.cliName() + ": its objects cannot run here"));
  }

  /** Prints the reason a test is skipped (JUnit reports it too, but build logs show stderr). */
  private static String skip(String why) {
    System.err.println("AotCompilerTest SKIPPED: " + why);
    return why;
  }

  private static Literal uniform(int[] dims, Random random) {
    Literal lit = Literal.zeros(Shape.array(ElementType.F32, dims));
    for (int i = 0; i < lit.elementCount(); i++) {
      lit.setDouble(i, (float) (random.nextDouble() * 4 - 2));
    }
    return lit;
  }
}
