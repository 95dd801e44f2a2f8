"""Hankel singular values of conj_sym Diagonal and real discrete dense systems, one fused
pass per system.

The reference, :func:`lti_ops.hankel._square_root_hsv`, runs a batch through whole-batch
stages: Gramians, two Cholesky factors, the product ``S^T R``, and its singular values. Each
stage writes a (batch, n, n) array, which is five times the batch's matrices in memory, and
on this VM fresh memory costs page faults that slow every stage 1.5-3x. Here one system at
a time goes through all the stages in per-thread scratch. The only array the size of the
batch is the output (batch, n). The stages are the same ones the batched kernels and the
reference use: :func:`~lti_ops_numba._gramians.real_gramian` (Diagonal) or the squared
Smith iteration of :func:`lti_ops._lyapunov.stein_pair` with ``np.dot(a, b, out)`` gemms
(dense), :func:`~lti_ops_numba._linalg.shifted_cholesky`, and LAPACK ``gesdd`` (values
only).

A system whose Smith iteration does not converge (unstable to working precision), whose
Cholesky fails even after the shift (an indefinite Gramian, from rounding in a badly
conditioned system) or whose SVD does not converge is flagged. If any system is flagged,
the whole batch goes to the reference instead, which names the worst pole, uses the
eigen-factor where Cholesky fails, and raises NumPy's error where the SVD fails.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _lyapunov, hankel
from lti_ops._dispatch import register
from lti_ops.systems import Diagonal, StateSpace

from ._gramians import real_gramian
from ._jit import flat, helper, kernel, real_dtype, split
from ._lapack import GESDD, singular_values, singular_values_workspace
from ._linalg import MAX_N, shifted_cholesky

__all__ = ["hsv"]


@register("hsv", "numba")
def hsv(xp, sys):
    """Numba twin of :func:`lti_ops.hankel._square_root_hsv` for conj_sym Diagonal systems
    and batches of real discrete StateSpace systems of at most
    :data:`~lti_ops_numba._linalg.MAX_N` states; others go to the reference."""
    if isinstance(sys, Diagonal) and sys.conj_sym and 2 * sys.n_modes <= MAX_N:
        return _diagonal_hsv(xp, sys)
    if (isinstance(sys, StateSpace) and sys.is_discrete and np.dtype(sys.dtype) in GESDD
            and 0 < sys.n_states <= MAX_N and sys.n_inputs and sys.n_outputs and math.prod(sys.batch_shape) > 1):
        # a single system takes the reference, the same squared Smith iteration in NumPy
        # (equally accurate): not worth the kernel's 15 s first-call compilation
        return _dense_hsv(xp, sys)
    return hankel._square_root_hsv(xp, sys)


def _diagonal_hsv(xp, sys):
    _lyapunov.require_stable(sys)  # as the reference's Gramians do, with the same message
    lam, B, C = (np.asarray(x) for x in (sys.lam, sys.B, sys.C))
    n = lam.shape[-1]
    batch = np.broadcast_shapes(lam.shape[:-1], B.shape[:-2], C.shape[:-2])
    ftype = real_dtype(lam.dtype)
    lam_r, lam_i = split(flat(lam, batch, (n,)), ftype)
    b_r, b_i = split(flat(np.swapaxes(B, -1, -2), batch, B.shape[-1:] + (n,)), ftype)
    c_r, c_i = split(flat(C, batch, C.shape[-2:]), ftype)
    out = np.empty((math.prod(batch), 2 * n), ftype)
    failed = np.zeros(out.shape[0], np.bool_)
    # Q is P's formula on (conj lam, conj C): see _gramians
    _DIAGONAL[ftype][ftype](lam_r, lam_i, b_r, b_i, c_r, -c_i, sys.is_discrete, 2 * n * np.finfo(ftype).eps, out, failed)
    if failed.any():
        return hankel._square_root_hsv(xp, sys)
    return out.reshape(batch + (2 * n,))


def _dense_hsv(xp, sys):
    A, B, C = (np.asarray(x) for x in (sys.A, sys.B, sys.C))
    n, ftype = A.shape[-1], np.dtype(sys.dtype)
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2], C.shape[:-2])
    A = np.ascontiguousarray(flat(A, batch, (n, n)))
    Bt = np.ascontiguousarray(flat(np.swapaxes(B, -1, -2), batch, B.shape[-1:] + (n,)))
    Ct = np.ascontiguousarray(flat(C, batch, C.shape[-2:]))  # rows of C: the columns of C^T
    out = np.empty((math.prod(batch), n), ftype)
    failed = np.zeros(out.shape[0], np.bool_)
    _DENSE[ftype][ftype](A, Bt, Ct, _lyapunov.MAX_DOUBLINGS, np.finfo(ftype).eps, out, failed)
    if failed.any():  # not stable to working precision, or a factor failed: as the reference does
        return hankel._square_root_hsv(xp, sys)
    return out.reshape(batch + (n,))


def _square_root_values(gesdd):
    """A helper ``(P, Q, shift_unit, lwork, out) -> ok``: out <- svd(S^T R) with P = R R^T,
    Q = S S^T (shifted Cholesky), by ``gesdd`` of this precision; P is overwritten. False
    where a factor or the SVD fails."""
    values = singular_values(gesdd)

    @helper
    def square_root_values(P, Q, shift_unit, lwork, out):
        n = P.shape[0]
        R, S = np.empty((n, n), P.dtype), np.empty((n, n), P.dtype)
        if not (shifted_cholesky(P, R, shift_unit) and shifted_cholesky(Q, S, shift_unit)):
            return False
        _lower_transpose_product(S, R, P)
        return values(P, out, np.empty(lwork, P.dtype)) == 0

    return square_root_values


def _named(loop, what, gesdd):
    loop.__name__ = f"_{what}_hsv_{'s' if gesdd is GESDD[np.dtype(np.float32)] else 'd'}gesdd"
    return loop


def _fused(gesdd):
    """The Diagonal kernel loop, with the LAPACK routine of its precision compiled in."""
    workspace, finish = singular_values_workspace(gesdd), _square_root_values(gesdd)

    def loop(lam_r, lam_i, b_r, b_i, c_r, c_i, discrete, shift_unit, out, failed):
        """out[b] = svd(S^T R) with P = R R^T, Q = S S^T the real-form Gramians of system b."""
        n = 2 * lam_r.shape[1]
        lwork = workspace(n, out)
        for b in numba.prange(out.shape[0]):
            rows = np.empty((4, n // 2), out.dtype)
            P, Q = np.empty((n, n), out.dtype), np.empty((n, n), out.dtype)
            real_gramian(lam_r[b], lam_i[b], b_r[b], b_i[b], discrete, 0.5, P, rows)
            real_gramian(lam_r[b], -lam_i[b], c_r[b], c_i[b], discrete, 2.0, Q, rows)
            failed[b] = not finish(P, Q, shift_unit, lwork, out[b])

    return _named(loop, "fused", gesdd)


def _dense(gesdd):
    """The dense kernel loop, with the LAPACK routine of its precision compiled in."""
    workspace, finish = singular_values_workspace(gesdd), _square_root_values(gesdd)

    def loop(A, Bt, Ct, max_doublings, eps, out, failed):
        """out[b] = svd(S^T R) with P = R R^T, Q = S S^T the Gramians of system b, from the
        squared Smith iteration of :func:`lti_ops._lyapunov.stein_pair` in scratch."""
        n = A.shape[1]
        lwork = workspace(n, out)
        for b in numba.prange(A.shape[0]):
            P, Q = np.empty((n, n), A.dtype), np.empty((n, n), A.dtype)
            ok = _stein_pair(A[b], Bt[b], Ct[b], max_doublings, 4 * n * eps, 1 / eps, P, Q)
            failed[b] = not (ok and finish(P, Q, n * eps, lwork, out[b]))

    return _named(loop, "dense", gesdd)


@helper
def _lower_transpose_product(S, R, M):
    """M <- S^T R for lower triangular S and R: M_ij = sum over k >= max(i, j) of
    S_ki R_kj, accumulated row k of R at a time (contiguous, so a SIMD loop)."""
    n = S.shape[0]
    M[:] = 0
    for k in range(n):
        source = R[k]
        for i in range(k + 1):
            f, target = S[k, i], M[i]
            for j in range(k + 1):
                target[j] += f * source[j]


@helper
def _stein_pair(A, Bt, Ct, max_doublings, tol, diverged, P, Q):
    """P, Q <- the discrete Gramians of (A, B, C), as :func:`lti_ops._lyapunov.stein_pair`:
    doublings on the factors Z = [B, A_k B], Y = [C^T, A_k^T C^T] (stored transposed, one row
    per column, so every product is a contiguous gemm) while they are narrower than n/2,
    then on the full matrices. False if it does not converge (not stable to working
    precision)."""
    n = A.shape[0]
    zc, yc = Bt.shape[0], Ct.shape[0]
    Zt, Yt = np.zeros((max(n, zc), n), A.dtype), np.zeros((max(n, yc), n), A.dtype)
    Zt[:zc], Yt[:yc] = Bt, Ct
    Ak, AkT, T = A.copy(), A.T.copy(), np.empty((n, n), A.dtype)
    k, done = 0, False
    while k < max_doublings and 2 * max(zc, yc) <= n:
        if not _max_abs(Ak) < diverged:
            return False
        np.dot(Zt[:zc], AkT, Zt[zc : 2 * zc])  # rows of (A_k Z)^T
        np.dot(Yt[:yc], Ak, Yt[yc : 2 * yc])  # rows of (A_k^T Y)^T
        done = _gram_max(Zt[zc : 2 * zc]) <= tol * _gram_max(Zt[: 2 * zc])
        done = done and _gram_max(Yt[yc : 2 * yc]) <= tol * _gram_max(Yt[: 2 * yc])
        zc, yc = 2 * zc, 2 * yc
        if done:
            break
        _square(Ak, AkT, T)
        k += 1
    _gram(Zt[:zc], P)
    _gram(Yt[:yc], Q)
    if done:
        return True
    U = np.empty((n, n), A.dtype)
    for _ in range(k, max_doublings):
        np.dot(Ak, P, T)
        np.dot(T, AkT, U)
        p_max = _add_max(P, U)  # P <- P + U
        converged = _max_abs(U) <= tol * p_max
        np.dot(AkT, Q, T)
        np.dot(T, Ak, U)
        q_max = _add_max(Q, U)  # Q <- Q + U
        converged = converged and _max_abs(U) <= tol * q_max
        if not _max_abs(Ak) < diverged:
            return False
        if converged:
            _symmetrize(P)
            _symmetrize(Q)
            return True
        _square(Ak, AkT, T)
    return False


@helper
def _square(Ak, AkT, T):
    """A_k <- A_k^2 (through the scratch T) and AkT <- its transpose."""
    np.dot(Ak, Ak, T)
    Ak[:] = T
    AkT[:] = Ak.T


@helper
def _gram(Zt, X):
    """X <- Z Z^T for Z = Zt^T (sum over the rows of Zt)."""
    np.dot(Zt.T.copy(), Zt, X)


@helper
def _gram_max(Zt):
    """Largest modulus of Z Z^T, its largest diagonal entry."""
    best = 0.0
    for i in range(Zt.shape[1]):
        acc = 0.0
        for r in range(Zt.shape[0]):
            acc += Zt[r, i] * Zt[r, i]
        best = max(best, acc)
    return best


@helper
def _max_abs(X):
    best = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            best = max(best, abs(X[i, j]))
    return best


@helper
def _add_max(X, U):
    """X <- X + U; the largest modulus of the new X."""
    best = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            X[i, j] += U[i, j]
            best = max(best, abs(X[i, j]))
    return best


@helper
def _symmetrize(X):
    for i in range(X.shape[0]):
        for j in range(i):
            X[i, j] = X[j, i] = (X[i, j] + X[j, i]) / 2


_SIGNATURE = "void({f}[:, ::1], {f}[:, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], boolean, {f}, {f}[:, ::1], boolean[::1])"
_DENSE_SIGNATURE = "void({f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], int64, {f}, {f}[:, ::1], boolean[::1])"
# one Kernel per precision, each compiled only for its own (it calls that precision's LAPACK)
_DIAGONAL = {dtype: kernel(_SIGNATURE)(_fused(gesdd)) for dtype, gesdd in GESDD.items()}
_DENSE = {dtype: kernel(_DENSE_SIGNATURE)(_dense(gesdd)) for dtype, gesdd in GESDD.items()}
