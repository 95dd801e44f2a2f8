r"""Invariant (transmission) zeros of state-space systems.

The zeros are the finite generalized eigenvalues of the system pencil

.. math:: S(s) = \begin{bmatrix} A - sI & B \\ C & D \end{bmatrix} = \mathcal M - s\mathcal E,
   \qquad \mathcal M = \begin{bmatrix} A & B \\ C & D \end{bmatrix},
   \quad \mathcal E = \begin{bmatrix} I_N & 0 \\ 0 & 0 \end{bmatrix}.

Three steps, each with a shape fixed by the sizes (never by the data), so the whole is
batched and runs under ``jax.jit``:

1. *Squaring* (non-square systems only). A tall pencil (P > M) is multiplied on the left by
   a fixed random matrix W with orthonormal rows, a wide one (P < M) on the right by its
   transpose: :math:`W S(s)` is square of order N + min(P, M), and every zero of S is one of
   its eigenvalues (:math:`S(z)v = 0 \Rightarrow W S(z) v = 0`); the other ("spurious")
   eigenvalues depend on W and are removed in step 3.
2. *How many are finite.* For a regular square pencil the number of finite eigenvalues is the
   degree of :math:`p(t) = \det(\hat{\mathcal M} - t\mathcal E)` (the pencil scaled by
   :math:`\rho = \|\mathcal M\|_1`). It is read off the coefficients of p, interpolated
   exactly at the N + 1 roots of unity by one FFT (a unitary, perfectly conditioned map):
   the highest coefficient above ``n eps^(3/4)`` times the largest. This rank decision
   replaces the staircase deflation of the infinite structure (Emami-Naeini & Van Dooren),
   whose data-dependent sizes do not batch. If every coefficient is below that bound times
   Hadamard's bound on the determinant, the pencil is singular (the transfer matrix has
   deficient normal rank, e.g. :math:`G \equiv 0`): no zero is returned.
3. *The eigenvalues.* NumPy: QZ (SciPy's ``eigvals(a, b)``). Other namespaces: the standard
   ``eig`` of the shift-inverted :math:`(\hat{\mathcal M} - \sigma\mathcal E)^{-1}\mathcal E`
   with a fixed complex shift σ of modulus 1/2; its eigenvalues μ give
   :math:`s = \sigma + 1/\mu`, and μ ≈ 0 is an eigenvalue at infinity. The k most finite
   (smallest :math:`|s|` for QZ, largest :math:`|\mu|` for shift-invert) are kept, k from
   step 2. After squaring, a kept z is a zero of the original system only if
   :math:`\sigma_{\min}(S(z)) \le n\sqrt{\epsilon}\,(\|\mathcal M\|_2 + |z|)`.
"""

from __future__ import annotations

import math

from . import _xp
from ._blockwise import batched
from .hankel import _check_system

__all__ = ["zeros"]

_SHIFT = 0.5 * complex(math.cos(2.0), math.sin(2.0))  # a fixed shift, away from real axis and 0
_SEED = 20260118  # the fixed squaring matrices (deterministic results)


@batched()
def zeros(sys):
    r"""Invariant (transmission) zeros of a system, padded with ``inf`` to a fixed length.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete (the zeros are values of s or z alike), SISO or MIMO, square
        or not, batched. Diagonal and DPLR systems are made dense first.

    Returns
    -------
    array, shape (..., N)
        Complex, of the system's precision; N = ``sys.n_states``. The finite zeros come
        first, sorted by real part and then imaginary part; the remaining entries are
        ``inf`` (zeros at infinity, or fewer zeros than N). SciPy and python-control return
        only the finite zeros, as arrays of varying length; here the length is fixed so that
        the result is batched: ``z[np.isfinite(z)]`` is their answer for one system.

    Raises
    ------
    TypeError
        If `sys` is not a StateSpace, Diagonal or DPLR.
    ValueError
        If `sys` has non-finite entries.

    Notes
    -----
    The zeros are the finite generalized eigenvalues of the system pencil
    :math:`\begin{bmatrix} A - sI & B \\ C & D \end{bmatrix}` (module docstring: squaring of
    non-square systems, count of finite eigenvalues by an FFT of the pencil's determinant,
    QZ on NumPy, a shift-invert ``eig`` elsewhere). They include the input and output
    decoupling zeros (uncontrollable or unobservable modes), as SLICOT's ``AB08ND`` does.
    A system whose transfer matrix has deficient normal rank (a singular pencil, e.g. a
    zero transfer function) is reported with no zeros.

    Tested: agreement with ``control.zeros`` (SLICOT) and ``scipy.signal.ss2zpk``; the rank
    of :math:`G(z_0)` drops at each finite zero :math:`z_0` (its smallest singular value is
    small relative to the largest); for invertible D the zeros are
    :math:`\operatorname{eig}(A - BD^{-1}C)`.

    References
    ----------
    .. [1] A. Emami-Naeini, P. Van Dooren, "Computation of zeros of linear multivariable
       systems", Automatica 18(4):415-430, 1982.
    .. [2] C. B. Moler, G. W. Stewart, "An algorithm for generalized matrix eigenvalue
       problems", SIAM J. Numer. Anal. 10(2):241-256, 1973 (QZ).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> A = np.array([[-1.0, 0.0], [0.0, -2.0]])
    >>> sys = lti_ops.StateSpace(A, np.ones((2, 1)), np.array([[1.0, 1.0]]))  # (2s + 3) / ((s+1)(s+2))
    >>> lti_ops.zeros(sys)
    array([-1.5+0.j,  inf+0.j])
    """
    dense = _check_system(sys).to_dense()
    xp, N = dense.xp, dense.n_states
    ctype = _xp.complex_dtype(xp, dense.dtype)
    if N == 0:
        return xp.zeros(dense.batch_shape + (0,), dtype=ctype, device=_device(dense))
    full, E_full = _pencil(xp, dense)
    M, E = _square(xp, full, E_full, dense)
    rho = _scale(xp, M)
    Ms = M / xp.astype(rho, M.dtype)[..., None, None]
    count, regular = _finite_count(xp, Ms, E, N)
    t = _most_finite(xp, Ms, E, count, regular, N)
    finite = xp.isfinite(t)
    z = xp.where(finite, xp.where(finite, t, xp.zeros_like(t)) * xp.astype(rho, ctype)[..., None], t)
    if dense.n_inputs != dense.n_outputs:
        z = _drop_spurious(xp, full, E_full, z)
    return _sort(xp, z)


def _device(sys):
    return _xp.common_device(sys.A)


def _pencil(xp, sys):
    """(M, E) of the system pencil, broadcast over the batch."""
    N, P, M = sys.n_states, sys.n_outputs, sys.n_inputs
    batch = sys.batch_shape
    top = xp.concat([xp.broadcast_to(sys.A, batch + (N, N)), xp.broadcast_to(sys.B, batch + (N, M))], axis=-1)
    bottom = xp.concat([xp.broadcast_to(sys.C, batch + (P, N)), xp.broadcast_to(sys.D, batch + (P, M))], axis=-1)
    pencil = xp.concat([top, bottom], axis=-2)
    eye = xp.eye(N + P, N + M, dtype=sys.dtype, device=_device(sys))
    keep = xp.astype(xp.arange(N + M, device=_device(sys)) < N, sys.dtype)
    return pencil, xp.broadcast_to(eye * keep, pencil.shape)


def _square(xp, M, E, sys):
    """The pencil made square by a fixed random orthonormal compression (module docstring)."""
    P, Mi, N = sys.n_outputs, sys.n_inputs, sys.n_states
    if P == Mi:
        return M, E
    import numpy as np

    big, small = N + max(P, Mi), N + min(P, Mi)
    q, _ = np.linalg.qr(np.random.default_rng(_SEED).standard_normal((big, small)))
    W = xp.asarray(q, dtype=_xp.real_dtype(xp, sys.dtype), device=_device(sys))
    W = xp.astype(W, sys.dtype)
    if P > Mi:
        Wt = xp.matrix_transpose(W)
        return xp.matmul(Wt, M), xp.matmul(Wt, E)
    return xp.matmul(M, W), xp.matmul(E, W)


def _scale(xp, M):
    """rho = ||M||_1 per batch element (1 where M = 0), real."""
    rho = xp.max(xp.sum(xp.abs(M), axis=-2), axis=-1)
    return xp.where(rho > 0, rho, xp.ones_like(rho))


def _finite_count(xp, Ms, E, N):
    """Number of finite eigenvalues of ``Ms - t E``: the degree of det(Ms - t E)."""
    n = Ms.shape[-1]
    ctype = _xp.complex_dtype(xp, Ms.dtype)
    dev = _xp.common_device(Ms)
    angle = xp.arange(N + 1, dtype=_xp.real_dtype(xp, ctype), device=dev) * (2 * math.pi / (N + 1))
    t = xp.astype(xp.cos(angle), ctype) + 1j * xp.astype(xp.sin(angle), ctype)
    pencils = xp.astype(Ms, ctype)[..., None, :, :] - t[:, None, None] * xp.astype(E, ctype)[..., None, :, :]
    coef = xp.abs(xp.fft.fft(xp.linalg.det(pencils), axis=-1)) / (N + 1)
    tol = n * _xp.eps(xp, Ms.dtype) ** 0.75
    hadamard = xp.prod(xp.linalg.vector_norm(xp.abs(Ms) + xp.abs(E), axis=-1), axis=-1)
    big = coef > tol * xp.max(coef, axis=-1, keepdims=True)
    index = xp.arange(N + 1, device=dev)
    degree = xp.max(xp.where(big, index, xp.zeros_like(index)), axis=-1)
    regular = xp.max(coef, axis=-1) > tol * hadamard
    return xp.where(regular, degree, xp.zeros_like(degree)), regular


def _most_finite(xp, Ms, E, count, regular, N):
    """The `count` most finite eigenvalues of ``Ms - t E`` (then ``inf``), shape (..., N)."""
    ctype = _xp.complex_dtype(xp, Ms.dtype)
    try:
        alpha, beta = _xp.pencil_eigvals(Ms, E)
        finite = xp.abs(beta) > 0
        t = xp.where(finite, alpha / xp.where(finite, beta, xp.ones_like(beta)), _inf(xp, alpha))
        badness = xp.where(finite, xp.abs(t), xp.full(t.shape, math.inf, dtype=_xp.real_dtype(xp, ctype)))
    except NotImplementedError:
        t, badness = _shift_invert(xp, Ms, E, regular)
    order = xp.argsort(badness, axis=-1, stable=True)[..., :N]
    t = xp.take_along_axis(t, order, axis=-1)
    keep = xp.arange(N, device=_xp.common_device(Ms)) < count[..., None]
    return xp.where(keep & xp.isfinite(t), t, _inf(xp, t))


def _shift_invert(xp, Ms, E, regular):
    """(eigenvalues, -|mu|) from ``eig((Ms - sigma E)^{-1} E)``, s = sigma + 1/mu; a singular
    pencil (none of whose eigenvalues is kept) is replaced by ``I - sigma E``."""
    ctype = _xp.complex_dtype(xp, Ms.dtype)
    Ec = xp.astype(E, ctype)
    eye = xp.eye(Ms.shape[-1], dtype=ctype, device=_xp.common_device(Ms))
    shifted = xp.where(regular[..., None, None], xp.astype(Ms, ctype), eye) - _SHIFT * Ec
    T = _xp.solve(shifted, Ec, singular_msg="`sys`: the shifted system pencil is singular (a zero at the shift)")
    mu = _xp.eigvals(T)
    mag = xp.abs(mu)
    nonzero = mag > 0
    t = xp.where(nonzero, _SHIFT + 1 / xp.where(nonzero, mu, xp.ones_like(mu)), _inf(xp, mu))
    return t, -mag


def _inf(xp, like):
    real = xp.full(like.shape, math.inf, dtype=_xp.real_dtype(xp, like.dtype), device=_xp.common_device(like))
    return xp.astype(real, like.dtype)


def _drop_spurious(xp, M, E, z):
    """`z` with the eigenvalues of the squared pencil that are no zeros of S set to inf."""
    ctype = z.dtype
    finite = xp.isfinite(z)
    zf = xp.where(finite, z, xp.zeros_like(z))
    S = xp.astype(M, ctype)[..., None, :, :] - zf[..., :, None, None] * xp.astype(E, ctype)[..., None, :, :]
    smallest = _xp.svdvals(S)[..., -1]
    scale = _xp.svdvals(M)[..., :1] + xp.abs(zf)
    n = min(M.shape[-2:])
    ok = smallest <= n * math.sqrt(_xp.eps(xp, ctype)) * scale
    return xp.where(finite & ok, z, _inf(xp, z))


def _sort(xp, z):
    """Finite entries first, by real then imaginary part (two stable sorts); inf last."""
    finite = xp.isfinite(z)
    inf = xp.full(z.shape, math.inf, dtype=_xp.real_dtype(xp, z.dtype), device=_xp.common_device(z))
    first = xp.argsort(xp.where(finite, xp.imag(z), inf), axis=-1, stable=True)
    z = xp.take_along_axis(z, first, axis=-1)
    finite = xp.isfinite(z)
    second = xp.argsort(xp.where(finite, xp.real(z), inf), axis=-1, stable=True)
    return xp.take_along_axis(z, second, axis=-1)
