r"""The diagonal recurrence on the GPU, chunked over time:
:math:`x_l = \bar\lambda\odot x_{l-1} + \bar B u_l`, :math:`y_l = Cx_l` (S4) or
:math:`y_l = Cx_{l-1}` (control), plus :math:`Du_l`.

Registered as ``scan`` (which also serves :func:`lti_ops.simulate`); dense and DPLR systems
go to the reference body unchanged. Time is cut into chunks of CHUNK steps, and three
kernels run on CuPy's stream one after the other:

1. ``_ends``, one thread per (channel, chunk, mode): the chunk's end state from a zero
   start, :math:`s_c = \sum_{l \in c}\bar\lambda^{\,\mathrm{end}-l}\bar Bu_l`;
2. ``_carry``, one thread per (channel, mode): the chunks' start states in order,
   :math:`x_{c+1} = \bar\lambda^{\mathrm{CHUNK}}x_c + s_c` from :math:`x_0` (powers by squaring),
   and the final state;
3. ``_outputs``, one thread per (channel, chunk): the chunk again from its start state, in
   tiles of TILE steps whose output sums over the modes stay in registers.

All states are complex in the working precision (a real system has zero imaginary parts
throughout, so its values are the real recurrence's). Memory: the output plus two
(channels, chunks, modes) state arrays, :math:`2N/\mathrm{CHUNK}` of the output's size.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import cuda

from lti_ops import _xp, recurrence
from lti_ops._dispatch import register

from ._launch import flat, interleaved, launch, native, real_type, specialize, threads

__all__ = ["scan"]

CHUNK = 256  # time steps per chunk (a power of two: its power of lam is taken by squaring)
TILE = 16  # time steps whose outputs a thread accumulates in registers
MAX_THREADS = 128


@register("scan", "cupy")
def scan(op, u, x0, method, control):
    """CUDA twin of :func:`lti_ops.recurrence._run_generic` (same arguments and result);
    `method` is moot here: the chunked scan is the method."""
    if not op.diagonal:
        return recurrence._run_generic(op, u, x0, method, control)
    xp, sys, batch, n = op.xp, op.sys, op.batch, op.n
    mod = native(xp)
    F = real_type(op.dtype)
    rows, P, M = math.prod(batch), sys.n_outputs, sys.n_inputs
    signal = u[..., None, :] if op.siso else u  # (..., M, L)
    L = signal.shape[-1]
    complex_state = _xp.is_complex(xp, op.dtype)
    real_out = op.conj_sym or not complex_state
    y_dtype = np.dtype(F) if real_out else np.dtype(op.dtype)
    out_dtype = mod.result_type(y_dtype, op.u_dtype)
    fused = out_dtype == y_dtype  # D u fits the kernel's output: add it there
    complex_u = _xp.is_complex(xp, op.u_dtype)
    lam = interleaved(mod, flat(mod, sys.lam, batch, (n,)), F)
    Bt = interleaved(mod, flat(mod, mod.swapaxes(sys.B, -1, -2), batch, (M, n)), F)
    C = interleaved(mod, flat(mod, sys.C, batch, (P, n)), F)
    D = interleaved(mod, flat(mod, sys.D if fused else mod.zeros_like(sys.D), batch, (P, M)), F)
    x = interleaved(mod, flat(mod, op.initial_state(x0), batch, (n,)), F)
    us = flat(mod, signal, batch, (M, L))
    us = interleaved(mod, us, F) if complex_u else mod.ascontiguousarray(us.astype(F, copy=False))
    y = mod.empty((rows, P, L), dtype=y_dtype)
    chunks = -(-L // CHUNK)
    S = mod.empty((rows, chunks, 2 * n), F)  # chunk end states, then chunk start states
    Z = mod.empty((rows, chunks, 2 * n), F)  # running states of _outputs
    final = mod.empty((rows, 2 * n), F)
    work = rows * chunks * n
    launch(xp, _ends(F, complex_u), -(-work // threads(work)), threads(work), lam, Bt, us, S)
    work = rows * n
    launch(xp, _carry(F), -(-work // threads(work)), threads(work), lam, x, S, final, L)
    work = rows * chunks
    factor = F(2 if op.conj_sym else 1)
    kernel = _outputs(F, complex_u, not real_out, bool(control), M == 1)
    launch(xp, kernel, -(-work // threads(work)), threads(work), lam, Bt, C, D, us, S, Z, factor,
           y.view(F) if not real_out else y)
    y = mod.reshape(y, batch + (P, L))
    if not fused:
        Du = mod.matmul(sys.D.astype(op.u_dtype), signal.astype(op.u_dtype))
        y = y + Du.astype(out_dtype, copy=False)
    final = final.view(np.complex64 if F is np.float32 else np.complex128)
    final = final.astype(op.dtype, copy=False) if complex_state else mod.real(final).astype(op.dtype)
    return (y[..., 0, :] if op.siso else y), op.public_state(mod.reshape(final, batch + (n,)))


@specialize
def _ends(F, complex_u):
    """Kernel: S[row, c, n] = end state of chunk c from a zero start (interleaved complex)."""
    su = 2 if complex_u else 1

    def kernel(lam, Bt, u, S):
        g = cuda.grid(1)
        rows, chunks, n = S.shape[0], S.shape[1], S.shape[2] // 2
        if g >= rows * chunks * n:
            return
        k, row = g % n, g // (chunks * n)
        c = (g // n) % chunks
        M, L = Bt.shape[1], u.shape[2] // su
        lr, li = lam[row, 2 * k], lam[row, 2 * k + 1]
        br, bi = Bt[row, 0, 2 * k], Bt[row, 0, 2 * k + 1]
        xr, xi = F(0), F(0)
        for l in range(c * CHUNK, min(L, (c + 1) * CHUNK)):
            tr, ti = lr * xr - li * xi, lr * xi + li * xr
            for m in range(M):
                if M > 1:
                    br, bi = Bt[row, m, 2 * k], Bt[row, m, 2 * k + 1]
                ur = u[row, m, su * l]
                ui = u[row, m, su * l + 1] if complex_u else F(0)
                tr += br * ur - bi * ui
                ti += br * ui + bi * ur
            xr, xi = tr, ti
        S[row, c, 2 * k] = xr
        S[row, c, 2 * k + 1] = xi

    return kernel


@specialize
def _carry(F):
    """Kernel: chunk start states in S (replacing the end states) and the final state."""

    def kernel(lam, x0, S, final, L):
        g = cuda.grid(1)
        rows, chunks, n = S.shape[0], S.shape[1], S.shape[2] // 2
        if g >= rows * n:
            return
        row, k = g // n, g % n
        lr, li = lam[row, 2 * k], lam[row, 2 * k + 1]
        pr, pi = _power(lr, li, CHUNK)
        xr, xi = x0[row, 2 * k], x0[row, 2 * k + 1]
        for c in range(chunks):
            sr, si = S[row, c, 2 * k], S[row, c, 2 * k + 1]
            S[row, c, 2 * k], S[row, c, 2 * k + 1] = xr, xi
            ar, ai = pr, pi
            if c == chunks - 1 and L - c * CHUNK != CHUNK:
                ar, ai = _power(lr, li, L - c * CHUNK)
            xr, xi = ar * xr - ai * xi + sr, ar * xi + ai * xr + si
        final[row, 2 * k] = xr
        final[row, 2 * k + 1] = xi

    @cuda.jit(device=True, inline="always")
    def _power(ar, ai, e):
        """(ar + i ai)^e for e >= 1 by binary powering."""
        rr, ri = F(1), F(0)
        while e > 0:
            if e & 1:
                rr, ri = rr * ar - ri * ai, rr * ai + ri * ar
            e >>= 1
            if e > 0:
                ar, ai = ar * ar - ai * ai, F(2) * ar * ai
        return rr, ri

    return kernel


@specialize
def _outputs(F, complex_u, complex_out, control, single_input):
    """Kernel: y[row, p, l] = factor sum_n C[p, n] x_n (real part unless complex_out) + D u,
    for the steps l of one chunk, from the chunk's start state in S.

    With a single input its TILE values sit in registers beside the accumulators (no loop
    over inputs inside the unrolled step loop); several inputs are read per step."""
    T = numba.from_dtype(np.dtype(F))
    su, sy = (2 if complex_u else 1), (2 if complex_out else 1)

    def kernel(lam, Bt, C, D, u, S, Z, factor, y):
        g = cuda.grid(1)
        rows, chunks, n = S.shape[0], S.shape[1], S.shape[2] // 2
        if g >= rows * chunks:
            return
        row, c = g // chunks, g % chunks
        P, L = C.shape[1], u.shape[2] // su
        l0, l1 = c * CHUNK, min(L, (c + 1) * CHUNK)
        accr, acci = cuda.local.array(TILE, T), cuda.local.array(TILE, T)
        utr, uti = cuda.local.array(TILE, T), cuda.local.array(TILE, T)
        for p in range(P):
            for j0 in range(l0, l1, TILE):
                steps = min(TILE, l1 - j0)
                for j in range(TILE):
                    accr[j], acci[j] = F(0), F(0)
                    utr[j], uti[j] = F(0), F(0)
                    if single_input and j < steps:
                        utr[j] = u[row, 0, su * (j0 + j)]
                        if complex_u:
                            uti[j] = u[row, 0, su * (j0 + j) + 1]
                for k in range(n):
                    if j0 == l0:
                        xr, xi = S[row, c, 2 * k], S[row, c, 2 * k + 1]
                    else:
                        xr, xi = Z[row, c, 2 * k], Z[row, c, 2 * k + 1]
                    lr, li = lam[row, 2 * k], lam[row, 2 * k + 1]
                    cr, ci = C[row, p, 2 * k], C[row, p, 2 * k + 1]
                    br, bi = Bt[row, 0, 2 * k], Bt[row, 0, 2 * k + 1]
                    for j in range(TILE):
                        if j < steps:
                            if control:  # y_l = C x_{l-1}
                                accr[j] += cr * xr - ci * xi
                                acci[j] += cr * xi + ci * xr
                            if single_input:
                                vr, vi = br * utr[j] - bi * uti[j], br * uti[j] + bi * utr[j]
                            else:
                                vr, vi = _drive(Bt, u, row, k, su * (j0 + j))
                            xr, xi = lr * xr - li * xi + vr, lr * xi + li * xr + vi
                            if not control:
                                accr[j] += cr * xr - ci * xi
                                acci[j] += cr * xi + ci * xr
                    Z[row, c, 2 * k], Z[row, c, 2 * k + 1] = xr, xi
                for j in range(TILE):
                    if j < steps:
                        l = j0 + j
                        yr, yi = factor * accr[j], factor * acci[j]
                        if single_input:
                            dr, di = D[row, p, 0], D[row, p, 1]
                            yr += dr * utr[j] - di * uti[j]
                            yi += dr * uti[j] + di * utr[j]
                        else:
                            dr, di = _feed(D, u, row, p, su * l)
                            yr, yi = yr + dr, yi + di
                        y[row, p, sy * l] = yr
                        if complex_out:
                            y[row, p, sy * l + 1] = yi

    @cuda.jit(device=True, inline="always")
    def _drive(Bt, u, row, k, at):
        """sum_m B[k, m] u[m, l] (complex), u's step l at offset `at`."""
        vr, vi = F(0), F(0)
        for m in range(Bt.shape[1]):
            br, bi = Bt[row, m, 2 * k], Bt[row, m, 2 * k + 1]
            ur = u[row, m, at]
            ui = u[row, m, at + 1] if complex_u else F(0)
            vr += br * ur - bi * ui
            vi += br * ui + bi * ur
        return vr, vi

    @cuda.jit(device=True, inline="always")
    def _feed(D, u, row, p, at):
        """sum_m D[p, m] u[m, l] (complex), u's step l at offset `at`."""
        vr, vi = F(0), F(0)
        for m in range(D.shape[2] // 2):
            dr, di = D[row, p, 2 * m], D[row, p, 2 * m + 1]
            ur = u[row, m, at]
            ui = u[row, m, at + 1] if complex_u else F(0)
            vr += dr * ur - di * ui
            vi += dr * ui + di * ur
        return vr, vi

    return kernel
