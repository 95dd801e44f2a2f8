r"""HOPE's base transfer function :math:`g_j = \sum_{k<n} h_k w_j^{-(k+1)}` (``hope_transfer``).

Numba twin of :func:`lti_ops.hope._horner`: the same Horner recurrence in
:math:`x = 1/w`, ``acc = h_{n-1} x; acc = (acc + h_k) x`` for k = n-2 ... 0, with the same
operations in the same order (1/w by Smith's division, as NumPy's complex division).
Work is split into (channel, block of BLOCK nodes) tasks run in parallel; each task keeps
its block's :math:`x` and accumulators in real/imaginary scratch arrays so the loop over
nodes vectorizes, and reads h once per block. Memory: the output plus O(BLOCK) per thread.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _cauchy
from lti_ops._dispatch import register

from ._jit import flat, kernel, real_dtype, split

__all__ = ["hope_transfer"]

BLOCK = 256  # nodes per task


@register("hope_transfer", "numba")
def hope_transfer(xp, h, w):
    """Numba twin of :func:`lti_ops.hope._horner` (same arguments and result)."""
    n, K = h.shape[-1], w.shape[-1]
    batch = _cauchy.broadcast_shape(h.shape[:-1], w.shape[:-1])
    ctype = np.result_type(h.dtype, w.dtype)
    rdtype = real_dtype(ctype)
    out = np.empty(batch + (K,), dtype=ctype)
    hr, hi = split(flat(h, batch, (n,)), rdtype)
    wr, wi = split(flat(w, batch, (K,)), rdtype)
    view = out.reshape((math.prod(batch), K)).view(rdtype)
    _horner[rdtype](hr, hi, wr, wi, view)
    return out


@kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1])")
def _horner(hr, hi, wr, wi, out):
    """out[b, 2j], out[b, 2j+1] = Re, Im of sum_k h[b, k] w[b, j]^-(k+1) (Horner in 1/w)."""
    B, n = hr.shape
    K = wr.shape[1]
    nb = (K + BLOCK - 1) // BLOCK
    for t in numba.prange(B * nb):
        b = t // nb
        j0 = (t - b * nb) * BLOCK
        m = min(BLOCK, K - j0)
        xr, xi = np.empty(m, hr.dtype), np.empty(m, hr.dtype)
        ar, ai = np.empty(m, hr.dtype), np.empty(m, hr.dtype)
        for j in range(m):  # x = 1 / w, Smith's algorithm (NumPy's complex division)
            a, c = wr[b, j0 + j], wi[b, j0 + j]
            if abs(a) >= abs(c):
                r = c / a
                d = a + c * r
                xr[j], xi[j] = 1 / d, -r / d
            else:
                r = a / c
                d = a * r + c
                xr[j], xi[j] = r / d, -1 / d
        pr, pi = hr[b, n - 1], hi[b, n - 1]
        for j in range(m):
            ar[j] = pr * xr[j] - pi * xi[j]
            ai[j] = pr * xi[j] + pi * xr[j]
        for k in range(n - 2, -1, -1):
            pr, pi = hr[b, k], hi[b, k]
            for j in range(m):
                sr, si = ar[j] + pr, ai[j] + pi
                ar[j] = sr * xr[j] - si * xi[j]
                ai[j] = sr * xi[j] + si * xr[j]
        for j in range(m):
            out[b, 2 * (j0 + j)] = ar[j]
            out[b, 2 * (j0 + j) + 1] = ai[j]
