r"""Diagonal (S4D) kernels on the GPU: :math:`K_l = f\sum_n W_n \exp((l - s_n)x_n)`, l < L.

Registered as ``ssm_kernel_diagonal`` (ZOH, bilinear, S4-bilinear, DSS; conj_sym or not),
the twin of :func:`lti_ops.markov._diagonal_kernel` and of the Numba kernel.

Algorithm. One block per (channel, output row q, span of ``threads * STEPS`` time steps);
lane j of warp w owns the STEPS steps :math:`l_k = l_w + j + 32k`, k < STEPS, so every store
of the block is coalesced. The modes go through shared memory in tiles of MODE_TILE: their
:math:`x_n`, weight :math:`W_{qn}`, shift :math:`s_n` and the stride power
:math:`z_n = \exp(32x_n)`. For each mode a thread takes one exponential, the anchor
:math:`W_n\exp((l_{k_0} - s_n)x_n)` at its first live step :math:`k_0`, and walks its steps
by multiplication with :math:`z_n` (a complex multiply-add per mode and step, accumulators
in registers): the rounding error grows by STEPS multiplications, not with l, and no
:math:`(H, N, L)` array exists. Work is :math:`O(HNL)` flops, memory the output.

Flushing is the reference's exactly: a term whose real exponent :math:`(l - s_n)\Re x_n`
is below the log of the smallest normal number is zero, checked per step with the same
floating-point operations (so decaying modes leave the walk and growing DSS modes enter it
at the same l as in the reference); zero modes (:math:`\lambda = 0`) count at l = 0 only.
Everything runs in the working precision: float32/complex64 systems in single precision.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import cuda

from lti_ops import _cauchy, markov
from lti_ops._dispatch import register

from ._launch import WARP, flat, interleaved, launch, native, real_type, specialize, threads

__all__ = ["ssm_kernel_diagonal"]

STEPS = 32  # time steps per thread (registers per thread: STEPS, or 2 STEPS for complex output);
# 16, 32, 64 took 1.05, 0.96, 1.23 ms on an H200 (H = 1024, N = 64, L = 16384, complex64)
MODE_TILE = 64  # modes staged in shared memory at a time
PAIR_TILE = 2 * MODE_TILE  # their real and imaginary parts
MAX_THREADS = 128


@register("ssm_kernel_diagonal", "cupy")
def ssm_kernel_diagonal(xp, disc, L, exponents):
    """CUDA twin of :func:`lti_ops.markov._diagonal_kernel` (same arguments and result)."""
    W, logs, shift = markov.vandermonde_terms(xp, disc, L, exponents)
    factor, complex_out = markov.output_form(xp, disc, exponents)
    return _run(xp, W, logs, shift, disc.lam == 0, L, factor, complex_out)


def _run(xp, W, logs, shift, zero, L, factor, complex_out):
    mod = native(xp)
    P, M, N = W.shape[-3:]
    batch = _cauchy.broadcast_shape(W.shape[:-3], logs.shape[:-1])
    F = real_type(logs.dtype)
    rows = math.prod(batch) * P * M
    out = mod.empty(batch + (P, M, L), dtype=logs.dtype if complex_out else F)
    if rows == 0:
        return out
    w = interleaved(mod, flat(mod, W, batch, (P * M, N), 3), F).reshape((rows, 2 * N))  # row = b Q + q
    x = interleaved(mod, flat(mod, logs, batch, (N,)), F)  # (B, 2N)
    s = mod.zeros((N,), F) if shift is None else mod.real(shift)
    s = flat(mod, mod.asarray(s, dtype=F), batch, (N,))
    z = flat(mod, mod.asarray(zero, dtype=np.int8), batch, (N,))
    view = out.reshape((rows, L))
    view = view.view(F) if complex_out else view  # (rows, 2L): re, im interleaved
    tiny = F(math.log(float(np.finfo(F).smallest_normal)))
    block = threads(-(-L // STEPS), MAX_THREADS)
    spans = -(-L // (block * STEPS))
    kernel = _vandermonde(F, bool(complex_out), STEPS)
    launch(xp, kernel, (rows, spans), block, w, x, s, z, P * M, L, tiny, F(factor), view)
    return out


@specialize
def _vandermonde(F, complex_out, STEPS):  # noqa: N803 (a compile-time constant, as the module's)
    """The kernel for working precision F, writing complex (interleaved) or real output, each
    thread walking STEPS time steps."""
    T = numba.from_dtype(np.dtype(F))  # F as an array element type

    def kernel(w, x, shift, zero, Q, L, tiny, factor, out):
        row = cuda.blockIdx.x
        b = row // Q
        tid = cuda.threadIdx.x
        first = cuda.blockIdx.y * cuda.blockDim.x * STEPS + (tid // WARP) * (WARP * STEPS) + tid % WARP
        accr = cuda.local.array(STEPS, T)
        acci = cuda.local.array(STEPS, T)
        for k in range(STEPS):
            accr[k] = F(0)
            acci[k] = F(0)
        sx = cuda.shared.array(PAIR_TILE, T)
        sw = cuda.shared.array(PAIR_TILE, T)
        sz = cuda.shared.array(PAIR_TILE, T)
        ss = cuda.shared.array(MODE_TILE, T)
        s0 = cuda.shared.array(MODE_TILE, numba.int8)
        N = shift.shape[1]
        count = max(0, min(STEPS, (L - first + WARP - 1) // WARP))  # this thread's steps l_k < L
        for n0 in range(0, N, MODE_TILE):
            tile = min(MODE_TILE, N - n0)
            cuda.syncthreads()  # the previous tile is used up
            for j in range(tid, tile, cuda.blockDim.x):
                n = n0 + j
                xr, xi = x[b, 2 * n], x[b, 2 * n + 1]
                sx[2 * j], sx[2 * j + 1] = xr, xi
                sw[2 * j], sw[2 * j + 1] = w[row, 2 * n], w[row, 2 * n + 1]
                zr, zi = _cexp(F(WARP) * xr, F(WARP) * xi)
                sz[2 * j], sz[2 * j + 1] = zr, zi
                ss[j] = shift[b, n]
                s0[j] = zero[b, n]
            cuda.syncthreads()
            if count > 0:
                for j in range(tile):
                    _mode(sx[2 * j], sx[2 * j + 1], sw[2 * j], sw[2 * j + 1], sz[2 * j], sz[2 * j + 1], ss[j],
                          s0[j], first, count, tiny, accr, acci)
        stride = 2 if complex_out else 1
        for k in range(STEPS):
            l = first + WARP * k
            if k < count:
                out[row, stride * l] = factor * accr[k]
                if complex_out:
                    out[row, stride * l + 1] = factor * acci[k]

    @cuda.jit(device=True, inline="always")
    def _cexp(ar, ai):
        m = F(math.exp(ar))
        return m * F(math.cos(ai)), m * F(math.sin(ai))

    @cuda.jit(device=True, inline="always")
    def _mode(xr, xi, wr, wi, zr, zi, s, is_zero, first, count, tiny, accr, acci):
        """Add mode n's terms W exp((l_k - s) x), k < count, to this thread's accumulators.

        t_k = l_k - s is an integer, exact in floating point (l, s < 2^24), so the real
        exponent t_k Re x is rounded once, as in the reference: it is monotone in k, so the
        first and last steps tell whether all, none or part of the steps are flushed."""
        if is_zero != 0:  # 0^0 = 1, 0^l = 0
            if first == 0:
                accr[0] += wr
                acci[0] += wi
            return
        t0 = F(first) - s
        head, tail = t0 * xr >= tiny, (t0 + F(WARP * (count - 1))) * xr >= tiny
        if not (head or tail):
            return
        k0 = 0
        if not head:  # growing (DSS) mode: start at its first normal term
            k0 = STEPS
            for k in range(STEPS):
                if k0 == STEPS and (t0 + F(WARP * k)) * xr >= tiny:
                    k0 = k
        t = t0 + F(WARP * k0)
        er, ei = _cexp(t * xr, t * xi)
        ar, ai = wr * er - wi * ei, wr * ei + wi * er
        if head and tail:
            for k in range(STEPS):
                if k < count:
                    accr[k] += ar
                    if complex_out:
                        acci[k] += ai
                    ar, ai = ar * zr - ai * zi, ar * zi + ai * zr
            return
        for k in range(STEPS):
            if k >= k0 and k < count and (t0 + F(WARP * k)) * xr >= tiny:
                accr[k] += ar
                if complex_out:
                    acci[k] += ai
                ar, ai = ar * zr - ai * zi, ar * zi + ai * zr

    return kernel
