#!/usr/bin/env python3
"""Writes examples/hlo/mlp32.hlo: the batch-inference example's 3-layer MLP for one row.

    f32[32] features -> dense 64, ReLU -> dense 32, tanh -> dense 4 -> softmax -> f32[4]

The weights are seeded pseudo-random numbers (Glorot-uniform ranges) rounded to multiples of
1/1024, so that every constant is exact in f32 and prints short. The text follows the form
JAX prints for the same function (`jax.jit(mlp).lower(x).compiler_ir("hlo").as_hlo_text()`, as
examples/hlo/mlp.hlo): `HloModule jit_mlp` with its entry_computation_layout, reduction regions
first, `metadata={op_name="jit(mlp)/jit(main)/..."}`. Standard library only:

    python3 examples/hlo/make_mlp32.py > examples/hlo/mlp32.hlo
"""
import math
import random

SIZES = [32, 64, 32, 4]
ACTIVATIONS = ["max", "tanh", None]
SRC = 'source_file="examples/hlo/make_mlp32.py"'


def q(v):
    return round(v * 1024) / 1024


def fmt(v):
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def tensor(values):
    if isinstance(values[0], list):
        return "{ " + ", ".join(tensor(row) for row in values) + " }"
    return "{" + ", ".join(fmt(v) for v in values) + "}"


def main():
    rnd = random.Random(20261125)
    out = []
    n = [0]

    def name(op):
        n[0] += 1
        return f"{op}.{n[0]}"

    def meta(op, line):
        return f'metadata={{op_name="jit(mlp)/jit(main)/{op}" {SRC} source_line={line}}}'

    body = []
    x = name("Arg_0")
    body.append(f"  {x} = f32[{SIZES[0]}]{{0}} parameter(0)")
    value = x
    for layer, (fan_in, fan_out) in enumerate(zip(SIZES, SIZES[1:])):
        line = 20 + layer
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        w = [[q(rnd.uniform(-limit, limit)) for _ in range(fan_out)] for _ in range(fan_in)]
        b = [q(rnd.uniform(-0.1, 0.1)) for _ in range(fan_out)]
        wc = name("constant")
        body.append(f"  {wc} = f32[{fan_in},{fan_out}]{{1,0}} constant({tensor(w)})")
        dot = name("dot")
        body.append(f"  {dot} = f32[{fan_out}]{{0}} dot({value}, {wc}), lhs_contracting_dims={{0}}, "
                    f"rhs_contracting_dims={{0}}, {meta('dot_general', line)}")
        bc = name("constant")
        body.append(f"  {bc} = f32[{fan_out}]{{0}} constant({tensor(b)})")
        add = name("add")
        body.append(f"  {add} = f32[{fan_out}]{{0}} add({dot}, {bc}), {meta('add', line)}")
        value = add
        act = ACTIVATIONS[layer]
        if act == "max":
            zero = name("constant")
            body.append(f"  {zero} = f32[] constant(0)")
            bz = name("broadcast")
            body.append(f"  {bz} = f32[{fan_out}]{{0}} broadcast({zero}), dimensions={{}}")
            mx = name("maximum")
            body.append(f"  {mx} = f32[{fan_out}]{{0}} maximum({add}, {bz}), {meta('max', line)}")
            value = mx
        elif act == "tanh":
            th = name("tanh")
            body.append(f"  {th} = f32[{fan_out}]{{0}} tanh({add}), {meta('tanh', line)}")
            value = th
    k = SIZES[-1]
    ninf = name("constant")
    body.append(f"  {ninf} = f32[] constant(-inf)")
    rmax = name("reduce")
    body.append(f"  {rmax} = f32[] reduce({value}, {ninf}), dimensions={{0}}, to_apply=region_0.max, "
                f"{meta('reduce_max', 24)}")
    bmax = name("broadcast")
    body.append(f"  {bmax} = f32[{k}]{{0}} broadcast({rmax}), dimensions={{}}")
    sub = name("subtract")
    body.append(f"  {sub} = f32[{k}]{{0}} subtract({value}, {bmax}), {meta('sub', 24)}")
    ex = name("exponential")
    body.append(f"  {ex} = f32[{k}]{{0}} exponential({sub}), {meta('exp', 24)}")
    zero = name("constant")
    body.append(f"  {zero} = f32[] constant(0)")
    rsum = name("reduce")
    body.append(f"  {rsum} = f32[] reduce({ex}, {zero}), dimensions={{0}}, to_apply=region_1.sum, "
                f"{meta('reduce_sum', 25)}")
    bsum = name("broadcast")
    body.append(f"  {bsum} = f32[{k}]{{0}} broadcast({rsum}), dimensions={{}}")
    div = name("divide")
    body.append(f"  ROOT {div} = f32[{k}]{{0}} divide({ex}, {bsum}), {meta('div', 25)}")

    out.append(f"HloModule jit_mlp, entry_computation_layout={{(f32[{SIZES[0]}]{{0}})->f32[{k}]{{0}}}}")
    out.append("")
    regions = {}
    for placeholder, op, jax_op in (("region_0.max", "maximum", "reduce_max"), ("region_1.sum", "add", "reduce_sum")):
        # JAX numbers a reduction's region after the instructions that use it: region_0.27.
        region = placeholder.split(".")[0] + "." + str(n[0] + 1)
        regions[placeholder] = region
        out.append(f"{region} {{")
        a, b = name("Arg_0"), name("Arg_1")
        out.append(f"  {a} = f32[] parameter(0)")
        out.append(f"  {b} = f32[] parameter(1)")
        out.append(f"  ROOT {name(op)} = f32[] {op}({a}, {b}), {meta(jax_op, 24)}")
        out.append("}")
        out.append("")
    out.append(f"ENTRY main.{name('main').split('.')[1]} {{")
    for line in body:
        for placeholder, region in regions.items():
            line = line.replace(f"to_apply={placeholder}", f"to_apply={region}")
        out.append(line)
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
