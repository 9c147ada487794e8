package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.math.Cumprod;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Gathers and scatters, arg-max and top-k, cumulative sums, one-hot. */
final class IndexingGraphs {
  private IndexingGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("embedding_mean_pool", "embedding lookup (GatherV2 axis 0) of a constant table, mean over the sequence",
            IndexingGraphs::embeddingMeanPool),
        GraphCase.of("embedding_bag_max", "embedding lookup of a fed table with s64 ids, max and sum pooling",
            IndexingGraphs::embeddingBagMax),
        GraphCase.of("gather_axis1_batch_dims", "GatherV2 along axis 1 with batch_dims=1",
            IndexingGraphs::gatherBatchDims),
        GraphCase.of("gather_nd", "GatherNd of [row, column] pairs",
            (tf, in) -> List.of(tf.gatherNd(in.f32("params", -1, 1, 6, 7, 3), in.s32("indices", 0, 6, 5, 1)))),
        GraphCase.of("argmax_argmin", "ArgMax over axis 1 (s32) and ArgMin over axis 0 (s64) of one product",
            (tf, in) -> {
              Operand<TFloat32> x = tf.math.mul(in.f32("x", -1, 1, 8, 24), in.f32("y", -1, 1, 8, 24));
              return List.of(tf.math.argMax(x, tf.constant(1), TInt32.class), tf.math.argMin(x, tf.constant(0), TInt64.class));
            }),
        GraphCase.of("top_k", "TopKV2 k=5 over the last axis: values and s32 indices",
            (tf, in) -> {
              var top = tf.nn.topK(in.f32("x", -1, 1, 8, 32), tf.constant(5), TInt32.class, TopK.sorted(true));
              return List.of(top.values(), top.indices());
            }),
        GraphCase.of("sort_descending", "TopKV2 with k = n, a full descending sort of each row",
            (tf, in) -> {
              var top = tf.nn.topK(in.f32("x", -1, 1, 6, 16), tf.constant(16), TInt32.class, TopK.sorted(true));
              return List.of(top.values(), top.indices());
            }),
        GraphCase.of("cumsum", "Cumsum along axis 1, inclusive",
            (tf, in) -> List.of(tf.math.cumsum(in.f32("x", -1, 1, 6, 40), tf.constant(1)))),
        GraphCase.of("cumsum_exclusive_reverse", "Cumsum along axis 0, exclusive and reversed; Cumprod along axis 1",
            (tf, in) -> {
              Operand<TFloat32> x = tf.math.square(in.f32("x", 0.7, 1.2, 12, 10));
              return List.of(tf.math.cumsum(x, tf.constant(0), Cumsum.exclusive(true), Cumsum.reverse(true)),
                  tf.math.cumprod(x, tf.constant(1), Cumprod.exclusive(false)));
            }),
        GraphCase.of("cumsum_int", "Cumsum of s32 along the only axis",
            (tf, in) -> List.of(tf.math.cumsum(in.s32("x", -100, 100, 64), tf.constant(0)))),
        GraphCase.of("one_hot", "OneHot of shifted s32 labels (FloorMod) with on/off values, on axis -1 and axis 0",
            (tf, in) -> {
              Operand<TInt32> labels = tf.math.floorMod(tf.math.add(in.s32("labels", 0, 6, 10), tf.constant(2)), tf.constant(6));
              return List.of(tf.oneHot(labels, tf.constant(6), tf.constant(2.5f), tf.constant(-1f)),
                  tf.oneHot(labels, tf.constant(6), tf.constant(1), tf.constant(0), org.tensorflow.op.core.OneHot.axis(0L)));
            }),
        GraphCase.of("unsorted_segment_sum", "UnsortedSegmentSum of rows into 5 segments (scatter-add)",
            (tf, in) -> List.of(tf.math.unsortedSegmentSum(in.f32("data", -1, 1, 12, 6), in.s32("segments", 0, 5, 12),
                tf.constant(5)))),
        GraphCase.of("tensor_scatter_update", "TensorScatterNdAdd and TensorScatterNdUpdate of scaled rows at unique indices",
            IndexingGraphs::scatter));
  }

  private static List<Operand<?>> embeddingMeanPool(Ops tf, Inputs in) {
    Operand<TFloat32> table = in.constF32(-1, 1, 50, 16);
    Operand<TInt32> ids = in.s32("ids", 0, 50, 8, 5);
    Operand<TFloat32> embedded = tf.gather(table, ids, tf.constant(0));
    return List.of(Layers.mean(tf, embedded, false, 1));
  }

  private static List<Operand<?>> embeddingBagMax(Ops tf, Inputs in) {
    Operand<TFloat32> table = in.f32("table", -1, 1, 40, 12);
    Operand<TInt64> ids = in.s64("ids", 0, 40, 6, 7);
    Operand<TFloat32> embedded = tf.gather(table, ids, tf.constant(0));
    return List.of(tf.reduceMax(embedded, tf.constant(1)), Layers.sum(tf, embedded, false, 1));
  }

  private static List<Operand<?>> gatherBatchDims(Ops tf, Inputs in) {
    Operand<TFloat32> params = in.f32("params", -1, 1, 4, 10, 3);
    Operand<TInt32> indices = in.s32("indices", 0, 10, 4, 6);
    return List.of(tf.gather(params, indices, tf.constant(1), Gather.batchDims(1L)));
  }

  private static List<Operand<?>> scatter(Ops tf, Inputs in) {
    Operand<TFloat32> base = in.f32("base", -1, 1, 8, 5);
    Operand<TInt32> rows = tf.constant(new int[][] {{6}, {1}, {3}});
    Operand<TFloat32> updates = tf.math.mul(in.f32("updates", -1, 1, 3, 5), tf.constant(10f));
    return List.of(tf.tensorScatterNdAdd(base, rows, updates), tf.tensorScatterNdUpdate(base, rows, updates));
  }
}
