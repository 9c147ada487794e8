package io.tessera.dist;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One Spark JVM the integration tests start: Spark's own runtime jars on the classpath (nothing of
 * Tessera's), stdout and stderr to a log file, stopped with every process it started.
 */
final class SparkJvm implements AutoCloseable {
  /** Spark's runtime jars, as the build resolved them for spark-sql (target/spark-classpath.txt). */
  static final List<Path> SPARK_JARS = readClasspath(property("tessera.dist.sparkClasspath"));
  /** The shaded connector jar under test. */
  static final Path DIST_JAR = Path.of(property("tessera.dist.jar"));
  /** The jar of {@code io.tessera.dist.app}, the application submitted. */
  static final Path APP_JAR = Path.of(property("tessera.dist.appJar"));
  /** The JVM options Spark needs on Java 17 (the build's tessera.jvm.opens). */
  static final List<String> OPENS = Arrays.asList(property("tessera.dist.jvmOpens").trim().split("\\s+"));
  static final Path WORK_DIR = Path.of(property("tessera.dist.workDir"));

  /**
   * The JVMs not closed yet, stopped when this JVM exits however the test ended: a Master or Worker
   * left behind would run until the machine stops.
   */
  private static final Set<SparkJvm> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(SparkJvm::kill), "stop-spark-jvms"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private SparkJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} in a new JVM on Spark's classpath.
   *
   * @param env variables added to a copy of this JVM's environment without its SPARK_* ones
   */
  static SparkJvm start(String name, Path log, Map<String, String> env, String heap, String mainClass,
                        List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(OPENS);
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(String.join(java.io.File.pathSeparator, SPARK_JARS.stream().map(Path::toString).toList()));
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("HADOOP_") || k.startsWith("YARN_"));
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    Files.createDirectories(log.getParent());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    SparkJvm jvm = new SparkJvm(name, pb.start(), log);
    RUNNING.add(jvm);
    return jvm;
  }

  /** Waits for the JVM to exit and returns its status; fails the test (and stops it) after {@code seconds}. */
  int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      close();
      fail(name + " did not finish within " + seconds + " s; its log ends with:\n" + tail(log, 120));
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path log() {
    return log;
  }

  /** Stops the JVM and every process it started (a Worker's executors), forcibly after 10 s. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
    RUNNING.remove(this);
  }

  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** The last {@code lines} lines of a text file ("" when it does not exist). */
  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static String property(String key) {
    String value = System.getProperty(key);
    if (value == null) {
      throw new IllegalStateException(key + " is not set: run the integration tests through Maven (mvn verify)");
    }
    return value;
  }

  private static List<Path> readClasspath(String file) {
    try {
      return Arrays.stream(Files.readString(Path.of(file)).trim().split(java.io.File.pathSeparator))
          .map(Path::of).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
