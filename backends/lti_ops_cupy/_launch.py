"""What every CUDA kernel launch needs, written once for CuPy arrays and for NumPy arrays.

The kernels are numba-cuda functions (``numba.cuda.jit``). On a GPU the launch functions get
CuPy arrays: they allocate outputs with CuPy, hand the buffers to the kernel without a copy
(``__cuda_array_interface__``, imported *without* the stream synchronisation numba does by
default) and launch on CuPy's current stream, so nothing waits for the device. Under
numba-cuda's simulator (``NUMBA_ENABLE_CUDASIM=1``) the same functions get NumPy arrays and
the same kernels run as Python threads: that is how CI checks the kernels without a GPU.
The only namespace-dependent lines are in this module.

Kernels are built by factories over their compile-time constants (the working precision
``F`` and a few flags), so that each variant keeps its loops of constant trip count
unrolled and its accumulators in registers; :func:`specialize` caches the built kernels,
and numba-cuda compiles each on its first launch.
"""

from __future__ import annotations

import functools
import importlib
import math
import warnings

import array_api_compat as _compat
import numpy as np
from numba import cuda

__all__ = ["WARP", "as_complex", "blocks", "flat", "interleaved", "launch", "native", "real_type", "specialize",
           "threads"]

WARP = 32


def native(xp):
    """The array module behind namespace `xp`: ``cupy`` for CuPy, ``numpy`` otherwise."""
    if _compat.is_cupy_namespace(xp):
        import cupy

        return cupy
    return np


def real_type(dtype):
    """The working real scalar type (``numpy.float32`` or ``numpy.float64``) of `dtype`."""
    dtype = np.dtype(dtype)
    return np.float32 if dtype in (np.float32, np.complex64) else np.float64


def complex_type(dtype):
    return np.complex64 if real_type(dtype) is np.float32 else np.complex128


def specialize(factory):
    """Decorator: ``factory(*constants) -> kernel function``, jitted once per constants."""

    @functools.cache
    def build(*constants):
        return cuda.jit(factory(*constants))

    build.factory = factory
    return build


def flat(mod, x, batch, core, ncore=None):
    """`x` whose last `ncore` axes (default ``len(core)``) are its core, broadcast over
    `batch` and reshaped to ``(prod(batch),) + core``, C-contiguous."""
    ncore = len(core) if ncore is None else ncore
    shape = tuple(batch) + tuple(x.shape[x.ndim - ncore :])
    if tuple(x.shape) != shape:
        x = mod.broadcast_to(x, shape)
    x = mod.ascontiguousarray(mod.reshape(x, (math.prod(batch),) + tuple(core)))
    return x if mod is not np or x.flags.writeable else x.copy()  # the simulator writes arguments back


def as_complex(mod, x, dtype):
    """`x` as a C-contiguous array of complex `dtype`'s precision."""
    return mod.ascontiguousarray(mod.asarray(x).astype(complex_type(dtype), copy=False))


def interleaved(mod, x, dtype):
    """Complex `x` (any dtype, cast to `dtype`'s complex precision) as real numbers
    ``[re, im, re, im, ...]`` along its last axis, doubled (a view of a contiguous copy)."""
    return as_complex(mod, x, dtype).view(real_type(dtype))


def threads(work, cap=128):
    """Threads per block for `work` items of one block: a power of two in [32, cap]."""
    return max(WARP, min(cap, 1 << max(0, math.ceil(math.log2(max(1, work))))))


def blocks(work, per_block):
    return -(-work // per_block)


def launch(xp, kernel, grid, block, *args):
    """Run `kernel` over `grid` blocks of `block` threads on `xp`'s current stream.

    Arrays of `xp` pass to the kernel without a copy and without synchronising; other
    arguments (Python or NumPy scalars) pass as they are. An empty grid launches nothing.
    """
    grid = tuple(grid) if isinstance(grid, tuple) else (grid,)
    if min(grid) == 0:
        return
    with warnings.catch_warnings():
        for category in _numba_warnings():  # e.g. "Grid size 6 will likely result in GPU under-utilization"
            warnings.simplefilter("ignore", category)
        if _compat.is_cupy_namespace(xp):
            import cupy

            stream = cuda.external_stream(cupy.cuda.get_current_stream().ptr)
            args = tuple(_device(a) if isinstance(a, cupy.ndarray) else a for a in args)
            kernel[grid, block, stream](*args)
        else:
            warnings.simplefilter("ignore", RuntimeWarning)  # the simulator's NumPy scalars, where a GPU gives inf/NaN
            kernel[grid, block, 0](*args)


@functools.cache
def _numba_warnings():
    """numba's warning base classes (numba-cuda's own copy, and numba's): the launch of a
    small problem warns about its small grid, which is not the caller's concern."""
    found = []
    for module in ("numba.cuda.core.errors", "numba.core.errors"):
        try:
            found.append(importlib.import_module(module).NumbaWarning)
        except (ImportError, AttributeError):
            pass
    return tuple(found)


def _device(x):
    """A numba device array viewing CuPy array `x`'s memory (no copy, no stream sync)."""
    return cuda.from_cuda_array_interface(x.__cuda_array_interface__, owner=x, sync=False)
