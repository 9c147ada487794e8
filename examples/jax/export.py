"""Exports examples/jax/score.hlo: a standardize-then-logistic-regression scorer, one row of 8 floats.

    python3 examples/jax/export.py > examples/jax/score.hlo

JAX is not installed where Tessera is built, so score.hlo was written by hand, instruction by
instruction, in the form this script prints with JAX 0.4.x (`as_hlo_text()` of the lowered
function: `HloModule jit_score` with its entry_computation_layout, one region per reduction,
`Arg_0.1` for the argument, JAX's numbering and its op_name/source metadata). Tessera reads the
real output the same way: any JAX version whose text XLA's parser reads.
"""
import jax
import jax.numpy as jnp

W = jnp.array([0.5, -0.25, 0.75, 1.0, -0.5, 0.125, -1.0, 0.25], dtype=jnp.float32)
B = jnp.float32(0.25)


def score(x):
    # Standardize the row's features, then a logistic regression on them.
    z = (x - jnp.mean(x)) / jnp.sqrt(jnp.var(x) + 1e-5)
    return jax.nn.sigmoid(jnp.dot(z, W) + B)


x = jax.ShapeDtypeStruct((8,), jnp.float32)
print(jax.jit(score).lower(x).compiler_ir("hlo").as_hlo_text())
