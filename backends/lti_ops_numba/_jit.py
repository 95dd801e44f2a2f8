"""Lazy compilation of the kernels: one explicit signature per working precision.

A kernel module writes a plain Python loop and wraps it with :func:`kernel`, giving a
signature template in which ``{f}`` stands for the working real type (``float32`` or
``float64``) and ``{c}`` for the matching complex type. Nothing is compiled at import: the
first call for a precision loads that precision from the on-disk cache
(:mod:`lti_ops_numba._cache`), or compiles and saves it (numbagg's pattern).

Threads. Every kernel may be called from several Python threads at once (they release the
GIL) and gives each the result it gives alone, bit for bit: a kernel writes only its own
arguments. Two threads asking for the same precision first compile it once (a lock per
kernel). Numba's threading layer is Numba's choice, untouched here (``NUMBA_THREADING_LAYER``
if set, else the first of tbb, omp, workqueue that loads); tbb and omp accept parallel
launches from several threads at once, but workqueue aborts the process on one. Where the
layer is not one of :data:`THREADSAFE_LAYERS`, parallel kernels launch one at a time under
:data:`LAUNCH_LOCK` (see docs/backends.md, "Threads").
"""

from __future__ import annotations

import math
import threading
import time

import numba
import numpy as np

from ._cache import KernelCache

__all__ = ["ALL", "FASTMATH", "LAUNCH_LOCK", "THREADSAFE_LAYERS", "Kernel", "aligned_zeros", "flat", "helper",
           "kernel", "real_dtype", "serialised_launches", "split"]

# Only reassociation and contraction: sums over modes may be reordered (so they vectorize)
# and a*b + c may become an FMA. No finite-math or reciprocal approximations, so inf/NaN
# still flag poles and the identity tests hold unchanged.
FASTMATH = frozenset({"reassoc", "contract"})

ALL = []  # every Kernel, for tests and the benchmark's compile-time report

# Numba's threading layers that take parallel launches from several threads at once
# (Numba's documentation, "The Threading Layers": tbb and omp are "threadsafe").
THREADSAFE_LAYERS = frozenset({"tbb", "omp"})

# Held around every parallel kernel launch where the layer is not thread-safe (workqueue):
# one process-wide lock, since workqueue has one pool for all parallel functions.
LAUNCH_LOCK = threading.Lock()

_TYPES = {
    np.dtype(np.float32): ("float32", "complex64"),
    np.dtype(np.float64): ("float64", "complex128"),
}


class Kernel:
    """A Python loop compiled on first use, once per working precision.

    Parameters
    ----------
    pyfunc : callable
        The loop, written for Numba's nopython mode.
    template : str
        Numba signature with ``{f}`` / ``{c}`` placeholders for the real / complex type.
    parallel : bool
        Compile with ``parallel=True`` (``numba.prange`` loops run on all cores).
    chunksize : int or None
        Iterations of the ``prange`` loop handed to a thread at a time (Numba's
        ``parallel_chunksize``), set around each call; None keeps Numba's static split.
    """

    def __init__(self, pyfunc, template, parallel=True, chunksize=None):
        self.pyfunc, self.template, self.parallel, self.chunksize = pyfunc, template, parallel, chunksize
        self._compiled = {}
        self._lock = threading.Lock()  # one compilation per precision, whichever thread asks first
        self.compile_seconds = {}  # dtype name -> seconds spent compiling or loading it
        self.cache_hits = {}  # dtype name -> True where it was loaded from the on-disk cache
        self.__doc__, self.__name__ = pyfunc.__doc__, pyfunc.__name__
        ALL.append(self)

    def __getitem__(self, dtype):
        """The function for real working dtype `dtype` (loaded or compiled on first request)."""
        dtype = np.dtype(dtype)
        function = self._compiled.get(dtype)
        if function is None:
            with self._lock:  # a thread that waited here finds the other's function
                function = self._compiled.get(dtype)
                if function is None:
                    function = self._compiled[dtype] = self._build(dtype)
        return function

    def _build(self, dtype):
        f, c = _TYPES[dtype]
        start = time.perf_counter()
        dispatcher = self._dispatcher()
        dispatcher.compile(self.template.format(f=f, c=c))
        dispatcher.disable_compile()
        self.compile_seconds[str(dtype)] = time.perf_counter() - start
        self.cache_hits[str(dtype)] = sum(dispatcher.stats.cache_hits.values()) > 0
        function = dispatcher if self.chunksize is None else _chunked(dispatcher, self.chunksize)
        return _serialised(function) if self.parallel and serialised_launches() else function

    def _dispatcher(self):
        """A lazy dispatcher of the loop whose compilations go through :class:`KernelCache`."""
        dispatcher = numba.njit(parallel=self.parallel, fastmath=set(FASTMATH), error_model="numpy", nogil=True)(
            self.pyfunc)
        dispatcher._cache = KernelCache(self.pyfunc)  # what cache=True sets, with the package-wide stamp
        return dispatcher

    def llvm_ir(self, dtype):
        """The optimized LLVM IR of the loop for real working dtype `dtype`, from a fresh,
        uncached compilation (Numba does not keep the IR of cached code); for tests that
        check what the compiler made of it, e.g. that float32 stays float32."""
        f, c = _TYPES[np.dtype(dtype)]
        dispatcher = numba.njit(parallel=self.parallel, fastmath=set(FASTMATH), error_model="numpy", nogil=True)(
            self.pyfunc)
        dispatcher.compile(self.template.format(f=f, c=c))
        return "\n".join(dispatcher.inspect_llvm().values())

    def compiled(self):
        """The working dtypes compiled (or loaded) so far."""
        return sorted(str(d) for d in self._compiled)


def serialised_launches():
    """Whether parallel kernels launch one at a time under :data:`LAUNCH_LOCK`: True where
    Numba's threading layer is not one of :data:`THREADSAFE_LAYERS` (workqueue).

    Starts the layer Numba chooses (``numba.get_num_threads`` does) if no parallel code has
    run yet in this process, so that the answer is the layer the kernels will run on.
    """
    numba.get_num_threads()
    return numba.threading_layer() not in THREADSAFE_LAYERS


def _chunked(function, chunksize):
    """`function` run with Numba's ``parallel_chunksize`` (a per-thread setting) `chunksize`."""

    def call(*args):
        with numba.parallel_chunksize(chunksize):
            return function(*args)

    return call


def _serialised(function):
    """`function` run under :data:`LAUNCH_LOCK` (waiting for it releases the GIL)."""

    def call(*args):
        with LAUNCH_LOCK:
            return function(*args)

    return call


def kernel(template, *, parallel=True, chunksize=None):
    """Decorator: ``@kernel("void({f}[:, ::1], {f}[:, ::1])")`` -> :class:`Kernel`."""

    def wrap(pyfunc):
        return Kernel(pyfunc, template, parallel, chunksize)

    return wrap


def real_dtype(dtype):
    """float32 for float32/complex64, float64 otherwise."""
    return np.dtype(np.float32) if np.dtype(dtype) in (np.float32, np.complex64) else np.dtype(np.float64)


def split(x, dtype):
    """(real, imag) of `x` as C-contiguous arrays of real dtype `dtype`."""
    x = np.asarray(x)
    imag = x.imag if np.iscomplexobj(x) else np.zeros(x.shape, dtype)
    return np.ascontiguousarray(x.real, dtype=dtype), np.ascontiguousarray(imag, dtype=dtype)


def flat(x, batch, core, ncore=None):
    """`x`, whose last `ncore` axes (default ``len(core)``) are its core, broadcast over
    `batch` and reshaped to ``(prod(batch),) + core``; a copy only where broadcasting
    repeats data."""
    x = np.asarray(x)
    ncore = len(core) if ncore is None else ncore
    shape = tuple(batch) + x.shape[x.ndim - ncore :]
    if x.shape != shape:
        x = np.broadcast_to(x, shape)
    x = np.reshape(x, (math.prod(batch),) + tuple(core))
    return x if x.flags.writeable else np.array(x)  # Numba signatures take writable arrays


def helper(func):
    """A Numba function called from kernels: compiled with (and inside) its first caller."""
    return numba.njit(fastmath=set(FASTMATH), error_model="numpy", cache=False)(func)


CACHE_LINE = 64


@helper
def aligned_zeros(n, like):
    """A zeroed 1-D scratch array of `n` elements of `like`'s dtype starting on a cache line.

    Unaligned full-width vector loads straddle two lines: measured, the SIMD lane loop of the
    scan runs 1.7x slower on 16-byte aligned scratch than on 64-byte aligned scratch."""
    pad = CACHE_LINE // like.itemsize
    buf = np.zeros(n + pad, like.dtype)
    start = ((CACHE_LINE - buf.ctypes.data % CACHE_LINE) % CACHE_LINE) // like.itemsize
    return buf[start : start + n]
