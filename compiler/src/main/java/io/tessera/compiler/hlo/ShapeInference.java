package io.tessera.compiler.hlo;

import java.util.List;
import java.util.Objects;

/**
 * Infers the result shape of an operation from its operand shapes and attributes, following XLA's
 * operation semantics (and its verifier: no implicit broadcasting, no mixed precision). Throws
 * {@link ShapeException} saying what does not fit, e.g. {@code "add: operand shapes f32[3] and
 * f32[4] differ"}.
 *
 * <p>Some results cannot be derived from the operands: {@code parameter}, {@code iota},
 * {@code broadcast}, {@code reshape}, {@code bitcast}, {@code convert},
 * {@code bitcast-convert}, {@code custom-call} and an elided {@code constant} (no literal) take
 * the shape the instruction declares ({@link #needsDeclaredShape}); inference then checks that
 * declared shape against the operands instead. For {@code dot} and {@code convolution} a declared
 * element type is the preferred result type. Inferred shapes carry no layout.
 *
 * <p>The rules live in one package-private class per opcode family; this class dispatches.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /**
   * The result shape of {@code opcode} applied to operands of {@code operandShapes} with
   * {@code attributes} (which include any called computations).
   *
   * @throws ShapeException when the operands and attributes do not fit, or when the opcode's
   *     result can only be declared ({@link #needsDeclaredShape})
   */
  public static Shape infer(Opcode opcode, List<Shape> operandShapes, Attributes attributes) {
    return infer(opcode, operandShapes, attributes, null);
  }

  /**
   * The result shape of the operation, given the shape the instruction declares ({@code null}
   * for none). Opcodes that {@link #needsDeclaredShape need} it validate and return it; dot and
   * convolution read their result element type from it; the others ignore it (compare it with
   * {@link #checkDeclared}).
   */
  public static Shape infer(Opcode opcode, List<Shape> operandShapes, Attributes attributes, Shape declared) {
    Objects.requireNonNull(opcode, "opcode");
    Objects.requireNonNull(attributes, "attributes");
    Operation op = new Operation(opcode, List.copyOf(operandShapes), attributes, declared);
    if (!opcode.isVariadic() && operandShapes.size() != opcode.arity()) {
      op.requireOperandCount(opcode.arity());
    }
    return switch (opcode.family()) {
      case LEAF -> leaf(op);
      case STRUCTURE -> structure(op);
      case UNARY -> ElementwiseShapes.unary(op);
      case BINARY -> ElementwiseShapes.binary(op);
      case TERNARY -> opcode == Opcode.SELECT ? ElementwiseShapes.select(op) : ElementwiseShapes.clamp(op);
      case DATA_MOVEMENT -> dataMovement(op);
      case REDUCTION -> switch (opcode) {
        case REDUCE -> ReductionShapes.reduce(op);
        case REDUCE_WINDOW -> ReductionShapes.reduceWindow(op);
        case SELECT_AND_SCATTER -> ReductionShapes.selectAndScatter(op);
        case BATCH_NORM_TRAINING, BATCH_NORM_INFERENCE -> BatchNormShapes.batchNorm(op);
        default -> ReductionShapes.sort(op);
      };
      case CONTRACTION -> opcode == Opcode.DOT ? ContractionShapes.dot(op) : ContractionShapes.convolution(op);
      case CONTROL -> switch (opcode) {
        case CALL -> ControlShapes.call(op, Attr.TO_APPLY);
        case FUSION -> ControlShapes.call(op, Attr.CALLS);
        case MAP -> ControlShapes.map(op);
        case WHILE -> ControlShapes.whileLoop(op);
        case CONDITIONAL -> ControlShapes.conditional(op);
        default -> ControlShapes.customCall(op);
      };
    };
  }

  /**
   * Infers the shape with {@code declared} given and checks that it equals the declared one,
   * layouts aside.
   *
   * @return {@code declared}
   * @throws ShapeException when inference fails or the shapes differ
   */
  public static Shape checkDeclared(Opcode opcode, List<Shape> operandShapes, Attributes attributes, Shape declared) {
    Objects.requireNonNull(declared, "declared shape");
    Shape inferred = infer(opcode, operandShapes, attributes, declared);
    if (!inferred.equalsIgnoringLayout(declared)) {
      throw new ShapeException(opcode.mnemonic() + ": declared shape " + Operation.str(declared)
          + " differs from the inferred shape " + Operation.str(inferred));
    }
    return declared;
  }

  /**
   * True for opcodes whose result shape must be declared because operands and attributes do not
   * determine it. A {@code constant} needs one only when it has no literal (elided).
   */
  public static boolean needsDeclaredShape(Opcode opcode) {
    return switch (opcode) {
      case PARAMETER, IOTA, BROADCAST, RESHAPE, BITCAST, CONVERT, BITCAST_CONVERT, CUSTOM_CALL -> true;
      default -> false;
    };
  }

  private static Shape leaf(Operation op) {
    return switch (op.opcode) {
      case PARAMETER -> {
        long number = op.require(Attr.PARAMETER_NUMBER);
        if (number < 0) {
          throw op.fail("parameter number " + number + " is negative");
        }
        yield op.requireDeclared("a parameter's shape is what it declares");
      }
      case CONSTANT -> {
        Literal literal = op.attributes.get(Attr.LITERAL);
        yield literal != null ? literal.shape() : op.requireDeclared("an elided constant has no literal");
      }
      default -> iota(op);
    };
  }

  /** {@code iota}: an integer or float array of rank at least 1, counting along {@code iota_dimension}. */
  private static Shape iota(Operation op) {
    Shape result = op.declaredArray("iota has no operands");
    if (result.rank() == 0) {
      throw op.fail("the result must have at least one dimension, declared " + Operation.str(result));
    }
    if (result.elementType().isPred()) {
      throw op.fail("the result must have an integer or float type, declared " + Operation.str(result));
    }
    op.index(Attr.IOTA_DIMENSION, result.rank(), Operation.str(result));
    return result;
  }

  private static Shape structure(Operation op) {
    if (op.opcode == Opcode.TUPLE) {
      return Shape.tuple(op.operands.stream().map(Shape::withoutLayout).toList());
    }
    Shape tuple = op.operand(0);
    if (!tuple.isTuple()) {
      throw op.fail("operand must be a tuple, got " + Operation.str(tuple));
    }
    int index = op.index(Attr.INDEX, tuple.tupleShapes().size(), "tuple " + Operation.str(tuple));
    return tuple.tupleShape(index).withoutLayout();
  }

  private static Shape dataMovement(Operation op) {
    return switch (op.opcode) {
      case BROADCAST -> DataMovementShapes.broadcast(op);
      case RESHAPE -> DataMovementShapes.reshape(op);
      case TRANSPOSE -> DataMovementShapes.transpose(op);
      case SLICE -> DataMovementShapes.slice(op);
      case DYNAMIC_SLICE -> DataMovementShapes.dynamicSlice(op);
      case DYNAMIC_UPDATE_SLICE -> DataMovementShapes.dynamicUpdateSlice(op);
      case CONCATENATE -> DataMovementShapes.concatenate(op);
      case PAD -> DataMovementShapes.pad(op);
      case REVERSE -> DataMovementShapes.reverse(op);
      case COPY -> op.operand(0).withoutLayout();
      case BITCAST -> DataMovementShapes.bitcast(op);
      case GATHER -> GatherScatterShapes.gather(op);
      case SET_DIMENSION_SIZE -> DataMovementShapes.setDimensionSize(op);
      case SCATTER -> GatherScatterShapes.scatter(op);
      default -> throw new IllegalArgumentException(op.opcode + " is not a data-movement opcode");
    };
  }
}
