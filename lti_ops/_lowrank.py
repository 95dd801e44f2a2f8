"""Algebra of diagonal-plus-low-rank matrices ``M = diag(d) - P Q^H`` (Woodbury identity).

With ``conj_sym`` the arrays hold one half of a conjugate-structured matrix: the full one is
``diag(d, conj d) - [P; conj P][Q; conj Q]^H``, acting on conjugate-structured vectors.
Sums over the full set of modes are then ``2 Re`` of the half sums (:func:`mode_sum`), which
is all that changes.
"""

from __future__ import annotations

from . import _xp


def mode_sum(xp, half_sum, conj_sym):
    """Sum over all modes from the sum over the listed ones: ``2 Re`` when `conj_sym`."""
    if not conj_sym:
        return half_sum
    return 2 * (xp.real(half_sum) if _xp.is_complex(xp, half_sum.dtype) else half_sum)


def output_product(xp, C, X, conj_sym):
    """``C_full @ X_full`` for C (..., P, N) and X (..., N, M): an output-space matrix."""
    return mode_sum(xp, xp.matmul(C, X), conj_sym)


def inverse(xp, d, P, Q, s, conj_sym, *, singular_msg):
    """``(diag(d) - s P Q^H)^{-1} = diag(1/d) + s P2 Q2^H``; returns ``(1/d, P2, Q2)``.

    Woodbury: ``P2 = D^{-1} P K^{-1}`` with ``K = I - s Q^H D^{-1} P`` (r x r, real when
    `conj_sym`) and ``Q2 = D^{-H} Q``. The scale `s` (a number or an array of shape
    ``(..., 1, 1)``) is kept apart from P so that callers never divide by it. A zero in `d`
    (relative to the largest entry) or a numerically singular K raises ``ValueError(singular_msg)``
    where the values can be read (:func:`lti_ops._xp.can_read_values`); traced or device
    arrays give inf/NaN there instead.
    """
    if _xp.can_read_values(d) and bool(xp.any(_xp.near_zero(d))):
        raise ValueError(singular_msg)
    dinv = 1 / d
    dinv_P = dinv[..., :, None] * P
    eye = xp.eye(P.shape[-1], dtype=P.dtype, device=_xp.common_device(P))
    T = s * mode_sum(xp, xp.matmul(_xp.conj_transpose(Q), dinv_P), conj_sym)
    K = eye - T
    # K cancels to rounding level at a pole: measure it against the terms of its sums
    terms = (xp.abs(s) if hasattr(s, "shape") else abs(s)) * mode_sum(xp, xp.matmul(xp.matrix_transpose(xp.abs(Q)), xp.abs(dinv_P)), conj_sym)
    if _xp.can_read_values(K) and bool(xp.any(_xp.is_singular(K, scale=terms, n=d.shape[-1]))):
        raise ValueError(singular_msg)
    P2 = xp.matmul(dinv_P, xp.linalg.inv(K))
    dinv_conj = xp.conj(dinv) if _xp.is_complex(xp, dinv.dtype) else dinv
    return dinv, P2, dinv_conj[..., :, None] * Q


def apply(xp, d, P, Q, X, conj_sym):
    """``M @ X`` for X of shape (..., N, M)."""
    coupling = mode_sum(xp, xp.matmul(_xp.conj_transpose(Q), X), conj_sym)
    return d[..., :, None] * X - xp.matmul(P, coupling)


def rapply(xp, Y, d, P, Q, conj_sym):
    """``Y @ M`` for Y of shape (..., P, N)."""
    coupling = mode_sum(xp, xp.matmul(Y, P), conj_sym)
    return Y * d[..., None, :] - xp.matmul(coupling, _xp.conj_transpose(Q))
