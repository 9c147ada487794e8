package io.tessera.oracle;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Data movement (concat, slices, pads, reverse, transpose, tile...) and batched contractions. */
final class ShapeGraphs {
  private ShapeGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("concat", "ConcatV2 of three inputs along axis 1",
            (tf, in) -> List.of(tf.concat(List.of(in.f32("a", -1, 1, 4, 3), in.f32("b", -1, 1, 4, 5),
                in.f32("c", -1, 1, 4, 2)), tf.constant(1)))).withTolerance(Tolerance.EXACT),
        GraphCase.of("slice", "Slice with begin [1,2,0] and size [3,-1,2]",
            (tf, in) -> List.of(tf.slice(in.f32("x", -1, 1, 5, 6, 4), tf.constant(new int[] {1, 2, 0}),
                tf.constant(new int[] {3, -1, 2})))).withTolerance(Tolerance.EXACT),
        GraphCase.of("strided_slice", "StridedSlice x[1:7:2, ::-1, 3] (negative stride, shrink axis)",
            (tf, in) -> List.of(tf.stridedSlice(in.f32("x", -1, 1, 8, 6, 5), tf.constant(new int[] {1, 0, 3}),
                tf.constant(new int[] {7, 0, 4}), tf.constant(new int[] {2, -1, 1}),
                StridedSlice.beginMask(2L), StridedSlice.endMask(2L), StridedSlice.shrinkAxisMask(4L))))
            .withTolerance(Tolerance.EXACT),
        GraphCase.of("strided_slice_ellipsis", "StridedSlice x[..., newaxis, 1:-1] (ellipsis, new axis)",
            (tf, in) -> List.of(tf.stridedSlice(in.f32("x", -1, 1, 3, 4, 6), tf.constant(new int[] {0, 0, 1}),
                tf.constant(new int[] {0, 0, -1}), tf.constant(new int[] {1, 1, 1}),
                StridedSlice.ellipsisMask(1L), StridedSlice.newAxisMask(2L)))).withTolerance(Tolerance.EXACT),
        GraphCase.of("pad", "PadV2 with constant 0.5: [[1,2],[0,3]]",
            (tf, in) -> List.of(tf.pad(in.f32("x", -1, 1, 4, 5), tf.constant(new int[][] {{1, 2}, {0, 3}}),
                tf.constant(0.5f)))).withTolerance(Tolerance.EXACT),
        GraphCase.of("mirror_pad", "MirrorPad REFLECT and SYMMETRIC of one negated input (slices, reverses, concats)",
            (tf, in) -> {
              Operand<TFloat32> x = tf.math.neg(in.f32("x", -1, 1, 4, 5));
              Operand<TInt32> paddings = tf.constant(new int[][] {{1, 2}, {2, 1}});
              return List.of(tf.mirrorPad(x, paddings, "REFLECT"), tf.mirrorPad(x, paddings, "SYMMETRIC"));
            }).withTolerance(Tolerance.EXACT),
        GraphCase.of("reverse", "ReverseV2 over axes 0 and 2",
            (tf, in) -> List.of(tf.reverse(in.f32("x", -1, 1, 3, 4, 5), tf.constant(new int[] {0, 2}))))
            .withTolerance(Tolerance.EXACT),
        GraphCase.of("transpose", "Transpose [3,4,5] by permutation [2,0,1], then add a bias",
            (tf, in) -> List.of(tf.math.add(tf.linalg.transpose(in.f32("x", -1, 1, 3, 4, 5), tf.constant(new int[] {2, 0, 1})),
                in.f32("bias", -1, 1, 4)))).withTolerance(Tolerance.EXACT),
        GraphCase.of("tile", "Tile [3,4] by [2,3]",
            (tf, in) -> List.of(tf.tile(in.f32("x", -1, 1, 3, 4), tf.constant(new int[] {2, 3}))))
            .withTolerance(Tolerance.EXACT),
        GraphCase.of("reshape_squeeze", "Reshape, ExpandDims, Squeeze, BroadcastTo",
            ShapeGraphs::reshapes).withTolerance(Tolerance.EXACT),
        GraphCase.of("stack_unstack_split", "Unpack along axis 0, Pack along axis 2, Split and SplitV along axis 1",
            ShapeGraphs::stackUnstackSplit).withTolerance(Tolerance.EXACT),
        GraphCase.of("roll", "Roll by 2 along axis 1 and by -1 along axis 0",
            (tf, in) -> List.of(tf.roll(in.f32("x", -1, 1, 5, 7), tf.constant(new int[] {2, -1}),
                tf.constant(new int[] {1, 0})))).withTolerance(Tolerance.EXACT),
        GraphCase.of("batch_matmul", "BatchMatMulV3 [4,6,8] x [4,8,5]",
            (tf, in) -> List.of(tf.train.batchMatMul(in.f32("x", -1, 1, 4, 6, 8), in.f32("y", -1, 1, 4, 8, 5),
                TFloat32.class))),
        GraphCase.of("batch_matmul_broadcast_adjoint", "BatchMatMulV3 [2,1,6,8] x adjoint [3,5,8] (batch broadcast)",
            (tf, in) -> List.of(tf.train.batchMatMul(in.f32("x", -1, 1, 2, 1, 6, 8), in.f32("y", -1, 1, 3, 5, 8),
                TFloat32.class, BatchMatMul.adjY(true)))),
        GraphCase.of("einsum", "Einsum ij,jk->ik; bi,bi->b; abc,cd->abd; bij->bji, combined",
            ShapeGraphs::einsums),
        GraphCase.of("attention", "scaled dot-product attention with einsum, softmax and a causal mask",
            ShapeGraphs::attention));
  }

  private static List<Operand<?>> reshapes(Ops tf, Inputs in) {
    Operand<TFloat32> x = tf.math.neg(in.f32("x", -1, 1, 4, 6));
    Operand<TFloat32> r = tf.reshape(x, tf.constant(new int[] {2, 2, 6}));
    Operand<TFloat32> e = tf.expandDims(r, tf.constant(1));
    Operand<TFloat32> b = tf.broadcastTo(e, tf.constant(new int[] {2, 3, 2, 6}));
    Operand<TFloat32> s = tf.squeeze(tf.reshape(x, tf.constant(new int[] {1, 24, 1})));
    return List.of(b, s);
  }

  private static List<Operand<?>> stackUnstackSplit(Ops tf, Inputs in) {
    Operand<TFloat32> x = tf.math.neg(in.f32("x", -1, 1, 3, 4, 6));
    List<Output<TFloat32>> parts = tf.unstack(x, 3L).output();
    Operand<TFloat32> stacked = tf.stack(List.<Operand<TFloat32>>of(parts.get(2), parts.get(0)), Stack.axis(2L));
    var halves = tf.split(tf.constant(1), stacked, 2L);
    var uneven = tf.splitV(x, tf.constant(new int[] {1, 3}), tf.constant(1), 2L);
    return List.of(halves.output().get(0), halves.output().get(1), uneven.output().get(0), uneven.output().get(1));
  }

  private static List<Operand<?>> einsums(Ops tf, Inputs in) {
    Operand<TFloat32> a = in.f32("a", -1, 1, 5, 6);
    Operand<TFloat32> b = in.f32("b", -1, 1, 6, 4);
    Operand<TFloat32> c = in.f32("c", -1, 1, 3, 5, 6);
    // One connected expression (TensorFlow clusters each connected component on its own).
    Operand<TFloat32> matmul = tf.linalg.einsum(List.of(a, b), "ij,jk->ik"); // [5,4]
    Operand<TFloat32> rowDots = tf.linalg.einsum(List.of(a, a), "bi,bi->b"); // [5]
    Operand<TFloat32> batched = tf.linalg.einsum(List.of(c, b), "abc,cd->abd"); // [3,5,4]
    Operand<TFloat32> sum = tf.math.add(tf.math.add(batched, matmul), tf.expandDims(rowDots, tf.constant(1)));
    return List.of(matmul, rowDots, tf.linalg.einsum(List.of(sum), "bij->bji"));
  }

  /** softmax(q k^T / sqrt(d) + causal mask) v over [batch 2, heads 2, sequence 6, depth 8]. */
  private static List<Operand<?>> attention(Ops tf, Inputs in) {
    Operand<TFloat32> q = in.f32("q", -1, 1, 2, 2, 6, 8);
    Operand<TFloat32> k = in.f32("k", -1, 1, 2, 2, 6, 8);
    Operand<TFloat32> v = in.f32("v", -1, 1, 2, 2, 6, 8);
    Operand<TFloat32> scores = tf.math.mul(tf.linalg.einsum(List.of(q, k), "bhqd,bhkd->bhqk"),
        tf.constant((float) (1 / Math.sqrt(8))));
    float[][] causal = new float[6][6];
    for (int i = 0; i < 6; i++) {
      for (int j = i + 1; j < 6; j++) {
        causal[i][j] = Float.NEGATIVE_INFINITY;
      }
    }
    Operand<TFloat32> weights = tf.nn.softmax(tf.math.add(scores, tf.constant(causal)));
    return List.of(tf.linalg.einsum(List.of(weights, v), "bhqk,bhkd->bhqd"));
  }
}
