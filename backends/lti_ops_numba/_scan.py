r"""The diagonal recurrence :math:`x_l = \bar\lambda\odot x_{l-1} + \bar B u_l`,
:math:`y_l = Cx_l` (S4) or :math:`y_l = Cx_{l-1}` (control), one sequential pass per channel.

Registered as ``scan`` (which also serves :func:`lti_ops.simulate`). Dense and DPLR systems
go to the reference body unchanged: the generic chunked parallel prefix scan of dense
matrices is BLAS-bound already. The feed-through ``D u`` is added as the reference adds it.

The common case (SISO, real input, real output: S4D's recurrent mode) runs
:data:`LANES` channels side by side, one channel per SIMD lane: the time step is the
outer loop, the modes the middle loop and the lanes the inner, contiguous one, so every
multiply-add is a full-width vector operation with no horizontal sum, and the modes give
the out-of-order core independent recurrences to overlap. Inputs and outputs pass through
(TILE, LANES) transposed tiles; memory is the output plus O(LANES · (N + TILE)) per thread.
Other cases (MIMO, complex input or output) run one channel per iteration.
"""

from __future__ import annotations

import numba
import numpy as np

from lti_ops import recurrence
from lti_ops._dispatch import register

from ._jit import aligned_zeros, flat, helper, kernel, real_dtype, split

__all__ = ["scan"]

LANES = 32  # channels per block: the lane loop is two AVX-512 registers of float32
ROWS = 6  # per mode: lam, cb and the input-scaled state w (re, im)
TILE = 128  # time steps per transposed tile of u and y
BLOCK = 16  # time steps per block of the transposes: one 64-byte line of a float32 row


@register("scan", "numba")
def scan(op, u, x0, method, control):
    """Numba twin of :func:`lti_ops.recurrence._run_generic` (same arguments and result);
    `method` is moot for a sequential kernel."""
    if not op.diagonal:
        return recurrence._run_generic(op, u, x0, method, control)
    sys, batch, n = op.sys, op.batch, op.n
    rdtype = real_dtype(op.dtype)
    complex_state = np.iscomplexobj(np.empty(0, op.dtype))
    lr, li = split(flat(np.asarray(sys.lam, op.dtype), batch, (n,)), rdtype)
    br, bi = split(flat(np.swapaxes(np.asarray(sys.B, op.dtype), -1, -2), batch, (sys.n_inputs, n)), rdtype)
    cr, ci = split(flat(np.asarray(sys.C, op.dtype), batch, (sys.n_outputs, n)), rdtype)
    xr, xi = split(flat(op.initial_state(x0), batch, (n,)), rdtype)
    signal = u[..., None, :] if op.siso else u  # (..., M, L), a view
    L = signal.shape[-1]
    uf, su = _float_view(flat(signal, batch, signal.shape[-2:]), rdtype, op.u_dtype)
    real_out = op.conj_sym or not complex_state
    y = np.empty((len(lr), sys.n_outputs, L), dtype=rdtype if real_out else op.dtype)
    out_dtype = np.result_type(y.dtype, op.u_dtype)
    fused = out_dtype == y.dtype  # D u fits the kernel's output: add it there
    dr, di = split(flat(np.asarray(sys.D) if fused else np.zeros(sys.D.shape), batch, sys.D.shape[-2:]), rdtype)
    factor = rdtype.type(2.0 if op.conj_sym else 1.0)
    w0 = _input_scaled(xr, xi, br[:, 0], bi[:, 0], rdtype) if sys.n_inputs == sys.n_outputs == su == 1 and real_out else None
    if w0 is not None:
        b = br[:, 0] + 1j * bi[:, 0].astype(np.float64)
        cbr, cbi = split(factor * (cr[:, 0] + 1j * ci[:, 0].astype(np.float64)) * b, rdtype)
        wr, wi = w0
        _scan_lanes[rdtype](lr, li, cbr, cbi, dr[:, 0, 0], uf[:, 0], wr, wi, bool(control), y.view(rdtype)[:, 0])
        xr, xi = split(b * (wr + 1j * wi.astype(np.float64)), rdtype)
    else:
        _scan[rdtype](lr, li, br, bi, cr, ci, dr, di, uf, su, xr, xi, bool(control), factor, 1 if real_out else 2,
                      y.view(rdtype))
    y = y.reshape(batch + y.shape[-2:])
    if not fused:
        Du = np.matmul(np.asarray(sys.D, op.u_dtype), np.asarray(signal, op.u_dtype))
        y = y + Du.astype(out_dtype, copy=False)
    x = (xr + 1j * xi).astype(op.dtype) if complex_state else xr.astype(op.dtype)
    return (y[..., 0, :] if op.siso else y), op.public_state(x.reshape(batch + (n,)))


# prange iterations handed out one by one (chunk size 1): a slow core takes fewer
@kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], "
        "boolean, {f}[:, ::1])", chunksize=1)
def _scan_lanes(lr, li, cbr, cbi, d, u, wr, wi, control, y):
    """SISO real-input, real-output channels, LANES at a time, on the input-scaled state.

    With w = x / b the recurrence is ``w <- lam w + u`` and ``y = Re(f c b w) + d u`` (f the
    conj_sym factor, folded into ``cb``): two fewer multiply-adds and rows per mode-step
    than on x. Per block, one 64-byte aligned flat scratch array holds, for each mode, the
    rows lam, cb and w (re, im) of its LANES channels: flat indexing with constant row
    offsets is what lets LLVM vectorize the lane loop (it cannot prove separate arrays
    disjoint), and unaligned vectors straddle cache lines. w is updated in place."""
    channels, N = lr.shape
    L = u.shape[1]
    blocks = (channels + LANES - 1) // LANES
    for block in numba.prange(blocks):
        c0 = block * LANES
        width = min(LANES, channels - c0)
        S = aligned_zeros((N + N % 2) * ROWS * LANES, lr)  # an even count: a zero mode adds nothing
        for n in range(N):
            base = n * ROWS * LANES
            for g in range(width):
                c = c0 + g
                S[base + g], S[base + LANES + g] = lr[c, n], li[c, n]
                S[base + 2 * LANES + g], S[base + 3 * LANES + g] = cbr[c, n], cbi[c, n]
                S[base + 4 * LANES + g], S[base + 5 * LANES + g] = wr[c, n], wi[c, n]
        dl = aligned_zeros(LANES, lr)
        dl[:width] = d[c0 : c0 + width]
        ut, yt = aligned_zeros(TILE * LANES, lr), aligned_zeros(TILE * LANES, lr)
        for l0 in range(0, L, TILE):
            steps = min(TILE, L - l0)
            _transpose_in(u, c0, width, l0, steps, ut)
            _lanes_tile(S, dl, ut, yt, steps, control)
            _transpose_out(yt, c0, width, l0, steps, y)
        for n in range(N):
            base = n * ROWS * LANES
            for g in range(width):
                wr[c0 + g, n], wi[c0 + g, n] = S[base + 4 * LANES + g], S[base + 5 * LANES + g]


@helper
def _transpose_in(u, c0, width, l0, steps, ut):
    """ut[t, g] = u[c0 + g, l0 + t], in blocks of BLOCK steps: the rows of u lie a multiple
    of 4 KiB apart, so a whole tile of them at once thrashes one L1 set (5x slower); a
    block is one cache line of a row, read whole at one visit (with 8, each line was
    fetched twice)."""
    full = steps - steps % BLOCK
    for t0 in range(0, full, BLOCK):
        for g in range(width):
            for k in range(BLOCK):
                ut[(t0 + k) * LANES + g] = u[c0 + g, l0 + t0 + k]
    for g in range(width):
        for t in range(full, steps):
            ut[t * LANES + g] = u[c0 + g, l0 + t]


@helper
def _transpose_out(yt, c0, width, l0, steps, y):
    """y[c0 + g, l0 + t] = yt[t, g], blocked as :func:`_transpose_in`."""
    full = steps - steps % BLOCK
    for t0 in range(0, full, BLOCK):
        for g in range(width):
            for k in range(BLOCK):
                y[c0 + g, l0 + t0 + k] = yt[(t0 + k) * LANES + g]
    for g in range(width):
        for t in range(full, steps):
            y[c0 + g, l0 + t] = yt[t * LANES + g]


@helper
def _lanes_tile(S, d, ut, yt, steps, control):
    """`steps` steps of the LANES recurrences in S: yt[t] = d u_t + sum_n Re(cb_n w_n).

    Four steps per pass over the modes, two modes at a time: the rows lam and cb are
    loaded once for all four steps and the state stays in registers between them (24
    FMAs per 6 row loads), and the partial outputs go through memory once per two modes
    (the store-to-load chain through yt was the critical path; 10 % faster than one mode
    at a time, single thread). S holds an even number of modes (a zero mode adds
    nothing). The pass index runs with step 1 (``ub = quad * 4 LANES``) so that LLVM sees
    the time rows as fixed distances apart and still vectorizes; the last steps % 4 run
    one by one. Every value is defined on both sides of ``if control`` (a name defined in
    one branch only stops the vectorizer)."""
    N = S.shape[0] // (ROWS * LANES)
    for t in range(steps):
        ub = t * LANES
        for g in range(LANES):
            yt[ub + g] = d[g] * ut[ub + g]
    for quad in range(steps // 4):
        ub = quad * (4 * LANES)
        for pair in range(N // 2):
            m = pair * (2 * ROWS * LANES)  # modes m and n = m + ROWS LANES
            n = m + ROWS * LANES
            for g in range(LANES):
                u0, u1 = ut[ub + g], ut[ub + LANES + g]
                u2, u3 = ut[ub + 2 * LANES + g], ut[ub + 3 * LANES + g]
                lr, li, cr, ci = S[m + g], S[m + LANES + g], S[m + 2 * LANES + g], S[m + 3 * LANES + g]
                Lr, Li, Cr, Ci = S[n + g], S[n + LANES + g], S[n + 2 * LANES + g], S[n + 3 * LANES + g]
                pr, pi, Pr, Pi = S[m + 4 * LANES + g], S[m + 5 * LANES + g], S[n + 4 * LANES + g], S[n + 5 * LANES + g]
                ar = lr * pr + (u0 - li * pi)
                ai = lr * pi + li * pr
                Ar = Lr * Pr + (u0 - Li * Pi)
                Ai = Lr * Pi + Li * Pr
                br = lr * ar + (u1 - li * ai)
                bi = lr * ai + li * ar
                Br = Lr * Ar + (u1 - Li * Ai)
                Bi = Lr * Ai + Li * Ar
                qr = lr * br + (u2 - li * bi)
                qi = lr * bi + li * br
                Qr = Lr * Br + (u2 - Li * Bi)
                Qi = Lr * Bi + Li * Br
                er = lr * qr + (u3 - li * qi)
                ei = lr * qi + li * qr
                Er = Lr * Qr + (u3 - Li * Qi)
                Ei = Lr * Qi + Li * Qr
                if control:  # y_l = C x_{l-1}
                    y0 = (yt[ub + g] + cr * pr - ci * pi) + (Cr * Pr - Ci * Pi)
                    y1 = (yt[ub + LANES + g] + cr * ar - ci * ai) + (Cr * Ar - Ci * Ai)
                    y2 = (yt[ub + 2 * LANES + g] + cr * br - ci * bi) + (Cr * Br - Ci * Bi)
                    y3 = (yt[ub + 3 * LANES + g] + cr * qr - ci * qi) + (Cr * Qr - Ci * Qi)
                else:
                    y0 = (yt[ub + g] + cr * ar - ci * ai) + (Cr * Ar - Ci * Ai)
                    y1 = (yt[ub + LANES + g] + cr * br - ci * bi) + (Cr * Br - Ci * Bi)
                    y2 = (yt[ub + 2 * LANES + g] + cr * qr - ci * qi) + (Cr * Qr - Ci * Qi)
                    y3 = (yt[ub + 3 * LANES + g] + cr * er - ci * ei) + (Cr * Er - Ci * Ei)
                yt[ub + g] = y0
                yt[ub + LANES + g] = y1
                yt[ub + 2 * LANES + g] = y2
                yt[ub + 3 * LANES + g] = y3
                S[m + 4 * LANES + g] = er
                S[m + 5 * LANES + g] = ei
                S[n + 4 * LANES + g] = Er
                S[n + 5 * LANES + g] = Ei
    for t in range(steps - steps % 4, steps):
        _lanes_step(S, ut, yt, t * LANES, control)


@helper
def _lanes_step(S, ut, yt, ub, control):
    """One step of the LANES recurrences (the odd last step of a tile)."""
    N = S.shape[0] // (ROWS * LANES)
    for n in range(N):
        base = n * ROWS * LANES
        for g in range(LANES):
            pr, pi = S[base + 4 * LANES + g], S[base + 5 * LANES + g]
            tr = S[base + g] * pr + (ut[ub + g] - S[base + LANES + g] * pi)
            ti = S[base + g] * pi + S[base + LANES + g] * pr
            if control:
                yt[ub + g] = (yt[ub + g] + S[base + 2 * LANES + g] * pr) - S[base + 3 * LANES + g] * pi
            else:
                yt[ub + g] = (yt[ub + g] + S[base + 2 * LANES + g] * tr) - S[base + 3 * LANES + g] * ti
            S[base + 4 * LANES + g] = tr
            S[base + 5 * LANES + g] = ti


def _input_scaled(xr, xi, br, bi, rdtype):
    """(Re, Im) of w0 = x0 / b, the initial state of the lane kernel, which runs
    ``w <- lam w + u`` and returns ``x = b w``; None where that is not exact (some b = 0
    with x0 != 0, or x0 / b out of range)."""
    if not (xr.any() or xi.any()):
        return np.zeros_like(xr), np.zeros_like(xi)
    x0, b = xr + 1j * xi.astype(np.float64), br + 1j * bi.astype(np.float64)
    with np.errstate(all="ignore"):
        w0 = np.where(x0 == 0, 0, x0 / np.where(b == 0, 1, b))
    wr, wi = split(w0, rdtype)
    if np.any((b == 0) & (x0 != 0)) or not (np.all(np.isfinite(wr)) and np.all(np.isfinite(wi))):
        return None
    return wr, wi


def _float_view(u, rdtype, u_dtype):
    """(u as a contiguous array of `rdtype` numbers, 1 for real or 2 for interleaved complex)."""
    if np.iscomplexobj(np.empty(0, u_dtype)):
        u = np.ascontiguousarray(u, dtype=np.result_type(rdtype, 1j))
        return u.view(rdtype), 2
    return np.ascontiguousarray(u, dtype=rdtype), 1


@kernel("void({f}[:, ::1], {f}[:, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], "
        "{f}[:, :, ::1], {f}[:, :, ::1], {f}[:, :, ::1], int64, {f}[:, ::1], {f}[:, ::1], boolean, {f}, int64, "
        "{f}[:, :, ::1])")
def _scan(lr, li, br, bi, cr, ci, dr, di, u, su, xr, xi, control, factor, sy, y):
    """One channel per iteration of the parallel loop; states x updated in place."""
    B = lr.shape[0]
    M, P = br.shape[1], cr.shape[1]
    for b in numba.prange(B):
        if M == 1 and P == 1 and sy == 1:
            _siso(lr[b], li[b], br[b, 0], bi[b, 0], cr[b, 0], ci[b, 0], dr[b, 0, 0], di[b, 0, 0], u[b, 0], su,
                  xr[b], xi[b], control, factor, y[b, 0])
        else:
            _mimo(lr[b], li[b], br[b], bi[b], cr[b], ci[b], dr[b], di[b], u[b], su, xr[b], xi[b], control, factor, sy, y[b])


@helper
def _siso(lr, li, br, bi, cr, ci, dr, di, u, su, xr, xi, control, factor, y):
    """Real output of one SISO channel: the update and the output sum fused over modes."""
    zero = factor * 0
    for l in range(u.shape[0] // su):
        ur = u[su * l]
        ui = u[su * l + 1] if su == 2 else zero
        acc = zero
        for n in range(lr.shape[0]):
            tr = lr[n] * xr[n] - li[n] * xi[n] + br[n] * ur - bi[n] * ui
            ti = lr[n] * xi[n] + li[n] * xr[n] + br[n] * ui + bi[n] * ur
            if control:
                acc += cr[n] * xr[n] - ci[n] * xi[n]
            else:
                acc += cr[n] * tr - ci[n] * ti
            xr[n], xi[n] = tr, ti
        y[l] = factor * acc + (dr * ur - di * ui)


@helper
def _mimo(lr, li, br, bi, cr, ci, dr, di, u, su, xr, xi, control, factor, sy, y):
    """Any (P, M), real (sy = 1) or interleaved complex (sy = 2) output."""
    zero = factor * 0
    for l in range(u.shape[1] // su):
        if control:
            _output(cr, ci, xr, xi, factor, sy, y, l)
        for n in range(lr.shape[0]):
            tr = lr[n] * xr[n] - li[n] * xi[n]
            xi[n] = lr[n] * xi[n] + li[n] * xr[n]
            xr[n] = tr
        for m in range(br.shape[0]):
            ur = u[m, su * l]
            ui = u[m, su * l + 1] if su == 2 else zero
            for n in range(lr.shape[0]):
                xr[n] += br[m, n] * ur - bi[m, n] * ui
                xi[n] += br[m, n] * ui + bi[m, n] * ur
        if not control:
            _output(cr, ci, xr, xi, factor, sy, y, l)
        _feedthrough(dr, di, u, su, sy, y, l)


@helper
def _output(cr, ci, xr, xi, factor, sy, y, l):
    """y[p, l] = factor * sum_n C[p, n] x[n] (real part only when sy == 1)."""
    for p in range(cr.shape[0]):
        sr, si = factor * 0, factor * 0
        for n in range(xr.shape[0]):
            sr += cr[p, n] * xr[n] - ci[p, n] * xi[n]
            si += cr[p, n] * xi[n] + ci[p, n] * xr[n]
        y[p, sy * l] = factor * sr
        if sy == 2:
            y[p, sy * l + 1] = factor * si


@helper
def _feedthrough(dr, di, u, su, sy, y, l):
    """y[:, l] += D u_l (real part only when sy == 1, where D u is real)."""
    for p in range(dr.shape[0]):
        for m in range(dr.shape[1]):
            ur = u[m, su * l]
            ui = u[m, su * l + 1] if su == 2 else ur * 0
            y[p, sy * l] += dr[p, m] * ur - di[p, m] * ui
            if sy == 2:
                y[p, sy * l + 1] += dr[p, m] * ui + di[p, m] * ur
