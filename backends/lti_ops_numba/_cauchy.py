r"""Cauchy sums fused with the Woodbury combination, at any nodes.

For each channel and node z: :math:`k_{xy}(z) = \sum_n w_{xyn}/(z - \lambda_n)` (plus
:math:`\bar w_{xyn}/(z - \bar\lambda_n)` for ``conj_sym``, the symmetric conjugate-pair form),
with :math:`w_{xyn} = a_{xn}b_{ny}`, :math:`a = [C; Q^H]`, :math:`b = [B, P]`; then
:math:`G = k_{00} - k_{01}(I + k_{11})^{-1}k_{10}` (rank 0: G = k; rank 1 and 2 in closed
form; general rank by Gaussian elimination with partial pivoting), optionally times z.
Only blocks of NODE_BLOCK nodes of the (X, Y) sums live at a time, so memory is O(output).
For float32 input the sums run in float32 over runs of FLUSH_MODES modes, each run's sum
added into a float64 total (every term in the working precision at the full SIMD width,
the sum of N of them rounded about N/FLUSH_MODES + FLUSH_MODES times, not N times), so
complex64 results carry about one eps of sum|terms|, not N eps; a zero 1 + k11 or det
gives inf/NaN, never a ZeroDivisionError.

An exact hit of a node on a pole gives inf/NaN here; the callers then run the reference's
exact hit test and do what the reference does (raise, or fall back to a dense solve).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lti_ops import _cauchy as _ref

from ._jit import flat, helper, kernel, real_dtype, split
from ._linalg import _back_substitute, _eliminate

__all__ = ["cauchy_woodbury"]

NODE_BLOCK = 256  # 8 accumulator rows of rank-1 S4 (16 KiB in float64) stay in L1: 512 measured 1.3x slower
FLUSH_MODES = 8  # float32 modes per run: 16 ran 4 % faster but 1.1 eps sum|terms| off at N = 256, 4 7 % slower
UNSCALED_LIMIT = 1e8  # |z|, |lam| below which (2 UNSCALED_LIMIT)^4 fits even float32


def cauchy_woodbury(C, B, lam, P, Q, z, conj_sym, times_z=False):
    """``C (zI - diag(lam) + P Q^H)^{-1} B`` (times z if asked) at nodes z: (..., p, m, K),
    and whether every value is finite (checked by the kernel, block by block).

    P and Q are None for a diagonal system. Arrays are NumPy arrays of one complex dtype.
    """
    r = 0 if P is None else P.shape[-1]
    a = C if r == 0 else _stack_a(C, Q)
    b = B if r == 0 else _stack_b(B, P)
    W = a[..., :, None, :] * np.swapaxes(b, -1, -2)[..., None, :, :]  # (..., X, Y, N)
    X, Y, N = W.shape[-3:]
    p, m, K = C.shape[-2], B.shape[-1], z.shape[-1]
    batch = _ref.broadcast_shape(W.shape[:-3], lam.shape[:-1], z.shape[:-1])
    rdtype = real_dtype(z.dtype)
    wr, wi = split(flat(W, batch, (X * Y, N), 3), rdtype)
    lr, li = split(flat(lam, batch, (N,)), rdtype)
    shared = math.prod(z.shape[:-1]) == 1
    zr, zi = split(np.reshape(z, (1, K)) if shared else flat(z, batch, (K,)), rdtype)
    zabs = np.hypot(zr, zi)
    lam_max = np.max(np.hypot(lr, li), axis=-1, initial=0)
    out = np.empty(batch + (p, m, K), dtype=z.dtype)
    finite = np.ones(math.prod(batch) * -(-K // NODE_BLOCK), dtype=np.bool_)
    flush = FLUSH_MODES if rdtype == np.float32 else max(N, 1)  # float64: one flush at the end
    _cauchy_kernel[rdtype](wr, wi, lr, li, zr, zi, zabs, lam_max, conj_sym, p, r, times_z, flush,
                           out.reshape((math.prod(batch), p * m, K)), finite)
    return out, bool(finite.all())


def _stack_a(C, Q):
    QH = np.conj(np.swapaxes(Q, -1, -2))
    C, QH = _broadcast_batch(C, QH, 2)
    return np.concatenate([C, QH], axis=-2)


def _stack_b(B, P):
    B, P = _broadcast_batch(B, P, 2)
    return np.concatenate([B, P], axis=-1)


def _broadcast_batch(x, y, core):
    batch = np.broadcast_shapes(x.shape[:-core], y.shape[:-core])
    return np.broadcast_to(x, batch + x.shape[-core:]), np.broadcast_to(y, batch + y.shape[-core:])


# prange iterations handed out one by one (chunk size 1): a slow core takes fewer
@kernel("void({f}[:, :, ::1], {f}[:, :, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], {f}[:, ::1], "
        "{f}[::1], boolean, int64, int64, boolean, int64, {c}[:, :, ::1], boolean[::1])", chunksize=1)
def _cauchy_kernel(wr, wi, lr, li, zr, zi, zabs, lam_max, conj, p, r, times_z, flush, out, finite):
    """out[b, i*m + j, k] = Woodbury-combined Cauchy sums of w[b] at node z[b or 0, k];
    finite[task] = False where a block of out holds an inf or NaN. The working-precision
    accumulators are added into the float64 ones every `flush` modes.

    Conjugate pairs divide once by (z - lam)(z - conj lam), about max(|z|, |lam|)^4 in size:
    a block whose nodes or modes exceed :data:`UNSCALED_LIMIT` scales the differences by
    t = 1/max(1, |z|, max|lam|) first (see :func:`_conj_pair`); other blocks skip the scaling."""
    B, XY, N = wr.shape
    K = out.shape[2]
    blocks = (K + NODE_BLOCK - 1) // NODE_BLOCK
    for t in numba.prange(B * blocks):
        b, k0 = t // blocks, (t % blocks) * NODE_BLOCK
        kn = min(NODE_BLOCK, K - k0)
        bz = b if zr.shape[0] > 1 else 0
        # real rows, then imaginary rows, each NODE_BLOCK long (C-contiguous: SIMD loops);
        # the first kn entries of each are used
        # working-precision sums over `flush` modes at a time (full SIMD width), each run
        # added into float64 totals: a float32 accumulator over all N modes loses up to
        # N ulps (issue 17), a float64 one in the hot loop cost 14x (mixed-width vectors)
        acc = np.zeros(2 * XY * NODE_BLOCK, wr.dtype)
        accr = acc[: XY * NODE_BLOCK].reshape((XY, NODE_BLOCK))
        acci = acc[XY * NODE_BLOCK :].reshape((XY, NODE_BLOCK))
        total = np.zeros(2 * XY * NODE_BLOCK, np.float64)
        fused = XY == 1 or (XY == 4 and conj)  # no s, t scratch
        sr, si = np.empty(0 if fused else kn, wr.dtype), np.empty(0 if fused else kn, wr.dtype)
        tr, ti = np.empty(0 if fused else kn, wr.dtype), np.empty(0 if fused else kn, wr.dtype)
        x, y = zr[bz, k0 : k0 + kn], zi[bz, k0 : k0 + kn]
        scl, scaled = _scales(zabs[bz, k0 : k0 + kn], lam_max[b], conj)
        for n in range(N):
            if XY == 4 and conj:  # rank-1 SISO DPLR (S4): one fused pass
                _four_conj(x, y, scl, lr[b, n], li[b, n], wr[b, :, n], wi[b, :, n], acc)
            elif XY == 1 and conj:  # diagonal SISO: one fused pass
                _one_conj(x, y, scl, scaled, lr[b, n], li[b, n], wr[b, 0, n], wi[b, 0, n], accr[0], acci[0])
            elif XY == 1:
                _one(x, y, lr[b, n], li[b, n], wr[b, 0, n], wi[b, 0, n], accr[0], acci[0])
            else:
                _pair(x, y, scl, lr[b, n], li[b, n], conj, sr, si, tr, ti)
                for q in range(XY):
                    _mac(accr[q], acci[q], wr[b, q, n], wi[b, q, n], sr, si, tr, ti)
            if (n + 1) % flush == 0 or n == N - 1:
                _flush(acc, total)
        sums = acc  # the totals rounded once to the working precision, for Woodbury
        for i in range(total.shape[0]):
            sums[i] = total[i]
        if XY == 4 and p == 1 and r == 1:  # SISO rank 1 (S4): vectorized over the nodes
            _woodbury_siso1(sums, zr[bz, k0 : k0 + kn], zi[bz, k0 : k0 + kn], times_z, out[b, 0, k0 : k0 + kn])
        else:
            sr_, si_ = sums[: XY * NODE_BLOCK].reshape((XY, NODE_BLOCK)), sums[XY * NODE_BLOCK :].reshape((XY, NODE_BLOCK))
            _woodbury(sr_, si_, p, r, zr[bz, k0 : k0 + kn], zi[bz, k0 : k0 + kn], times_z, out[b, :, k0 : k0 + kn])
        finite[t] = _all_finite(out[b, :, k0 : k0 + kn])


@helper
def _flush(acc, total):
    """total += acc; acc = 0 (the float64 totals of :func:`_cauchy_kernel`)."""
    zero = acc.dtype.type(0)
    for i in range(acc.shape[0]):
        total[i] += acc[i]
        acc[i] = zero


@helper
def _all_finite(block):
    ok = True
    for q in range(block.shape[0]):
        for k in range(block.shape[1]):
            v = block[q, k]
            ok &= math.isfinite(v.real) and math.isfinite(v.imag)
    return ok


@helper
def _scales(zabs, lam_max, conj):
    """(t per node, whether any t != 1) for a block: t = 1/max(1, |z|, max|lam|) where a
    node or mode exceeds UNSCALED_LIMIT, else t = 1."""
    big = conj and lam_max > UNSCALED_LIMIT
    for k in range(zabs.shape[0]):
        big |= conj and zabs[k] > UNSCALED_LIMIT
    t = np.ones_like(zabs)
    one = zabs.dtype.type(1)
    if big:
        for k in range(zabs.shape[0]):
            t[k] = one / max(one, zabs[k], lam_max)
    return t, big


@helper
def _conj_pair(x, y, t, lr, li):
    """(Re s, Im s, Re t, Im t) of s = 1/(z - lam) + 1/(z - conj lam) = 2(z - Re lam)/den and
    t = 1/(z - lam) - 1/(z - conj lam) = 2i Im lam/den, den = (z - lam)(z - conj lam), at
    z = x + iy: one real division for the pair instead of two. The differences are scaled
    by t (1, or 1/max(1, |z|, max|lam|) in a block of large nodes or modes) before they are
    multiplied (1/den = t^2/(t^2 den)), so |den|^2 cannot overflow. inf/NaN on an exact hit."""
    dx, yt, lt = (x - lr) * t, y * t, li * t
    den_r = dx * dx - (yt - lt) * (yt + lt)
    den_i = (dx + dx) * yt  # not 2 * dx: an int literal would promote float32 to float64
    q = (t + t) / (den_r * den_r + den_i * den_i)
    rr, ri = den_r * q, -den_i * q  # 2 t conj(den') / |den'|^2
    return dx * rr - yt * ri, dx * ri + yt * rr, -lt * ri, lt * rr


@helper
def _pair(zr, zi, scale, lr, li, conj, sr, si, tr, ti):
    """s and t of :func:`_conj_pair` (conj), or s = t = 1/(z - lam), over a block of nodes.
    Then w/(z - lam) + conj(w)/(z - conj lam) = Re(w) s + i Im(w) t, and w/(z - lam)
    likewise: the conjugate pair costs no more multiply-adds than one mode."""
    one = zr.dtype.type(1)
    for k in range(zr.shape[0]):
        if conj:
            sr[k], si[k], tr[k], ti[k] = _conj_pair(zr[k], zi[k], scale[k], lr, li)
        else:
            dr, di = zr[k] - lr, zi[k] - li
            inv = one / (dr * dr + di * di)
            sr[k], si[k] = dr * inv, -di * inv
            tr[k], ti[k] = sr[k], si[k]


@helper
def _four_conj(zr, zi, scale, lr, li, wr, wi, acc):
    """:func:`_conj_pair` and four :func:`_mac` in one loop (no s, t round trip through
    memory), into the flat accumulator of :func:`_cauchy_kernel`: its rows sit at the
    constant offsets q NODE_BLOCK and the weights are scalars, so LLVM sees one array and
    vectorizes without runtime alias checks (measured 1.5x faster than four row views).
    The scale t stays a value loaded per node even where it is 1: with a constant 1 the
    compiler rewrites ``den_r * (2 / |den|^2)`` as ``(2 den_r) / |den|^2`` (reassociation),
    two divisions per node instead of one (measured slower)."""
    w = (wr[0], wr[1], wr[2], wr[3], wi[0], wi[1], wi[2], wi[3])  # scalars: no reload per node
    for k in range(zr.shape[0]):
        _four_conj_node(zr[k], zi[k], scale[k], lr, li, w, acc, k)


@helper
def _four_conj_node(x, y, t, lr, li, w, acc, k):
    """Node k of :func:`_four_conj`; w = (Re w_0..3, Im w_0..3)."""
    nb = NODE_BLOCK
    sr, si, tr, ti = _conj_pair(x, y, t, lr, li)
    # (acc + a b) - c d: two FMAs (acc + (a b - c d) compiled to a mul, an FMA and an add)
    acc[k] = (acc[k] + w[0] * sr) - w[4] * ti
    acc[nb + k] = (acc[nb + k] + w[1] * sr) - w[5] * ti
    acc[2 * nb + k] = (acc[2 * nb + k] + w[2] * sr) - w[6] * ti
    acc[3 * nb + k] = (acc[3 * nb + k] + w[3] * sr) - w[7] * ti
    acc[4 * nb + k] = (acc[4 * nb + k] + w[0] * si) + w[4] * tr
    acc[5 * nb + k] = (acc[5 * nb + k] + w[1] * si) + w[5] * tr
    acc[6 * nb + k] = (acc[6 * nb + k] + w[2] * si) + w[6] * tr
    acc[7 * nb + k] = (acc[7 * nb + k] + w[3] * si) + w[7] * tr


@helper
def _one_conj(zr, zi, scale, scaled, lr, li, wr, wi, accr, acci):
    """acc += w/(z - lam) + conj(w)/(z - conj lam) = Re(w) s + i Im(w) t in one loop, with
    the multiplications by t left out where it is 1 (two loops: a select would stop LLVM
    vectorizing)."""
    if scaled:
        for k in range(zr.shape[0]):
            re, im = _one_conj_term(zr[k], zi[k], scale[k], lr, li, wr, wi)
            accr[k] += re
            acci[k] += im
    else:
        one = zr.dtype.type(1)
        for k in range(zr.shape[0]):
            re, im = _one_conj_term(zr[k], zi[k], one, lr, li, wr, wi)
            accr[k] += re
            acci[k] += im


@helper
def _one_conj_term(x, y, t, lr, li, wr, wi):
    """Re(w) s + i Im(w) t of :func:`_conj_pair` with the fewest operations: (a + ib) R with
    R = 2 t conj(den')/|den'|^2, a = Re(w) dx - Im(w) lt, b = Re(w) yt."""
    dx, yt, lt = (x - lr) * t, y * t, li * t
    den_r = dx * dx - ((y - li) * t) * ((y + li) * t)
    den_i = (dx + dx) * yt
    q = (t + t) / (den_r * den_r + den_i * den_i)
    rr, ri = den_r * q, -den_i * q
    a, b = wr * dx - wi * lt, wr * yt
    return a * rr - b * ri, a * ri + b * rr


@helper
def _one(zr, zi, lr, li, wr, wi, accr, acci):
    """acc += w/(z - lam) in one loop."""
    one = zr.dtype.type(1)
    for k in range(zr.shape[0]):
        dr, di = zr[k] - lr, zi[k] - li
        inv = one / (dr * dr + di * di)
        accr[k] += wr * dr * inv + wi * di * inv
        acci[k] += wi * dr * inv - wr * di * inv


@helper
def _mac(accr, acci, wr, wi, sr, si, tr, ti):
    """acc += Re(w) s + i Im(w) t over a block of nodes."""
    for k in range(sr.shape[0]):
        accr[k] += wr * sr[k] - wi * ti[k]
        acci[k] += wr * si[k] + wi * tr[k]


@helper
def _woodbury_siso1(acc, zr, zi, times_z, out):
    """out[k] = (k00 - k01 k10 / (1 + k11)) (times z_k) at each node k of a block, from the
    flat accumulator of :func:`_cauchy_kernel` (rows k00, k01, k10, k11 real at q NODE_BLOCK,
    imaginary at (4 + q) NODE_BLOCK): real arithmetic in the working precision, the division
    by Smith's algorithm with selects, so the loop over nodes vectorizes (the scalar complex
    form cost as much as the Cauchy sums in float32)."""
    nb = NODE_BLOCK
    one = zr.dtype.type(1)
    for k in range(zr.shape[0]):
        # num = k01 k10, den = 1 + k11
        nr = acc[nb + k] * acc[2 * nb + k] - acc[5 * nb + k] * acc[6 * nb + k]
        ni = acc[nb + k] * acc[6 * nb + k] + acc[5 * nb + k] * acc[2 * nb + k]
        dr, di = one + acc[3 * nb + k], acc[7 * nb + k]
        big = abs(dr) >= abs(di)
        a, c = (dr, di) if big else (di, dr)
        ratio = c / a
        inv = one / (a + c * ratio)
        # num / den: (nr + ni ratio, ni - nr ratio) / d if |dr| >= |di|, else
        # (nr ratio + ni, ni ratio - nr) / d
        qr = ((nr + ni * ratio) if big else (nr * ratio + ni)) * inv
        qi = ((ni - nr * ratio) if big else (ni * ratio - nr)) * inv
        gr, gi = acc[k] - qr, acc[4 * nb + k] - qi
        if times_z:
            gr, gi = gr * zr[k] - gi * zi[k], gr * zi[k] + gi * zr[k]
        out[k] = _cx(gr, gi, out)


@helper
def _woodbury(accr, acci, p, r, zr, zi, times_z, out):
    """out[i*m + j, k] = (k00 - k01 (I + k11)^{-1} k10)[i, j] at each node k (times z_k);
    no allocation per node below rank 3."""
    XY, kn = accr.shape[0], zr.shape[0]
    if r == 0 and not times_z:  # G = k: a plain copy into the complex output
        for q in range(XY):
            for node in range(kn):
                out[q, node] = _cx(accr[q, node], acci[q, node], out)
        return
    Y = XY // (p + r)
    m = Y - r
    M, R = np.empty((max(r, 1), max(r, 1)), out.dtype), np.empty((max(r, 1), m), out.dtype)
    pivots = np.empty(max(r, 1), np.int64)
    one = zr.dtype.type(1)
    for node in range(kn):
        d00, d01, d10, d11 = _inner_inverse(accr, acci, Y, p, m, r, node, M, R, pivots)
        scale = _cx(zr[node], zi[node], out) if times_z else _cx(one, one - one, out)
        for i in range(p):
            for j in range(m):
                g = _entry(accr, acci, Y, i, j, node, out)
                if r == 1:
                    g -= _entry(accr, acci, Y, i, m, node, out) * d00 * _entry(accr, acci, Y, p, j, node, out)
                elif r == 2:
                    u0, u1 = _entry(accr, acci, Y, i, m, node, out), _entry(accr, acci, Y, i, m + 1, node, out)
                    v0, v1 = _entry(accr, acci, Y, p, j, node, out), _entry(accr, acci, Y, p + 1, j, node, out)
                    g -= u0 * (d00 * v0 + d01 * v1) + u1 * (d10 * v0 + d11 * v1)
                elif r > 2:
                    for t in range(r):
                        g -= _entry(accr, acci, Y, i, m + t, node, out) * R[t, j]
                out[i * m + j, node] = g * scale


@helper
def _cx(re, im, like):
    """re + i im as a scalar of `like`'s complex dtype (a ``1j`` literal is complex128 and
    would turn complex64 arithmetic into complex128)."""
    return like.dtype.type(complex(re, im))


@helper
def _entry(accr, acci, Y, i, j, node, like):
    return _cx(accr[i * Y + j, node], acci[i * Y + j, node], like)


@helper
def _inner_inverse(accr, acci, Y, p, m, r, node, M, R, pivots):
    """(I + k11)^{-1} as four scalars for rank 1 (d00) and 2; for rank > 2 it leaves
    (I + k11)^{-1} k10 in R."""
    one, zero = M.dtype.type(1), M.dtype.type(0)
    if r == 1:
        return _reciprocal(one + _entry(accr, acci, Y, p, m, node, M), M), one, one, one
    if r == 2:
        a = one + _entry(accr, acci, Y, p, m, node, M)
        b = _entry(accr, acci, Y, p, m + 1, node, M)
        c = _entry(accr, acci, Y, p + 1, m, node, M)
        d = one + _entry(accr, acci, Y, p + 1, m + 1, node, M)
        inv = _reciprocal(a * d - b * c, M)
        return d * inv, -b * inv, -c * inv, a * inv
    if r > 2:
        for s in range(r):
            for t in range(r):
                M[s, t] = _entry(accr, acci, Y, p + s, m + t, node, M) + (one if s == t else zero)
            for j in range(m):
                R[s, j] = _entry(accr, acci, Y, p + s, j, node, M)
        _solve(M, R, pivots)
    return one, one, one, one


@helper
def _reciprocal(v, like):
    """1/v, and inf/NaN (as NumPy) at v = 0, where Numba's complex division raises
    ZeroDivisionError whatever the error model."""
    if v.real == 0 and v.imag == 0:
        return _cx(np.inf, np.nan, like)
    return like.dtype.type(1) / v


@helper
def _solve(M, R, pivots):
    """M^{-1} R for a small complex M by Gaussian elimination with partial pivoting (the
    batched-solve kernel's elimination); M and R are overwritten, R is NaN where M has an
    exactly zero pivot, so the block fails the finiteness check as a division by it would."""
    if _eliminate(M, R, pivots):
        R[:] = np.nan
    else:
        _back_substitute(M, R)
    return R
