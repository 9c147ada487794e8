package io.tessera.compiler.text;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.CallGraph;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.hlo.ShapeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads XLA's HLO text format (what {@code HloModule::ToString()}, {@code --xla_dump_to} and JAX's
 * {@code as_hlo_text()} print) into a {@link Module}:
 *
 * <pre>
 * HloModule m, entry_computation_layout={(f32[3]{0})->f32[3]{0}}
 *
 * %add (x: f32[], y: f32[]) -> f32[] {
 *   %x = f32[] parameter(0)
 *   %y = f32[] parameter(1)
 *   ROOT %sum = f32[] add(f32[] %x, f32[] %y)
 * }
 *
 * ENTRY main {
 *   p = f32[3]{0} parameter(0)
 *   ROOT r = f32[3]{0} negate(p), metadata={op_name="jit(f)/neg"}
 * }
 * </pre>
 *
 * <p>As in XLA: names may carry a {@code %} or not; computation signatures are optional; without
 * {@code ENTRY} the last computation is the entry, and without {@code ROOT} a computation's last
 * instruction is its root; instruction names are unique within the module. Every instruction gets
 * the shape written in the text ({@link Instruction#createWithShape}); whether that shape is right
 * is the verifier's question, not the parser's, except that a signature, when given, must agree
 * with the computation's parameters and root. A computation may be called before it is defined,
 * but computations may not call each other in a cycle (HLO has no recursion).
 *
 * <p>Errors are {@link HloParseException}s that give the line and column.
 */
public final class HloParser {
  private final TextCursor c;
  private final AttributeParser attributes;
  private Module module;
  private Computation current;
  // Computations called before their definition, and where each was first called.
  private final Map<String, Computation> forward = new LinkedHashMap<>();
  private final Map<String, Integer> forwardOffsets = new HashMap<>();
  private final Set<String> instructionNames = new HashSet<>();
  // Where each computation first names each of its callees, to point at a recursive call.
  private final Map<Computation, Map<Computation, Integer>> callSites = new IdentityHashMap<>();

  private HloParser(String text) {
    this.c = new TextCursor(text);
    this.attributes = new AttributeParser(c, this::resolveComputation);
  }

  /**
   * Parses a whole module. Does not verify it: shapes are taken as written.
   *
   * @throws HloParseException at the first malformed spot
   */
  public static Module parse(String text) {
    return new HloParser(text).module();
  }

  /**
   * Parses a literal with its shape: {@code f32[2,2] {{1, 2}, {3, 4}}}, {@code pred[] true},
   * {@code f32[] nan}; tuples as {@code (f32[], s32[]) (1, 2)} or as {@link Literal#toString()}
   * writes them, {@code (f32[] 1, s32[] 2)}.
   */
  public static Literal parseLiteral(String text) {
    TextCursor c = new TextCursor(text);
    Literal literal = LiteralParser.parseWithShape(c);
    expectEnd(c);
    return literal;
  }

  /** Parses a shape such as {@code f32[2,3]{1,0}} or {@code (f32[], s32[4])}. */
  public static Shape parseShape(String text) {
    TextCursor c = new TextCursor(text);
    Shape shape = ShapeParser.parse(c);
    expectEnd(c);
    return shape;
  }

  private static void expectEnd(TextCursor c) {
    if (!c.atEnd()) {
      throw c.expected("end of input");
    }
  }

  private Module module() {
    if (!c.tryConsumeWord("HloModule")) {
      throw c.expected("'HloModule'");
    }
    module = new Module(c.readName("a module name"));
    textAttributes(module.headerAttributes(), "module");
    Computation entry = null;
    Computation last = null;
    do {
      c.skipTrivia();
      int at = c.position();
      boolean isEntry = c.tryConsumeWord("ENTRY");
      last = computation();
      if (isEntry) {
        if (entry != null) {
          throw c.errorAt(at, "second ENTRY computation %" + last.name() + " (the entry is %" + entry.name() + ")");
        }
        entry = last;
      }
    } while (!c.atEnd());
    if (!forward.isEmpty()) {
      String undefined = forward.keySet().iterator().next();
      throw c.errorAt(forwardOffsets.get(undefined), "undefined computation %" + undefined);
    }
    List<Computation> cycle = CallGraph.findCycle(module);
    if (!cycle.isEmpty()) {
      throw c.errorAt(callSites.get(cycle.get(0)).get(cycle.get(1)),
          "computations call each other recursively: " + CallGraph.describe(cycle));
    }
    module.setEntry(entry != null ? entry : last); // XLA: without ENTRY, the last one
    return module;
  }

  private Computation computation() {
    c.skipTrivia();
    int at = c.position();
    String name = c.readName("a computation name");
    if (module.computation(name) != null) {
      throw c.errorAt(at, "duplicate computation name %" + name);
    }
    List<SignatureParameter> signature = null;
    int signatureAt = -1;
    Shape declaredResult = null;
    int declaredResultAt = -1;
    if (c.peek() == '(') {
      signatureAt = c.position();
      signature = signatureParameters();
      c.skipTrivia();
      declaredResultAt = c.position();
      declaredResult = ShapeParser.parse(c);
    }
    c.expect('{');
    Computation computation = forward.containsKey(name) ? forward.remove(name) : new Computation(name);
    module.add(computation);
    current = computation;
    Set<Long> parameterNumbers = new HashSet<>();
    Instruction root = null;
    Instruction last = null;
    while (!c.tryConsume('}')) {
      if (c.atEnd()) {
        throw c.expected("'}' closing computation %" + name);
      }
      c.skipTrivia();
      int instructionAt = c.position();
      boolean isRoot = c.tryConsumeWord("ROOT");
      last = instruction(computation, parameterNumbers);
      if (isRoot) {
        if (root != null) {
          throw c.errorAt(instructionAt, "second ROOT in computation %" + name + " (the root is %" + root.name() + ")");
        }
        root = last;
      }
    }
    if (last == null) {
      throw c.errorAt(c.position() - 1, "computation %" + name + " has no instructions");
    }
    computation.setRoot(root != null ? root : last); // XLA: without ROOT, the last one
    if (signature != null) {
      checkSignatureParameters(computation, signature, signatureAt);
    }
    if (declaredResult != null && !declaredResult.equalsIgnoringLayout(computation.root().shape())) {
      throw c.errorAt(declaredResultAt, "computation %" + name + " is declared to return "
          + declaredResult.toStringWithoutLayout() + ", but its root %" + computation.root().name() + " has shape "
          + computation.root().shape().toStringWithoutLayout());
    }
    current = null;
    textAttributes(computation.textAttributes(), "computation"); // execution_thread="..."
    return computation;
  }

  /**
   * {@code , name=value} pairs kept as their text: the {@code HloModule} line's attributes, and
   * those after a computation's closing brace. {@code owner} names the kind in messages.
   */
  private void textAttributes(Map<String, String> into, String owner) {
    while (c.tryConsume(',')) {
      c.skipTrivia();
      int at = c.position();
      String name = c.readName("a " + owner + " attribute name");
      c.expect('=');
      if (into.containsKey(name)) {
        throw c.errorAt(at, "duplicate " + owner + " attribute " + name);
      }
      into.put(name, AttributeParser.scanRaw(c));
    }
  }

  /** One {@code name: shape} of a signature, and where its shape was written. */
  private record SignatureParameter(String name, Shape shape, int shapeAt) {}

  /** {@code (x: f32[], y: f32[]) ->} of a signature: the parameters, checked once the body is read. */
  private List<SignatureParameter> signatureParameters() {
    c.expect('(');
    List<SignatureParameter> parameters = new ArrayList<>();
    if (!c.tryConsume(')')) {
      do {
        String name = c.readName("a parameter name");
        c.expect(':');
        c.skipTrivia();
        int shapeAt = c.position();
        parameters.add(new SignatureParameter(name, ShapeParser.parse(c), shapeAt));
      } while (c.tryConsume(','));
      c.expect(')');
    }
    c.expect("->");
    return parameters;
  }

  /**
   * A signature must list the computation's parameters in number order with their shapes
   * (layouts aside). XLA's parser reads the list for syntax only; a signature that disagrees with
   * the body is a mistake in hand-edited text, so Tessera reports it where it is written. The
   * names are not compared: they are documentation.
   */
  private void checkSignatureParameters(Computation computation, List<SignatureParameter> signature, int at) {
    int count = computation.parameterCount();
    if (signature.size() != count) {
      throw c.errorAt(at, "the signature of computation %" + computation.name() + " lists " + signature.size()
          + " parameter(s), but the computation has " + count);
    }
    for (int i = 0; i < count; i++) {
      SignatureParameter written = signature.get(i);
      Instruction parameter = parameterNumbered(computation, i);
      if (parameter == null) {
        throw c.errorAt(written.shapeAt(), "the signature of computation %" + computation.name() + " lists "
            + written.name() + " as parameter " + i + ", but the computation has no parameter(" + i + ")");
      }
      if (!written.shape().equalsIgnoringLayout(parameter.shape())) {
        throw c.errorAt(written.shapeAt(), "the signature of computation %" + computation.name() + " gives "
            + written.name() + " shape " + written.shape().toStringWithoutLayout() + ", but parameter(" + i + ") %"
            + parameter.name() + " has shape " + parameter.shape().toStringWithoutLayout());
      }
    }
  }

  private static Instruction parameterNumbered(Computation computation, int number) {
    for (Instruction instruction : computation.instructions()) {
      if (instruction.opcode() == Opcode.PARAMETER && instruction.parameterNumber() == number) {
        return instruction;
      }
    }
    return null;
  }

  private Instruction instruction(Computation computation, Set<Long> parameterNumbers) {
    c.skipTrivia();
    int nameAt = c.position();
    String name = c.readName("an instruction name");
    if (!instructionNames.add(name)) {
      throw c.errorAt(nameAt, "duplicate instruction name %" + name);
    }
    c.expect('=');
    Shape shape = ShapeParser.parse(c);
    c.skipTrivia();
    int opcodeAt = c.position();
    String mnemonic = c.readName("an opcode");
    Opcode opcode = Opcode.fromMnemonic(mnemonic);
    if (opcode == null) {
      throw c.errorAt(opcodeAt, "unknown opcode '" + mnemonic + "'");
    }
    c.expect('(');
    Attributes.Builder attrs = Attributes.builder();
    List<Instruction> operands = new ArrayList<>();
    switch (opcode) {
      case PARAMETER -> {
        c.skipTrivia();
        int numberAt = c.position();
        long number = c.readNonNegativeInt("a parameter number");
        if (!parameterNumbers.add(number)) {
          throw c.errorAt(numberAt, "duplicate parameter number " + number + " in computation %" + computation.name());
        }
        attrs.put(Attr.PARAMETER_NUMBER, number);
        c.expect(')');
      }
      case CONSTANT -> {
        // An elided constant ({...}) has no LITERAL; ElidedConstants can fill it.
        if (!tryConsumeElided()) {
          attrs.put(Attr.LITERAL, LiteralParser.parseValues(c, shape));
        }
        c.expect(')');
      }
      default -> operands(computation, operands);
    }
    while (c.tryConsume(',')) {
      attribute(attrs);
    }
    Instruction instruction;
    try {
      instruction = Instruction.createWithShape(name, opcode, shape, operands, attrs.build());
    } catch (ShapeException e) {
      throw c.errorAt(opcodeAt, e.getMessage());
    }
    return computation.add(instruction);
  }

  /** {@code {...}}, XLA's text for a constant whose values were left out of the dump. */
  private boolean tryConsumeElided() {
    int mark = c.position();
    if (c.tryConsume('{') && c.tryConsume("...") && c.tryConsume('}')) {
      return true;
    }
    c.reset(mark);
    return false;
  }

  /** Operands up to the closing ')', each {@code %name} or typed {@code f32[3]{0} %name}. */
  private void operands(Computation computation, List<Instruction> operands) {
    if (c.tryConsume(')')) {
      return;
    }
    do {
      c.skipTrivia();
      int at = c.position();
      Shape written = null;
      if (c.peek() == '(' || c.lookingAtArrayShape()) {
        written = ShapeParser.parse(c);
        c.skipTrivia();
      }
      int nameAt = c.position();
      String name = c.readName("an operand name");
      Instruction operand = computation.instruction(name);
      if (operand == null) {
        throw c.errorAt(nameAt, instructionNames.contains(name)
            ? "operand %" + name + " is not defined in computation %" + computation.name()
            : "undefined operand %" + name);
      }
      if (written != null && !written.equalsIgnoringLayout(operand.shape())) {
        throw c.errorAt(at, "operand %" + name + " is written with shape " + written.toStringWithoutLayout()
            + " but has shape " + operand.shape().toStringWithoutLayout());
      }
      operands.add(operand);
    } while (c.tryConsume(','));
    c.expect(')');
  }

  private void attribute(Attributes.Builder attrs) {
    c.skipTrivia();
    int at = c.position();
    String name = c.readName("an attribute name");
    c.expect('=');
    Attr<?> attr = Attr.forName(name);
    if (attrs.has(attr)) {
      throw c.errorAt(at, "duplicate attribute " + name);
    }
    put(attrs, attr, attributes.value(attr));
  }

  @SuppressWarnings("unchecked")
  private static void put(Attributes.Builder attrs, Attr<?> attr, Object value) {
    attrs.put((Attr<Object>) attr, value);
  }

  private Computation resolveComputation(String name, int offset) {
    Computation computation = module.computation(name);
    if (computation != null && computation == current) {
      throw c.errorAt(offset, "computation %" + name + " calls itself");
    }
    if (computation == null) {
      forwardOffsets.putIfAbsent(name, offset);
      computation = forward.computeIfAbsent(name, Computation::new);
    }
    callSites.computeIfAbsent(current, k -> new IdentityHashMap<>()).putIfAbsent(computation, offset);
    return computation;
  }
}
