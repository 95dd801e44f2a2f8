"""Lyapunov equations and Gramians: closed forms for modal systems, solvers for dense ones.

Continuous: ``A X + X A^H + W = 0``. Discrete (Stein): ``A X A^H - X + W = 0``. For a stable
A both have the unique solution ``X = int e^{At} W e^{A^H t} dt`` / ``sum_k A^k W A^{Hk}``.

* Continuous equations on NumPy input go to ``scipy.linalg.solve_continuous_lyapunov``
  (Bartels-Stewart on a Schur form), one batch element at a time.
* Discrete (Stein) equations, and every other namespace, use :func:`smith`, the squared Smith iteration
  ``X <- X + A_k X A_k^H, A_k <- A_k^2`` (after a Cayley transform in continuous time),
  which is pure Array API, batched, and stops when the update is below eps relative to X.
"""

from __future__ import annotations

import math

import array_api_compat as _compat

from . import _checks, _dispatch, _xp
from .systems import DPLR, Diagonal, StateSpace, real_block

__all__ = ["factor", "gramians", "smith", "solve_lyapunov", "square_root_product", "stein_pair"]

MAX_DOUBLINGS = 64  # rho(A)^(2^64) is below any eps unless rho(A) = 1 to working precision


def unstable_msg(what, name="sys"):
    return (
        f"`{name}` is not usable here: {what} needs an asymptotically stable system (poles with Re < 0 in continuous "
        f"time, inside the unit circle in discrete time): the Gramians are infinite otherwise"
    )


def solve_lyapunov(A, W, *, discrete):
    """X with ``A X A^H - X + W = 0`` (discrete) or ``A X + X A^H + W = 0``, batched.

    Continuous equations on NumPy input go to SciPy's Bartels-Stewart solver one matrix at
    a time. Stein (discrete) equations always take the squared Smith iteration, one system
    or a batch: ``scipy.linalg.solve_discrete_lyapunov`` solves the n^2 x n^2 Kronecker
    system (n < 10) or a bilinear map to a continuous equation, both of which lose accuracy
    as the eigenvector condition of A grows (about 1e-4 sigma_1 against 2e-8 sigma_1 for the
    Smith sums at cond(V) = 1e4, issue 17), and the batched Smith iteration is also faster
    (4x at 64 systems of order 64). Other namespaces always take the Smith iteration.
    """
    xp = _xp.array_namespace(A, W)
    if _smith_route(xp, A, W, discrete):
        return smith(A, W, discrete=discrete)
    return _scipy_lyapunov(xp, A, W, discrete)


def _smith_route(xp, A, W, discrete):
    """Whether :func:`solve_lyapunov` takes the Smith iteration rather than SciPy."""
    return discrete or not _compat.is_numpy_namespace(xp)


def _scipy_lyapunov(xp, A, W, discrete):
    import numpy as np
    import scipy.linalg

    shape = np.broadcast_shapes(A.shape[:-2], W.shape[:-2])
    A = np.broadcast_to(A, shape + A.shape[-2:])
    W = np.broadcast_to(W, shape + W.shape[-2:])
    X = np.empty(shape + W.shape[-2:], dtype=np.result_type(A, W))
    for idx in np.ndindex(*shape):
        if discrete:
            X[idx] = scipy.linalg.solve_discrete_lyapunov(A[idx], W[idx])
        else:
            X[idx] = scipy.linalg.solve_continuous_lyapunov(A[idx], -W[idx])
    if not np.all(np.isfinite(X)):
        raise ValueError(unstable_msg("the Lyapunov solve"))
    return xp.asarray((X + _xp.conj_transpose(X)) / 2)


def smith(A, W, *, discrete, max_doublings=MAX_DOUBLINGS):
    """Squared Smith iteration for the Lyapunov/Stein equation, batched and pure Array API.

    Continuous equations are first mapped to Stein equations by the Cayley transform
    ``A_d = (qI - A)^{-1}(qI + A)``, ``W_d = 2q (qI - A)^{-1} W (qI - A)^{-H}`` with
    ``q = ||A||_F / sqrt(n)``; the solution is unchanged.

    Raises
    ------
    ValueError
        If the iteration does not converge (A is not stable to working precision).
    """
    xp = _xp.array_namespace(A, W)
    if not discrete:
        A, W = _cayley(xp, A, W)
    return _smith_doublings(xp, A, [W], max_doublings)[0]


def stein_pair(A, F, G, *, max_doublings=MAX_DOUBLINGS):
    """(X, Y) with ``A X A^H - X + F F^H = 0`` and ``A^H Y A - Y + G^H G = 0`` (the two
    discrete Gramian equations, F = B and G = C): one squared Smith iteration shares the
    powers A^(2^k) of both.

    While the factors are narrower than half the order, the doublings run on them:
    ``X_k = Z_k Z_k^H`` with ``Z_{k+1} = [Z_k, A_k Z_k]`` costs ``n^2 cols`` instead of the
    ``2 n^3`` of ``A_k X_k A_k^H`` (the sums are the same). For a single-input system of
    order 64 that is the first six of about nine doublings, halving the matmul flops.
    """
    xp = _xp.array_namespace(A, F, G)
    n = A.shape[-1]
    eps = _xp.eps(xp, _xp.floating_dtype(xp, A, F, G, names="AFG"))
    tol = 4 * n * eps
    batch = tuple(_checks.broadcast_batch({"A": A.shape[:-2], "B": F.shape[:-2], "C": G.shape[:-2]}))
    Z = xp.broadcast_to(F, batch + F.shape[-2:])
    Y = xp.broadcast_to(_xp.conj_transpose(G), batch + G.shape[-1:] + G.shape[-2:-1])
    Ak = A
    for k in range(max_doublings):
        if n == 0 or 2 * max(Z.shape[-1], Y.shape[-1]) > n or not bool(xp.all(_norm(xp, Ak) < 1 / eps)):
            break
        updates = [xp.matmul(Ak, Z), xp.matmul(_xp.conj_transpose(Ak), Y)]
        Z, Y = xp.concat([Z, updates[0]], axis=-1), xp.concat([Y, updates[1]], axis=-1)
        if all(bool(xp.all(_gram_max(xp, u) <= tol * _gram_max(xp, x))) for x, u in zip((Z, Y), updates)):
            return [_gram(xp, Z), _gram(xp, Y)]
        Ak = xp.matmul(Ak, Ak)
    else:
        k = max_doublings
    return _smith_doublings(xp, Ak, [_gram(xp, Z), _gram(xp, Y)], max_doublings - k)


def _gram(xp, Z):
    return xp.matmul(Z, _xp.conj_transpose(Z))


def _gram_max(xp, Z):
    """Largest modulus of Z Z^H, its largest diagonal entry (it is semidefinite)."""
    return xp.max(xp.sum(xp.real(Z * xp.conj(Z)) if _xp.is_complex(xp, Z.dtype) else Z * Z, axis=-1), axis=-1)


def _smith_doublings(xp, A, rhs, max_doublings):
    """X_0 = W, X_{k+1} = X_k + A_k X_k A_k^H, A_{k+1} = A_k^2 for the first right-hand
    side (and A_k^H Y_k A_k for a second) until the updates stop mattering."""
    n = A.shape[-1]
    dtype = rhs[0].dtype
    tol = 4 * n * _xp.eps(xp, dtype)
    diverged = 1 / _xp.eps(xp, dtype)
    X, Ak = list(rhs), A
    for _ in range(max_doublings):
        AkH = _xp.conj_transpose(Ak)
        updates = [xp.matmul(xp.matmul(Ak, X[0]), AkH)]
        if len(X) > 1:
            updates.append(xp.matmul(xp.matmul(AkH, X[1]), Ak))
        X = [x + u for x, u in zip(X, updates)]
        if not bool(xp.all(_norm(xp, Ak) < diverged)):  # powers of an unstable A blow up
            break
        if all(bool(xp.all(_norm(xp, u) <= tol * _norm(xp, x))) for x, u in zip(X, updates)):
            return [(x + _xp.conj_transpose(x)) / 2 for x in X]
        Ak = xp.matmul(Ak, Ak)
    raise ValueError(unstable_msg("the Lyapunov solve") + " (the Smith iteration diverged)")


def _norm(xp, X):
    """Largest modulus of each matrix (never overflows, unlike the Frobenius norm)."""
    return xp.max(xp.abs(X), axis=(-2, -1))


def _cayley(xp, A, W):
    n = A.shape[-1]
    eye = xp.eye(n, dtype=A.dtype, device=_compat.device(A))
    q = _norm(xp, A) / math.sqrt(max(n, 1))
    q = xp.where(q > 0, q, xp.ones_like(q))[..., None, None]
    shifted = q * eye - A
    msg = unstable_msg("the Lyapunov solve") + " (A has an eigenvalue at the Cayley shift)"
    Ad = _xp.solve(shifted, q * eye + A, singular_msg=msg)
    Y = _xp.solve(shifted, W, singular_msg=msg)
    Wd = 2 * q * _xp.conj_transpose(_xp.solve(shifted, _xp.conj_transpose(Y), singular_msg=msg))
    return Ad, Wd


# --------------------------------------------------------------------------- Gramians


def gramians(sys):
    """(P, Q) of a stable system in the coordinates of ``sys.to_dense()``; (..., 0, 0)
    zeros for a static gain (no state)."""
    if sys.n_states == 0:
        xp = sys.xp
        dense = sys.to_dense()
        zero = xp.zeros(sys.batch_shape + (0, 0), dtype=dense.dtype, device=_compat.device(dense.A))
        return zero, zero
    if isinstance(sys, Diagonal):
        return _diagonal_gramians(sys)
    if isinstance(sys, DPLR):
        sys = sys.to_dense()
    return _dense_gramians(sys)


def _dense_gramians(sys):
    xp, A = sys.xp, sys.A
    discrete = sys.is_discrete
    smith_route = _smith_route(xp, A, A, discrete)
    if not smith_route:
        require_stable(sys)  # SciPy's solvers return garbage, not an error, when unstable
    try:
        if discrete and smith_route:
            P, Q = stein_pair(A, sys.B, sys.C)
        else:
            BBH, CHC = xp.matmul(sys.B, _xp.conj_transpose(sys.B)), xp.matmul(_xp.conj_transpose(sys.C), sys.C)
            P = solve_lyapunov(A, BBH, discrete=discrete)
            Q = solve_lyapunov(_xp.conj_transpose(A), CHC, discrete=discrete)
    except ValueError:
        require_stable(sys)  # name the worst pole where an eigensolver can
        raise
    return P, Q


def require_stable(sys, what="this computation", *, name="sys"):
    """Raise a ValueError naming the worst pole unless every system of the batch is
    asymptotically stable; without an eigensolver, a Smith iteration decides."""
    try:
        stable = bool(sys.xp.all(sys.is_stable()))
    except NotImplementedError:
        dense = sys.to_dense()
        eye = sys.xp.eye(dense.n_states, dtype=dense.dtype, device=_compat.device(dense.A))
        smith(dense.A, eye, discrete=dense.is_discrete)  # raises if it diverges
        return
    if not stable:
        raise ValueError(unstable_msg(what, name) + f"; got poles up to {worst_pole(sys)}")


def worst_pole(sys):
    xp = sys.xp
    p = sys.poles()
    score = xp.abs(p) if sys.is_discrete else xp.real(p)
    return f"{'|p|' if sys.is_discrete else 'Re p'} = {float(xp.max(score)):.6g}"


def _cauchy_matrix(xp, num, a, b, discrete):
    """``num_ij / (1 - a_i b_j)`` (discrete) or ``-num_ij / (a_i + b_j)`` (continuous)."""
    if discrete:
        return num / (1 - a[..., :, None] * b[..., None, :])
    return -num / (a[..., :, None] + b[..., None, :])


def _diagonal_gramians(sys):
    require_stable(sys)
    body = _dispatch.resolve("diagonal_gramians", "auto", sys.xp, _closed_form_gramians)
    return body(sys.xp, sys)


def _closed_form_gramians(xp, sys):
    """The closed forms of a stable Diagonal system's (P, Q); the real 2N form with
    ``conj_sym``. The reference body of the ``"diagonal_gramians"`` kernels."""
    lam, B, C = sys.lam, sys.B, sys.C
    d = sys.is_discrete
    lam_c, BH, CH = xp.conj(lam), _xp.conj_transpose(B), _xp.conj_transpose(C)
    P11 = _cauchy_matrix(xp, xp.matmul(B, BH), lam, lam_c, d)
    Q11 = _cauchy_matrix(xp, xp.matmul(CH, C), lam_c, lam, d)
    if not sys.conj_sym:
        return P11, Q11
    P12 = _cauchy_matrix(xp, xp.matmul(B, xp.matrix_transpose(B)), lam, lam, d)
    Q12 = xp.conj(_cauchy_matrix(xp, xp.matmul(xp.matrix_transpose(C), C), lam, lam, d))
    return real_block(xp, P11, P12) / 2, 2 * real_block(xp, Q11, Q12)


def square_root_product(sys):
    """``(R, S, S^H R)`` with ``P = R R^H``, ``Q = S S^H``: the singular values of the product
    are the Hankel singular values, its SVD gives the balancing projections."""
    P, Q = gramians(sys)
    R, S = factor(P), factor(Q)
    return R, S, sys.xp.matmul(_xp.conj_transpose(S), R)


def factor(X):
    """A square factor R with ``X = R R^H`` of Hermitian positive semidefinite X, batched
    (see :func:`_factor`; dispatched to the ``"factor"`` kernels)."""
    xp = _xp.array_namespace(X)
    return _dispatch.resolve("factor", "auto", xp, _factor)(xp, X)


def _factor(xp, X):
    """A square factor R with ``X = R R^H`` of Hermitian positive semidefinite X, batched.

    Cholesky where a matrix is numerically definite. A semidefinite batch (non-minimal
    systems, Hankel singular values below sqrt(eps) sigma_1) is retried with the shift
    ``n eps max|X_ii| I``, the size of the rounding error X already carries, so it changes
    nothing above that noise floor; failing that, matrix by matrix (plain, then shifted)
    with the eigen-factor ``U sqrt(max(s, 0))`` where both fail, so one bad matrix does not
    send the whole batch to ``eigh``.
    """
    R = _cholesky(xp, X)
    if R is not None:
        return R
    n = X.shape[-1]
    R = _cholesky(xp, X + _rounding_shift(xp, X))
    if R is not None:
        return R
    flat = xp.reshape(X, (-1, n, n))
    parts = []
    for i in range(flat.shape[0]):
        one = flat[i, ...]
        R = _cholesky(xp, one)
        R = R if R is not None else _cholesky(xp, one + _rounding_shift(xp, one))
        parts.append(R if R is not None else _eigen_factor(xp, one))
    if not parts:
        return X
    return xp.reshape(xp.stack(parts), X.shape)


def _rounding_shift(xp, X):
    n = X.shape[-1]
    eye = xp.eye(n, dtype=X.dtype, device=_compat.device(X))
    diag = xp.abs(xp.linalg.diagonal(X))
    scale = xp.max(diag, axis=-1, keepdims=True) if n else diag
    return (n * _xp.eps(xp, X.dtype)) * xp.astype(scale[..., None], X.dtype) * eye


def _cholesky(xp, X):
    """Lower Cholesky factor, or None where it fails (an exception, or NaN as JAX returns)."""
    try:
        R = xp.linalg.cholesky(X)
    except _xp._singular_errors():
        return None
    return R if bool(xp.all(xp.isfinite(R))) else None


def _eigen_factor(xp, X):
    s, U = xp.linalg.eigh(X)
    root = xp.sqrt(xp.where(s > 0, s, xp.zeros_like(s)))
    return U * xp.astype(root, U.dtype)[..., None, :]
