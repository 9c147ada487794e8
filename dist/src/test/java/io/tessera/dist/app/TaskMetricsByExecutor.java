package io.tessera.dist.app;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Tessera's compile metrics per executor, for the jobs of one job group: the driver receives
 * every finished task's metric updates with the executor that ran it. The Tessera operator counts,
 * per task, whether it compiled its module ("module compilations") or found it in its executor's
 * cache ("compile cache hits"); summed by executor, they say how often each executor JVM compiled.
 */
final class TaskMetricsByExecutor extends SparkListener {
  /** The metric names of {@code io.tessera.spark.TesseraEvalExec#metrics()}. */
  static final String COMPILATIONS = "module compilations";
  static final String CACHE_HITS = "compile cache hits";

  record Counts(long tasks, long compilations, long cacheHits) {
    Counts plus(long compiled, long hits) {
      return new Counts(tasks + 1, compilations + compiled, cacheHits + hits);
    }
  }

  private final Map<Integer, String> groupOfStage = new HashMap<>();
  private final Map<Integer, String> groupOfJob = new HashMap<>();
  private final Map<String, Integer> runningJobs = new HashMap<>();
  private final Map<String, Integer> finishedJobs = new HashMap<>();
  private final Map<String, Map<String, Counts>> countsByGroup = new HashMap<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart jobStart) {
    String group = jobStart.properties() == null ? null : jobStart.properties().getProperty("spark.jobGroup.id");
    if (group == null) {
      return;
    }
    groupOfJob.put(jobStart.jobId(), group);
    for (Object stageId : CollectionConverters.asJava(jobStart.stageIds())) {
      groupOfStage.put((Integer) stageId, group);
    }
    runningJobs.merge(group, 1, Integer::sum);
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    String group = groupOfStage.get(taskEnd.stageId());
    TaskInfo info = taskEnd.taskInfo();
    if (group == null || !info.successful()) {
      return;
    }
    long compiled = 0;
    long hits = 0;
    // Spark lists a metric for a task only when the task changed it.
    for (AccumulableInfo acc : CollectionConverters.asJava(info.accumulables())) {
      if (acc.name().isEmpty() || acc.update().isEmpty()) {
        continue;
      }
      String name = acc.name().get();
      if (name.equals(COMPILATIONS)) {
        compiled += asLong(acc.update().get());
      } else if (name.equals(CACHE_HITS)) {
        hits += asLong(acc.update().get());
      }
    }
    long c = compiled;
    long h = hits;
    countsByGroup.computeIfAbsent(group, g -> new TreeMap<>())
        .merge(info.executorId(), new Counts(1, c, h), (old, one) -> old.plus(c, h));
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
    String group = groupOfJob.get(jobEnd.jobId());
    if (group != null) {
      finishedJobs.merge(group, 1, Integer::sum);
      notifyAll();
    }
  }

  /**
   * The counts of {@code group} by executor id, once every job of the group that started has
   * ended (the listener bus delivers a job's task ends before its end).
   */
  synchronized Map<String, Counts> awaitGroup(String group, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (runningJobs.getOrDefault(group, 0) == 0
        || !runningJobs.get(group).equals(finishedJobs.getOrDefault(group, 0))) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new IllegalStateException("the jobs of " + group + " did not end within " + timeoutMs + " ms");
      }
      wait(left);
    }
    return new TreeMap<>(countsByGroup.getOrDefault(group, Map.of()));
  }

  private static long asLong(Object value) {
    return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
  }
}
