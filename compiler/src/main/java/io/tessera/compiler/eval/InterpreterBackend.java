package io.tessera.compiler.eval;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.DynamicRows;
import io.tessera.compiler.backend.Executable;
import io.tessera.compiler.backend.ExecutableSignature;
import io.tessera.compiler.backend.HostBuffers;
import io.tessera.compiler.backend.LiteralBytes;
import io.tessera.compiler.backend.NativeMemory;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference interpreter behind the {@link Backend} interface, so that tools and the Arrow
 * bridge can run any module the interpreter runs (every opcode) through the same calls as a
 * compiled backend. It copies buffers into literals and back (literal runs skip the copies): for
 * checking and for opcodes the compiled backends lack, not for speed.
 *
 * <p>A module whose parameters or results have a dynamic leading dimension ({@code f32[?,784]})
 * is accepted as the compiled backends accept it: each call binds the dynamic dimensions to its
 * row count ({@link DynamicRows#bind(Module, long)}) and interprets that static copy; the copies
 * of the most recent row counts are kept.
 */
public final class InterpreterBackend implements Backend {
  public static final String NAME = "interpreter";

  @Override
  public String name() {
    return NAME;
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
   * Accepts every module with static shapes, and modules whose parameters or results have a
   * dynamic dimension (bound to the row count of each call). Tuple-shaped parameters can be run
   * from literals ({@link Executable#run}) but not from buffers, which hold arrays.
   */
  @Override
  public Executable compile(Module module, BackendOptions options) {
    InterpretedExecutable executable = new InterpretedExecutable(module);
    if (!executable.signature().hasDynamicRows()) {
      // No call brings a row count, so a dynamic dimension inside could never be bound.
      try {
        Interpreter.checkStaticShapes(module);
      } catch (EvaluationException e) {
        throw new CompilationException(e.getMessage(), e);
      }
    }
    return executable;
  }

  private static final class InterpretedExecutable implements Executable {
    /** Bound copies kept for dynamic modules: callers typically reuse a few batch sizes. */
    private static final int BOUND_COPIES = 8;

    private final Module module;
    private final Map<Long, Module> bound = new ConcurrentHashMap<>();
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
      signature.checkHostBuffers(rowCount, parameters, results);
      ExecutableSignature call = signature.bind(rowCount);
      List<Literal> arguments = new ArrayList<>();
      for (int i = 0; i < parameters.count(); i++) {
        Shape shape = call.parameterShapes().get(i);
        arguments.add(LiteralBytes.read(shape, NativeMemory.view(parameters.address(i), shape.byteSize())));
      }
      List<Literal> leaves = new ArrayList<>();
      flatten(interpreter.run(moduleFor(rowCount), arguments), leaves);
      for (int i = 0; i < leaves.size(); i++) {
        Shape shape = call.resultBufferShapes().get(i);
        LiteralBytes.write(leaves.get(i), NativeMemory.view(results.address(i), shape.byteSize()));
      }
    }

    /**
     * Literals need no buffers here: the interpreter runs on them directly, tuple parameters
     * included; a dynamic module takes its row count from them ({@link HostBuffers#rowCount}).
     */
    @Override
    public Literal run(List<Literal> arguments) {
      if (closed) {
        throw new IllegalStateException("executable is closed");
      }
      return interpreter.run(moduleFor(HostBuffers.rowCount(signature, arguments)), arguments);
    }

    /** The module to interpret for {@code rowCount}: itself when static, else a copy bound to the rows. */
    private Module moduleFor(long rowCount) {
      if (!signature.hasDynamicRows()) {
        return module;
      }
      Module m = bound.get(rowCount);
      if (m == null) {
        if (bound.size() >= BOUND_COPIES) {
          bound.clear();
        }
        m = DynamicRows.bind(module, rowCount);
        bound.put(rowCount, m);
      }
      return m;
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
