package io.tessera.compiler.hlo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.compiler.text.HloParser;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each verifier check on a module that breaks it, and a module using every opcode that passes. */
class VerifierTest {

  private static final Shape F32_3 = Shape.array(ElementType.F32, 3);
  private static final Shape F32 = Shape.scalar(ElementType.F32);

  /** A valid module that uses every opcode Tessera knows. */
  private static final String EVERY_OPCODE = """
      HloModule every_opcode

      add {
        add.x = f32[] parameter(0)
        add.y = f32[] parameter(1)
        ROOT add.r = f32[] add(add.x, add.y)
      }

      ge {
        ge.x = f32[] parameter(0)
        ge.y = f32[] parameter(1)
        ROOT ge.r = pred[] compare(ge.x, ge.y), direction=GE
      }

      negate3 {
        negate3.x = f32[3] parameter(0)
        ROOT negate3.r = f32[3] negate(negate3.x)
      }

      cond {
        cond.s = (s32[], f32[3]) parameter(0)
        cond.i = s32[] get-tuple-element(cond.s), index=0
        cond.n = s32[] constant(3)
        ROOT cond.lt = pred[] compare(cond.i, cond.n), direction=LT
      }

      body {
        body.s = (s32[], f32[3]) parameter(0)
        body.i = s32[] get-tuple-element(body.s), index=0
        body.v = f32[3] get-tuple-element(body.s), index=1
        body.one = s32[] constant(1)
        body.j = s32[] add(body.i, body.one)
        body.w = f32[3] call(body.v), to_apply=negate3
        ROOT body.t = (s32[], f32[3]) tuple(body.j, body.w)
      }

      fused {
        fused.x = f32[3] parameter(0)
        ROOT fused.e = f32[3] exponential(fused.x)
      }

      ENTRY main {
        x = f32[3]{0} parameter(0)
        m = f32[2,3]{1,0} parameter(1)
        i = s32[3] parameter(2)
        k = s32[] parameter(3)
        flag = pred[] parameter(4)
        img = f32[1,4,4,1] parameter(5)
        ker = f32[3,3,1,2] parameter(6)
        zero = f32[] constant(0)
        cst = f32[3] constant({1, 2, 3})
        elided = f32[100] constant({...})
        io = s32[2,3] iota(), iota_dimension=1
        abs = f32[3] abs(x)
        neg = f32[3] negate(x)
        sgn = f32[3] sign(x)
        flr = f32[3] floor(x)
        cl = f32[3] ceil(x)
        rafz = f32[3] round-nearest-afz(x)
        reven = f32[3] round-nearest-even(x)
        ex = f32[3] exponential(x)
        em1 = f32[3] exponential-minus-one(x)
        lg = f32[3] log(x)
        l1p = f32[3] log-plus-one(x)
        sq = f32[3] sqrt(x)
        rsq = f32[3] rsqrt(x)
        cb = f32[3] cbrt(x)
        th = f32[3] tanh(x)
        lgs = f32[3] logistic(x)
        erf = f32[3] erf(x)
        sn = f32[3] sine(x)
        cs = f32[3] cosine(x)
        tn = f32[3] tan(x)
        fin = pred[3] is-finite(x)
        nt = s32[3] not(i)
        pc = s32[3] popcnt(i)
        clz = s32[3] count-leading-zeros(i)
        rp = f32[3] reduce-precision(x), exponent_bits=5, mantissa_bits=10
        cv = s32[3] convert(x)
        bcv = s32[3] bitcast-convert(x)
        ad = f32[3] add(x, x)
        sb = f32[3] subtract(x, x)
        ml = f32[3] multiply(x, x)
        dv = f32[3] divide(x, x)
        rm = f32[3] remainder(x, x)
        pw = f32[3] power(x, x)
        at = f32[3] atan2(x, x)
        mx = f32[3] maximum(x, x)
        mn = f32[3] minimum(x, x)
        an = s32[3] and(i, i)
        orr = s32[3] or(i, i)
        xr = s32[3] xor(i, i)
        shl = s32[3] shift-left(i, i)
        sra = s32[3] shift-right-arithmetic(i, i)
        srl = s32[3] shift-right-logical(i, i)
        cmp = pred[3] compare(x, x), direction=LT, type=TOTALORDER
        sel = f32[3] select(cmp, x, x)
        clp = f32[3] clamp(zero, x, zero)
        brd = f32[2,3] broadcast(x), dimensions={1}
        rsh = f32[6] reshape(m)
        tr = f32[3,2]{0,1} transpose(m), dimensions={1,0}
        slc = f32[1,2] slice(m), slice={[0:1], [1:3]}
        ds = f32[1,2] dynamic-slice(m, k, k), dynamic_slice_sizes={1,2}
        dus = f32[2,3] dynamic-update-slice(m, slc, k, k)
        cat = f32[4,3] concatenate(m, m), dimensions={0}
        pd = f32[4,3] pad(m, zero), padding=1_1x0_0
        rev = f32[2,3] reverse(m), dimensions={0}
        cp = f32[2,3] copy(m)
        btc = s32[6] bitcast(m)
        ga = f32[3,3] gather(m, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
        sc = f32[2,3] scatter(m, i, ga), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
        red = f32[2] reduce(m, zero), dimensions={1}, to_apply=add
        rw = f32[1,2] reduce-window(m, zero), window={size=2x2}, to_apply=add
        sas = f32[2,3] select-and-scatter(m, rw, zero), window={size=2x2}, select=ge, scatter=add
        srt = f32[2,3] sort(m), dimensions={1}, to_apply=ge
        dt = f32[2] dot(m, x), lhs_contracting_dims={1}, rhs_contracting_dims={0}
        bnt = (f32[2,3], f32[3], f32[3]) batch-norm-training(m, x, x), epsilon=0.001, feature_index=1
        bni = f32[2,3] batch-norm-inference(m, x, x, x, x), epsilon=0.001, feature_index=1
        sds = f32[2,3] set-dimension-size(m, k), dimensions={0}
        conv = f32[1,2,2,2] convolution(img, ker), window={size=3x3}, dim_labels=b01f_01io->b01f
        cll = f32[3] call(x), to_apply=negate3
        mp = f32[3] map(x, x), dimensions={0}, to_apply=add
        init = (s32[], f32[3]) tuple(k, x)
        wh = (s32[], f32[3]) while(init), condition=cond, body=body
        gte = f32[3] get-tuple-element(wh), index=1
        cnd = f32[3] conditional(flag, x, gte), true_computation=negate3, false_computation=negate3
        cnd2 = f32[3] conditional(k, x, cst), branch_computations={negate3, negate3}
        fus = f32[3] fusion(x), kind=kLoop, calls=fused
        cc = f32[3] custom-call(x), custom_call_target="my_op"
        ROOT out = (f32[3], f32[3], f32[3], f32[2]) tuple(cnd, cnd2, fus, dt)
      }
      """;

  private static List<String> problems(String hlo) {
    return Verifier.problems(HloParser.parse(hlo));
  }

  @Test
  void aModuleUsingEveryOpcodePasses() {
    Module module = HloParser.parse(EVERY_OPCODE);
    Set<Opcode> used = EnumSet.noneOf(Opcode.class);
    module.computations().forEach(c -> c.instructions().forEach(i -> used.add(i.opcode())));
    assertEquals(EnumSet.allOf(Opcode.class), used, "the module should use every opcode");
    assertEquals(List.of(), Verifier.problems(module));
    Verifier.verify(module);
  }

  @Test
  void reportsAModuleWithoutEntry() {
    Module module = new Module("m");
    Computation c = module.add(new Computation("c"));
    c.setRoot(c.add(Instruction.parameter("p", 0, F32)));
    assertEquals(List.of("module m has no entry computation"), Verifier.problems(module));
  }

  @Test
  void reportsAComputationWithoutRoot() {
    Module module = moduleWithEntry();
    Computation c = module.add(new Computation("unfinished"));
    c.add(Instruction.parameter("q", 0, F32));
    assertEquals(List.of("computation %unfinished has no root"), Verifier.problems(module));
  }

  @Test
  void reportsGapsInParameterNumbers() {
    assertEquals(List.of("computation %main has 2 parameter(s) but none numbered 1 (numbers must be 0..1)"),
        problems("""
            HloModule m
            ENTRY main {
              a = f32[] parameter(0)
              b = f32[] parameter(2)
              ROOT r = f32[] add(a, b)
            }
            """));
  }

  @Test
  void reportsDuplicateParameterNumbers() {
    Module module = new Module("m");
    Computation main = module.add(new Computation("main"));
    Instruction a = main.add(Instruction.parameter("a", 0, F32));
    Instruction b = main.add(Instruction.parameter("b", 0, F32));
    main.setRoot(main.add(Instruction.create("r", Opcode.ADD, List.of(a, b), Attributes.EMPTY)));
    module.setEntry(main);
    assertEquals(List.of("%b in computation %main: parameter number 0 is also used by %a",
        "computation %main has 2 parameter(s) but none numbered 1 (numbers must be 0..1)"),
        Verifier.problems(module));
  }

  @Test
  void reportsInstructionNamesUsedTwiceInTheModule() {
    Module module = moduleWithEntry();
    Computation other = module.add(new Computation("other"));
    other.setRoot(other.add(Instruction.parameter("p", 0, F32)));
    assertEquals(List.of("%p in computation %other: the name is also used in computation %main"),
        Verifier.problems(module));
  }

  @Test
  void reportsOperandsDefinedLaterInTheComputation() {
    Module module = HloParser.parse("""
        HloModule m
        ENTRY main {
          p = f32[3] parameter(0)
          a = f32[3] negate(p)
          b = f32[3] negate(p)
          ROOT r = f32[3] add(a, b)
        }
        """);
    Computation main = module.entry();
    // A pass that rewires %a to use %b, which is defined after it, breaks the order.
    main.instruction("a").replaceOperand(0, main.instruction("b"));
    assertEquals(List.of("%a in computation %main: operand %b is not defined before it in the same computation"),
        Verifier.problems(module));
  }

  @Test
  void reportsOperandsFromAnotherComputation() {
    Module module = moduleWithEntry();
    Computation other = module.add(new Computation("other"));
    Instruction q = other.add(Instruction.parameter("q", 0, F32_3));
    Instruction neg = other.add(Instruction.create("neg", Opcode.NEGATE, List.of(q), Attributes.EMPTY));
    other.setRoot(neg);
    Instruction mainRoot = module.entry().root();
    Instruction p = module.entry().instruction("p");
    mainRoot.replaceOperand(0, neg);
    assertEquals(p.shape(), neg.shape());
    assertEquals(List.of("%r in computation %main: operand %neg is not defined before it in the same computation"),
        Verifier.problems(module));
  }

  @Test
  void reportsCallsOfComputationsOutsideTheModule() {
    Computation stray = new Computation("stray");
    stray.setRoot(stray.add(Instruction.parameter("s", 0, F32_3)));
    Module module = new Module("m");
    Computation main = module.add(new Computation("main"));
    Instruction p = main.add(Instruction.parameter("p", 0, F32_3));
    main.setRoot(main.add(Instruction.create("c", Opcode.CALL, List.of(p),
        Attributes.builder().put(Attr.TO_APPLY, stray).build())));
    module.setEntry(main);
    assertEquals(List.of("%c in computation %main: calls computation %stray, which is not in module m"),
        Verifier.problems(module));
  }

  @Test
  void reportsRecursion() {
    // The text parser rejects recursion itself, so the cycle is built in Java.
    Module module = new Module("m");
    Computation ping = new Computation("ping");
    Computation pong = new Computation("pong");
    callOnlyParameter(ping, "a", pong);
    callOnlyParameter(pong, "c", ping);
    Computation main = new Computation("main");
    callOnlyParameter(main, "p", ping);
    module.add(ping);
    module.add(pong);
    module.add(main);
    module.setEntry(main);
    assertEquals(List.of("computations call each other recursively: %ping -> %pong -> %ping"),
        Verifier.problems(module));
  }

  /** Gives {@code computation} the body {@code ROOT call(parameter(0)), to_apply=callee} on f32[]. */
  private static void callOnlyParameter(Computation computation, String parameterName, Computation callee) {
    Instruction p = computation.add(Instruction.parameter(parameterName, 0, F32));
    computation.setRoot(computation.add(Instruction.createWithShape(parameterName + ".call", Opcode.CALL, F32,
        List.of(p), Attributes.builder().put(Attr.TO_APPLY, callee).build())));
  }

  @Test
  void reportsADeclaredShapeThatDiffersFromTheInferredOne() {
    assertEquals(List.of("%r in computation %main: add: declared shape f32[4] differs from the inferred shape f32[3]"),
        problems("""
            HloModule m
            ENTRY main {
              p = f32[3] parameter(0)
              ROOT r = f32[4] add(p, p)
            }
            """));
  }

  @Test
  void reportsOperandsThatDoNotFitTheOpcode() {
    assertEquals(List.of("%r in computation %main: add: operand shapes f32[3] and f32[4] differ"), problems("""
        HloModule m
        ENTRY main {
          p = f32[3] parameter(0)
          q = f32[4] parameter(1)
          ROOT r = f32[3] add(p, q)
        }
        """));
  }

  @Test
  void comparesShapesWithoutLayouts() {
    assertEquals(List.of(), problems("""
        HloModule m
        ENTRY main {
          p = f32[2,3]{0,1} parameter(0)
          ROOT r = f32[2,3]{1,0} add(p, p)
        }
        """));
  }

  @Test
  void reportsAConstantWhoseLiteralDiffersFromItsDeclaredShape() {
    Module module = new Module("m");
    Computation main = module.add(new Computation("main"));
    Literal two = Literal.ofDoubles(Shape.array(ElementType.F32, 2), 1, 2);
    main.setRoot(main.add(Instruction.createWithShape("c", Opcode.CONSTANT, F32_3, List.of(),
        Attributes.builder().put(Attr.LITERAL, two).build())));
    module.setEntry(main);
    assertEquals(List.of("%c in computation %main: constant: literal shape f32[2] differs from the declared shape "
        + "f32[3]"), Verifier.problems(module));
  }

  @Test
  void allowsElidedConstants() {
    assertEquals(List.of(), problems("""
        HloModule m
        ENTRY main {
          ROOT c = f32[1000] constant({...})
        }
        """));
  }

  @Test
  void reportsMissingAndUnexpectedAttributes() {
    assertEquals(List.of(
        "%t in computation %main: transpose: needs attribute dimensions",
        "%r in computation %main: add: does not take attribute dimensions"), problems("""
            HloModule m
            ENTRY main {
              p = f32[2,3] parameter(0)
              t = f32[3,2] transpose(p)
              ROOT r = f32[2,3] add(p, p), dimensions={0}, metadata={op_name="kept raw, allowed"}
            }
            """));
  }

  @Test
  void reportsInvalidAttributeValues() {
    assertEquals(List.of(
        "%t in computation %main: transpose: dimensions={0,2}: dimension 2 is out of range for rank 2",
        "%s in computation %main: reduce: dimensions={1,1} repeats dimension 1"), problems("""
            HloModule m
            add {
              x = f32[] parameter(0)
              y = f32[] parameter(1)
              ROOT z = f32[] add(x, y)
            }
            ENTRY main {
              p = f32[2,3] parameter(0)
              zero = f32[] constant(0)
              t = f32[3,2] transpose(p), dimensions={0,2}
              ROOT s = f32[2] reduce(p, zero), dimensions={1,1}, to_apply=add
            }
            """));
  }

  @Test
  void verifyThrowsWithEveryProblemNamingItsInstruction() {
    Module module = HloParser.parse("""
        HloModule broken
        ENTRY main {
          p = f32[3] parameter(0)
          a = s32[3] negate(p)
          ROOT r = f32[3] exponential(a)
        }
        """);
    VerificationException e = assertThrows(VerificationException.class, () -> Verifier.verify(module));
    assertEquals(List.of(
        "%a in computation %main: negate: declared shape s32[3] differs from the inferred shape f32[3]",
        "%r in computation %main: exponential: operand type s32 is not a float"), e.problems());
    assertEquals("module broken has 2 problems:\n"
        + "  %a in computation %main: negate: declared shape s32[3] differs from the inferred shape f32[3]\n"
        + "  %r in computation %main: exponential: operand type s32 is not a float",
        e.getMessage());
  }

  @Test
  void aSingleProblemIsTheWholeMessage() {
    Module module = HloParser.parse("""
        HloModule one
        ENTRY main {
          p = f32[3] parameter(0)
          ROOT r = f32[3] exponential(p), direction=LT
        }
        """);
    VerificationException e = assertThrows(VerificationException.class, () -> Verifier.verify(module));
    assertEquals("module one: %r in computation %main: exponential: does not take attribute direction",
        e.getMessage());
  }

  /** Module {@code m} whose entry {@code main} negates parameter {@code p} (f32[3]) into {@code r}. */
  private static Module moduleWithEntry() {
    Module module = new Module("m");
    Computation main = module.add(new Computation("main"));
    Instruction p = main.add(Instruction.parameter("p", 0, F32_3));
    main.setRoot(main.add(Instruction.create("r", Opcode.NEGATE, List.of(p), Attributes.EMPTY)));
    module.setEntry(main);
    return module;
  }
}
