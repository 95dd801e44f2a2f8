r"""HOPE's base transfer function :math:`g_j = \sum_{k<n} h_k w_j^{-(k+1)}`: ``hope_transfer``
(any nodes w) and ``hope_samples`` (the Möbius nodes of ``hope_transfer(h, dt, L)``, made in
the kernel instead of as an (H, L) array first).

Numba twin of :func:`lti_ops.hope.kernel._horner`: Horner's rule in :math:`x = 1/w`,
``p = h_{n-1}; p = p x + h_k`` for k = n-2 ... 0, then ``g = p x`` -- the reference's
multiplications and additions in its order (``acc = h_{n-1} x; acc = (acc + h_k) x``
writes the same products and sums), each ``p x + h_k`` contracted to four FMAs. 1/w is
Smith's division, as NumPy's; the Möbius nodes are :func:`lti_ops.hope.nodes._nodes`' formulas
on its (L,) cosines and sines (:func:`lti_ops.hope.nodes._circle`).

Work is split into (channel, block of BLOCK nodes) tasks run in parallel. Each task keeps
its block's x and accumulators in one flat, 64-byte aligned scratch array (rows at constant
offsets, so the loop over nodes vectorizes without alias checks) and runs STEPS Horner steps
per pass over the block: the accumulators stay in registers for those steps, so each pass
loads and stores them once instead of every step (the loop was bound by those stores).
Memory: the output plus O(BLOCK) per thread.

Work convention (``benchmarks/hope.py``): one complex multiply-add ``p x + h`` is 8 real
flops (four multiplies, four adds; four FMAs), n per node; the O(1) per node of 1/w and
of the node itself is not counted.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _cauchy
from lti_ops.hope import nodes as _ref
from lti_ops._dispatch import register

from ._jit import aligned_zeros, flat, helper, kernel, real_dtype, split

__all__ = ["hope_samples", "hope_transfer"]

BLOCK = 256  # nodes per task
STEPS = 4  # Horner steps per pass over a block: 16 FMAs per 2 loads and 2 stores


@register("hope_transfer", "numba")
def hope_transfer(xp, h, w):
    """Numba twin of :func:`lti_ops.hope.kernel._horner` (same arguments and result)."""
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


@register("hope_samples", "numba")
def hope_samples(xp, h, d, L):
    """``_horner(xp, h, _nodes(xp, L, d, h.dtype))`` of :mod:`lti_ops.hope.kernel` in one kernel:
    `h` (..., n) complex, `d` real steps broadcasting with ``h.shape[:-1]``."""
    n = h.shape[-1]
    batch = _cauchy.broadcast_shape(h.shape[:-1], d.shape)
    rdtype = real_dtype(h.dtype)
    c, s = (np.ascontiguousarray(v, dtype=rdtype) for v in _ref._circle(xp, L, rdtype, None))
    out = np.empty(batch + (L,), dtype=h.dtype)
    hr, hi = split(flat(h, batch, (n,)), rdtype)
    steps = np.array(np.broadcast_to(d, batch), dtype=rdtype).reshape(-1)  # writable, contiguous
    _mobius_horner[rdtype](hr, hi, steps, c, s, out.reshape((math.prod(batch), L)).view(rdtype))
    return out


@kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1])", chunksize=1)
def _horner(hr, hi, wr, wi, out):
    """out[b, 2j], out[b, 2j+1] = Re, Im of sum_k h[b, k] w[b, j]^-(k+1) (Horner in 1/w)."""
    B = hr.shape[0]
    K = wr.shape[1]
    nb = (K + BLOCK - 1) // BLOCK
    for t in numba.prange(B * nb):
        b, j0, m = _task(t, nb, K)
        S = aligned_zeros(4 * BLOCK, hr)
        _inverse(wr[b, j0 : j0 + m], wi[b, j0 : j0 + m], S)
        _block(hr[b], hi[b], S)
        _store(S, m, out[b, 2 * j0 : 2 * (j0 + m)])


@kernel("void({f}[:, ::1], {f}[:, ::1], {f}[::1], {f}[::1], {f}[::1], {f}[:, ::1])", chunksize=1)
def _mobius_horner(hr, hi, d, c, s, out):
    """out[b, 2j], out[b, 2j+1] = Re, Im of sum_k h[b, k] w^-(k+1), w the Möbius node j of
    step d[b] (the formulas of :func:`lti_ops.hope.nodes._nodes`)."""
    B = hr.shape[0]
    K = c.shape[0]
    nb = (K + BLOCK - 1) // BLOCK
    for t in numba.prange(B * nb):
        b, j0, m = _task(t, nb, K)
        S = aligned_zeros(4 * BLOCK, hr)
        _mobius_inverse(d[b], c[j0 : j0 + m], s[j0 : j0 + m], S)
        _block(hr[b], hi[b], S)
        _store(S, m, out[b, 2 * j0 : 2 * (j0 + m)])


@helper
def _task(t, nb, K):
    """(channel, first node, node count) of task t of the (channel, block of BLOCK nodes)
    split of both Horner kernels, nb blocks per channel."""
    b = t // nb
    j0 = (t - b * nb) * BLOCK
    return b, j0, min(BLOCK, K - j0)


@helper
def _inverse(wr, wi, S):
    """S[j], S[BLOCK + j] = Re, Im of 1/w_j by Smith's algorithm (NumPy's complex division),
    written without branches (selects) and in the working precision so that it vectorizes."""
    one = S.dtype.type(1)
    for j in range(wr.shape[0]):
        a, c = wr[j], wi[j]
        big = abs(a) >= abs(c)
        p, q = (a, c) if big else (c, a)
        r = q / p
        inv = one / (p + q * r)
        S[j] = inv if big else r * inv
        S[BLOCK + j] = -(r * inv) if big else -inv


@helper
def _mobius_inverse(step, c, s, S):
    """S[j], S[BLOCK + j] = Re, Im of 1/w_j for the Möbius nodes w_j of `step` on the circle
    factors (c, s), by :func:`lti_ops.hope.nodes._nodes`' formulas; then 1/w = conj(w)/|w|^2
    (|w| = 1 up to rounding: no scaling needed), in the working precision."""
    one = S.dtype.type(1)
    for j in range(c.shape[0]):
        X, Y = step * c[j], s[j]
        scale = max(abs(X), Y)
        X, Y = X / scale, Y / scale
        r = X * X + Y * Y
        re, im = (X * X - Y * Y) / r, (X + X) * Y / r
        q = one / (re * re + im * im)
        S[j], S[BLOCK + j] = re * q, -im * q


@helper
def _block(hr, hi, S):
    """Horner over one block: S holds the rows x (re, im) and p (re, im), BLOCK each; on
    return p = sum_k h_k x^(k+1). Padding nodes (x = 0) give 0."""
    n = hr.shape[0]
    pr, pi = hr[n - 1], hi[n - 1]
    for j in range(BLOCK):
        S[2 * BLOCK + j], S[3 * BLOCK + j] = pr, pi
    k = n - 2
    while k >= STEPS - 1:  # p = (((p x + h_k) x + h_{k-1}) x + h_{k-2}) x + h_{k-3}
        r0, i0, r1, i1 = hr[k], hi[k], hr[k - 1], hi[k - 1]
        r2, i2, r3, i3 = hr[k - 2], hi[k - 2], hr[k - 3], hi[k - 3]
        for j in range(BLOCK):
            xr, xi = S[j], S[BLOCK + j]
            ar, ai = S[2 * BLOCK + j], S[3 * BLOCK + j]
            ar, ai = ar * xr + (r0 - ai * xi), ar * xi + (ai * xr + i0)  # two FMAs each
            ar, ai = ar * xr + (r1 - ai * xi), ar * xi + (ai * xr + i1)
            ar, ai = ar * xr + (r2 - ai * xi), ar * xi + (ai * xr + i2)
            ar, ai = ar * xr + (r3 - ai * xi), ar * xi + (ai * xr + i3)
            S[2 * BLOCK + j], S[3 * BLOCK + j] = ar, ai
        k -= STEPS
    while k >= 0:
        r0, i0 = hr[k], hi[k]
        for j in range(BLOCK):
            xr, xi = S[j], S[BLOCK + j]
            ar, ai = S[2 * BLOCK + j], S[3 * BLOCK + j]
            S[2 * BLOCK + j], S[3 * BLOCK + j] = ar * xr + (r0 - ai * xi), ar * xi + (ai * xr + i0)
        k -= 1
    for j in range(BLOCK):  # the last multiplication by x
        xr, xi = S[j], S[BLOCK + j]
        ar, ai = S[2 * BLOCK + j], S[3 * BLOCK + j]
        S[2 * BLOCK + j], S[3 * BLOCK + j] = ar * xr - ai * xi, ar * xi + ai * xr


@helper
def _store(S, m, out):
    """out[2j], out[2j + 1] = Re, Im of the block's first m results."""
    for j in range(m):
        out[2 * j] = S[2 * BLOCK + j]
        out[2 * j + 1] = S[3 * BLOCK + j]
