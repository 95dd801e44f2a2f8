"""The system containers as JAX pytrees, registered without importing JAX up front.

``StateSpace``, ``Diagonal`` and ``DPLR`` are registered with ``jax.tree_util`` the first
time a container is built from JAX arrays (or at ``import lti_ops`` when JAX is already
imported), so they pass through ``jax.jit``, ``jax.grad`` and ``jax.vmap`` as arguments and
results. Their array fields are the leaves; ``dt`` is a leaf when it is an array (one step
per channel, differentiable) and static metadata otherwise, as is ``conj_sym``.
Unflattening skips the constructor's validation: JAX rebuilds containers from tracers and,
in tree utilities, from arbitrary leaves (axis specs, sentinels).
"""

from __future__ import annotations

import sys
from functools import lru_cache

import array_api_compat as _compat

__all__ = ["register", "register_for", "register_if_loaded"]


def register_if_loaded():
    """Register the containers if JAX is already imported (nothing is imported here)."""
    if "jax" in sys.modules:
        register()


def register_for(xp):
    """Register the containers if `xp` is JAX's namespace (a container of JAX arrays)."""
    if _compat.is_jax_namespace(xp):
        register()


@lru_cache(maxsize=None)
def register():
    """Register the three containers with ``jax.tree_util`` (once)."""
    import jax

    from .systems import DPLR, Diagonal, StateSpace

    for cls in (StateSpace, Diagonal, DPLR):
        flatten_with_keys, unflatten, flatten = _codec(cls, jax.tree_util.GetAttrKey)
        jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)


_DT_LEAF = "_dt_is_leaf"


def _codec(cls, key):
    fields = tuple(cls._CORE)
    has_conj_sym = "conj_sym" in cls.__dataclass_fields__

    def flatten_with_keys(sys):
        leaves, aux = _parts(sys)
        names = fields + (("dt",) if aux[0] else ())
        return [(key(name), leaf) for name, leaf in zip(names, leaves)], aux

    def _parts(sys):
        dt = sys.dt
        # a rebuilt container remembers whether dt was a leaf: in a tree of axis specs
        # (vmap's in_axes) its dt is an int or None however the original's was held
        dt_is_leaf = sys.__dict__.get(_DT_LEAF, dt is not None and hasattr(dt, "shape"))
        leaves = [getattr(sys, name) for name in fields] + ([dt] if dt_is_leaf else [])
        static = getattr(sys, "conj_sym", None)
        return leaves, (dt_is_leaf, None if dt_is_leaf else dt, static)

    def unflatten(aux, leaves):
        dt_is_leaf, dt, conj_sym = aux
        leaves = list(leaves)
        obj = object.__new__(cls)
        for name, leaf in zip(fields, leaves):
            object.__setattr__(obj, name, leaf)
        object.__setattr__(obj, "dt", leaves[len(fields)] if dt_is_leaf else dt)
        object.__setattr__(obj, _DT_LEAF, dt_is_leaf)
        if has_conj_sym:
            object.__setattr__(obj, "conj_sym", conj_sym)
        return obj

    return flatten_with_keys, unflatten, _parts
