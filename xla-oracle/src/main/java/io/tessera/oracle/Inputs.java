package io.tessera.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The inputs of one graph: placeholders fed with seeded values (they become the HLO module's
 * parameters) and seeded constants baked into the graph, as a frozen model's weights are (they
 * become HLO constants). The seed derives from the graph's name, so every regeneration feeds the
 * same values and a new graph does not change the others' inputs.
 */
final class Inputs implements AutoCloseable {

  /** A placeholder and the value it is fed. */
  record Feed(String tensorName, Operand<?> placeholder, HostArray value) {}

  private final Ops tf;
  private final Random random;
  private final List<Feed> feeds = new ArrayList<>();
  private final List<Tensor> constantTensors = new ArrayList<>();

  Inputs(Ops tf, String graphName) {
    this.tf = tf;
    this.random = new Random(0x7e55e7aL ^ graphName.hashCode());
  }

  /** The graph's op factory. */
  Ops ops() {
    return tf;
  }

  List<Feed> feeds() {
    return Collections.unmodifiableList(feeds);
  }

  // ---- placeholders

  /** f32 values uniform in [lo, hi). */
  Operand<TFloat32> f32(String name, double lo, double hi, long... shape) {
    return feed(name, TFloat32.class, HostArray.ofDoubles(ElementKind.F32, shape, uniform(lo, hi, shape)));
  }

  Operand<TFloat64> f64(String name, double lo, double hi, long... shape) {
    return feed(name, TFloat64.class, HostArray.ofDoubles(ElementKind.F64, shape, uniform(lo, hi, shape)));
  }

  Operand<TFloat16> f16(String name, double lo, double hi, long... shape) {
    return feed(name, TFloat16.class, HostArray.ofDoubles(ElementKind.F16, shape, uniform(lo, hi, shape)));
  }

  /** s32 values uniform in [lo, hi). */
  Operand<TInt32> s32(String name, long lo, long hi, long... shape) {
    return feed(name, TInt32.class, HostArray.ofLongs(ElementKind.S32, shape, integers(lo, hi, shape)));
  }

  Operand<TInt64> s64(String name, long lo, long hi, long... shape) {
    return feed(name, TInt64.class, HostArray.ofLongs(ElementKind.S64, shape, integers(lo, hi, shape)));
  }

  Operand<TUint8> u8(String name, long... shape) {
    return feed(name, TUint8.class, HostArray.ofLongs(ElementKind.U8, shape, integers(0, 256, shape)));
  }

  Operand<TBool> pred(String name, long... shape) {
    return feed(name, TBool.class, HostArray.ofLongs(ElementKind.PRED, shape, integers(0, 2, shape)));
  }

  /** A placeholder fed exactly {@code value}, for inputs that need chosen edge cases. */
  <T extends TType> Operand<T> feed(String name, Class<T> type, HostArray value) {
    if (value.kind.tensorClass != type) {
      throw new IllegalArgumentException(name + ": value of " + value.kind + " for a " + type.getSimpleName());
    }
    Placeholder<T> placeholder = tf.withName(name).placeholder(type, Placeholder.shape(Shape.of(value.shape())));
    feeds.add(new Feed(placeholder.op().name() + ":0", placeholder, value));
    return placeholder;
  }

  // ---- constants

  /** Weights of a dense or conv layer: uniform with Glorot's scale for the given fan-in and fan-out. */
  Operand<TFloat32> weights(long fanIn, long fanOut, long... shape) {
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    return constF32(-limit, limit, shape);
  }

  Operand<TFloat32> constF32(double lo, double hi, long... shape) {
    return constant(HostArray.ofDoubles(ElementKind.F32, shape, uniform(lo, hi, shape)));
  }

  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> constant(HostArray value) {
    Tensor tensor = value.toTensor();
    constantTensors.add(tensor);
    return tf.constantOf((T) tensor);
  }

  // ---- seeded values

  double[] uniform(double lo, double hi, long... shape) {
    double[] values = new double[Math.toIntExact(HostArray.elementCount(shape))];
    for (int i = 0; i < values.length; i++) {
      values[i] = lo + (hi - lo) * random.nextDouble();
    }
    return values;
  }

  long[] integers(long lo, long hi, long... shape) {
    long[] values = new long[Math.toIntExact(HostArray.elementCount(shape))];
    for (int i = 0; i < values.length; i++) {
      values[i] = lo + (long) Math.floor((hi - lo) * random.nextDouble());
    }
    return values;
  }

  @Override
  public void close() {
    constantTensors.forEach(Tensor::close);
    constantTensors.clear();
  }
}
