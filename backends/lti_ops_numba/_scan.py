r"""The diagonal recurrence :math:`x_l = \bar\lambda\odot x_{l-1} + \bar B u_l`,
:math:`y_l = Cx_l` (S4) or :math:`y_l = Cx_{l-1}` (control), one sequential pass per channel.

Registered as ``scan`` (which also serves :func:`lti_ops.simulate`). Dense and DPLR systems
go to the reference body unchanged: the generic chunked parallel prefix scan of dense
matrices is BLAS-bound already. States stay in registers/L1 per channel: memory is the
output plus O(batch · N). The feed-through ``D u`` is added as the reference adds it.
"""

from __future__ import annotations

import numba
import numpy as np

from lti_ops import recurrence
from lti_ops._dispatch import register

from ._jit import flat, helper, kernel, real_dtype, split

__all__ = ["scan"]


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
    _scan[rdtype](lr, li, br, bi, cr, ci, dr, di, uf, su, xr, xi, bool(control), factor, 1 if real_out else 2, y.view(rdtype))
    y = y.reshape(batch + y.shape[-2:])
    if not fused:
        Du = np.matmul(np.asarray(sys.D, op.u_dtype), np.asarray(signal, op.u_dtype))
        y = y + Du.astype(out_dtype, copy=False)
    x = (xr + 1j * xi).astype(op.dtype) if complex_state else xr.astype(op.dtype)
    return (y[..., 0, :] if op.siso else y), op.public_state(x.reshape(batch + (n,)))


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
