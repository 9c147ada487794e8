package io.tessera.compiler.hlo;

import static io.tessera.compiler.hlo.ElementType.F32;
import static io.tessera.compiler.hlo.ElementType.PRED;
import static io.tessera.compiler.hlo.ElementType.S32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.compiler.eval.Interpreter;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuilderTest {

  private static Shape f32(int... dims) {
    return Shape.array(F32, dims);
  }

  private static Shape s32(int... dims) {
    return Shape.array(S32, dims);
  }

  /** A 3-layer perceptron with ReLU activations and a softmax over the classes. */
  private static Module mlp() {
    Builder b = new Builder("mlp");
    Instruction x = b.parameter("x", f32(4, 8));
    Instruction w1 = b.parameter("w1", f32(8, 16));
    Instruction b1 = b.parameter("b1", f32(16));
    Instruction w2 = b.parameter("w2", f32(16, 16));
    Instruction b2 = b.parameter("b2", f32(16));
    Instruction w3 = b.parameter("w3", f32(16, 3));
    Instruction b3 = b.parameter("b3", f32(3));
    Instruction h1 = relu(b, biasAdd(b, b.matmul(x, w1), b1));
    Instruction h2 = relu(b, biasAdd(b, b.matmul(h1, w2), b2));
    Instruction logits = b.name("logits", biasAdd(b, b.matmul(h2, w3), b3));
    Instruction max = b.reduce(logits, b.scalar(F32, Float.NEGATIVE_INFINITY), b.reducer(Opcode.MAXIMUM, F32), 1);
    Instruction e = b.exp(b.subtract(logits, b.broadcast(max, f32(4, 3), 0)));
    Instruction sum = b.reduce(e, b.scalar(F32, 0), b.reducer(Opcode.ADD, F32), 1);
    return b.build(b.name("probabilities", b.divide(e, b.broadcast(sum, f32(4, 3), 0))));
  }

  private static Instruction biasAdd(Builder b, Instruction product, Instruction bias) {
    return b.add(product, b.broadcast(bias, product.shape(), 1));
  }

  private static Instruction relu(Builder b, Instruction x) {
    return b.maximum(x, b.fill(x.shape(), 0));
  }

  @Test
  void mlpBuildsIntoAVerifiedModule() {
    Module m = mlp();
    Computation main = m.entry();
    assertEquals("main", main.name());
    assertEquals(f32(4, 3), main.resultShape());
    assertEquals("probabilities", main.root().name());
    assertEquals(List.of("x", "w1", "b1", "w2", "b2", "w3", "b3"),
        main.parameters().stream().map(Instruction::name).toList());
    assertEquals(Opcode.ADD, main.instruction("logits").opcode());
    assertEquals(Opcode.DIVIDE, main.instruction("probabilities").opcode());
    // Reducers come before the computation that calls them, one per opcode and type.
    assertEquals(List.of("maximum_f32", "add_f32", "main"), m.computations().stream().map(Computation::name).toList());
    assertEquals(List.of(), Verifier.problems(m));
  }

  @Test
  void instructionsAreNamedAfterTheirOpcodeUniquelyInTheModule() {
    Module m = mlp();
    Set<String> names = new HashSet<>();
    for (Computation c : m.computations()) {
      for (Instruction i : c.instructions()) {
        assertTrue(names.add(i.name()), "duplicate name " + i.name());
        if (i.opcode() != Opcode.PARAMETER && !i.name().equals("logits") && !i.name().equals("probabilities")) {
          assertTrue(i.name().matches(i.opcode().mnemonic() + "\\.\\d+"), i.name());
        }
      }
    }
    // Both reducers name their parameters lhs and rhs; the second pair is made unique.
    Computation add = m.computation("add_f32");
    assertTrue(add.parameter(0).name().startsWith("lhs."), add.parameter(0).name());
  }

  @Test
  void mlpPrintsAndParsesBackToTheSameText() {
    Module m = mlp();
    String text = HloPrinter.print(m);
    Module reparsed = HloParser.parse(text);
    assertEquals(List.of(), Verifier.problems(reparsed));
    assertEquals(text, HloPrinter.print(reparsed));
  }

  @Test
  void aShapeMistakeFailsAtTheInstructionThatMakesIt() {
    Builder b = new Builder("m");
    Instruction x = b.parameter("x", f32(3));
    Instruction y = b.parameter("y", f32(4));
    ShapeException e = assertThrows(ShapeException.class, () -> b.add(x, y));
    assertTrue(e.getMessage().matches("%add\\.\\d+: add: operand shapes f32\\[3\\] and f32\\[4\\] differ"),
        e.getMessage());
    ShapeException dot = assertThrows(ShapeException.class, () -> b.matmul(b.parameter(f32(2, 4)),
        b.parameter(f32(5, 3))));
    assertTrue(dot.getMessage().matches(
        "%dot\\.\\d+: dot: lhs contracting dimension 1 has size 4, rhs contracting dimension 0 has size 5"),
        dot.getMessage());
  }

  @Test
  void evaluatesAMatmulReductionAndSortWithTheInterpreter() {
    Builder b = new Builder("m");
    Instruction x = b.parameter("x", f32(2, 3));
    Instruction w = b.parameter("w", f32(3, 2));
    Instruction product = b.matmul(x, w);
    Instruction rowSums = b.reduce(product, b.scalar(F32, 0), b.reducer(Opcode.ADD, F32), 1);
    Instruction sorted = b.sort(rowSums, 0, b.comparator(ComparisonDirection.LT, F32));
    Instruction picked = b.gather(product, b.constant(Literal.ofLongs(s32(2), 1, 0)),
        new Builder.GatherDimensions(new int[] {1}, new int[] {0}, new int[] {0}, 1), 1, 2);
    Module m = b.build(b.tuple(product, sorted, picked));

    Literal xs = Literal.ofDoubles(f32(2, 3), 1, 2, 3, 4, 5, 6);
    Literal ws = Literal.ofDoubles(f32(3, 2), 1, 0, 0, 1, -1, -1);
    Literal result = new Interpreter().run(m, List.of(xs, ws));
    // [[1-3, 2-3], [4-6, 5-6]] = [[-2, -1], [-2, -1]]; row sums -3, -3; rows swapped by the gather.
    assertEquals(Literal.ofDoubles(f32(2, 2), -2, -1, -2, -1), result.tupleElement(0));
    assertEquals(Literal.ofDoubles(f32(2), -3, -3), result.tupleElement(1));
    assertEquals(Literal.ofDoubles(f32(2, 2), -2, -1, -2, -1), result.tupleElement(2));

    Literal ws2 = Literal.ofDoubles(f32(3, 2), 1, 0, 0, 2, 0, 0);
    Literal result2 = new Interpreter().run(m, List.of(xs, ws2));
    // [[1, 4], [4, 10]]; row sums 5, 14; sorted ascending; gather takes row 1 then row 0.
    assertEquals(Literal.ofDoubles(f32(2), 5, 14), result2.tupleElement(1));
    assertEquals(Literal.ofDoubles(f32(2, 2), 4, 10, 1, 4), result2.tupleElement(2));
  }

  @Test
  void buildsControlFlow() {
    Builder b = new Builder("loop");
    Shape state = Shape.tuple(s32(), f32(3));
    Computation cond = b.computation("cond", c -> {
      Instruction s = c.parameter("s", state);
      return c.compare(c.getTupleElement(s, 0), c.scalar(S32, 10), ComparisonDirection.LT);
    });
    Computation body = b.computation("body", c -> {
      Instruction s = c.parameter("s", state);
      Instruction i = c.add(c.getTupleElement(s, 0), c.scalar(S32, 1));
      Instruction v = c.getTupleElement(s, 1);
      return c.tuple(i, c.add(v, v));
    });
    Instruction x = b.parameter("x", f32(3));
    Instruction loop = b.whileLoop(cond, body, b.tuple(b.scalar(S32, 0), x));
    Computation neg = b.computation("neg", c -> c.negate(c.parameter(f32(3))));
    Computation exp = b.computation("exp", c -> c.exp(c.parameter(f32(3))));
    Instruction v = b.getTupleElement(loop, 1);
    Instruction byPred = b.conditional(b.parameter("flag", Shape.scalar(PRED)), v, neg, x, exp);
    Instruction byIndex = b.conditional(b.parameter("k", s32()), List.of(neg, exp, neg), List.of(x, v, byPred));
    Instruction called = b.call(neg, byIndex);
    Instruction mapped = b.map(b.reducer(Opcode.MULTIPLY, F32), called, x);
    Instruction fused = b.fusion("kLoop", exp, mapped);
    Module m = b.build(b.tuple(loop, fused));
    assertEquals(Shape.tuple(state, f32(3)), m.entry().resultShape());
    assertEquals(List.of("cond", "body", "neg", "exp", "multiply_f32", "main"),
        m.computations().stream().map(Computation::name).toList());
    assertEquals(HloPrinter.print(m), HloPrinter.print(HloParser.parse(HloPrinter.print(m))));
  }

  @Test
  void buildsDataMovement() {
    Builder b = new Builder("moves");
    Instruction m = b.parameter("m", f32(2, 3));
    Instruction k = b.parameter("k", s32());
    assertEquals(f32(6), b.reshape(m, 6).shape());
    assertEquals(f32(3, 2), b.transpose(m, 1, 0).shape());
    Instruction slice = b.slice(m, new int[] {0, 1}, new int[] {2, 3});
    assertEquals(f32(2, 2), slice.shape());
    assertEquals(f32(1, 2), b.slice(m, new int[] {0, 0}, new int[] {2, 3}, new int[] {2, 2}).shape());
    assertEquals(f32(1, 2), b.dynamicSlice(m, List.of(k, k), 1, 2).shape());
    assertEquals(f32(2, 3), b.dynamicUpdateSlice(m, slice, List.of(k, k)).shape());
    assertEquals(f32(4, 3), b.concatenate(0, m, m).shape());
    PaddingConfig pad = new PaddingConfig(List.of(new PaddingConfig.Dim(1, 0, 0), new PaddingConfig.Dim(0, 0, 1)));
    assertEquals(f32(3, 5), b.pad(m, b.scalar(F32, 0), pad).shape());
    assertEquals(f32(2, 3), b.reverse(m, 0, 1).shape());
    assertEquals(s32(2, 3), b.convert(m, S32).shape());
    assertEquals(Shape.array(ElementType.U8, 2, 3, 4), b.bitcastConvert(m, ElementType.U8).shape());
    assertEquals(Shape.array(ElementType.F64, 2), b.bitcastConvert(b.parameter(f32(2, 2)), ElementType.F64).shape());
    assertEquals(s32(6), b.bitcast(m, s32(6)).shape());
    assertEquals(s32(2, 3), b.iota(s32(2, 3), 1).shape());
    assertEquals(Shape.array(PRED, 2, 3), b.isFinite(m).shape());
    assertEquals(f32(2, 3), b.clamp(b.scalar(F32, 0), m, b.scalar(F32, 1)).shape());
    assertEquals(f32(2, 3), b.select(b.compare(m, m, ComparisonDirection.EQ), m, b.copy(m)).shape());
    assertEquals(f32(2, 3), b.reducePrecision(m, 8, 7).shape());
    assertEquals(Shape.tuple(f32(4)), b.customCall("my_op", Shape.tuple(f32(4)), m, k).shape());
    Instruction indices = b.constant(Literal.ofLongs(s32(2), 0, 1));
    Instruction updates = b.fill(f32(2, 3), 1);
    Instruction scattered = b.scatter(m, indices, updates,
        new Builder.ScatterDimensions(new int[] {1}, new int[] {0}, new int[] {0}, 1), b.reducer(Opcode.ADD, F32));
    assertEquals(f32(2, 3), scattered.shape());
    Module module = b.build(scattered);
    assertEquals(List.of(), Verifier.problems(module));
  }

  @Test
  void buildsWindowsAndContractions() {
    Builder b = new Builder("windows");
    Instruction img = b.parameter("img", f32(1, 4, 4, 1));
    Instruction ker = b.parameter("ker", f32(3, 3, 1, 2));
    Window same = new Window(List.of(new Window.Dim(3, 1, 1, 1, 1, 1, false), new Window.Dim(3, 1, 1, 1, 1, 1, false)));
    Instruction conv = b.convolution(img, ker, same, ConvDimensionNumbers.parse("b01f_01io->b01f"));
    assertEquals(f32(1, 4, 4, 2), conv.shape());
    Window pool = new Window(List.of(Window.Dim.of(1), new Window.Dim(2, 2, 0, 0, 1, 1, false),
        new Window.Dim(2, 2, 0, 0, 1, 1, false), Window.Dim.of(1)));
    Instruction zero = b.scalar(F32, 0);
    Instruction pooled = b.reduceWindow(conv, zero, b.reducer(Opcode.MAXIMUM, F32), pool);
    assertEquals(f32(1, 2, 2, 2), pooled.shape());
    Computation ge = b.computation("ge", c -> c.compare(c.parameter(Shape.scalar(F32)),
        c.parameter(Shape.scalar(F32)), ComparisonDirection.GE));
    Instruction grad = b.selectAndScatter(conv, ge, pool, pooled, zero, b.reducer(Opcode.ADD, F32));
    assertEquals(f32(1, 4, 4, 2), grad.shape());
    Instruction bf = b.convert(b.parameter(f32(2, 3)), ElementType.BF16);
    Instruction wide = b.dot(bf, bf, new int[0], new int[0], new int[] {1}, new int[] {1}, F32);
    assertEquals(f32(2, 2), wide.shape());
    Instruction batched = b.matmul(b.parameter(f32(5, 2, 3)), b.parameter(f32(5, 3, 4)));
    assertEquals(f32(5, 2, 4), batched.shape());
    assertEquals(f32(2), b.matmul(b.parameter(f32(2, 3)), b.parameter(f32(3))).shape());
    Instruction keys = b.parameter(f32(5));
    Instruction values = b.iota(s32(5), 0);
    Instruction both = b.sort(List.of(keys, values), 0, b.comparator(ComparisonDirection.GT, F32, S32), true);
    assertEquals(Shape.tuple(f32(5), s32(5)), both.shape());
    Module m = b.build(b.tuple(grad, wide, batched, both));
    assertEquals(List.of(), Verifier.problems(m));
    assertEquals(HloPrinter.print(m), HloPrinter.print(HloParser.parse(HloPrinter.print(m))));
  }

  @Test
  void reducersAreSharedAndNamesOfComputationsAreUnique() {
    Builder b = new Builder("m");
    assertSame(b.reducer(Opcode.ADD, F32), b.reducer(Opcode.ADD, F32));
    Computation first = b.computation("f", c -> c.negate(c.parameter(f32())));
    Computation second = b.computation("f", c -> c.negate(c.parameter(f32())));
    assertEquals("f", first.name());
    assertTrue(second.name().startsWith("f."), second.name());
  }

  @Test
  void aBuiltModuleTakesNoMoreInstructions() {
    Builder b = new Builder("m");
    Instruction x = b.parameter(f32());
    b.build(x);
    assertThrows(IllegalStateException.class, () -> b.negate(x));
    assertThrows(IllegalStateException.class, () -> b.build(x));
  }

  @Test
  void instructionsFromAnotherComputationAreRejected() {
    Builder b = new Builder("m");
    Instruction outer = b.parameter("outer", f32());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.computation("inner", c -> c.negate(outer)));
    assertTrue(e.getMessage().contains("uses %outer"), e.getMessage());
  }

  @Test
  void buildFailsOnAnInvalidModule() {
    Builder b = new Builder("m");
    Instruction x = b.parameter("x", f32(3));
    // A custom-call's shape is whatever it declares; a root of another computation's making is not.
    Instruction cc = b.customCall("target", f32(3), x);
    Computation stray = new Computation("stray");
    stray.setRoot(stray.add(Instruction.parameter("s", 0, f32(3))));
    b.instruction(Opcode.CALL, null, List.of(cc), Attributes.builder().put(Attr.TO_APPLY, stray).build());
    VerificationException e = assertThrows(VerificationException.class, () -> b.build(cc));
    assertTrue(e.getMessage().contains("calls computation %stray, which is not in module m"), e.getMessage());
  }
}
