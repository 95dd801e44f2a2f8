r"""HOPE's base transfer function on the GPU: :math:`g_j = \sum_{k<n} h_k w_j^{-(k+1)}`
(``hope_transfer``, which also serves :func:`lti_ops.hope_transfer` at the Möbius nodes).

CUDA twin of :func:`lti_ops.hope.kernel._horner`: one thread per (channel, node), the same Horner
recurrence in :math:`x = 1/w` (``acc = h_{n-1} x; acc = (acc + h_k) x`` for k = n-2 ... 0)
with the same operations in the same order, 1/w by Smith's division as NumPy's. The
Markov parameters of a block's channel go through shared memory in tiles, read from the
last one down. Memory: the output.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import cuda

from lti_ops import _cauchy
from lti_ops._dispatch import register

from ._launch import flat, interleaved, launch, native, real_type, specialize, threads

__all__ = ["hope_transfer"]

TILE = 128  # Markov parameters staged in shared memory at a time
PAIR_TILE = 2 * TILE
MAX_THREADS = 128


@register("hope_transfer", "cupy")
def hope_transfer(xp, h, w):
    """CUDA twin of :func:`lti_ops.hope.kernel._horner` (same arguments and result)."""
    mod = native(xp)
    n, K = h.shape[-1], w.shape[-1]
    batch = _cauchy.broadcast_shape(h.shape[:-1], w.shape[:-1])
    ctype = mod.result_type(h.dtype, w.dtype)
    F = real_type(ctype)
    out = mod.empty(batch + (K,), dtype=ctype)
    rows = math.prod(batch)
    if rows == 0 or K == 0:
        return out
    hv = interleaved(mod, flat(mod, h, batch, (n,)), F)
    wv = interleaved(mod, flat(mod, w, batch, (K,)), F)
    block = threads(K, MAX_THREADS)
    launch(xp, _horner(F), (rows, -(-K // block)), block, hv, wv, out.reshape((rows, K)).view(F))
    return out


@specialize
def _horner(F):
    """Kernel: out[b, j] = sum_k h[b, k] w[b, j]^-(k+1) by Horner in 1/w (interleaved complex)."""
    T = numba.from_dtype(np.dtype(F))

    def kernel(h, w, out):
        row = cuda.blockIdx.x
        tid = cuda.threadIdx.x
        j = cuda.blockIdx.y * cuda.blockDim.x + tid
        n, K = h.shape[1] // 2, w.shape[1] // 2
        valid = j < K
        xr, xi = F(0), F(0)
        if valid:
            xr, xi = _inverse(w[row, 2 * j], w[row, 2 * j + 1])
        ar, ai = F(0), F(0)
        sh = cuda.shared.array(PAIR_TILE, T)
        for top in range(n, 0, -TILE):  # tiles [top - count, top), read downwards
            count = min(TILE, top)
            cuda.syncthreads()
            for i in range(tid, 2 * count, cuda.blockDim.x):
                sh[i] = h[row, 2 * (top - count) + i]
            cuda.syncthreads()
            if valid:
                for i in range(count - 1, -1, -1):
                    pr, pi = sh[2 * i], sh[2 * i + 1]
                    if top == n and i == count - 1:  # acc = h_{n-1} x
                        ar, ai = pr * xr - pi * xi, pr * xi + pi * xr
                    else:  # acc = (acc + h_k) x
                        sr, si = ar + pr, ai + pi
                        ar, ai = sr * xr - si * xi, sr * xi + si * xr
        if valid:
            out[row, 2 * j] = ar
            out[row, 2 * j + 1] = ai

    @cuda.jit(device=True, inline="always")
    def _inverse(a, c):
        """1 / (a + ic) by Smith's algorithm (NumPy's complex division)."""
        if abs(a) >= abs(c):
            r = c / a
            d = a + c * r
            return F(1) / d, -r / d
        r = a / c
        d = a * r + c
        return r / d, F(-1) / d

    return kernel
