"""Run lti_ops's training-loop primitives under ``jax.jit`` for the ``jax-jit`` backend.

Tests marked ``@pytest.mark.jit`` also run with ``xp`` = JAX and these primitives replaced,
on the ``lti_ops`` module, by wrappers that compile them with ``jax.jit``: every JAX array
in the arguments (containers included, as pytrees) is traced, everything else (ints, floats,
strings, None) is a static argument. The identity tests then check the traced programs.
"""

from functools import lru_cache

import lti_ops

TRAINING_PRIMITIVES = (
    "c_tilde",
    "discretize",
    "fftconv",
    "frequency_response",
    "hope_conv",
    "hope_kernel",
    "hope_transfer",
    "markov_parameters",
    "scan",
    "ssm_kernel",
    "transfer_function",
)

_TRACED = object()  # marks the positions of traced leaves among the static ones


def jitted(func):
    """`func` compiled by ``jax.jit`` on its JAX-array leaves, once per static signature."""
    import jax

    def call(*args, **kwargs):
        leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
        traced = [isinstance(x, jax.Array) for x in leaves]
        statics = tuple(_TRACED if t else x for x, t in zip(leaves, traced))
        compiled = _compiled(func, tree, statics)
        return compiled(*(x for x, t in zip(leaves, traced) if t))

    call.__wrapped__ = func
    return call


@lru_cache(maxsize=256)
def _compiled(func, tree, statics):
    import jax

    def inner(*arrays):
        values = iter(arrays)
        leaves = [next(values) if s is _TRACED else s for s in statics]
        args, kwargs = jax.tree_util.tree_unflatten(tree, leaves)
        return func(*args, **kwargs)

    return jax.jit(inner)


def patch_primitives(monkeypatch):
    """Replace the training-loop primitives on ``lti_ops`` by their jitted wrappers."""
    for name in TRAINING_PRIMITIVES:
        monkeypatch.setattr(lti_ops, name, jitted(getattr(lti_ops, name)))
