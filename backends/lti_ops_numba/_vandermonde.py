r"""Diagonal (S4D) kernels: :math:`K_l = \sum_n W_n \exp((l - s_n)x_n)`, l < L.

Registered as ``ssm_kernel_diagonal`` (ZOH, bilinear, S4-bilinear, DSS, conj_sym or not).
The powers are never repeated products over the whole sequence and never an (H, N, L)
array: for each channel a table :math:`z_n^j` (j < J = 128, in float64 then rounded) and an
anchor :math:`\exp((l_0 - s_n)x_n)` per block of J steps give every
:math:`\exp((l_0 + j - s_n)x_n)` with two roundings, so the float32 phase error does not
grow with l (the reference's ``exp(l x)`` in float32 does: :math:`|l\,\mathrm{Im}\,x|\epsilon`).
Values that would fall below the smallest normal number are skipped (they are zeros in the
reference too), which also keeps subnormal arithmetic out of the loop.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _cauchy, markov
from lti_ops._dispatch import register

from ._jit import flat, helper, kernel, real_dtype, split

__all__ = ["ssm_kernel_diagonal"]

BLOCK = 128  # steps per anchor; the (N, BLOCK) power table stays in L1/L2


@register("ssm_kernel_diagonal", "numba")
def ssm_kernel_diagonal(xp, disc, L, dss):
    """Numba twin of :func:`lti_ops.markov._diagonal_kernel` (same arguments and result)."""
    W, logs, shift = markov.vandermonde_terms(xp, disc, L, dss)
    factor, complex_out = markov.output_form(xp, disc, dss)
    return _run(W, logs, shift, disc.lam == 0, L, factor, complex_out)


def _run(W, logs, shift, zero, L, factor, complex_out):
    P, M, N = W.shape[-3:]
    batch = _cauchy.broadcast_shape(W.shape[:-3], logs.shape[:-1])
    rdtype = real_dtype(logs.dtype)
    out = np.empty(batch + (P, M, L), dtype=np.result_type(rdtype, 1j) if complex_out else rdtype)
    wr, wi = split(flat(W, batch, (P * M, N), 3), rdtype)
    x = np.ascontiguousarray(flat(logs, batch, (N,)), dtype=np.complex128)
    s = np.zeros((N,), np.float64) if shift is None else np.real(shift)
    s = np.ascontiguousarray(flat(s, batch, (N,)), dtype=np.float64)
    z = np.ascontiguousarray(flat(zero, batch, (N,)))
    view = out.reshape((math.prod(batch), P * M, L)).view(rdtype)
    tiny = math.log(float(np.finfo(rdtype).smallest_normal))
    _vandermonde[rdtype](wr, wi, x, s, z, tiny, factor, 2 if complex_out else 1, view)
    return out


@kernel("void({f}[:, :, ::1], {f}[:, :, ::1], complex128[:, ::1], float64[:, ::1], "
        "boolean[:, ::1], float64, float64, int64, {f}[:, :, ::1])")
def _vandermonde(wr, wi, x, shift, zero, tiny, factor, stride, out):
    """out[b, q, l] (real, or interleaved complex when stride == 2) =
    factor * sum_n w[b, q, n] exp((l - shift[b, n]) x[b, n]); zero modes count at l = 0 only."""
    B, Q, N = wr.shape
    L = out.shape[2] // stride
    J = min(L, BLOCK)
    for b in numba.prange(B):
        tr, ti = _power_table(x[b], J, wr.dtype)
        anchor, step = _anchors(x[b], shift[b], J)
        accr, acci = np.empty(J, wr.dtype), np.empty(J, wr.dtype)
        cw = np.empty(2, wr.dtype)
        for l0 in range(0, L, J):
            jn = min(J, L - l0)
            for q in range(Q):
                accr[:] = 0
                acci[:] = 0
                for n in range(N):
                    if zero[b, n]:
                        if l0 == 0:
                            accr[0] += wr[b, q, n]
                            acci[0] += wi[b, q, n]
                        continue
                    rate = x[b, n].real
                    lo, hi = _live(l0 * rate - shift[b, n] * rate, rate, jn, tiny)
                    if lo >= hi:
                        continue
                    a = anchor[n] if lo == 0 else np.exp((l0 + lo - shift[b, n]) * x[b, n])
                    cw[0] = wr[b, q, n] * a.real - wi[b, q, n] * a.imag  # rounded to the working type
                    cw[1] = wr[b, q, n] * a.imag + wi[b, q, n] * a.real
                    _axpy(accr, acci, cw[0], cw[1], tr[n], ti[n], lo, hi, stride == 2)
                _store(out[b, q], accr, acci, l0, jn, factor, stride)
            _advance(anchor, step, x[b], shift[b], l0 + J)


@helper
def _power_table(x, J, dtype):
    """z^j = exp(j x_n) for j < J by products in complex128, rounded to `dtype`: (N, J) x 2."""
    N = x.shape[0]
    tr, ti = np.empty((N, J), dtype), np.empty((N, J), dtype)
    for n in range(N):
        z, t = np.exp(x[n]), 1.0 + 0.0j
        for j in range(J):
            tr[n, j], ti[n, j] = t.real, t.imag
            t = t * z
    return tr, ti


@helper
def _anchors(x, shift, J):
    """exp(-s_n x_n) (the value at l = 0) and the block step exp(J x_n), in complex128."""
    N = x.shape[0]
    anchor, step = np.empty(N, np.complex128), np.empty(N, np.complex128)
    for n in range(N):
        anchor[n] = np.exp(-shift[n] * x[n])
        step[n] = np.exp(J * x[n])
    return anchor, step


@helper
def _advance(anchor, step, x, shift, l0):
    """Anchors at the next block start: a product, or exact where shifted (DSS, growing mode)."""
    for n in range(anchor.shape[0]):
        if shift[n] != 0:
            anchor[n] = np.exp((l0 - shift[n]) * x[n])
        else:
            anchor[n] = anchor[n] * step[n]


@helper
def _live(e, rate, jn, tiny):
    """[lo, hi): the j < jn where e + j rate >= tiny, i.e. exp((l0 + j - s) x) is normal."""
    if rate < 0:
        if e < tiny:
            return 0, 0
        span = (e - tiny) / -rate
        return 0, (jn if span >= jn - 1 else int(span) + 1)
    if rate > 0:
        if e >= tiny:
            return 0, jn
        need = (tiny - e) / rate
        return (jn if need >= jn else int(math.ceil(need))), jn
    return (0, jn) if e >= tiny else (0, 0)


@helper
def _axpy(accr, acci, cr, ci, tr, ti, lo, hi, with_imag):
    """acc[j] += c * t[j - lo] for lo <= j < hi (complex c and t, real/imag split)."""
    if with_imag:
        for j in range(lo, hi):
            accr[j] += cr * tr[j - lo] - ci * ti[j - lo]
            acci[j] += cr * ti[j - lo] + ci * tr[j - lo]
    else:
        for j in range(lo, hi):
            accr[j] += cr * tr[j - lo] - ci * ti[j - lo]


@helper
def _store(out, accr, acci, l0, jn, factor, stride):
    if stride == 1:
        for j in range(jn):
            out[l0 + j] = factor * accr[j]
    else:
        for j in range(jn):
            out[2 * (l0 + j)] = factor * accr[j]
            out[2 * (l0 + j) + 1] = factor * acci[j]
