package io.tessera.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real standalone Spark cluster on this machine, every part its own JVM: a Master, a Worker with
 * two cores that runs two one-core executor JVMs, and a driver submitted with the shaded jar in
 * {@code --jars}. A 16-partition SQL job calls {@code tessera_apply} twice; every row must equal
 * Spark's own SQL, and each executor JVM must have compiled the module exactly once (the first
 * round), then served every later task from its cache.
 *
 * <p>The Worker also offers two GPUs (a discovery script lists addresses 0 and 1; there is no
 * device behind them) and each executor and task asks for one, as a GPU cluster is configured. So
 * every task is assigned a GPU, {@code spark.tessera.backend=auto} tries it, and since the GPU
 * backend cannot run here the executors say so in their logs and compute on the CPU.
 *
 * <p>A Worker starts executors with Spark's launcher, which takes the classpath from
 * {@code $SPARK_HOME/jars} (and needs {@code SPARK_SCALA_VERSION} outside a Spark build): the test
 * gives it a SPARK_HOME whose {@code jars/} links to the build's Spark jars, as an installation's
 * would.
 */
class StandaloneClusterIT {
  private static final long ROWS = 64_000;
  private static final int EXECUTORS = 2;

  private final List<SparkJvm> jvms = new ArrayList<>();

  @AfterEach
  void stopCluster() {
    // The driver first, then the Worker (with its executors), then the Master.
    for (int i = jvms.size() - 1; i >= 0; i--) {
      jvms.get(i).close();
    }
  }

  @Test
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void everyExecutorCompilesOnceAndMatchesSpark() throws Exception {
    Path dir = SparkJvm.WORK_DIR.resolve("standalone");
    deleteRecursively(dir);
    Path sparkHome = sparkHome(dir.resolve("spark-home"));

    int masterPort = freePort();
    String master = "spark://127.0.0.1:" + masterPort;
    SparkJvm masterJvm = start("master", dir, Map.of(), "512m", "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", "0"));
    awaitPort(masterJvm, masterPort, 90);
    // SPARK_LOCAL_DIRS: the executors' scratch space (fetched jars, shuffle files) under target/.
    start("worker", dir, Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13",
            "SPARK_LOCAL_DIRS", dir.resolve("local").toString()), "512m",
        "org.apache.spark.deploy.worker.Worker",
        List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", String.valueOf(EXECUTORS),
            "--memory", "1536m", "--work-dir", dir.resolve("worker").toString(),
            "--properties-file", workerGpus(dir).toString(), master));

    String executorOpts = String.join(" ", SparkJvm.OPENS);
    SparkJvm driver = start("driver", dir, Map.of(), "1g", "org.apache.spark.deploy.SparkSubmit", List.of(
        "--master", master,
        "--deploy-mode", "client",
        "--jars", SparkJvm.DIST_JAR.toString(),
        "--conf", "spark.sql.extensions=io.tessera.spark.TesseraExtensions",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=" + EXECUTORS,
        "--conf", "spark.executor.memory=512m",
        "--conf", "spark.executor.extraJavaOptions=" + executorOpts,
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.local.dir=" + dir.resolve("local"),
        "--conf", "spark.executor.resource.gpu.amount=1",
        "--conf", "spark.task.resource.gpu.amount=1",
        "--class", "io.tessera.dist.app.TesseraSqlJob",
        SparkJvm.APP_JAR.toString(), String.valueOf(EXECUTORS), String.valueOf(ROWS)));
    int exit = driver.awaitExit(300);
    String context = logs(dir);
    assertEquals(0, exit, "the driver failed\n" + context);
    JobReport report = new JobReport(driver.output(), context);

    report.assertConnectorFrom(SparkJvm.DIST_JAR, EXECUTORS);
    List<String> executorIds = report.with("connector", "executor").stream().map(l -> l.get("executor")).toList();
    assertFalse(executorIds.contains("driver"), "tasks ran on executor JVMs, not in the driver\n" + context);

    for (int round = 1; round <= 2; round++) {
      report.assertRoundMatchesSpark(round, ROWS);
      Map<String, Map<String, String>> executors = report.executorsOfRound(round);
      long tasks = 0;
      for (Map.Entry<String, Map<String, String>> e : executors.entrySet()) {
        assertTrue(executorIds.contains(e.getKey()), "round " + round + " ran on " + e.getKey() + "\n" + context);
        long t = JobReport.number(e.getValue(), "tasks");
        long compilations = JobReport.number(e.getValue(), "compilations");
        // Round 1: the executor's first task compiles, its other tasks (also those that waited
        // for that compilation) hit its cache. Round 2: a new query, the same JVMs: no compilation.
        assertEquals(round == 1 ? 1 : 0, compilations, "compilations on executor " + e.getKey() + ", round "
            + round + "\n" + context);
        assertEquals(t - compilations, JobReport.number(e.getValue(), "cacheHits"), context);
        tasks += t;
      }
      assertEquals(16, tasks, "tasks of round " + round + "\n" + context);
      if (round == 1) {
        // Both executors start a task at once (one core each), so both compile in round 1.
        assertEquals(EXECUTORS, executors.size(), "executors that ran round 1\n" + context);
      }
    }
    // Each executor's first task was assigned its GPU, and the module ran on the CPU instead.
    String executorLogs = executorLogs(dir.resolve("worker"));
    for (String gpu : List.of("0", "1")) {
      assertTrue(executorLogs.contains("the task was assigned GPU " + gpu + " but runs elsewhere"),
          "an executor logs that it could not use GPU " + gpu + "\n" + context);
    }
  }

  /** Every executor's whole stderr (the Worker keeps them under its work directory). */
  private static String executorLogs(Path workDir) throws IOException {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.walk(workDir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().equals("stderr")).sorted().toList()) {
        out.append(Files.readString(f)).append('\n');
      }
    }
    return out.toString();
  }

  /** The Worker's properties: two GPUs, 0 and 1, as its discovery script reports them. */
  private static Path workerGpus(Path dir) throws IOException {
    Path script = dir.resolve("gpus.sh");
    Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
    if (!script.toFile().setExecutable(true)) {
      fail("cannot make " + script + " executable");
    }
    Path properties = dir.resolve("worker.properties");
    Files.writeString(properties, "spark.worker.resource.gpu.amount=2\n"
        + "spark.worker.resource.gpu.discoveryScript=" + script.toAbsolutePath() + "\n");
    return properties;
  }

  private SparkJvm start(String name, Path dir, Map<String, String> env, String heap, String mainClass,
                         List<String> args) throws IOException {
    SparkJvm jvm = SparkJvm.start(name, dir.resolve(name + ".log"), env, heap, mainClass, args);
    jvms.add(jvm);
    return jvm;
  }

  /** A Spark installation's layout for the Worker's launcher: {@code jars/} holds Spark's jars (links). */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (Path jar : SparkJvm.SPARK_JARS) {
      Path link = jars.resolve(jar.getFileName());
      if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        fail("two Spark jars named " + jar.getFileName());
      }
      Files.createSymbolicLink(link, jar.toAbsolutePath());
    }
    return home;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(SparkJvm jvm, int port, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!jvm.isAlive()) {
        fail("the Master exited:\n" + SparkJvm.tail(jvm.log(), 80));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    fail("the Master did not listen on " + port + " within " + seconds + " s:\n" + SparkJvm.tail(jvm.log(), 80));
  }

  /**
   * The ends of every log: the driver's, the Master's, the Worker's and each executor's stderr.
   * Skips the executors' scratch directories, which they may still be deleting.
   */
  private static String logs(Path dir) throws IOException {
    List<Path> logs = new ArrayList<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return d.equals(dir.resolve("local")) || d.equals(dir.resolve("spark-home"))
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        if (f.toString().endsWith(".log") || f.getFileName().toString().equals("stderr")) {
          logs.add(f);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    StringBuilder out = new StringBuilder();
    for (Path log : logs.stream().sorted().toList()) {
      out.append("==== ").append(log).append('\n').append(SparkJvm.tail(log, 60)).append('\n');
    }
    return out.toString();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
