r"""Diagonal (S4D) kernels: :math:`K_l = \sum_n W_n \exp((l - s_n)x_n)`, l < L.

Registered as ``ssm_kernel_diagonal`` (ZOH, bilinear, S4-bilinear, DSS, conj_sym or not).
With l = J i + j (J = 128 steps per block) the kernel of one channel is a matrix product,

.. math:: K_{Ji + j} = \sum_n \underbrace{W_n e^{(Ji - s_n)x_n}}_{U_{in}}\,
          \underbrace{e^{j x_n}}_{T_{nj}},

computed per channel as one BLAS GEMM of (L/J, N) anchors by the (N, J) power table: real
(2 Re, with [Re U, -Im U] against [Re T; Im T], 2N deep) for conj_sym and real systems,
complex otherwise. Both factors are products of complex128 numbers from x (the exact
exponents Δλ where ``ssm_kernel`` has them), rounded once to the working precision, so the
float32 phase error does not grow with l beyond x's own rounding. Factors below the
smallest normal number are set to zero (they are zeros in the reference too), which keeps
subnormal arithmetic out of the product. Nothing of size (H, N, L) is formed: the scratch
per channel is N (J + L/J) numbers.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _cauchy, markov
from lti_ops._dispatch import register

from ._jit import flat, helper, kernel, real_dtype, split

__all__ = ["ssm_kernel_diagonal"]

BLOCK = 128  # steps per block: the (N, BLOCK) power table stays in L2, the GEMM is L/BLOCK deep

@register("ssm_kernel_diagonal", "numba")
def ssm_kernel_diagonal(xp, disc, L, exponents):
    """Numba twin of :func:`lti_ops.markov._diagonal_kernel` (same arguments and result)."""
    W, logs, shift = markov.vandermonde_terms(xp, disc, L, exponents)
    factor, complex_out = markov.output_form(xp, disc, exponents)
    return _run(W, logs, shift, disc.lam == 0, L, factor, complex_out)


def _run(W, logs, shift, zero, L, factor, complex_out):
    P, M, N = W.shape[-3:]
    batch = _cauchy.broadcast_shape(W.shape[:-3], logs.shape[:-1])
    rdtype = real_dtype(logs.dtype)
    out = np.empty(batch + (P, M, L), dtype=np.result_type(rdtype, 1j) if complex_out else rdtype)
    if out.size == 0:
        return out
    w = np.ascontiguousarray(flat(W, batch, (P * M, N), 3), dtype=np.complex128)
    x = np.ascontiguousarray(flat(logs, batch, (N,)), dtype=np.complex128)
    s = np.zeros((N,), np.float64) if shift is None else np.real(shift)
    s = np.ascontiguousarray(flat(s, batch, (N,)), dtype=np.float64)
    z = np.ascontiguousarray(flat(zero, batch, (N,)))
    view = out.reshape((math.prod(batch), P * M, L))
    tiny = float(np.finfo(rdtype).smallest_normal)
    (_complex_kernel if complex_out else _real_kernel)[rdtype](w, x, s, z, tiny, factor, view)
    return out


@kernel("void(complex128[:, :, ::1], complex128[:, ::1], float64[:, ::1], boolean[:, ::1], float64, float64, "
        "{f}[:, :, ::1])")
def _real_kernel(w, x, shift, zero, tiny, factor, out):
    """out[b, q, l] = factor * Re sum_n w[b, q, n] exp((l - shift[b, n]) x[b, n]); zero
    modes count at l = 0 only. One real GEMM per (b, q), 2N deep."""
    B, Q, N = w.shape
    L = out.shape[2]
    J = min(L, BLOCK)
    blocks = (L + J - 1) // J
    for b in numba.prange(B):
        table = np.empty((J, 2 * N), out.dtype)  # the transposed (2N, J) right factor
        _power_table(x[b], zero[b], tiny, table[:, :N], table[:, N:])
        ur, ui = _anchor_table(x[b], shift[b], zero[b], J, blocks)
        lhs = np.empty((blocks, 2 * N), out.dtype)
        for q in range(Q):
            wr, wi = factor * w[b, q].real, factor * w[b, q].imag
            for i in range(blocks):
                for n in range(N):
                    lhs[i, n] = _flushed(wr[n] * ur[i, n] - wi[n] * ui[i, n], tiny)
                    lhs[i, N + n] = _flushed(-(wr[n] * ui[i, n] + wi[n] * ur[i, n]), tiny)
            _product(lhs, table.T, out[b, q], J)


@kernel("void(complex128[:, :, ::1], complex128[:, ::1], float64[:, ::1], boolean[:, ::1], float64, float64, "
        "{c}[:, :, ::1])")
def _complex_kernel(w, x, shift, zero, tiny, factor, out):
    """out[b, q, l] = factor * sum_n w[b, q, n] exp((l - shift[b, n]) x[b, n]) (complex);
    one complex GEMM per (b, q), N deep."""
    B, Q, N = w.shape
    L = out.shape[2]
    J = min(L, BLOCK)
    blocks = (L + J - 1) // J
    for b in numba.prange(B):
        re, im = np.empty((J, N), out.real.dtype), np.empty((J, N), out.real.dtype)
        _power_table(x[b], zero[b], tiny, re, im)
        table = np.empty((J, N), out.dtype)  # the transposed (N, J) right factor
        for j in range(J):
            for n in range(N):
                table[j, n] = re[j, n] + 1j * im[j, n]
        ur, ui = _anchor_table(x[b], shift[b], zero[b], J, blocks)
        lhs = np.empty((blocks, N), out.dtype)
        for q in range(Q):
            wr, wi = factor * w[b, q].real, factor * w[b, q].imag
            for i in range(blocks):
                for n in range(N):
                    lhs[i, n] = (_flushed(wr[n] * ur[i, n] - wi[n] * ui[i, n], tiny)
                                 + 1j * _flushed(wr[n] * ui[i, n] + wi[n] * ur[i, n], tiny))
            _product(lhs, table.T, out[b, q], J)


@helper
def _product(lhs, table, out, J):
    """out[J i + j] = (lhs @ table)[i, j]: the full blocks by one GEMM straight into out,
    a last partial block through scratch."""
    L = out.shape[0]
    full = L // J
    if full:
        np.dot(lhs[:full], table, out[: full * J].reshape((full, J)))
    if full * J < L:
        last = np.dot(lhs[full:], table)
        out[full * J :] = last[0, : L - full * J]


@helper
def _power_table(x, zero, tiny, re, im):
    """re + i im [j, n] = exp(j x_n) for j < J (0^j for zero modes), by products in
    complex128 (all modes a step at a time: a SIMD loop), flushed below `tiny`."""
    J, N = re.shape
    zr, zi = _split_exp(x, zero, 1.0)
    tr, ti = np.ones(N), np.zeros(N)
    for j in range(J):
        for n in range(N):
            re[j, n] = _flushed(tr[n], tiny)
            im[j, n] = _flushed(ti[n], tiny)
            tr[n], ti[n] = tr[n] * zr[n] - ti[n] * zi[n], tr[n] * zi[n] + ti[n] * zr[n]


@helper
def _anchor_table(x, shift, zero, J, blocks):
    """(Re, Im) U[i, n] = exp((J i - shift_n) x_n) in float64 (1 then 0 for zero modes):
    products of the block step, or exact exponentials where a mode is shifted (DSS growing
    modes)."""
    N = x.shape[0]
    ur, ui = np.empty((blocks, N)), np.empty((blocks, N))
    sr, si = _split_exp(x, zero, J)
    pr, pi = np.ones(N), np.zeros(N)
    for i in range(blocks):
        for n in range(N):
            ur[i, n], ui[i, n] = pr[n], pi[n]
            pr[n], pi[n] = pr[n] * sr[n] - pi[n] * si[n], pr[n] * si[n] + pi[n] * sr[n]
    for n in range(N):
        if shift[n] != 0:
            for i in range(blocks):
                u = np.exp((J * i - shift[n]) * x[n])
                ur[i, n], ui[i, n] = u.real, u.imag
    return ur, ui


@helper
def _split_exp(x, zero, scale):
    """(Re, Im) of exp(scale x_n), 0 for zero modes."""
    N = x.shape[0]
    re, im = np.empty(N), np.empty(N)
    for n in range(N):
        z = 0j if zero[n] else np.exp(scale * x[n])
        re[n], im[n] = z.real, z.imag
    return re, im


@helper
def _flushed(v, tiny):
    """v, or 0 where |v| is below the smallest normal number of the working precision
    (NaN stays NaN: ``abs(nan) < tiny`` is False)."""
    return 0.0 if abs(v) < tiny else v
