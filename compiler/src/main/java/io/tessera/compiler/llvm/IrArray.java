package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;

/**
 * A dense row-major array in memory: a pointer value and the array's shape. Loads and stores
 * convert between the storage and value representations of the element type ({@link IrTypes}).
 * Accesses are aligned to the element size only: callers' buffers need no more.
 */
public final class IrArray {
  private final IrValue pointer;
  private final Shape shape;

  public IrArray(IrValue pointer, Shape shape) {
    if (!shape.isArray()) {
      throw new IllegalArgumentException("IrArray of non-array shape " + shape);
    }
    this.pointer = pointer;
    this.shape = shape;
  }

  public IrValue pointer() {
    return pointer;
  }

  public Shape shape() {
    return shape;
  }

  public ElementType elementType() {
    return shape.elementType();
  }

  /** The element at {@code index}, in its value type. */
  public IrValue load(IrBuilder b, IrIndex index) {
    return loadLinear(b, index.linear(b));
  }

  /** The element at row-major position {@code linear}, in its value type. */
  public IrValue loadLinear(IrBuilder b, IrValue linear) {
    ElementType t = elementType();
    String storage = IrTypes.storageType(t);
    IrValue address = b.gep(storage, pointer, linear);
    return FloatFormats.decode(b, t, b.load(storage, address, t.byteSize()));
  }

  /** Stores {@code value} (in the element's value type) at {@code index}. */
  public void store(IrBuilder b, IrIndex index, IrValue value) {
    storeLinear(b, index.linear(b), value);
  }

  /** Stores {@code value} at row-major position {@code linear}. */
  public void storeLinear(IrBuilder b, IrValue linear, IrValue value) {
    ElementType t = elementType();
    String storage = IrTypes.storageType(t);
    IrValue address = b.gep(storage, pointer, linear);
    b.store(FloatFormats.encode(b, t, value), address, t.byteSize());
  }
}
