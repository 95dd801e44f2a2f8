"""Transfer functions at many points by one Hessenberg reduction (Laub's method).

``C (zI - A)^{-1} B`` costs O(N^3) per point by dense solves. Reducing A once to upper
Hessenberg form ``H = Q^H A Q`` (Householder, O(N^3), pure Array API) leaves, per point, a
Hessenberg system solved by Gaussian elimination with adjacent-row partial pivoting and back
substitution in O(N^2), vectorized over points and batch.

References
----------
.. [1] A. J. Laub, "Efficient multivariable frequency response computations", IEEE Trans.
   Automatic Control 26(2):407-408, 1981.
"""

from __future__ import annotations

from . import _xp


def reduce(xp, A, B, C):
    """``(Q^H A Q, Q^H B, C Q)`` with ``Q^H A Q`` upper Hessenberg (Householder reflections)."""
    N = A.shape[-1]
    index = xp.arange(N, device=_xp.common_device(A))
    for k in range(N - 2):
        v = _reflector(xp, A[..., :, k], index, k)
        vc = xp.conj(v) if _xp.is_complex(xp, v.dtype) else v
        A = A - 2 * v[..., :, None] * xp.matmul(vc[..., None, :], A)  # P A
        A = A - 2 * xp.matmul(A, v[..., :, None]) * vc[..., None, :]  # (P A) P
        B = B - 2 * v[..., :, None] * xp.matmul(vc[..., None, :], B)
        C = C - 2 * xp.matmul(C, v[..., :, None]) * vc[..., None, :]
    return A, B, C


def _reflector(xp, column, index, k):
    """Unit v with (I - 2 v v^H) column zero below entry k + 1 (v = 0 if already so)."""
    x = xp.where(index > k, column, xp.zeros_like(column))
    head = x[..., k + 1]
    norm = xp.sqrt(xp.sum(xp.abs(x) ** 2, axis=-1))
    mag = xp.abs(head)
    phase = xp.where(mag > 0, head / xp.where(mag > 0, mag, xp.ones_like(mag)), xp.ones_like(head))
    e = xp.astype(index == k + 1, x.dtype)
    v = x + (phase * xp.astype(norm, x.dtype))[..., None] * e
    vnorm = xp.sqrt(xp.sum(xp.abs(v) ** 2, axis=-1))
    safe = xp.where(vnorm > 0, vnorm, xp.ones_like(vnorm))
    return xp.where((vnorm > 0)[..., None], v / xp.astype(safe, v.dtype)[..., None], xp.zeros_like(v))


def resolvent(xp, H, B, C, z):
    """``C (z_k I - H)^{-1} B`` for upper Hessenberg H: (..., K, P, M), plus a flag array
    (..., K) that is True where ``z_k I - H`` is singular. N = 0 (a static gain) gives
    zeros: there is no resolvent, G = D."""
    N = H.shape[-1]
    if N == 0:
        shape = _broadcast(z.shape[:-1], H.shape[:-2], B.shape[:-2], C.shape[:-2])
        dev = _xp.common_device(H)
        zero = xp.zeros(shape + (z.shape[-1], C.shape[-2], B.shape[-1]), dtype=H.dtype, device=dev)
        return zero, xp.zeros(shape + (z.shape[-1],), dtype=xp.bool, device=dev)
    eye = xp.eye(N, dtype=H.dtype, device=_xp.common_device(H))
    M = z[..., :, None, None] * eye - H[..., None, :, :]  # (..., K, N, N)
    rows = [M[..., i, :] for i in range(N)]
    batch = _broadcast(M.shape[:-2], B.shape[:-2] + (1,))  # B may carry batch axes H does not
    rhs = [xp.broadcast_to(B[..., None, i, :], batch + (B.shape[-1],)) for i in range(N)]
    singular = xp.zeros(M.shape[:-2], dtype=xp.bool, device=_xp.common_device(M))
    for j in range(N - 1):
        rows[j], rows[j + 1], rhs[j], rhs[j + 1], bad = _eliminate(xp, rows[j], rows[j + 1], rhs[j], rhs[j + 1], j)
        singular = singular | bad
    X, bad = _back_substitute(xp, rows, rhs)
    return xp.matmul(C[..., None, :, :], X), singular | bad


def _broadcast(*shapes):
    out = ()
    for shape in shapes:
        n = max(len(out), len(shape))
        a, b = (1,) * (n - len(out)) + tuple(out), (1,) * (n - len(shape)) + tuple(shape)
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def _eliminate(xp, a, b, ra, rb, j):
    """Pivot rows a, b on column j (larger |entry| on top) and clear b's entry j."""
    swap = xp.abs(b[..., j]) > xp.abs(a[..., j])
    a, b = xp.where(swap[..., None], b, a), xp.where(swap[..., None], a, b)
    ra, rb = xp.where(swap[..., None], rb, ra), xp.where(swap[..., None], ra, rb)
    pivot = a[..., j]
    zero = pivot == 0
    factor = b[..., j] / xp.where(zero, xp.ones_like(pivot), pivot)
    return a, b - factor[..., None] * a, ra, rb - factor[..., None] * ra, zero & (b[..., j] != 0)


def _back_substitute(xp, rows, rhs):
    """Solve the upper-triangular system left by elimination: X of shape (..., K, N, M)."""
    N = len(rows)
    solved, singular = None, None
    for i in range(N - 1, -1, -1):
        acc = rhs[i]
        if solved is not None:
            acc = acc - xp.matmul(rows[i][..., None, i + 1 :], solved)[..., 0, :]
        diag = rows[i][..., i]
        zero = diag == 0
        x = acc / xp.where(zero, xp.ones_like(diag), diag)[..., None]
        solved = x[..., None, :] if solved is None else xp.concat([x[..., None, :], solved], axis=-2)
        singular = zero if singular is None else singular | zero
    return solved, singular
