"""Cauchy sums and the Woodbury resolvent of DPLR matrices at many nodes.

``cauchy(a, b, lam, z)`` is ``sum_n a[x, n] b[n, y] / (z_k - lam_n)`` for every node z_k,
shape ``(..., X, Y, K)``, computed in chunks of nodes so that no ``(..., N, K)`` array is
materialized whole. With ``conj_sym`` the sum also runs over the conjugate modes with
conjugate weights (the symmetric form of S4's ``cauchy_conj``).
"""

from __future__ import annotations

import math

from . import _checks, _xp

# elements of one chunk's (..., X, Y, N, k) intermediate: 2**22 complex128 = 64 MiB
CHUNK_ELEMENTS = 2**22


def chunk_length(per_step, total, budget=None):
    """How many of `total` steps fit in `budget` elements (default :data:`CHUNK_ELEMENTS`)
    when each costs `per_step`."""
    budget = CHUNK_ELEMENTS if budget is None else budget
    return max(1, min(total, budget // max(1, per_step)))


def broadcast_shape(*shapes):
    return _checks.broadcast_batch({f"array {i}": tuple(s) for i, s in enumerate(shapes)})


def hits(xp, z, lam, conj_sym):
    """Whether a node coincides exactly with an entry of `lam` (or, for conj_sym, its
    conjugate); checked in chunks of nodes.

    This decides the algorithm (the DPLR fallback to a dense form keeps a HiPPO system with
    a mode on a root of unity finite), so it is the one check that reads values on a device
    too (:func:`lti_ops._xp.is_concrete`: one boolean back from the GPU), and it reads them
    detached, so an eager ``jax.grad`` takes the same route as NumPy and torch. Arrays traced
    by ``jax.jit`` have no values: it is False for them, and such a node gives inf/NaN."""
    z, lam = _xp.detach(z), _xp.detach(lam)
    if not _xp.is_concrete(z, lam):
        return False
    K = z.shape[-1]
    step = chunk_length(math.prod(broadcast_shape(z.shape[:-1], lam.shape[:-1])) * lam.shape[-1], K)
    poles = [lam, xp.conj(lam)] if conj_sym else [lam]
    for start in range(0, K, step):
        zc = z[..., start : min(K, start + step)]
        if any(bool(xp.any(zc[..., None, :] == p[..., :, None])) for p in poles):
            return True
    return False


def dense_resolvent(xp, A, B, C, z):
    """``C (z_k I - A)^{-1} B`` at every node, chunked over nodes: (..., P, M, K).

    With more nodes than states, A is reduced once to Hessenberg form and each node costs
    O(N^2) (:mod:`lti_ops._hessenberg`); otherwise each node is a batched dense solve.
    A node at an eigenvalue of A raises ``ValueError`` (G is infinite there).
    """
    from . import _hessenberg

    N, K = A.shape[-1], z.shape[-1]
    batch = broadcast_shape(A.shape[:-2], B.shape[:-2], z.shape[:-1])
    step = chunk_length(math.prod(batch) * N * (N + B.shape[-1]), K)
    many = K > N
    if many:
        A, B, C = _hessenberg.reduce(xp, A, B, C)
    eye = xp.eye(N, dtype=A.dtype, device=_xp.common_device(A))
    parts = []
    for start in range(0, max(K, 1), step):  # no nodes: one empty part, an empty result
        zc = z[..., start : min(K, start + step)]
        if many:
            G, singular = _hessenberg.resolvent(xp, A, B, C, zc)
            if _xp.can_read_values(singular) and bool(xp.any(singular)):
                raise ValueError(POLE_MSG)
        else:
            M = zc[..., :, None, None] * eye - A[..., None, :, :]  # (..., k, N, N)
            G = xp.matmul(C[..., None, :, :], _xp.solve(M, B[..., None, :, :], singular_msg=POLE_MSG))
        parts.append(nodes_last(xp, G))
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=-1)


POLE_MSG = "`points`: a point coincides with a pole of the system, where G is infinite"


def cauchy(xp, a, b, lam, z, conj_sym):
    """``sum_n a[..., x, n] b[..., n, y] / (z[..., k] - lam[..., n])`` -> (..., X, Y, K).

    complex64 sums are formed and accumulated in complex128 where the device has it, and
    rounded once at the end: a single-precision matmul reduction over N modes would lose
    up to N ulps (issue 17). The result keeps z's dtype."""
    wide = _wide_dtype(xp, z)
    if wide is not None:
        a, b, lam, zw = (xp.astype(x, wide) for x in (a, b, lam, z))
        return xp.astype(_cauchy_sums(xp, a, b, lam, zw, conj_sym), z.dtype)
    return _cauchy_sums(xp, a, b, lam, z, conj_sym)


def _wide_dtype(xp, z):
    """complex128 for complex64 `z` where the namespace has it on z's device, else None."""
    if z.dtype != xp.complex64:
        return None
    return xp.complex128 if _xp.widest_real(xp, _xp.common_device(z)) == xp.float64 else None


def _cauchy_sums(xp, a, b, lam, z, conj_sym):
    weights = a[..., :, None, :] * xp.matrix_transpose(b)[..., None, :, :]  # (..., X, Y, N)
    K = z.shape[-1]
    batch = broadcast_shape(weights.shape[:-3], lam.shape[:-1], z.shape[:-1])
    step = chunk_length(math.prod(batch) * (lam.shape[-1] + weights.shape[-3] * weights.shape[-2]), K)
    parts = []
    for start in range(0, max(K, 1), step):
        zc = z[..., start : min(K, start + step)]
        G = 1 / (zc[..., None, :] - lam[..., :, None])  # (..., N, k)
        part = xp.matmul(weights, G[..., None, :, :])
        if conj_sym:
            Gc = 1 / (zc[..., None, :] - xp.conj(lam)[..., :, None])
            part = part + xp.matmul(xp.conj(weights), Gc[..., None, :, :])
        parts.append(part)
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=-1)


def woodbury(xp, C, B, lam, P, Q, z, conj_sym):
    """``C (zI - diag(lam) + P Q^H)^{-1} B`` at every node, shape (..., P_out, M, K).

    From ``R = diag(1/(z - lam))``: ``k00 - k01 (I + k11)^{-1} k10`` with
    ``k00 = C R B``, ``k01 = C R P``, ``k10 = Q^H R B``, ``k11 = Q^H R P``: closed forms for
    rank 1 and 2, a batched solve for higher rank. Worked through in chunks of nodes, so
    only the (..., P_out, M, K) result is ever whole.
    """
    QH = xp.conj(xp.matrix_transpose(Q)) if _xp.is_complex(xp, Q.dtype) else xp.matrix_transpose(Q)
    a, b = _stack(xp, C, QH, axis=-2), _stack(xp, B, P, axis=-1)
    K = z.shape[-1]
    batch = broadcast_shape(a.shape[:-2], b.shape[:-2], lam.shape[:-1], z.shape[:-1])
    per_node = math.prod(batch) * (lam.shape[-1] + 2 * a.shape[-2] * b.shape[-1])
    step = chunk_length(per_node, K)
    parts = []
    for start in range(0, max(K, 1), step):
        k = cauchy(xp, a, b, lam, z[..., start : min(K, start + step)], conj_sym)
        parts.append(_combine(xp, k, C.shape[-2], B.shape[-1], P.shape[-1]))
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=-1)


def _stack(xp, x, y, axis):
    """``concat([x, y], axis)`` of two matrix stacks whose batch axes broadcast (an
    unbatched P beside a batched C, say)."""
    batch = broadcast_shape(x.shape[:-2], y.shape[:-2])
    x, y = (xp.broadcast_to(v, batch + v.shape[-2:]) for v in (x, y))
    return xp.concat([x, y], axis=axis)


def _combine(xp, k, p, m, r):
    """``k00 - k01 (I + k11)^{-1} k10`` from the stacked Cauchy sums k (..., p+r, m+r, K)."""
    k00, k01, k10, k11 = k[..., :p, :m, :], k[..., :p, m:, :], k[..., p:, :m, :], k[..., p:, m:, :]
    if r == 1:
        den = 1 + k11
        bad = den == 0  # A (not diag(lam)) has an eigenvalue at the node: NaN there, no warning
        out = k00 - k01 * k10 / xp.where(bad, xp.ones_like(den), den)
        return xp.where(bad, xp.full_like(out, float("nan")), out)
    eye = xp.eye(r, dtype=k11.dtype, device=_xp.common_device(k11))
    shifted = nodes_first(xp, k11) + eye
    inner = _inverse_2x2(xp, shifted) if r == 2 else xp.linalg.inv(shifted)
    corr = xp.matmul(nodes_first(xp, k01), xp.matmul(inner, nodes_first(xp, k10)))
    return k00 - nodes_last(xp, corr)


def nodes_first(xp, x):
    """(..., X, Y, K) -> (..., K, X, Y)."""
    lead = tuple(range(x.ndim - 3))
    return xp.permute_dims(x, lead + (x.ndim - 1, x.ndim - 3, x.ndim - 2))


def nodes_last(xp, x):
    """(..., K, X, Y) -> (..., X, Y, K)."""
    lead = tuple(range(x.ndim - 3))
    return xp.permute_dims(x, lead + (x.ndim - 2, x.ndim - 1, x.ndim - 3))


def _inverse_2x2(xp, m):
    a, b, c, d = m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]
    det = a * d - b * c
    bad = (det == 0)[..., None, None]  # singular: NaN, as the Numba kernel, no warning
    rows = [xp.stack([d, -b], axis=-1), xp.stack([-c, a], axis=-1)]
    inv = xp.stack(rows, axis=-2) / xp.where(bad, xp.ones_like(det[..., None, None]), det[..., None, None])
    return xp.where(bad, xp.full_like(inv, float("nan")), inv)
