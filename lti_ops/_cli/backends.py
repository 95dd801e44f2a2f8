"""Array namespaces by name, and moving a model's arrays there and results back."""

from __future__ import annotations

import dataclasses

import numpy as np

from lti_ops import _xp
from lti_ops._xp import to_numpy

__all__ = ["BACKENDS", "namespace", "to_numpy", "convert"]

BACKENDS = tuple(_xp.BACKEND_MODULES)


def namespace(backend, dtype="float64"):
    """The Array-API namespace of `backend`, as a ValueError naming ``--backend`` if unusable.

    JAX computes in float32 unless x64 is enabled; asking for float64 enables it, as a
    program (not the library) may: ``jax.config.update("jax_enable_x64", True)``.
    """
    if backend not in BACKENDS:
        msg = f"--backend: unknown backend {backend!r}; expected one of {list(BACKENDS)}"
        raise ValueError(msg)
    try:
        xp = _xp.backend_namespace(backend)
    except (ImportError, ValueError) as exc:
        raise ValueError(f"--backend {backend}: {exc}") from None
    if backend == "jax" and dtype == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)
    return xp


def convert(system, xp, dtype, device=None):
    """`system` (a container or an array) with its arrays moved to `xp` in precision `dtype`."""
    if not dataclasses.is_dataclass(system):
        return _array(system, xp, dtype, device)
    changes = {f.name: _array(getattr(system, f.name), xp, dtype, device)
               for f in dataclasses.fields(system) if isinstance(getattr(system, f.name), np.ndarray)}
    return dataclasses.replace(system, **changes)


def _array(a, xp, dtype, device):
    a = np.asarray(a)
    real, cplx = (np.float32, np.complex64) if dtype == "float32" else (np.float64, np.complex128)
    a = a.astype(cplx if np.iscomplexobj(a) else real)
    target = getattr(xp, str(a.dtype))
    return xp.asarray(a, dtype=target) if device is None else xp.asarray(a, dtype=target, device=device)
