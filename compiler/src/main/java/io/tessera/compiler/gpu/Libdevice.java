package io.tessera.compiler.gpu;

import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.llvm.IrBuilder;
import io.tessera.compiler.llvm.IrValue;
import io.tessera.compiler.llvm.MathLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NVIDIA's libdevice, the bitcode library of CUDA's math functions ({@code __nv_expf}...), as the
 * GPU kernels' {@link MathLibrary} when a CUDA toolkit is found: as XLA's GPU backend does, calls
 * are emitted to {@code __nv_*} and the bitcode is linked into the module before optimization
 * ({@link NvptxCompiler}), so only the functions used remain. {@code logistic} has no libdevice
 * function and stays with the project's own approximation, as does everything when no toolkit is
 * found.
 */
final class Libdevice implements MathLibrary {
  /** Where the bitcode sits inside a CUDA toolkit. */
  static final String RELATIVE_PATH = "nvvm/libdevice/libdevice.10.bc";

  private Libdevice() {}

  static final Libdevice MATH = new Libdevice();

  /**
   * The libdevice bitcode of the first toolkit found: {@code $CUDA_HOME}, {@code $CUDA_PATH},
   * then {@code /usr/local/cuda}.
   */
  static Optional<Path> find() {
    List<String> roots = new ArrayList<>();
    for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
      String value = System.getenv(variable);
      if (value != null && !value.isBlank()) {
        roots.add(value);
      }
    }
    roots.add("/usr/local/cuda");
    return roots.stream().map(r -> Path.of(r, RELATIVE_PATH)).filter(Files::isReadable).findFirst();
  }

  @Override
  public IrValue unary(IrBuilder b, Opcode op, IrValue x) {
    String name = switch (op) {
      case EXPONENTIAL -> "exp";
      case EXPONENTIAL_MINUS_ONE -> "expm1";
      case LOG -> "log";
      case LOG_PLUS_ONE -> "log1p";
      case TANH -> "tanh";
      case CBRT -> "cbrt";
      case ERF -> "erf";
      case SINE -> "sin";
      case COSINE -> "cos";
      case TAN -> "tan";
      default -> null;
    };
    return name == null ? OWN.unary(b, op, x) : call(b, name, x);
  }

  @Override
  public IrValue binary(IrBuilder b, Opcode op, IrValue x, IrValue y) {
    return switch (op) {
      case POWER -> call(b, "pow", x, y);
      case ATAN2 -> call(b, "atan2", x, y);
      default -> OWN.binary(b, op, x, y);
    };
  }

  /** {@code __nv_NAME} for double, {@code __nv_NAMEf} for float. */
  private static IrValue call(IrBuilder b, String name, IrValue... args) {
    String t = args[0].type();
    return b.callExternal(t, "__nv_" + name + (t.equals("float") ? "f" : ""), args);
  }
}
