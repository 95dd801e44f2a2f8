"""Array namespaces by name, and moving a model's arrays there and results back."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np

__all__ = ["BACKENDS", "namespace", "to_numpy", "convert"]

#: backend name -> (module to import, pip requirement that provides it)
BACKENDS = {
    "numpy": ("numpy", "numpy"),
    "torch": ("torch", "torch"),
    "jax": ("jax.numpy", 'jax[cpu]'),
    "cupy": ("cupy", "lti-ops[cupy]"),
    "array_api_strict": ("array_api_strict", "array-api-strict"),
}


def namespace(backend, dtype="float64"):
    """The Array-API namespace of `backend`; a clear error when it is unknown or missing.

    JAX computes in float32 unless x64 is enabled; asking for float64 enables it, as a
    program (not the library) may: ``jax.config.update("jax_enable_x64", True)``.
    """
    if backend not in BACKENDS:
        msg = f"--backend: unknown backend {backend!r}; expected one of {sorted(BACKENDS)}"
        raise ValueError(msg)
    module, requirement = BACKENDS[backend]
    try:
        mod = importlib.import_module(module)
    except ImportError:
        msg = f"--backend {backend}: {module} is not installed (pip install \"{requirement}\")"
        raise ValueError(msg) from None
    if backend == "jax" and dtype == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)
    if backend == "cupy":
        try:
            mod.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA runtime errors have no common base class
            msg = f"--backend cupy: no usable CUDA device ({type(exc).__name__}: {exc})"
            raise ValueError(msg) from None
    if backend == "torch":
        import array_api_compat.torch as mod
    return mod


def to_numpy(x):
    """A NumPy copy of any backend's array (detached, on the host)."""
    if hasattr(x, "detach"):  # torch
        x = x.detach().cpu()
    if type(x).__module__.startswith("cupy"):
        x = x.get()
    if type(x).__module__.startswith("array_api_strict"):
        import array_api_strict

        x = np.asarray(array_api_strict.asarray(x, device=array_api_strict.Device("CPU_DEVICE")))
    return np.asarray(x)


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
