package io.tessera.arrow;

import static io.tessera.arrow.TestVectors.fixedFloatLists;
import static io.tessera.arrow.TestVectors.floatLists;
import static io.tessera.arrow.TestVectors.floats;
import static io.tessera.arrow.TestVectors.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.Backends;
import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real backends end to end: a module compiled once runs on Arrow batches of several sizes, with
 * nulls, and agrees with the same math done in Java on the vectors' values.
 */
class ArrowKernelBackendsTest {
  private static final float[] W = {0.5f, -1f, 0.25f, 2f};

  /** score = logistic(a * dot(features, W) + b); positive = score > 0.5; per row. */
  private static final String PER_ROW_MODEL = """
      HloModule score
      ENTRY e {
        features = f32[4] parameter(0)
        a = f32[] parameter(1)
        b = f32[] parameter(2)
        w = f32[4] constant({0.5, -1, 0.25, 2})
        d = f32[] dot(features, w), lhs_contracting_dims={0}, rhs_contracting_dims={0}
        ad = f32[] multiply(a, d)
        z = f32[] add(ad, b)
        score = f32[] logistic(z)
        half = f32[] constant(0.5)
        positive = pred[] compare(score, half), direction=GT
        ROOT out = (f32[], pred[]) tuple(score, positive)
      }
      """;

  /** The same model with the row dimension written out by hand. */
  private static final String BATCHED_MODEL = """
      HloModule score
      ENTRY e {
        features = f32[?,4] parameter(0)
        a = f32[?] parameter(1)
        b = f32[?] parameter(2)
        w = f32[4] constant({0.5, -1, 0.25, 2})
        d = f32[?] dot(features, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        ad = f32[?] multiply(a, d)
        z = f32[?] add(ad, b)
        score = f32[?] logistic(z)
        half = f32[] constant(0.5)
        halves = f32[?] broadcast(half), dimensions={}
        positive = pred[?] compare(score, halves), direction=GT
        ROOT out = (f32[?], pred[?]) tuple(score, positive)
      }
      """;

  private static Backend backend(String name) {
    Backend backend = Backends.byName(name);
    Assumptions.assumeTrue(backend.isAvailable(), () -> name + " is not available: " + backend.unavailableReason());
    return backend;
  }

  private static float[][] randomRows(Random random, int n, int width) {
    float[][] rows = new float[n][width];
    for (float[] row : rows) {
      for (int j = 0; j < width; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    return rows;
  }

  private static Float[] randomScalars(Random random, int n, int nullEvery) {
    Float[] values = new Float[n];
    for (int i = 0; i < n; i++) {
      values[i] = nullEvery > 0 && i % nullEvery == nullEvery - 1 ? null : (float) random.nextGaussian();
    }
    return values;
  }

  private static void checkScores(VectorSchemaRoot batch, VectorSchemaRoot result) {
    FixedSizeListVector features = (FixedSizeListVector) batch.getVector(0);
    Float4Vector a = (Float4Vector) batch.getVector(1);
    Float4Vector b = (Float4Vector) batch.getVector(2);
    Float4Vector score = (Float4Vector) result.getVector("score");
    BitVector positive = (BitVector) result.getVector("positive");
    assertEquals(batch.getRowCount(), result.getRowCount());
    for (int r = 0; r < batch.getRowCount(); r++) {
      boolean isNull = features.isNull(r) || a.isNull(r) || b.isNull(r);
      assertEquals(isNull, score.isNull(r), "row " + r);
      assertEquals(isNull, positive.isNull(r), "row " + r);
      if (isNull) {
        continue;
      }
      @SuppressWarnings("unchecked")
      List<Float> f = (List<Float>) features.getObject(r);
      float d = 0;
      for (int j = 0; j < 4; j++) {
        d += f.get(j) * W[j];
      }
      double expected = 1 / (1 + Math.exp(-(a.get(r) * d + b.get(r))));
      assertEquals(expected, score.get(r), 1e-5, "row " + r);
      assertEquals(score.get(r) > 0.5f ? 1 : 0, positive.get(r), "row " + r);
    }
  }

  /** The model as TF or JAX export it: a fixed batch of 8 rows. */
  private static final String FIXED_BATCH_MODEL = """
      HloModule score
      ENTRY e {
        features = f32[8,4] parameter(0)
        a = f32[8] parameter(1)
        b = f32[8] parameter(2)
        w = f32[4] constant({0.5, -1, 0.25, 2})
        d = f32[8] dot(features, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        ad = f32[8] multiply(a, d)
        z = f32[8] add(ad, b)
        score = f32[8] logistic(z)
        half = f32[] constant(0.5)
        halves = f32[8] broadcast(half), dimensions={}
        positive = pred[8] compare(score, halves), direction=GT
        ROOT out = (f32[8], pred[8]) tuple(score, positive)
      }
      """;

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "cpu"})
  void aPerRowModuleCompiledOnceRunsOnBatchesOfEverySize(String backendName) {
    Module module = HloParser.parse(PER_ROW_MODEL);
    String before = module.toString();
    runModel(module, ModuleForm.PER_ROW, backendName);
    assertEquals(before, module.toString(), "the batching pass works on a copy");
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "cpu"})
  void aModuleBatchedByHandIsCompiledAsItIs(String backendName) {
    runModel(HloParser.parse(BATCHED_MODEL), ModuleForm.PER_ROW, backendName);
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "cpu"})
  void aFixedBatchModuleIsRebatched(String backendName) {
    runModel(HloParser.parse(FIXED_BATCH_MODEL), ModuleForm.FIXED_BATCH, backendName);
  }

  private static void runModel(Module module, ModuleForm form, String backendName) {
    Random random = new Random(3);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.compile(module, form, backend(backendName), BackendOptions.defaults(),
            ColumnBinding.byPosition())) {
      assertEquals(List.of("score", "positive"), kernel.outputSchema().getFields().stream().map(f -> f.getName()).toList());
      for (int n : new int[] {1, 130, 0, 1000}) {
        float[][] rows = randomRows(random, n, 4);
        if (n > 5) {
          rows[5] = null;
        }
        try (VectorSchemaRoot batch = root(fixedFloatLists(allocator, "features", 4, rows),
            floats(allocator, "a", randomScalars(random, n, 7)), floats(allocator, "b", randomScalars(random, n, 0)));
            VectorSchemaRoot result = kernel.apply(batch, allocator)) {
          checkScores(batch, result);
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aModuleTheBatchingPassCannotBatchIsRefusedNamingTheOperation() {
    Module module = HloParser.parse("""
        HloModule m
        ENTRY e {
          x = f32[4] parameter(0)
          ROOT c = f32[4] custom-call(x), custom_call_target="foo"
        }
        """);
    RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> ArrowKernel.compile(module, backend("interpreter"), BackendOptions.defaults(), ColumnBinding.byPosition()));
    assertTrue(e.getMessage().contains("%c"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"interpreter", "cpu"})
  void listColumnsWithUnpaddedNullsRunOnRealBackends(String backendName) {
    Module module = HloParser.parse(PER_ROW_MODEL);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowKernel kernel = ArrowKernel.compile(module, backend(backendName), BackendOptions.defaults(),
            ColumnBinding.byName("f", "a", "b"));
        VectorSchemaRoot batch = root(floats(allocator, "b", 0f, 0f, 1f), floats(allocator, "a", 1f, 1f, 1f),
            floatLists(allocator, "f", new float[] {1, 0, 0, 0}, null, new float[] {0, 0, 0, 1}));
        VectorSchemaRoot result = kernel.apply(batch, allocator)) {
      Float4Vector score = (Float4Vector) result.getVector("score");
      assertEquals(1 / (1 + Math.exp(-0.5)), score.get(0), 1e-6);
      assertTrue(score.isNull(1));
      assertEquals(1 / (1 + Math.exp(-3)), score.get(2), 1e-6);
      FieldVector positive = result.getVector("positive");
      assertEquals(List.of(true, true), List.of(positive.getObject(0), positive.getObject(2)));
    }
  }
}
