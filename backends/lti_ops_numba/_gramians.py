"""Closed-form Gramians of Diagonal systems, folded into the real 2N form in one pass.

The reference (:func:`lti_ops._lyapunov._closed_form_gramians`) builds the Gram matrices
``B B^H`` and ``B B^T`` with batched matmuls, divides them elementwise by the Cauchy
denominators, and then ``real_block`` concatenates the real and imaginary parts of four
N x N blocks. That is about ten full-size temporaries per Gramian. Here each batch element's
rows are computed once and written straight into their four places in the output.

The observability Gramian uses the same loop as the controllability one. With
``mu = conj(lam)`` and ``E = conj(C^T)``, ``Q11 = E E^H / (1 - mu_i conj(mu_j))`` and
``Q12 = conj(C^T C / (1 - lam_i lam_j)) = E E^T / (1 - mu_i mu_j)``. So Q is the P formula
applied to ``(mu, E)``, with the factor 2 of ``2 real_block`` in place of 1/2.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops._dispatch import register

from ._jit import flat, helper, kernel, real_dtype, split

__all__ = ["diagonal_gramians"]


@register("diagonal_gramians", "numba")
def diagonal_gramians(xp, sys):
    """Numba twin of :func:`lti_ops._lyapunov._closed_form_gramians`: same dtype, values to
    rounding."""
    lam, B, C = (np.asarray(x) for x in (sys.lam, sys.B, sys.C))
    batch = np.broadcast_shapes(lam.shape[:-1], B.shape[:-2], C.shape[:-2])
    args = (batch, sys.is_discrete, sys.conj_sym)
    P = _gramian(lam, np.swapaxes(B, -1, -2), 0.5, *args)
    Q = _gramian(np.conj(lam), np.conj(C), 2.0, *args)
    return P, Q


def _gramian(lam, rows, scale, batch, discrete, conj_sym):
    """The Gramian of the modal pair (lam, B) with ``rows = B^T``, shape (..., m, N)."""
    n = lam.shape[-1]
    ftype = real_dtype(np.result_type(lam.dtype, rows.dtype))
    count, m = math.prod(batch), rows.shape[-2]
    lam_r, lam_i = split(flat(lam, batch, (n,)), ftype)
    b_r, b_i = split(flat(rows, batch, (m, n)), ftype)
    if not conj_sym:
        out = np.empty((count, n, n), np.result_type(ftype, 1j))
        view = out.view(ftype).reshape(count, n, n, 2)
        _complex_form[ftype](lam_r, lam_i, b_r, b_i, discrete, view)
    else:
        out = np.empty((count, 2 * n, 2 * n), ftype)
        _real_form[ftype](lam_r, lam_i, b_r, b_i, discrete, scale, out)
    return out.reshape(batch + out.shape[1:])


def _real_form_loop(lam_r, lam_i, b_r, b_i, discrete, scale, out):
    """out[b] = scale * real_block(X11, X12) with X11 = B B^H / den(lam, conj lam) and
    X12 = B B^T / den(lam, lam)."""
    n = lam_r.shape[1]
    for b in numba.prange(lam_r.shape[0]):
        real_gramian(lam_r[b], lam_i[b], b_r[b], b_i[b], discrete, scale, out[b], np.empty((4, n), lam_r.dtype))


def _complex_form_loop(lam_r, lam_i, b_r, b_i, discrete, out):
    """out[b] = B B^H / den(lam, conj lam) as (real, imag) pairs."""
    n = lam_r.shape[1]
    for b in numba.prange(lam_r.shape[0]):
        rows = np.empty((4, n), lam_r.dtype)
        for i in range(n):
            _gram_row(b_r[b], b_i[b], i, rows, False)
            _divide_row(lam_r[b], lam_i[b], i, rows, discrete, False)
            target = out[b, i]
            for j in range(n):
                target[j, 0] = rows[0, j]
                target[j, 1] = rows[1, j]


_real_form = kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, :, ::1], {f}[:, :, ::1], boolean, {f}, {f}[:, :, ::1])")(
    _real_form_loop
)
_complex_form = kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, :, ::1], {f}[:, :, ::1], boolean, {f}[:, :, :, ::1])")(
    _complex_form_loop
)


@helper
def real_gramian(lam_r, lam_i, b_r, b_i, discrete, scale, out, rows):
    """out (2N, 2N) = scale * real_block(X11, X12) of one system; rows is (4, N) scratch."""
    n = lam_r.shape[0]
    for i in range(n):
        _gram_row(b_r, b_i, i, rows, True)
        _divide_row(lam_r, lam_i, i, rows, discrete, True)
        top, bottom = out[i], out[n + i]
        for j in range(n):
            top[j] = scale * (rows[0, j] + rows[2, j])
            top[n + j] = scale * (rows[3, j] - rows[1, j])
            bottom[j] = scale * (rows[1, j] + rows[3, j])
            bottom[n + j] = scale * (rows[0, j] - rows[2, j])


@helper
def _gram_row(b_r, b_i, i, rows, transpose_too):
    """rows[0:2] = row i of B B^H (real, imag); rows[2:4] = row i of B B^T when asked.
    ``b_r + i b_i`` is B^T, shape (m, N)."""
    n = b_r.shape[1]
    rows[:] = 0
    for k in range(b_r.shape[0]):
        xr, xi = b_r[k, i], b_i[k, i]
        br, bi = b_r[k], b_i[k]
        for j in range(n):  # x * conj(b_j) and x * b_j
            rows[0, j] += xr * br[j] + xi * bi[j]
            rows[1, j] += xi * br[j] - xr * bi[j]
        if transpose_too:
            for j in range(n):
                rows[2, j] += xr * br[j] - xi * bi[j]
                rows[3, j] += xi * br[j] + xr * bi[j]


@helper
def _divide_row(lam_r, lam_i, i, rows, discrete, transpose_too):
    """rows[0:2] /= den(lam_i, conj lam_j); rows[2:4] /= den(lam_i, lam_j), with
    den(a, b) = 1 - a b (discrete) or -(a + b) (continuous)."""
    ar, ai = lam_r[i], lam_i[i]
    for j in range(lam_r.shape[0]):
        if discrete:
            dr, di = 1 - (ar * lam_r[j] + ai * lam_i[j]), ar * lam_i[j] - ai * lam_r[j]
        else:
            dr, di = -(ar + lam_r[j]), lam_i[j] - ai
        _divide_at(rows, 0, j, dr, di, discrete)
    if transpose_too:
        for j in range(lam_r.shape[0]):
            if discrete:
                dr, di = 1 - (ar * lam_r[j] - ai * lam_i[j]), -(ar * lam_i[j] + ai * lam_r[j])
            else:
                dr, di = -(ar + lam_r[j]), -(ai + lam_i[j])
            _divide_at(rows, 2, j, dr, di, discrete)


@helper
def _divide_at(rows, r, j, dr, di, discrete):
    """(rows[r, j] + i rows[r + 1, j]) / (dr + i di). A stable discrete pair has
    1 - |lam|^2 <= |den| <= 2, so |den|^2 is computed as is; in continuous time |den| is
    as large as |lam|, so it is first scaled by its largest component (Smith's idea), which
    keeps |den|^2 finite for any finite lam."""
    if not discrete:
        s = 1 / max(abs(dr), abs(di))
        dr, di = dr * s, di * s
        inv = s / (dr * dr + di * di)
    else:
        inv = 1 / (dr * dr + di * di)
    gr, gi = rows[r, j], rows[r + 1, j]
    rows[r, j] = (gr * dr + gi * di) * inv
    rows[r + 1, j] = (gi * dr - gr * di) * inv
