"""Hankel singular values of conj_sym Diagonal systems, one fused pass per system.

The reference, :func:`lti_ops.hankel._square_root_hsv`, runs a batch through whole-batch
stages: Gramians, two Cholesky factors, the product ``S^T R``, and its singular values. Each
stage writes a (batch, 2N, 2N) array, which is five times the batch's matrices in memory.
Here one system at a time goes through all the stages in per-thread scratch. The only
array the size of the batch is the output (batch, 2N). The stages are the same ones the
batched kernels use: :func:`~lti_ops_numba._gramians.real_gramian`,
:func:`~lti_ops_numba._linalg.shifted_cholesky` and LAPACK ``gesdd`` (values only).

A system whose Cholesky fails even after the shift (an indefinite Gramian, from rounding
in a badly conditioned system) or whose SVD does not converge is flagged. If any system is
flagged, the whole batch goes to the reference instead, which uses the eigen-factor where
Cholesky fails and raises NumPy's error where the SVD fails.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _lyapunov, hankel
from lti_ops._dispatch import register
from lti_ops.systems import Diagonal

from ._gramians import real_gramian
from ._jit import flat, helper, kernel, real_dtype, split
from ._lapack import GESDD, singular_values, singular_values_workspace
from ._linalg import MAX_N, shifted_cholesky

__all__ = ["hsv"]


@register("hsv", "numba")
def hsv(xp, sys):
    """Numba twin of :func:`lti_ops.hankel._square_root_hsv` for conj_sym Diagonal systems
    of at most :data:`~lti_ops_numba._linalg.MAX_N` states; others go to the reference."""
    if not (isinstance(sys, Diagonal) and sys.conj_sym and 2 * sys.n_modes <= MAX_N):
        return hankel._square_root_hsv(xp, sys)
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
    _KERNELS[ftype][ftype](lam_r, lam_i, b_r, b_i, c_r, -c_i, sys.is_discrete, 2 * n * np.finfo(ftype).eps, out, failed)
    if failed.any():
        return hankel._square_root_hsv(xp, sys)
    return out.reshape(batch + (2 * n,))


def _fused(gesdd):
    """The kernel loop, with the LAPACK routine of its precision compiled in."""
    workspace, values = singular_values_workspace(gesdd), singular_values(gesdd)

    def loop(lam_r, lam_i, b_r, b_i, c_r, c_i, discrete, shift_unit, out, failed):
        """out[b] = svd(S^T R) with P = R R^T, Q = S S^T the real-form Gramians of system b."""
        n = 2 * lam_r.shape[1]
        lwork = workspace(n, out)
        for b in numba.prange(out.shape[0]):
            rows = np.empty((4, n // 2), out.dtype)
            X, R, S = np.empty((n, n), out.dtype), np.empty((n, n), out.dtype), np.empty((n, n), out.dtype)
            real_gramian(lam_r[b], lam_i[b], b_r[b], b_i[b], discrete, 0.5, X, rows)
            ok = shifted_cholesky(X, R, shift_unit)
            real_gramian(lam_r[b], -lam_i[b], c_r[b], c_i[b], discrete, 2.0, X, rows)
            ok = ok and shifted_cholesky(X, S, shift_unit)
            if ok:
                _lower_transpose_product(S, R, X)
                ok = values(X, out[b], np.empty(lwork, out.dtype)) == 0
            failed[b] = not ok

    loop.__name__ = f"_fused_hsv_{'s' if gesdd is GESDD[np.dtype(np.float32)] else 'd'}gesdd"
    return loop


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


_SIGNATURE = "void({f}[:, ::1], {f}[:, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], boolean, {f}, {f}[:, ::1], boolean[::1])"
# one Kernel per precision, each compiled only for its own (it calls that precision's LAPACK)
_KERNELS = {dtype: kernel(_SIGNATURE)(_fused(gesdd)) for dtype, gesdd in GESDD.items()}
