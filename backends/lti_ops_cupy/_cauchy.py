r"""Cauchy sums fused with the Woodbury combination, on the GPU, at any nodes.

For each channel and node z: :math:`k_{xy}(z) = \sum_n w_{xyn}/(z - \lambda_n)` (plus
:math:`\bar w_{xyn}/(z - \bar\lambda_n)` for ``conj_sym``), :math:`w_{xyn} = a_{xn}b_{ny}`,
:math:`a = [C; Q^H]`, :math:`b = [B, P]`; then
:math:`G = k_{00} - k_{01}(I + k_{11})^{-1}k_{10}` (rank 0: G = k; ranks 1 and 2 in closed
form), optionally times z.

Algorithm. One thread per (channel, node), blocks of consecutive nodes of one channel. The
modes and their :math:`(p + r)(m + r)` weights go through shared memory in tiles; each
thread keeps its node's sums in registers (their count is a compile-time constant of the
kernel variant), so memory is the output alone. A conjugate pair costs one real division:
with :math:`s = 1/(z-\lambda) + 1/(z-\bar\lambda)` and
:math:`t = 1/(z-\lambda) - 1/(z-\bar\lambda)`, :math:`w/(z-\lambda) + \bar w/(z-\bar\lambda)
= \Re(w)s + i\Im(w)t`, both from :math:`(z-\lambda)(z-\bar\lambda)` (the Numba kernel's
form). The differences are first scaled by a power of two
:math:`\tau = 2^{-\lceil\log_2\max(1, |z|, \max|\lambda|)\rceil}`, which changes no rounding
and keeps the fourth powers of large nodes or modes from overflowing.

Ranks above 2, or more than MAX_SUMS sums per node, run the same kernel for the plain sums
(in groups of MAX_SUMS) and combine them with the reference's batched solve. An exact hit of
a node on a pole gives inf/NaN; the callers decide what to do (see their docstrings).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import cuda

from lti_ops import _cauchy as _ref

from ._launch import flat, interleaved, launch, native, real_type, specialize, threads

__all__ = ["cauchy_woodbury"]

MAX_SUMS = 16  # Cauchy sums per thread held in registers
MODE_TILE = 32  # modes staged in shared memory at a time
MAX_THREADS = 128


def cauchy_woodbury(xp, C, B, lam, P, Q, z, conj_sym, times_z=False):
    """``C (zI - diag(lam) + P Q^H)^{-1} B`` (times z if asked) at nodes z: (..., p, m, K).

    P and Q are None for a diagonal system. Arrays share `xp` and z's complex dtype.
    """
    mod = native(xp)
    r = 0 if P is None else P.shape[-1]
    a = C if r == 0 else _stack(mod, C, mod.conj(mod.swapaxes(Q, -1, -2)), -2)
    b = B if r == 0 else _stack(mod, B, P, -1)
    W = a[..., :, None, :] * mod.swapaxes(b, -1, -2)[..., None, :, :]  # (..., X, Y, N)
    X, Y, N = W.shape[-3:]
    p, m, K = C.shape[-2], B.shape[-1], z.shape[-1]
    batch = _ref.broadcast_shape(W.shape[:-3], lam.shape[:-1], z.shape[:-1])
    rows = math.prod(batch)
    F = real_type(z.dtype)
    out = mod.empty(batch + (p, m, K), dtype=z.dtype)
    if rows == 0 or K == 0:
        return out
    w = interleaved(mod, flat(mod, W, batch, (X * Y, N), 3), F)  # (rows, XY, 2N)
    lv = interleaved(mod, flat(mod, lam, batch, (N,)), F)  # (rows, 2N)
    zv = mod.reshape(z, (1, K)) if math.prod(z.shape[:-1]) == 1 else flat(mod, z, batch, (K,))
    scales = (_scale(mod, zv, F), _scale(mod, mod.max(mod.abs(flat(mod, lam, batch, (N,))), axis=-1), F))
    zv = interleaved(mod, zv, F)  # (1 or rows, 2K)
    if r <= 2 and X * Y <= MAX_SUMS:
        view = out.reshape((rows, p * m, K)).view(F)
        _launch_sums(xp, F, X * Y, bool(conj_sym), r, p, bool(times_z), w, lv, zv, scales, view)
        return out
    parts = []
    for q0 in range(0, X * Y, MAX_SUMS):  # the plain sums, MAX_SUMS at a time
        part = mod.empty((rows, min(MAX_SUMS, X * Y - q0), K), dtype=z.dtype)
        sums = mod.ascontiguousarray(w[:, q0 : q0 + part.shape[1]])
        _launch_sums(xp, F, part.shape[1], bool(conj_sym), 0, 1, False, sums, lv, zv, scales, part.view(F))
        parts.append(part)
    k = parts[0] if len(parts) == 1 else mod.concatenate(parts, axis=1)
    G = _ref._combine(xp, mod.reshape(k, batch + (X, Y, K)), p, m, r)
    return G * z[..., None, None, :] if times_z else G


def _stack(mod, x, y, axis):
    """Concatenate x and y along `axis` (-2 or -1) after broadcasting their batch axes."""
    batch = np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    x, y = mod.broadcast_to(x, batch + x.shape[-2:]), mod.broadcast_to(y, batch + y.shape[-2:])
    return mod.concatenate([x, y], axis=axis)


def _scale(mod, magnitude, F):
    """2^-ceil(log2(max(1, |x|))), a power of two in working precision F."""
    e = mod.ceil(mod.log2(mod.maximum(mod.abs(magnitude).astype(F), F(1))))
    return mod.ascontiguousarray(mod.exp2(-e).astype(F))


def _launch_sums(xp, F, sums, conj, r, p, times_z, w, lv, zv, scales, out):
    rows, K = w.shape[0], zv.shape[1] // 2
    block = threads(K, MAX_THREADS)
    kernel = _cauchy(F, sums, conj, r, p, times_z)
    launch(xp, kernel, (rows, -(-K // block)), block, w, lv, zv, scales[0], scales[1], out)


@specialize
def _cauchy(F, XY, conj, r, p, times_z):
    """Kernel: XY Cauchy sums per node, combined by Woodbury of rank r (0, 1 or 2) for p
    outputs, optionally times z; conj adds the conjugate modes."""
    T = numba.from_dtype(np.dtype(F))
    SW = 2 * XY * MODE_TILE
    SL = 2 * MODE_TILE
    Y = XY // (p + r)
    m = Y - r

    def kernel(w, lam, z, tz, tl, out):
        row = cuda.blockIdx.x
        tid = cuda.threadIdx.x
        node = cuda.blockIdx.y * cuda.blockDim.x + tid
        K = z.shape[1] // 2
        zr = z.shape[0] > 1
        valid = node < K
        x, y, t = F(0), F(0), F(1)
        if valid:
            x, y = z[row if zr else 0, 2 * node], z[row if zr else 0, 2 * node + 1]
            t = min(tz[row if zr else 0, node], tl[row])
        # float64 sums even for float32 terms: a float32 register over N modes loses up to
        # N ulps (issue 17); the terms stay in the working precision
        accr = cuda.local.array(XY, numba.float64)
        acci = cuda.local.array(XY, numba.float64)
        for q in range(XY):
            accr[q] = 0.0
            acci[q] = 0.0
        sl = cuda.shared.array(SL, T)
        sw = cuda.shared.array(SW, T)
        N = lam.shape[1] // 2
        for n0 in range(0, N, MODE_TILE):
            tile = min(MODE_TILE, N - n0)
            cuda.syncthreads()
            for j in range(tid, 2 * tile, cuda.blockDim.x):
                sl[j] = lam[row, 2 * n0 + j]
            for j in range(tid, XY * tile, cuda.blockDim.x):
                q, n = j // tile, n0 + j % tile
                sw[2 * (q * MODE_TILE + j % tile)] = w[row, q, 2 * n]
                sw[2 * (q * MODE_TILE + j % tile) + 1] = w[row, q, 2 * n + 1]
            cuda.syncthreads()
            if valid:
                for j in range(tile):
                    sr, si, vr, vi = _terms(x, y, t, sl[2 * j], sl[2 * j + 1])
                    for q in range(XY):
                        wr, wi = sw[2 * (q * MODE_TILE + j)], sw[2 * (q * MODE_TILE + j) + 1]
                        accr[q] += numba.float64(wr * sr - wi * vi)
                        acci[q] += numba.float64(wr * si + wi * vr)
        if valid:
            _woodbury(accr, acci, x, y, row, node, out)

    @cuda.jit(device=True, inline="always")
    def _terms(x, y, t, lr, li):
        """(s, t) with w/(z - lam) + conj(w)/(z - conj lam) = Re(w) s + i Im(w) t (conj), or
        s = t = 1/(z - lam); differences scaled by t (a power of two) before squaring."""
        dx, yt = (x - lr) * t, y * t
        if conj:
            lt = li * t
            den_r = dx * dx - (yt - lt) * (yt + lt)
            den_i = F(2) * dx * yt
            q = F(2) * t / (den_r * den_r + den_i * den_i)
            rr, ri = den_r * q, -den_i * q  # 2 t conj(den') / |den'|^2
            return dx * rr - yt * ri, dx * ri + yt * rr, -lt * ri, lt * rr
        dy = (y - li) * t
        inv = t / (dx * dx + dy * dy)
        return dx * inv, -dy * inv, dx * inv, -dy * inv

    @cuda.jit(device=True, inline="always")
    def _div(ar, ai, br, bi):
        """a / b by Smith's algorithm (NumPy's complex division)."""
        if abs(br) >= abs(bi):
            e = bi / br
            d = br + bi * e
            return (ar + ai * e) / d, (ai - ar * e) / d
        e = br / bi
        d = br * e + bi
        return (ar * e + ai) / d, (ai * e - ar) / d

    @cuda.jit(device=True, inline="always")
    def _woodbury(accr, acci, x, y, row, node, out):
        """out[row, i m + j, node] = (k00 - k01 (I + k11)^{-1} k10)[i, j] (times z)."""
        d00r, d00i, d01r, d01i = F(1), F(0), F(0), F(0)
        d10r, d10i, d11r, d11i = F(0), F(0), F(1), F(0)
        if r == 1:
            d00r, d00i = _div(F(1), F(0), F(1) + accr[p * Y + m], acci[p * Y + m])
        if r == 2:
            ar, ai = F(1) + accr[p * Y + m], acci[p * Y + m]
            br, bi = accr[p * Y + m + 1], acci[p * Y + m + 1]
            cr, ci = accr[(p + 1) * Y + m], acci[(p + 1) * Y + m]
            dr, di = F(1) + accr[(p + 1) * Y + m + 1], acci[(p + 1) * Y + m + 1]
            detr, deti = ar * dr - ai * di - (br * cr - bi * ci), ar * di + ai * dr - (br * ci + bi * cr)
            d00r, d00i = _div(dr, di, detr, deti)
            d01r, d01i = _div(-br, -bi, detr, deti)
            d10r, d10i = _div(-cr, -ci, detr, deti)
            d11r, d11i = _div(ar, ai, detr, deti)
        for i in range(p):
            for j in range(m):
                gr, gi = accr[i * Y + j], acci[i * Y + j]
                if r == 1:
                    ur, ui = accr[i * Y + m], acci[i * Y + m]
                    vr, vi = accr[p * Y + j], acci[p * Y + j]
                    cr, ci = ur * d00r - ui * d00i, ur * d00i + ui * d00r
                    gr, gi = gr - (cr * vr - ci * vi), gi - (cr * vi + ci * vr)
                if r == 2:
                    u0r, u0i = accr[i * Y + m], acci[i * Y + m]
                    u1r, u1i = accr[i * Y + m + 1], acci[i * Y + m + 1]
                    v0r, v0i = accr[p * Y + j], acci[p * Y + j]
                    v1r, v1i = accr[(p + 1) * Y + j], acci[(p + 1) * Y + j]
                    # e = D v, then g -= u . e
                    e0r = d00r * v0r - d00i * v0i + d01r * v1r - d01i * v1i
                    e0i = d00r * v0i + d00i * v0r + d01r * v1i + d01i * v1r
                    e1r = d10r * v0r - d10i * v0i + d11r * v1r - d11i * v1i
                    e1i = d10r * v0i + d10i * v0r + d11r * v1i + d11i * v1r
                    gr = gr - (u0r * e0r - u0i * e0i + u1r * e1r - u1i * e1i)
                    gi = gi - (u0r * e0i + u0i * e0r + u1r * e1i + u1i * e1r)
                if times_z:
                    gr, gi = gr * x - gi * y, gr * y + gi * x
                out[row, i * m + j, 2 * node] = F(gr)  # rounded once to the working precision
                out[row, i * m + j, 2 * node + 1] = F(gi)

    return kernel
