package io.tessera.compiler.eval;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.backend.NativeMemory;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference interpreter behind the {@link Backend} interface, so that tools and the Arrow
 * bridge can run any module the interpreter runs (every opcode) through the same calls as a
 * compiled backend. It copies buffers into literals and back (literal runs skip the copies): for
 * checking and for opcodes the compiled backends lack, not for speed.
 */
public final class InterpreterBackend implements Backend {
  public static final String NAME = "interpreter";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public String targetDescription(BackendOptions options) {
    return NAME;
  }

  /**
   * Accepts every module with static shapes. Tuple-shaped parameters can be run from literals
   * ({@link Executable#run}) but not from buffers, which hold arrays.
   */
  @Override
  public Executable compile(Module module, BackendOptions options) {
    try {
      Interpreter.checkStaticShapes(module);
    } catch (EvaluationException e) {
      throw new CompilationException(e.getMessage(), e);
    }
    return new InterpretedExecutable(module);
  }

  private static final class InterpretedExecutable implements Executable {
    private final Module module;
    private final ExecutableSignature signature;
    private final Interpreter interpreter = new Interpreter();
    private volatile boolean closed;

    InterpretedExecutable(Module module) {
      this.module = module;
      List<String> names = new ArrayList<>();
      List<Shape> shapes = new ArrayList<>();
      for (Instruction p : module.entry().parameters()) {
        names.add(p.name());
        shapes.add(p.shape());
      }
      Shape result = module.entry().resultShape();
      this.signature = new ExecutableSignature(names, shapes, result, ExecutableSignature.leaves(result));
    }

    @Override
    public String backendName() {
      return NAME;
    }

    @Override
    public ExecutableSignature signature() {
      return signature;
    }

    @Override
    public void execute(long rowCount, Buffers parameters, Buffers results) {
      if (closed) {
        throw new IllegalStateException("executable is closed");
      }
      for (int i = 0; i < signature.parameterShapes().size(); i++) {
        if (signature.parameterShapes().get(i).isTuple()) {
          throw new IllegalArgumentException("parameter %" + signature.parameterNames().get(i) + " has the tuple shape "
              + signature.parameterShapes().get(i) + ", which no buffer holds; run it with literals (run)");
        }
      }
      signature.checkHostBuffers(parameters, results);
      List<Literal> arguments = new ArrayList<>();
      for (int i = 0; i < parameters.count(); i++) {
        Shape shape = signature.parameterShapes().get(i);
        arguments.add(LiteralBytes.read(shape, NativeMemory.view(parameters.address(i), shape.byteSize())));
      }
      List<Literal> leaves = new ArrayList<>();
      flatten(interpreter.run(module, arguments), leaves);
      for (int i = 0; i < leaves.size(); i++) {
        Shape shape = signature.resultBufferShapes().get(i);
        LiteralBytes.write(leaves.get(i), NativeMemory.view(results.address(i), shape.byteSize()));
      }
    }

    /** Literals need no buffers here: the interpreter runs on them directly, tuple parameters included. */
    @Override
    public Literal run(List<Literal> arguments) {
      if (closed) {
        throw new IllegalStateException("executable is closed");
      }
      return interpreter.run(module, arguments);
    }

    private static void flatten(Literal literal, List<Literal> out) {
      if (literal.isTuple()) {
        for (Literal element : literal.tupleElements()) {
          flatten(element, out);
        }
      } else {
        out.add(literal);
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
