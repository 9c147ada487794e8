package io.tessera.compiler.llvm;

import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.ComparisonDirection;
import io.tessera.compiler.hlo.ComparisonType;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Opcode;

/**
 * The scalar semantics of every elementwise opcode, as IR on values in their value type
 * ({@link IrTypes}). This is where XLA's operation semantics become instructions:
 *
 * <ul>
 *   <li>integer arithmetic wraps; division by zero gives -1 (all bits set) and remainder by
 *       zero gives the dividend; {@code INT_MIN / -1} gives {@code INT_MIN} and its remainder 0;
 *   <li>shifts by the type's width or more (the amount read unsigned) give 0, or the sign fill
 *       for an arithmetic right shift;
 *   <li>float {@code maximum}/{@code minimum} propagate NaN and order -0 below +0
 *       ({@code llvm.maximum}/{@code llvm.minimum});
 *   <li>float to integer conversion truncates toward zero and saturates, NaN gives 0
 *       ({@code llvm.fptosi.sat}); to {@code pred}, x != 0 (NaN is true), as
 *       C++ (and so XLA's evaluator) does;
 *   <li>transcendental functions come from the module's {@link MathLibrary}: by default
 *       {@link VectorMath}'s straight-line approximations (no libm calls, so loops using them
 *       vectorize); on f16/bf16 they run in float and round once.
 * </ul>
 */
public final class ScalarOps {
  private ScalarOps() {}

  // ---- unary ---------------------------------------------------------------------------------

  /** {@code instr}'s unary opcode on {@code x} of element type {@code type} (also the result's). */
  public static IrValue unary(IrBuilder b, Instruction instr, ElementType type, IrValue x) {
    Opcode op = instr.opcode();
    if (type.isFloat()) {
      if (op == Opcode.IS_FINITE) {
        return b.fcmp("one", fabs(b, x), IrValue.fpConst(x.type(), Double.POSITIVE_INFINITY));
      }
      if (op == Opcode.REDUCE_PRECISION) {
        return FloatFormats.reducePrecision(b, type, x, Math.toIntExact(instr.requireAttr(Attr.EXPONENT_BITS)),
            Math.toIntExact(instr.requireAttr(Attr.MANTISSA_BITS)));
      }
      return FloatFormats.roundTo(b, type, floatUnary(b, instr, x));
    }
    if (type.isInteger()) {
      return integerUnary(b, instr, type, x);
    }
    if (type == ElementType.PRED) {
      return switch (op) {
        case NOT -> b.xor(x, IrValue.bool(true));
        case ABS, NEGATE, SIGN -> x; // as C++'s bool: -1 and 1 both wrap back to true
        default -> throw unsupportedType(instr, type);
      };
    }
    throw unsupportedType(instr, type);
  }

  private static IrValue floatUnary(IrBuilder b, Instruction instr, IrValue x) {
    IrValue math = b.module().mathLibrary().unary(b, instr.opcode(), x);
    if (math != null) {
      return math;
    }
    String t = x.type();
    String sfx = IrTypes.floatSuffix(t);
    return switch (instr.opcode()) {
      case ABS -> fabs(b, x);
      case NEGATE -> b.fneg(x);
      case SIGN -> {
        IrValue one = IrValue.fpConst(t, 1);
        IrValue minusOne = IrValue.fpConst(t, -1);
        IrValue zero = IrValue.fpConst(t, 0);
        // NaN and ±0 are their own sign.
        IrValue negOrSelf = b.select(b.fcmp("olt", x, zero), minusOne, x);
        yield b.select(b.fcmp("ogt", x, zero), one, negOrSelf);
      }
      case FLOOR -> b.callExternal(t, "llvm.floor." + sfx, x);
      case CEIL -> b.callExternal(t, "llvm.ceil." + sfx, x);
      case ROUND_NEAREST_AFZ -> b.callExternal(t, "llvm.round." + sfx, x);
      case ROUND_NEAREST_EVEN -> b.callExternal(t, "llvm.roundeven." + sfx, x);
      case SQRT -> b.callExternal(t, "llvm.sqrt." + sfx, x);
      case RSQRT -> b.fbinop("fdiv", IrValue.fpConst(t, 1), b.callExternal(t, "llvm.sqrt." + sfx, x));
      default -> throw unsupportedType(instr, instr.operand(0).shape().elementType());
    };
  }

  private static IrValue integerUnary(IrBuilder b, Instruction instr, ElementType type, IrValue x) {
    String t = x.type();
    boolean signed = type.isSigned();
    IrValue zero = IrValue.intConst(t, 0);
    IrValue one = IrValue.intConst(t, 1);
    return switch (instr.opcode()) {
      case ABS -> signed ? b.callExternal(t, "llvm.abs." + t, x, IrValue.bool(false)) : x;
      case NEGATE -> b.sub(zero, x);
      case SIGN -> signed
          ? b.select(b.icmp("sgt", x, zero), one, b.select(b.icmp("slt", x, zero), IrValue.intConst(t, -1), zero))
          : b.cast("zext", b.icmp("ne", x, zero), t);
      case NOT -> b.xor(x, IrValue.intConst(t, -1));
      case POPCNT -> b.callExternal(t, "llvm.ctpop." + t, x);
      case COUNT_LEADING_ZEROS -> b.callExternal(t, "llvm.ctlz." + t, x, IrValue.bool(false));
      default -> throw unsupportedType(instr, type);
    };
  }

  private static IrValue fabs(IrBuilder b, IrValue x) {
    return b.callExternal(x.type(), "llvm.fabs." + IrTypes.floatSuffix(x.type()), x);
  }

  // ---- binary --------------------------------------------------------------------------------

  /** {@code instr}'s binary opcode (not compare) on operands of element type {@code type}. */
  public static IrValue binary(IrBuilder b, Instruction instr, ElementType type, IrValue x, IrValue y) {
    Opcode op = instr.opcode();
    if (type.isFloat()) {
      return FloatFormats.roundTo(b, type, floatBinary(b, instr, x, y));
    }
    if (type.isInteger()) {
      return integerBinary(b, instr, type, x, y);
    }
    if (type == ElementType.PRED) {
      // As C++'s bool in XLA's evaluator: results wrapped to 0/1.
      IrValue notY = b.xor(y, IrValue.bool(true));
      return switch (op) {
        case AND, MINIMUM, MULTIPLY -> b.and(x, y);
        case OR, MAXIMUM, ADD -> b.or(x, y);
        case XOR, SUBTRACT -> b.xor(x, y);
        case DIVIDE, POWER -> b.or(x, notY); // x / 0 = -1 (true); x^0 = 1
        case REMAINDER -> b.and(x, notY); // x % 0 = x; x % 1 = 0
        default -> throw unsupportedType(instr, type);
      };
    }
    throw unsupportedType(instr, type);
  }

  private static IrValue floatBinary(IrBuilder b, Instruction instr, IrValue x, IrValue y) {
    IrValue math = b.module().mathLibrary().binary(b, instr.opcode(), x, y);
    if (math != null) {
      return math;
    }
    String t = x.type();
    String sfx = IrTypes.floatSuffix(t);
    return switch (instr.opcode()) {
      case ADD -> b.fbinop("fadd", x, y);
      case SUBTRACT -> b.fbinop("fsub", x, y);
      case MULTIPLY -> b.fbinop("fmul", x, y);
      case DIVIDE -> b.fbinop("fdiv", x, y);
      case REMAINDER -> b.fbinop("frem", x, y);
      case MAXIMUM -> b.callExternal(t, "llvm.maximum." + sfx, x, y);
      case MINIMUM -> b.callExternal(t, "llvm.minimum." + sfx, x, y);
      default -> throw unsupportedType(instr, instr.operand(0).shape().elementType());
    };
  }

  private static IrValue integerBinary(IrBuilder b, Instruction instr, ElementType type, IrValue x, IrValue y) {
    String t = x.type();
    boolean signed = type.isSigned();
    int width = IrTypes.intWidth(t);
    IrValue zero = IrValue.intConst(t, 0);
    IrValue one = IrValue.intConst(t, 1);
    IrValue allOnes = IrValue.intConst(t, -1);
    return switch (instr.opcode()) {
      case ADD -> b.add(x, y);
      case SUBTRACT -> b.sub(x, y);
      case MULTIPLY -> b.mul(x, y);
      case DIVIDE, REMAINDER -> {
        // Divisors that trap (0, and -1 under INT_MIN) are replaced by 1, then the results fixed.
        IrValue isZero = b.icmp("eq", y, zero);
        IrValue unsafe = isZero;
        if (signed) {
          IrValue overflow = b.and(b.icmp("eq", x, IrValue.intConst(t, 1L << (width - 1))), b.icmp("eq", y, allOnes));
          unsafe = b.or(isZero, overflow); // INT_MIN / 1 = INT_MIN and INT_MIN % 1 = 0, as XLA defines
        }
        IrValue divisor = b.select(unsafe, one, y);
        if (instr.opcode() == Opcode.DIVIDE) {
          yield b.select(isZero, allOnes, b.binop(signed ? "sdiv" : "udiv", x, divisor));
        }
        yield b.select(isZero, x, b.binop(signed ? "srem" : "urem", x, divisor));
      }
      case POWER -> integerPower(b, signed, x, y);
      case MAXIMUM -> b.select(b.icmp(signed ? "sgt" : "ugt", x, y), x, y);
      case MINIMUM -> b.select(b.icmp(signed ? "slt" : "ult", x, y), x, y);
      case AND -> b.and(x, y);
      case OR -> b.or(x, y);
      case XOR -> b.xor(x, y);
      case SHIFT_LEFT, SHIFT_RIGHT_LOGICAL, SHIFT_RIGHT_ARITHMETIC -> {
        IrValue inRange = b.icmp("ult", y, IrValue.intConst(t, width));
        yield switch (instr.opcode()) {
          case SHIFT_LEFT -> b.select(inRange, b.binop("shl", x, y), zero);
          case SHIFT_RIGHT_LOGICAL -> b.select(inRange, b.binop("lshr", x, y), zero);
          default -> b.select(inRange, b.binop("ashr", x, y), b.binop("ashr", x, IrValue.intConst(t, width - 1)));
        };
      }
      default -> throw unsupportedType(instr, type);
    };
  }

  /**
   * x^y by squaring over every bit of y (straight-line selects, so it vectorizes), wrapping. A
   * negative exponent gives 1 for x = 1 and 0 otherwise, as XLA defines.
   */
  private static IrValue integerPower(IrBuilder b, boolean signed, IrValue x, IrValue y) {
    String t = x.type();
    int width = IrTypes.intWidth(t);
    IrValue zero = IrValue.intConst(t, 0);
    IrValue one = IrValue.intConst(t, 1);
    IrValue acc = one;
    IrValue base = x;
    IrValue exponent = y;
    for (int i = 0; i < width; i++) {
      IrValue bitSet = b.icmp("ne", b.and(exponent, one), zero);
      acc = b.select(bitSet, b.mul(acc, base), acc);
      if (i + 1 < width) {
        base = b.mul(base, base);
        exponent = b.binop("lshr", exponent, one);
      }
    }
    if (!signed) {
      return acc;
    }
    IrValue negativeResult = b.cast("zext", b.icmp("eq", x, one), t);
    return b.select(b.icmp("slt", y, zero), negativeResult, acc);
  }

  // ---- compare, select, clamp ----------------------------------------------------------------

  /** {@code compare} of operands of element type {@code type} with the instruction's direction and type. */
  public static IrValue compare(IrBuilder b, Instruction instr, ElementType type, IrValue x, IrValue y) {
    ComparisonDirection direction = instr.requireAttr(Attr.DIRECTION);
    ComparisonType ct = instr.attributes().getOrDefault(Attr.COMPARISON_TYPE, ComparisonType.defaultFor(type));
    if (type.isFloat()) {
      if (ct == ComparisonType.TOTALORDER) {
        return b.icmp(intPredicate(direction, true), totalOrderKey(b, type, x), totalOrderKey(b, type, y));
      }
      if (ct != ComparisonType.FLOAT) {
        throw new CompilationException("%" + instr.name() + ": comparison type " + ct + " on " + type + " operands");
      }
      String p = switch (direction) {
        case EQ -> "oeq";
        case NE -> "une"; // NaN != anything
        case GE -> "oge";
        case GT -> "ogt";
        case LE -> "ole";
        case LT -> "olt";
      };
      return b.fcmp(p, x, y);
    }
    if (ct == ComparisonType.FLOAT || ct == ComparisonType.TOTALORDER) {
      throw new CompilationException("%" + instr.name() + ": comparison type " + ct + " on " + type + " operands");
    }
    return b.icmp(intPredicate(direction, ct == ComparisonType.SIGNED), x, y);
  }

  /**
   * An integer that orders like XLA's total order on floats (-NaN < -inf < ... < -0 < +0 < ... <
   * inf < NaN): the bits, with every bit but the sign flipped for negative values, compared signed.
   * f16/bf16 values are compared through their exact float bits, which order the same way.
   */
  private static IrValue totalOrderKey(IrBuilder b, ElementType type, IrValue x) {
    IrValue bits = b.cast("bitcast", x, type == ElementType.F64 ? "i64" : "i32");
    String it = bits.type();
    int width = IrTypes.intWidth(it);
    IrValue signFill = b.binop("ashr", bits, IrValue.intConst(it, width - 1));
    IrValue mask = b.binop("lshr", signFill, IrValue.intConst(it, 1));
    return b.xor(bits, mask);
  }

  private static String intPredicate(ComparisonDirection direction, boolean signed) {
    return switch (direction) {
      case EQ -> "eq";
      case NE -> "ne";
      case GE -> signed ? "sge" : "uge";
      case GT -> signed ? "sgt" : "ugt";
      case LE -> signed ? "sle" : "ule";
      case LT -> signed ? "slt" : "ult";
    };
  }

  /** {@code maximum} of two values of {@code type} (NaN-propagating for floats). */
  public static IrValue max(IrBuilder b, ElementType type, IrValue x, IrValue y) {
    if (type.isFloat()) {
      return b.callExternal(x.type(), "llvm.maximum." + IrTypes.floatSuffix(x.type()), x, y);
    }
    if (type == ElementType.PRED) {
      return b.or(x, y);
    }
    return b.select(b.icmp(type.isSigned() ? "sgt" : "ugt", x, y), x, y);
  }

  /** {@code minimum} of two values of {@code type} (NaN-propagating for floats). */
  public static IrValue min(IrBuilder b, ElementType type, IrValue x, IrValue y) {
    if (type.isFloat()) {
      return b.callExternal(x.type(), "llvm.minimum." + IrTypes.floatSuffix(x.type()), x, y);
    }
    if (type == ElementType.PRED) {
      return b.and(x, y);
    }
    return b.select(b.icmp(type.isSigned() ? "slt" : "ult", x, y), x, y);
  }

  /** {@code clamp(lo, x, hi)} = min(max(x, lo), hi), as XLA's emitters compute it. */
  public static IrValue clamp(IrBuilder b, ElementType type, IrValue lo, IrValue x, IrValue hi) {
    return min(b, type, max(b, type, x, lo), hi);
  }

  // ---- conversions ---------------------------------------------------------------------------

  /** {@code convert} from element type {@code from} to {@code to}. */
  public static IrValue convert(IrBuilder b, ElementType from, ElementType to, IrValue x) {
    if (from == to) {
      return x;
    }
    String toType = IrTypes.valueType(to);
    if (from == ElementType.PRED) {
      if (to.isFloat()) {
        return b.cast("uitofp", x, toType);
      }
      return b.cast("zext", x, toType);
    }
    if (to == ElementType.PRED) {
      return from.isFloat()
          ? b.fcmp("une", x, IrValue.fpConst(x.type(), 0)) // x != 0, so NaN converts to true, as in C++
          : b.icmp("ne", x, IrValue.intConst(x.type(), 0));
    }
    if (from.isInteger() && to.isInteger()) {
      int fw = from.bitWidth();
      int tw = to.bitWidth();
      if (fw == tw) {
        return x;
      }
      return tw < fw ? b.cast("trunc", x, toType) : b.cast(from.isSigned() ? "sext" : "zext", x, toType);
    }
    if (from.isInteger()) {
      String op = from.isSigned() ? "sitofp" : "uitofp";
      if (IrTypes.isNarrowFloat(to)) {
        return integerToNarrow(b, from, to, x);
      }
      return b.cast(op, x, toType);
    }
    if (to.isInteger()) {
      String sat = to.isSigned() ? "llvm.fptosi.sat." : "llvm.fptoui.sat.";
      return b.callExternal(toType, sat + toType + "." + IrTypes.floatSuffix(x.type()), x);
    }
    // float to float
    if (from == ElementType.F64) {
      return FloatFormats.fromDouble(b, to, x);
    }
    if (to == ElementType.F64) {
      return b.cast("fpext", x, "double");
    }
    return FloatFormats.roundTo(b, to, x); // f16/bf16/f32 values are all exact floats
  }

  /**
   * An integer correctly rounded to f16/bf16: up to 32 bits through double (exact) and float
   * rounded to odd; a 64-bit magnitude of 2^24 or more is cut to 24 significant bits with a
   * sticky bit (round to odd, exact in float), so the final rounding is the only one.
   */
  private static IrValue integerToNarrow(IrBuilder b, ElementType from, ElementType to, IrValue x) {
    String op = from.isSigned() ? "sitofp" : "uitofp";
    if (from.bitWidth() <= 32) {
      return FloatFormats.fromDouble(b, to, b.cast(op, x, "double"));
    }
    IrValue zero = IrValue.i64(0);
    IrValue negative = from.isSigned() ? b.icmp("slt", x, zero) : IrValue.bool(false);
    IrValue magnitude = from.isSigned() ? b.select(negative, b.sub(zero, x), x) : x; // INT_MIN: 2^63 unsigned
    IrValue leading = b.callExternal("i64", "llvm.ctlz.i64", magnitude, IrValue.bool(false));
    // Keep 24 significant bits: shift right by 40 - leading zeros when that is positive.
    IrValue shift = b.sub(IrValue.i64(40), leading);
    IrValue wide = b.icmp("sgt", shift, zero);
    IrValue cut = b.select(wide, shift, zero);
    IrValue kept = b.binop("lshr", magnitude, cut);
    IrValue lost = b.and(magnitude, b.sub(b.binop("shl", IrValue.i64(1), cut), IrValue.i64(1)));
    IrValue sticky = b.cast("zext", b.icmp("ne", lost, zero), "i64");
    IrValue odd = b.or(kept, sticky);
    IrValue scale = b.cast("bitcast", b.binop("shl", b.add(b.cast("trunc", cut, "i32"), IrValue.i32(127)),
        IrValue.i32(23)), "float");
    IrValue value = b.fbinop("fmul", b.cast("uitofp", odd, "float"), scale);
    IrValue signed = b.select(negative, b.fneg(value), value);
    return FloatFormats.roundTo(b, to, signed);
  }

  /** {@code bitcast-convert} between element types of the same width. */
  public static IrValue bitcastConvert(IrBuilder b, Instruction instr, ElementType from, ElementType to, IrValue x) {
    if (from.bitWidth() != to.bitWidth() || from == ElementType.PRED || to == ElementType.PRED) {
      throw new CompilationException("bitcast-convert from " + from + " to " + to
          + " (different widths) is not supported by the LLVM emitters yet, at %" + instr.name());
    }
    IrValue bits = from.isFloat() ? FloatFormats.toBits(b, from, x) : x;
    return to.isFloat() ? FloatFormats.fromBits(b, to, bits) : bits;
  }

  static CompilationException unsupportedType(Instruction instr, ElementType type) {
    return new CompilationException(instr.opcode() + " on " + type + " is not defined (at %" + instr.name() + ")");
  }
}
