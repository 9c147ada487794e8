package io.tessera.compiler.eval;

import io.tessera.compiler.backend.Backend;
import io.tessera.compiler.backend.BackendOptions;
import io.tessera.compiler.backend.Buffers;
import io.tessera.compiler.backend.CompilationException;
import io.tessera.compiler.backend.DynamicRows;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference interpreter behind the {@link Backend} interface, so that tools and the Arrow
 * bridge can run any module the interpreter runs (every opcode) through the same calls as a
 * compiled backend. It copies buffers into literals and back: for checking and for opcodes the
 * compiled backends lack, not for speed.
 *
 * <p>A module with a dynamic leading dimension ({@code f32[?,784]}) is accepted as the compiled
 * backends accept it: each call binds the dynamic dimensions to its row count
 * ({@link DynamicRows#bind(Module, long)}) and interprets that static copy; the copies of the
 * most recent row counts are kept.
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

  @Override
  public Executable compile(Module module, BackendOptions options) {
    for (Instruction p : module.entry().parameters()) {
      if (!p.shape().isArray()) {
        throw new CompilationException("the interpreter backend takes array parameters; %" + p.name() + " has shape "
            + p.shape());
      }
    }
    return new InterpretedExecutable(module);
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
