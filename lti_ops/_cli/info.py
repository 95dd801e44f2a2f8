"""``lti-ops info``: versions, engines and their kernels, devices."""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import platform

__all__ = ["describe"]

_PACKAGES = ("lti-ops", "numpy", "scipy", "array-api-compat", "numba", "numba-cuda",
             "cupy-cuda12x", "torch", "jax", "jaxlib", "dask", "array-api-strict",
             "hypothesis", "click", "rich", "matplotlib")


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _engines():
    from lti_ops import _dispatch

    lines = []
    for name, engine in _dispatch.ENGINES.items():
        problem = _dispatch.REGISTRY.load(name)
        if problem:
            lines.append(f"  {name:6s} (serves {engine.serves}): not available: {problem} "
                         f"(pip install \"lti-ops[{engine.extra}]\")")
        else:
            kernels = ", ".join(sorted(_dispatch.REGISTRY.primitives(name)))
            lines.append(f"  {name:6s} (serves {engine.serves}): {kernels}")
    return lines


def _devices():
    lines = []
    try:
        numba = importlib.import_module("numba")
        lines.append(f"  numba: {numba.config.NUMBA_NUM_THREADS} threads, "
                     f"threading layer {numba.config.THREADING_LAYER}")
    except ImportError:
        pass
    try:
        cupy = importlib.import_module("cupy")
        count = cupy.cuda.runtime.getDeviceCount()
        names = [cupy.cuda.runtime.getDeviceProperties(i)["name"].decode() for i in range(count)]
        lines.append(f"  cupy: {count} CUDA device(s) {names}")
    except ImportError:
        pass
    except Exception as exc:  # CuPy installed, no usable driver or GPU
        lines.append(f"  cupy: no usable CUDA device ({type(exc).__name__}: {exc})")
    if _version("torch") != "not installed":
        torch = importlib.import_module("torch")
        lines.append(f"  torch: cuda available: {torch.cuda.is_available()}")
    if _version("jax") != "not installed":
        jax = importlib.import_module("jax")
        lines.append(f"  jax: {[str(d) for d in jax.devices()]}")
    return lines


def describe():
    """The text ``lti-ops info`` prints."""
    width = max(map(len, _PACKAGES))
    lines = [f"python {platform.python_version()} on {platform.platform()}", "versions:"]
    lines += [f"  {p:{width}s} {_version(p)}" for p in _PACKAGES]
    lines += ["engines and their kernels:"] + _engines()
    lines += ["devices:"] + _devices()
    return "\n".join(lines)
