package io.tessera.compiler.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Attributes;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Literal;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.text.HloParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the interpreter refuses, and how it says so. */
class InterpreterTest {
  private static final Shape F32 = Shape.scalar(ElementType.F32);

  private static String failure(String hlo, Literal... arguments) {
    return assertThrows(EvaluationException.class,
        () -> new Interpreter().run(HloParser.parse(hlo), List.of(arguments))).getMessage();
  }

  @Test
  void argumentsMustMatchTheEntryParameters() {
    String hlo = "HloModule m\nENTRY e {\n  ROOT p = f32[2] parameter(0)\n}\n";
    assertEquals("computation e takes 1 argument(s), got 0", failure(hlo));
    assertEquals("argument 0 of computation e has shape f32[3], parameter %p expects f32[2]",
        failure(hlo, Literal.zeros(Shape.array(ElementType.F32, 3))));
  }

  @Test
  void anElidedConstantNeedsValues() {
    assertEquals("constant %c is elided ({...}) in the text; give its values, or fill elided constants with a "
        + "seeded generator (run-hlo does)", failure("HloModule m\nENTRY e {\n  ROOT c = f32[2] constant({...})\n}\n"));
  }

  @Test
  void dynamicShapesAreRefusedNamingTheInstruction() {
    String hlo = "HloModule m\nENTRY e {\n  p = f32[2] parameter(0)\n  ROOT r = f32[?] negate(p)\n}\n";
    assertEquals("%r (negate) in computation e has the dynamic shape f32[?]; the interpreter evaluates static "
        + "shapes only", failure(hlo, Literal.zeros(Shape.array(ElementType.F32, 2))));
  }

  @Test
  void recursionInAHandBuiltModuleIsAnErrorNotAStackOverflow() {
    // The parser refuses this text, so the cycle is built in Java: %a calls %b, %b calls %a.
    Module module = new Module("m");
    Computation a = new Computation("a");
    Computation b = new Computation("b");
    callParameter(a, b);
    callParameter(b, a);
    module.add(a);
    module.add(b);
    module.setEntry(a);
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> new Interpreter().run(module, List.of(Literal.scalar(ElementType.F32, 1.0))));
    assertEquals("computations call each other recursively: %a -> %b -> %a", e.getMessage());
  }

  private static void callParameter(Computation caller, Computation callee) {
    Instruction p = caller.add(Instruction.parameter(caller.name() + ".p", 0, F32));
    caller.setRoot(caller.add(Instruction.createWithShape(caller.name() + ".call", Opcode.CALL, F32, List.of(p),
        Attributes.builder().put(Attr.TO_APPLY, callee).build())));
  }
}
