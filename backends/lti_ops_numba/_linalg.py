"""Batched dense linear algebra of small matrices, the batch spread over the cores: solves
(one LU with partial pivoting per matrix), Cholesky square-root factors, singular values.

``numpy.linalg.solve`` runs a stack of small systems (the batch of ``discretize``'s GBT
family, the Cayley steps of the Smith iteration, the Hamiltonian of ``hinf_norm``) one
LAPACK call after another on one core, and OpenBLAS gains nothing from threads on
matrices this small. Here each matrix is factored by the textbook right-looking
elimination with row pivoting (LAPACK's ``getf2``, the same backward stability), the
right-hand sides carried along, then back-substituted; the rows are contiguous so every
inner loop is a SIMD loop. An exactly zero pivot raises NumPy's ``LinAlgError``, as
``numpy.linalg.solve`` does. Matrices larger than :data:`MAX_N` (where NumPy's blocked
LAPACK wins), a single matrix, a vector right-hand side and other dtypes (integers, which
NumPy promotes; float16, which it rejects) go to NumPy unchanged.

The square-root factors of ``_lyapunov.factor`` are Cholesky factors computed the same way,
a shifted retry and the eigen-factor decided matrix by matrix. Singular values stay
LAPACK's (``gesdd`` through ``numpy.linalg.svd``, which releases the GIL): the batch is cut
into one slice per Numba thread, run on as many Python threads.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from lti_ops import _lyapunov
from lti_ops._dispatch import register
from lti_ops._xp import _native_solve_both

from ._jit import helper, kernel, real_dtype

__all__ = ["factor", "solve", "solve_both", "svdvals"]

MAX_N = 128
MIN_THREAD_WORK = 2**21  # flops (m n min(m, n)) below which one more thread costs more than it saves
_DTYPES = tuple(np.dtype(t) for t in ("float32", "float64", "complex64", "complex128"))


@register("solve", "numba")
def solve(xp, a, b):
    """``numpy.linalg.solve(a, b)``: same broadcasting and result dtype; values to rounding."""
    a, b = np.asarray(a), np.asarray(b)
    if b.ndim == 1 or not _worth_it(a, b):
        return np.linalg.solve(a, b)
    x, _ = _solve_both(a, b, None)
    return x


@register("solve_both", "numba")
def solve_both(xp, a, b, c):
    """``(a^{-1} b, c a^{-1})`` from one factorization of each matrix of `a`."""
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    if not _worth_it(a, b, c):
        return _native_solve_both(np, a, b, c)
    return _solve_both(a, b, c)


def _worth_it(*arrays):
    """Batched, small, floating: where one LU per matrix in parallel beats NumPy's loop."""
    a = arrays[0]
    dtype = np.result_type(*(x.dtype for x in arrays))
    count = math.prod(np.broadcast_shapes(*(x.shape[:-2] for x in arrays)))
    return a.ndim > 2 and count > 1 and a.shape[-1] <= MAX_N and dtype in _DTYPES


def _solve_both(a, b, c):
    dtype = np.result_type(*(x.dtype for x in (a, b) + (() if c is None else (c,))))
    n = a.shape[-1]
    shapes = [a.shape[:-2], b.shape[:-2]] + ([] if c is None else [c.shape[:-2]])
    batch = np.broadcast_shapes(*shapes)
    count = math.prod(batch)
    A = _stack(a, batch, count, dtype)
    X = _stack(b, batch, count, dtype)
    Y = np.zeros((count, 0, n), dtype) if c is None else _stack(c, batch, count, dtype)
    singular = np.zeros(count, dtype=np.bool_)
    (_lu_solve_complex if dtype.kind == "c" else _lu_solve_real)[real_dtype(dtype)](A, X, Y, singular)
    if singular.any():
        raise np.linalg.LinAlgError("Singular matrix")
    return X.reshape(batch + X.shape[-2:]), (None if c is None else Y.reshape(batch + Y.shape[-2:]))


def _stack(x, batch, count, dtype):
    """A C-contiguous (count, rows, cols) copy of `x` broadcast over `batch`."""
    return np.array(np.broadcast_to(x, batch + x.shape[-2:]), dtype=dtype, order="C").reshape((count,) + x.shape[-2:])


def _lu_solve(A, X, Y, singular):
    """X[b] <- A[b]^{-1} X[b] and Y[b] <- Y[b] A[b]^{-1} (A[b] overwritten by its LU
    factors); singular[b] where a pivot is exactly 0."""
    for b in numba.prange(A.shape[0]):
        pivots = np.empty(A.shape[1], np.int64)
        singular[b] = _eliminate(A[b], X[b], pivots)
        if not singular[b]:
            _back_substitute(A[b], X[b])
            for r in range(Y.shape[1]):
                _left_solve(A[b], pivots, Y[b, r])


_lu_solve_real = kernel("void({f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], boolean[::1])")(_lu_solve)
_lu_solve_complex = kernel("void({c}[:, :, ::1], {c}[:, :, ::1], {c}[:, :, ::1], boolean[::1])")(_lu_solve)


@helper
def _eliminate(a, x, pivots):
    """Gaussian elimination with partial pivoting of a, applied to x as it goes: a becomes
    L (below the diagonal, unit diagonal implied) and U with P a = L U, P the row swaps
    c <-> pivots[c] in order. True if a pivot is exactly zero (a singular a)."""
    n = a.shape[0]
    for c in range(n):
        p, best = c, abs(a[c, c])
        for i in range(c + 1, n):
            if abs(a[i, c]) > best:
                p, best = i, abs(a[i, c])
        if best == 0:
            return True
        pivots[c] = p
        if p != c:
            _swap_rows(a, c, p)
            _swap_rows(x, c, p)
        inv = a.dtype.type(1) / a[c, c]  # not 1 / ...: an int literal would promote complex64 to complex128
        pivot_row, pivot_rhs = a[c], x[c]
        for i in range(c + 1, n):
            f = a[i, c] * inv
            a[i, c] = f
            row, rhs = a[i], x[i]
            for j in range(c + 1, n):
                row[j] -= f * pivot_row[j]
            for j in range(rhs.shape[0]):
                rhs[j] -= f * pivot_rhs[j]
    return False


@helper
def _back_substitute(a, x):
    """x <- U^{-1} x for the upper triangle U of a."""
    for c in range(a.shape[0] - 1, -1, -1):
        inv = a.dtype.type(1) / a[c, c]  # not 1 / ...: an int literal would promote complex64 to complex128
        rhs = x[c]
        for j in range(rhs.shape[0]):
            rhs[j] *= inv
        for i in range(c):
            f, target = a[i, c], x[i]
            for j in range(rhs.shape[0]):
                target[j] -= f * rhs[j]


@helper
def _left_solve(a, pivots, y):
    """y <- y A^{-1} for P A = L U in a: y P^T L U = y_in, so s U = y_in, v L = s, y = v P."""
    n = a.shape[0]
    for j in range(n):  # s U = y
        acc = y[j]
        for i in range(j):
            acc -= y[i] * a[i, j]
        y[j] = acc / a[j, j]
    for j in range(n - 1, -1, -1):  # v L = s (unit lower L)
        acc = y[j]
        for i in range(j + 1, n):
            acc -= y[i] * a[i, j]
        y[j] = acc
    for c in range(n - 1, -1, -1):  # y = v P
        p = pivots[c]
        y[c], y[p] = y[p], y[c]


@helper
def _swap_rows(m, i, k):
    for j in range(m.shape[1]):
        m[i, j], m[k, j] = m[k, j], m[i, j]


# --------------------------------------------------------------------------- square-root factors


@register("factor", "numba")
def factor(xp, X):
    """Numba twin of :func:`lti_ops._lyapunov._factor`: a lower R with ``X = R R^H``.

    Each matrix is shifted only if its own Cholesky fails (the reference shifts the whole
    batch when one fails): the shift is below the rounding error X already carries, so
    both give R R^H = X to that noise. A single matrix takes the kernel too, so a batch and
    a loop over it agree to the last bit."""
    X = np.asarray(X)
    if X.shape[-1] > MAX_N or X.dtype not in _DTYPES:
        return _lyapunov._factor(np, X)
    n, batch = X.shape[-1], X.shape[:-2]
    dtype = X.dtype
    R = _stack(X, batch, math.prod(batch), dtype)
    failed = np.zeros(R.shape[0], dtype=np.bool_)
    ftype = real_dtype(dtype)
    (_cholesky_complex if dtype.kind == "c" else _cholesky_real)[ftype](R, n * np.finfo(ftype).eps, failed)
    if failed.any():
        flat = np.reshape(X, R.shape)
        R[failed] = _lyapunov._eigen_factor(np, flat[failed])
    return R.reshape(X.shape)


def _cholesky_batch(R, shift_unit, failed):
    """R[b] <- the lower Cholesky factor of the Hermitian R[b] (its lower triangle read);
    retried with ``shift_unit * max|R[b]_ii|`` on the diagonal; failed[b] if that fails too."""
    for b in numba.prange(R.shape[0]):
        failed[b] = not shifted_cholesky(R[b].copy(), R[b], shift_unit)


_cholesky_real = kernel("void({f}[:, :, ::1], {f}, boolean[::1])")(_cholesky_batch)
_cholesky_complex = kernel("void({c}[:, :, ::1], {f}, boolean[::1])")(_cholesky_batch)


@helper
def shifted_cholesky(X, R, shift_unit):
    """R <- the lower Cholesky factor of X, or failing that of ``X + shift_unit max|X_ii| I``;
    False where both fail."""
    if _cholesky(X, R, 0.0):
        return True
    scale = 0.0
    for i in range(X.shape[0]):
        scale = max(scale, abs(X[i, i]))
    return _cholesky(X, R, shift_unit * scale)


@helper
def _cholesky(X, R, shift):
    """R <- lower Cholesky factor of ``X + shift I`` row by row (Cholesky-Banachiewicz, the
    dot products along contiguous rows of R); False where a pivot is not positive or an
    entry not finite (LAPACK ``potrf`` fails on the first, NumPy's result has the second)."""
    n = X.shape[0]
    for i in range(n):
        row = R[i]
        for j in range(i + 1):
            other = R[j]
            acc = X[i, j]
            for k in range(j):
                acc -= row[k] * np.conj(other[k])
            if j < i:
                row[j] = acc / other[j]
            else:
                d = acc.real + shift
                if not d > 0:
                    return False
                row[i] = np.sqrt(d)
        for j in range(i + 1, n):
            row[j] = 0
        for j in range(i + 1):
            if not np.isfinite(row[j]):
                return False
    return True


# --------------------------------------------------------------------------- singular values


@register("svdvals", "numba")
def svdvals(xp, x):
    """``numpy.linalg.svd(x, compute_uv=False)``, its batch split over Numba's thread count."""
    x = np.asarray(x)
    count, (m, n) = math.prod(x.shape[:-2]), x.shape[-2:]
    threads = min(numba.get_num_threads(), count)
    if threads < 2 or count * m * n * min(m, n) < threads * MIN_THREAD_WORK:
        return np.linalg.svd(x, compute_uv=False)
    stack = np.reshape(x, (-1, m, n))
    bounds = np.linspace(0, stack.shape[0], threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        parts = pool.map(lambda lo, hi: np.linalg.svd(stack[lo:hi], compute_uv=False), bounds[:-1], bounds[1:])
        return np.concatenate(list(parts)).reshape(x.shape[:-2] + (min(m, n),))
