package io.tessera.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** What the shaded jar holds: Tessera and its natives, and nothing a Spark installation already has. */
class DistributionJarIT {

  @Test
  void holdsTesseraJavaCppAndTheLlvmLibrariesTheJitLoads() throws IOException {
    Set<String> entries = entries(SparkJvm.DIST_JAR);
    for (String cls : new String[] {
        "io/tessera/spark/TesseraExtensions.class",
        "io/tessera/arrow/ArrowKernel.class",
        "io/tessera/compiler/Backends.class",
        "org/bytedeco/javacpp/Loader.class",
        "org/bytedeco/llvm/global/LLVM.class"}) {
      assertTrue(entries.contains(cls), cls);
    }
    // Exactly the libraries org.bytedeco.llvm.global.LLVM links, JavaCPP's and LLVM's JNI libraries
    // and the CUDA driver wrapper the GPU backend loads: not clang, lld or the LLVM tools of the LLVM
    // native jar, nor the JNI wrappers of cuBLAS, cuDNN and the other CUDA libraries.
    Set<String> natives = new TreeSet<>();
    for (String e : entries) {
      if (e.endsWith(".so") || e.contains(".so.")) {
        natives.add(e);
      }
    }
    assertEquals(new TreeSet<>(Set.of(
        "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
        "org/bytedeco/cuda/linux-x86_64/libjnicudart.so",
        "org/bytedeco/llvm/linux-x86_64/libjniLLVM.so",
        "org/bytedeco/llvm/linux-x86_64/libLLVM.so",
        "org/bytedeco/llvm/linux-x86_64/libLTO.so",
        "org/bytedeco/llvm/linux-x86_64/libRemarks.so")), natives);
    assertTrue(entries.stream().noneMatch(e -> e.startsWith("org/bytedeco/llvm/linux-x86_64/include/")
        || e.endsWith("module-info.class")), "headers and module descriptors are left out");
  }

  /**
   * No class of the jar is also on Spark's classpath: Spark, Scala, Hadoop, Arrow, netty, Jackson
   * and SLF4J come from the installation, so nothing needs relocating.
   */
  @Test
  void sharesNoClassWithSpark() throws IOException {
    Set<String> ours = new TreeSet<>();
    for (String e : entries(SparkJvm.DIST_JAR)) {
      if (e.endsWith(".class")) {
        ours.add(e);
      }
    }
    TreeMap<String, String> clashes = new TreeMap<>();
    for (Path sparkJar : SparkJvm.SPARK_JARS) {
      for (String e : entries(sparkJar)) {
        if (ours.contains(e)) {
          clashes.putIfAbsent(e, sparkJar.getFileName().toString());
        }
      }
    }
    assertEquals(new TreeMap<>(), clashes, "classes in both the shaded jar and Spark's jars");
    assertTrue(ours.stream().noneMatch(e -> e.startsWith("org/apache/") || e.startsWith("scala/")
        || e.startsWith("io/netty/") || e.startsWith("com/fasterxml/") || e.startsWith("org/slf4j/")), "Spark's own");
  }

  private static Set<String> entries(Path jar) throws IOException {
    Set<String> names = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        names.add(e.nextElement().getName());
      }
    }
    return names;
  }
}
