"""FFT convolution on all cores, one cache-sized block of rows at a time.

The reference transforms the whole batch, multiplies, transforms back and slices: three
passes over spectra twice the size of the signal, and a result that is a view into the
length-n inverse transform (which keeps it alive). Here the batch is cut into blocks of rows
(a row: one batch element) whose buffers stay in a core's L2 cache; for each block one
thread copies the signals into a zero-padded buffer, transforms them (pocketfft, one thread),
multiplies by the kernel spectrum in place (a Numba loop that reads the kernel row of each
signal row: the kernel spectrum is never broadcast over the batch), transforms back, and
copies the first ``n_out`` samples into the preallocated result. The three memory-bound
passes become one; the threads share the blocks (pocketfft and the Numba loops release the
GIL). Memory is the result, the kernel spectrum (computed once when a kernel serves several
rows, else block by block) and one set of block buffers per thread.

The transforms write into those buffers through ``out=`` of SciPy's pocketfft module
(``scipy.fft`` allocates every result: measured, the fresh pages of a new block-sized array
cost as much as the transform itself, 80 ms instead of 30 for the forward transforms of
B = 8, H = 256, L = 4096). Where that module is missing or changed, the public
``scipy.fft`` functions do the same with allocations. Measured against ``scipy.fft`` with
``workers=-1`` by ``python -m benchmarks --only fftconv``.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.fft

from lti_ops._dispatch import register
from lti_ops.fftconv import _empty_result

from ._jit import kernel, real_dtype

try:  # the transforms with out=; scipy.fft wraps these and always allocates
    from scipy.fft._pocketfft import pypocketfft as _pocketfft

    _pocketfft = _pocketfft if all(hasattr(_pocketfft, f) for f in ("r2c", "c2r", "c2c")) else None
except ImportError:  # pragma: no cover - SciPy without its pocketfft module
    _pocketfft = None

__all__ = ["spectral_product"]

WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
BLOCK_BYTES = 1 << 21  # buffers of one block of rows (per thread): about the L2 cache of a core
BLOCK_TRANSFORMS = 8  # at least this many transforms, and a multiple: pocketfft runs 4 to 16 at once in SIMD lanes
SERIAL_SAMPLES = 1 << 16  # below this many samples (rows x n) one thread does it all

_pool = None
_pool_lock = threading.Lock()


@register("fftconv", "numba")
def spectral_product(xp, u, kernel, n, n_out, mimo):
    """Twin of :func:`lti_ops.fftconv._spectral_product` (same arguments and result).

    The result owns its memory: a C-contiguous array of exactly the returned shape.
    """
    if 0 in tuple(u.shape) + tuple(kernel.shape):
        return _empty_result(xp, u, kernel, n_out, mimo)
    job = _Job(u, kernel, n, n_out, mimo)
    blocks = range(0, job.rows, job.block_rows)
    threads = min(WORKERS, len(blocks)) if job.rows * n >= SERIAL_SAMPLES else 1
    _run(job.work, blocks, threads)
    return job.out


# --------------------------------------------------------------------------- the blocks


class _Job:
    """One convolution: rows of signals (rows, M, Lu), kernels (rows, P, M, Lk) and result
    (rows, P, n_out), with M = P = 1 for SISO; block buffers are made per thread."""

    def __init__(self, u, kernel, n, n_out, mimo):
        core_u, core_k = (2, 3) if mimo else (1, 1)
        batch = np.broadcast_shapes(u.shape[:-core_u], kernel.shape[:-core_k])
        self.rows, self.n, self.n_out, self.mimo = math.prod(batch), n, n_out, mimo
        self.u, self.u_row = _rows(u, core_u, batch, (-1, u.shape[-2] if mimo else 1, u.shape[-1]))
        P, M = kernel.shape[-3:-1] if mimo else (1, 1)
        self.k, self.k_row = _rows(kernel, core_k, batch, (-1, P, M, kernel.shape[-1]))
        self.complex = np.iscomplexobj(u)
        self.bins = n if self.complex else n // 2 + 1
        self.K = None  # the kernel spectrum, when one kernel serves several rows
        if len(self.k) < self.rows:
            transform = scipy.fft.fft if self.complex else scipy.fft.rfft
            self.K = np.ascontiguousarray(transform(self.k, n=n, axis=-1, workers=WORKERS))
        self.out = np.empty(batch + ((P,) if mimo else ()) + (n_out,), u.dtype)
        self.out_rows = self.out.reshape(self.rows, P, n_out)
        rows = max(BLOCK_BYTES // self._row_bytes(P, M), -(-BLOCK_TRANSFORMS // max(P, M)))
        if rows >= BLOCK_TRANSFORMS:  # whole SIMD groups: pocketfft does the rest one by one
            rows -= rows % BLOCK_TRANSFORMS
        self.block_rows = max(1, min(self.rows, rows))

    def _row_bytes(self, P, M):
        real, spectrum = self.u.itemsize, np.result_type(self.u.dtype, np.complex64).itemsize
        per_row = (M + P) * (self.n * real + self.bins * spectrum)
        return per_row + (0 if self.K is not None else P * M * (self.n * real + self.bins * spectrum))

    def buffers(self):
        """One thread's block buffers: zero-padded signals and kernels, spectra, inverse."""
        b, (M, P), n = self.block_rows, (self.u.shape[1], self.out_rows.shape[1]), self.n
        cdt = np.result_type(self.u.dtype, np.complex64)
        buf = {"x": np.zeros((b, M, n), self.u.dtype), "X": np.empty((b, M, self.bins), cdt),
               "y": np.empty((b, P, n), self.u.dtype)}
        buf["Y"] = np.empty((b, P, self.bins), cdt) if self.mimo else buf["X"]
        if self.K is None:
            buf["k"] = np.zeros((b, P, M, n), self.u.dtype)
            buf["K"] = np.empty((b, P, M, self.bins), cdt)
        return buf

    def work(self, starts):
        """Compute the blocks that begin at the rows `starts` yields (shared between threads)."""
        buf = self.buffers()
        for start in starts:
            self.block(start, min(start + self.block_rows, self.rows), buf)

    def block(self, start, stop, buf):
        c, Lu = stop - start, self.u.shape[-1]
        x, X, Y, y = buf["x"][:c], buf["X"][:c], buf["Y"][:c], buf["y"][:c]
        x[..., :Lu] = _take(self.u, self.u_row[start:stop])  # the tail stays zero
        _forward(x, X, self.complex)
        if self.K is None:  # this block's own kernels
            k, K = buf["k"][:c], buf["K"][:c]
            k[..., : self.k.shape[-1]] = _take(self.k, self.k_row[start:stop])
            _forward(k, K, self.complex)
            K_rows = np.arange(c)
        else:
            K, K_rows = self.K, self.k_row[start:stop]
        if self.mimo:
            mimo_product[real_dtype(X.dtype)](X, K, K_rows, Y)
        else:  # in place: Y is X
            siso_product[real_dtype(X.dtype)](X.reshape(c, -1), K.reshape(len(K), -1), K_rows)
        _inverse(Y, y, self.n, self.complex)
        self.out_rows[start:stop] = y[..., : self.n_out]


def _rows(x, core, batch, shape):
    """`x` reshaped to `shape` (rows of its own batch first) and, for each row of the
    broadcast `batch`, the row of `x` it reads (int64, C-contiguous)."""
    own = x.shape[: x.ndim - core]
    index = np.broadcast_to(np.arange(math.prod(own), dtype=np.int64).reshape(own), batch)
    return np.reshape(x, shape), np.ascontiguousarray(index.reshape(-1))


def _take(x, index):
    """``x[index]``: a view where the rows are consecutive, one row (broadcasting) where they
    are all the same, else a (block-sized) copy.

    From one row to the next, a broadcast index (of :func:`_rows`) steps by +1 or by <= 0,
    so it is consecutive exactly when its ends are ``len(index) - 1`` apart.
    """
    first, last = int(index[0]), int(index[-1])
    if last - first == len(index) - 1:
        return x[first : last + 1]
    if first == last and np.all(index == first):
        return x[first]
    return x[index]


def _forward(x, X, complex_):
    """X = fft(x) (complex) or rfft(x) (real) along the last axis, written into X."""
    axes = (x.ndim - 1,)
    if _pocketfft is None:
        X[...] = (scipy.fft.fft if complex_ else scipy.fft.rfft)(x, axis=-1)
    elif complex_:
        _pocketfft.c2c(x, axes, True, 0, X, 1)
    else:
        _pocketfft.r2c(x, axes, True, 0, X, 1)


def _inverse(Y, y, n, complex_):
    """y = ifft(Y) (complex) or irfft(Y, n) (real) along the last axis, written into y."""
    axes = (Y.ndim - 1,)
    if _pocketfft is None:
        y[...] = scipy.fft.ifft(Y, axis=-1) if complex_ else scipy.fft.irfft(Y, n=n, axis=-1)
    elif complex_:
        _pocketfft.c2c(Y, axes, False, 2, y, 1)
    else:
        _pocketfft.c2r(Y, axes, n, False, 2, y, 1)


@kernel("void({c}[:, ::1], {c}[:, ::1], int64[::1])", parallel=False)
def siso_product(X, K, rows):
    """X[i] *= K[rows[i]] in place: row i of the block takes kernel spectrum rows[i]."""
    for i in range(X.shape[0]):
        k, x = K[rows[i]], X[i]
        for f in range(X.shape[1]):
            x[f] = x[f] * k[f]


@kernel("void({c}[:, :, ::1], {c}[:, :, :, ::1], int64[::1], {c}[:, :, ::1])", parallel=False)
def mimo_product(X, K, rows, Y):
    """Y[i, p] = sum_m K[rows[i], p, m] X[i, m] (X: (rows, M, F), K: (., P, M, F))."""
    for i in range(X.shape[0]):
        k = K[rows[i]]
        for p in range(Y.shape[1]):
            y = Y[i, p]
            for f in range(X.shape[2]):
                acc = k[p, 0, f] * X[i, 0, f]
                for m in range(1, X.shape[1]):
                    acc += k[p, m, f] * X[i, m, f]
                y[f] = acc


# --------------------------------------------------------------------------- the threads


class _Starts:
    """A thread-safe iterator over the blocks' first rows."""

    def __init__(self, blocks):
        self._it, self._lock = iter(blocks), threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            return next(self._it)


def _run(work, blocks, threads):
    """``work(starts)`` on `threads` threads sharing the iterator `starts` over `blocks`.

    The calling thread works too, and each thread takes the next block as it finishes one, so
    a core slowed by another process does less of it, and a pool busy with other calls never
    blocks this one (its threads find nothing left to do).
    """
    starts = _Starts(blocks)
    futures = [_executor().submit(work, starts) for _ in range(threads - 1)]
    try:
        work(starts)
    finally:  # the result is complete (or the error raised) only once every thread is done
        for future in futures:
            future.result()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, WORKERS - 1), thread_name_prefix="lti_ops_fft")
        return _pool
