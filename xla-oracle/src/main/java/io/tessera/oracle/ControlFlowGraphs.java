package io.tessera.oracle;

import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Loops and conditionals: TF2's functional While and If (what tf.function emits), whose bodies
 * are functions. (TF1's Enter/Merge/Switch/Exit loops are not here: TensorFlow's auto-clustering
 * compiles their pieces as separate clusters, never one module.)
 */
final class ControlFlowGraphs {
  private ControlFlowGraphs() {}

  static List<GraphCase> all() {
    return List.of(
        GraphCase.of("while_fixed_trip", "StatelessWhile, 6 iterations of x = tanh(x W) + 0.5 x",
            ControlFlowGraphs::whileFixedTrip),
        GraphCase.of("while_data_dependent", "StatelessWhile whose trip count is a fed s32 scalar; sums a series",
            ControlFlowGraphs::whileDataDependent),
        GraphCase.of("cond_if", "StatelessIf on sum(x) > 0 choosing between two computations",
            ControlFlowGraphs::condIf),
        GraphCase.of("while_with_cond", "StatelessIf nested in a StatelessWhile body, branch on the loop counter",
            ControlFlowGraphs::whileWithCond));
  }

  private static Placeholder<TFloat32> f32(Ops tf, long... shape) {
    return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
  }

  private static Placeholder<TInt32> s32(Ops tf) {
    return tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
  }

  private static List<Operand<?>> whileFixedTrip(Ops tf, Inputs in) {
    float[][] w = new float[8][8];
    double[] values = in.uniform(-0.4, 0.4, 8, 8);
    for (int i = 0; i < 64; i++) {
      w[i / 8][i % 8] = (float) values[i];
    }
    ConcreteFunction cond = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 4, 8);
      return Signature.builder().input("i", i).input("x", x).output("keep_going", f.math.less(i, f.constant(6))).build();
    });
    ConcreteFunction body = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 4, 8);
      Operand<TFloat32> next = f.math.add(f.math.tanh(f.linalg.matMul(x, f.constant(w))), f.math.mul(x, f.constant(0.5f)));
      return Signature.builder().input("i", i).input("x", x)
          .output("i_next", f.math.add(i, f.constant(1))).output("x_next", next).build();
    });
    var loop = tf.statelessWhile(List.of(tf.constant(0), in.f32("x", -1, 1, 4, 8)), cond, body);
    return List.of(loop.output().get(1));
  }

  private static List<Operand<?>> whileDataDependent(Ops tf, Inputs in) {
    ConcreteFunction cond = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TInt32> n = s32(f);
      Placeholder<TFloat32> term = f32(f, 16);
      Placeholder<TFloat32> total = f32(f, 16);
      return Signature.builder().input("i", i).input("n", n).input("term", term).input("total", total)
          .output("keep_going", f.math.less(i, n)).build();
    });
    ConcreteFunction body = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TInt32> n = s32(f);
      Placeholder<TFloat32> term = f32(f, 16);
      Placeholder<TFloat32> total = f32(f, 16);
      // term_{i+1} = term_i * x / (i + 1) with x folded into the first term: partial sums of e^x.
      Operand<TFloat32> nextTerm = f.math.div(term, f.dtypes.cast(f.math.add(i, f.constant(1)), TFloat32.class));
      return Signature.builder().input("i", i).input("n", n).input("term", term).input("total", total)
          .output("i_next", f.math.add(i, f.constant(1))).output("n_next", n)
          .output("term_next", nextTerm).output("total_next", f.math.add(total, term)).build();
    });
    Operand<TInt32> n = in.feed("n", TInt32.class, HostArray.ofLongs(ElementKind.S32, new long[0], new long[] {9}));
    Operand<TFloat32> x = in.f32("x", 0.5, 2, 16);
    var loop = tf.statelessWhile(List.of(tf.constant(0), n, x, tf.zeros(tf.constant(new int[] {16}), TFloat32.class)),
        cond, body);
    return List.of(loop.output().get(3), loop.output().get(0));
  }

  private static List<Operand<?>> condIf(Ops tf, Inputs in) {
    ConcreteFunction positive = ConcreteFunction.create(f -> {
      Placeholder<TFloat32> x = f32(f, 6, 5);
      return Signature.builder().input("x", x).output("y", f.math.mul(f.math.exp(f.math.neg(x)), f.constant(2f))).build();
    });
    ConcreteFunction negative = ConcreteFunction.create(f -> {
      Placeholder<TFloat32> x = f32(f, 6, 5);
      return Signature.builder().input("x", x).output("y", f.math.sub(f.math.square(x), f.constant(1f))).build();
    });
    Operand<TFloat32> x = in.f32("x", -1, 0.8, 6, 5);
    Operand<TBool> predicate = tf.math.greater(Layers.sum(tf, x, false, 0, 1), tf.constant(0f));
    var branch = tf.statelessIf(predicate, List.of(x), List.of(TFloat32.class), positive, negative);
    var other = tf.statelessIf(tf.math.logicalNot(predicate), List.of(x), List.of(TFloat32.class), positive, negative);
    return List.of(branch.output().get(0), other.output().get(0));
  }

  /** 8 iterations of x = (i even) ? x / 2 + 1 : sqrt(x) + i: an If inside a While's body. */
  private static List<Operand<?>> whileWithCond(Ops tf, Inputs in) {
    ConcreteFunction halve = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 3, 4);
      return Signature.builder().input("i", i).input("x", x)
          .output("y", f.math.add(f.math.mul(x, f.constant(0.5f)), f.constant(1f))).build();
    });
    ConcreteFunction root = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 3, 4);
      return Signature.builder().input("i", i).input("x", x)
          .output("y", f.math.add(f.math.sqrt(x), f.dtypes.cast(i, TFloat32.class))).build();
    });
    ConcreteFunction cond = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 3, 4);
      return Signature.builder().input("i", i).input("x", x).output("keep_going", f.math.less(i, f.constant(8))).build();
    });
    ConcreteFunction body = ConcreteFunction.create(f -> {
      Placeholder<TInt32> i = s32(f);
      Placeholder<TFloat32> x = f32(f, 3, 4);
      Operand<TBool> even = f.math.equal(f.math.floorMod(i, f.constant(2)), f.constant(0));
      var next = f.statelessIf(even, List.of(i, x), List.of(TFloat32.class), halve, root);
      return Signature.builder().input("i", i).input("x", x)
          .output("i_next", f.math.add(i, f.constant(1))).output("x_next", next.output().get(0)).build();
    });
    var loop = tf.statelessWhile(List.of(tf.constant(0), in.f32("x", 0, 4, 3, 4)), cond, body);
    return List.of(loop.output().get(1));
  }
}
