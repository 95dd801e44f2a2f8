r"""Polynomial representations: transfer-function coefficients and zero-pole-gain form.

Coefficients are stored highest power first, as ``numpy.polyval`` and ``scipy.signal`` do:
``den[..., 0]`` multiplies :math:`s^N`. A state-space system of order N has the common
denominator :math:`\det(sI - A)` (monic, shape (..., N+1)) and numerators
:math:`n_{ij}(s) = \det(sI - A)\,G_{ij}(s)` (shape (..., P, M, N+1)); the zero-pole-gain
form writes :math:`n_{ij}(s) = k_{ij}\prod_l (s - z_{ijl})` with the zeros of
:func:`~lti_ops.zeros` of each channel, padded with ``inf``.
"""

from __future__ import annotations

import math
from dataclasses import replace

from . import _checks, _xp
from ._blockwise import batched, by_mimo
from .hankel import _check_system
from .markov import markov_parameters
from .systems import Diagonal, StateSpace
from .zeros import zeros

__all__ = ["from_transfer_function", "from_zpk", "to_transfer_function", "to_zpk"]


# --------------------------------------------------------------------------- to coefficients


@batched()
def to_transfer_function(sys):
    r"""Transfer-function coefficients ``(num, den)`` of a system.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete (the coefficients are of s or z alike), batched.

    Returns
    -------
    num : array, shape (..., P, M, N+1)
        Numerator coefficients of each channel, highest power first (leading zeros where the
        degree is below N).
    den : array, shape (..., N+1)
        The monic characteristic polynomial :math:`\det(sI - A)`, highest power first.
        N = ``sys.n_states``. Both are real for a real system (``conj_sym`` ones included)
        and complex for a complex one.

    Raises
    ------
    TypeError
        If `sys` is not a StateSpace, Diagonal or DPLR.
    ValueError
        If `sys` has non-finite entries.

    Notes
    -----
    :math:`G_{ij}(s) = n_{ij}(s) / d(s)` with :math:`d(s) = \det(sI - A)`.
    *Diagonal systems* (exact, structured): :math:`d(s) = \prod_n (s - \lambda_n)` and
    :math:`n_{ij}(s) = \sum_n C_{in}B_{nj}\prod_{m\ne n}(s - \lambda_m) + D_{ij}\,d(s)`
    (with the conjugate modes when ``conj_sym``).
    *Dense systems* (StateSpace, DPLR): by the matrix determinant lemma
    :math:`n_{ij}(s) = \det(sI - A + B_{:j}C_{i:}) + (D_{ij} - 1)\,d(s)`; these determinants
    are evaluated at the N+1 roots of unity scaled by :math:`\rho = \|A\|_1` and the
    coefficients recovered by one FFT (exact interpolation by a unitary map; no eigenvalues,
    so it is differentiable and runs on any namespace). Tested: :math:`n(s)/d(s)` equals
    :func:`~lti_ops.transfer_function`, and the coefficients equal ``scipy.signal.ss2tf``'s
    and ``control.ss2tf``'s.

    References
    ----------
    .. [1] T. Kailath, *Linear Systems*, Prentice-Hall, 1980, sec. 2.1 and 6.
    .. [2] A. Varga, A. Sima, "Numerically stable algorithm for transfer function matrix
       evaluation", Int. J. Control 33(6):1123-1133, 1981.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([-1.0, -2.0]), np.ones(2), np.array([1.0, 1.0]))
    >>> num, den = lti_ops.to_transfer_function(sys)           # (2s + 3) / (s^2 + 3s + 2)
    >>> num[0, 0], den
    (array([0., 2., 3.]), array([1., 3., 2.]))
    """
    sys = _check_system(sys)
    if isinstance(sys, Diagonal):
        return _diagonal_tf(sys)
    return _dense_tf(sys.to_dense())


def _poly_factors(xp, a, b):
    """Coefficients of :math:`\\prod_m (a_m s - b_m)` over the last axis, highest first."""
    shape = a.shape[:-1] + (1,)
    p = xp.ones(shape, dtype=xp.result_type(a.dtype, b.dtype), device=_xp.common_device(a, b))
    zero = xp.zeros(shape, dtype=p.dtype, device=_xp.common_device(p))
    for m in range(a.shape[-1]):
        p = a[..., m : m + 1] * xp.concat([p, zero], axis=-1) - b[..., m : m + 1] * xp.concat([zero, p], axis=-1)
    return p


def poly(xp, roots):
    """Monic polynomial with the given roots (..., N) -> (..., N+1), highest power first."""
    return _poly_factors(xp, xp.ones_like(roots), roots)


def _diagonal_tf(sys):
    xp = sys.xp
    lam, B, C = sys.lam, sys.B, sys.C
    if sys.conj_sym:
        lam = xp.concat([lam, xp.conj(lam)], axis=-1)
        B = xp.concat([B, xp.conj(B)], axis=-2)
        C = xp.concat([C, xp.conj(C)], axis=-1)
    N = lam.shape[-1]
    dtype = xp.result_type(lam.dtype, B.dtype, C.dtype, sys.D.dtype)
    lam = xp.astype(lam, dtype)
    eye = xp.eye(N, dtype=dtype, device=_xp.common_device(lam))
    # q_n(s) = prod_{m != n} (s - lam_m): factor m of q_n is 1 (a = 0, b = -1) when m = n
    q = _poly_factors(xp, xp.broadcast_to(1 - eye, lam.shape[:-1] + (N, N)), lam[..., None, :] * (1 - eye) - eye)
    weights = xp.astype(C[..., :, None, :] * xp.matrix_transpose(B)[..., None, :, :], dtype)  # (..., P, M, N)
    den = poly(xp, lam)
    num = _weighted(xp, weights, q)
    num = num + xp.astype(sys.D, dtype)[..., None] * den[..., None, None, :]
    if sys.conj_sym:
        num, den = xp.real(num), xp.real(den)
    return num, den


def _weighted(xp, weights, q):
    """sum_n weights[..., i, j, n] q[..., n, k] -> (..., P, M, N+1)."""
    P, M, N = weights.shape[-3:]
    flat = xp.reshape(weights, weights.shape[:-3] + (P * M, N))
    out = xp.matmul(flat, q)
    return xp.reshape(out, out.shape[:-2] + (P, M, q.shape[-1]))


def _dense_tf(sys):
    xp = sys.xp
    A, B, C, D = sys.A, sys.B, sys.C, sys.D
    N, dtype = sys.n_states, sys.dtype
    ctype = _xp.complex_dtype(xp, dtype)
    dev = _xp.common_device(A)
    rtype = _xp.real_dtype(xp, dtype)
    rho = xp.max(xp.sum(xp.abs(A), axis=-2), axis=-1) if N else xp.ones(A.shape[:-2], dtype=rtype, device=dev)
    rho = xp.where(rho > 0, rho, xp.ones_like(rho))
    rc = xp.astype(rho, ctype)[..., None, None]
    angle = xp.arange(N + 1, dtype=_xp.real_dtype(xp, dtype), device=dev) * (2 * math.pi / (N + 1))
    t = xp.astype(xp.cos(angle), ctype) + 1j * xp.astype(xp.sin(angle), ctype)  # (K,)
    eye = xp.eye(N, dtype=ctype, device=dev)
    shifted = t[:, None, None] * eye - xp.astype(A, ctype)[..., None, :, :] / rc[..., None]  # (..., K, N, N)
    outer = xp.astype(xp.matrix_transpose(B)[..., None, :, :, None] * C[..., :, None, None, :], ctype)  # (..., P, M, N, N)
    den_t = xp.linalg.det(shifted)  # (..., K)
    lemma = xp.linalg.det(shifted[..., None, None, :, :, :] + (outer / rc[..., None, None])[..., None, :, :])
    num_t = lemma + xp.astype(D - 1, ctype)[..., None] * den_t[..., None, None, :]
    powers = rho[..., None] ** xp.astype(xp.arange(N + 1, device=dev), rho.dtype)  # rho^(N-k) at position N-k
    den = _coefficients(xp, den_t, N) * xp.astype(powers, ctype)
    num = _coefficients(xp, num_t, N) * xp.astype(powers, ctype)[..., None, None, :]
    one = xp.ones(den.shape[:-1] + (1,), dtype=ctype, device=dev)
    den = xp.concat([one, den[..., 1:]], axis=-1)  # monic exactly
    if not _xp.is_complex(xp, dtype):
        num, den = xp.real(num), xp.real(den)
    return num, den


def _coefficients(xp, values, N):
    """Coefficients (highest first) of the degree-N polynomial with `values` at the roots of unity."""
    c = xp.fft.fft(values, axis=-1) / (N + 1)  # ascending powers
    return xp.flip(c, axis=-1)


# --------------------------------------------------------------------------- from coefficients


@batched(num=by_mimo(1, 3), den=1)
def from_transfer_function(num, den, *, dt=None, mimo=False):
    r"""A state-space realization in controllable canonical form of ``num / den``.

    Parameters
    ----------
    num : array, shape (..., L) or, with ``mimo=True``, (..., P, M, L)
        Numerator coefficients, highest power first, ``L <= n + 1`` (proper).
    den : array, shape (..., n+1)
        Common denominator, highest power first, ``den[..., 0] != 0``.
    dt : None or float, optional
        Sampling step of a discrete system; None for continuous time.
    mimo : bool, optional
        Layout of `num`.

    Returns
    -------
    StateSpace
        SISO: n states, the companion form of ``scipy.signal.tf2ss``:
        ``A = [[-a_1, ..., -a_n], [I_{n-1}, 0]]``, ``B = e_1``,
        ``C = b_{1:} - b_0 a_{1:}``, ``D = b_0`` (after dividing by ``den[..., 0]`` and
        left-padding num to length n+1). MIMO: one companion block per input (n M states):
        ``A = I_M (x) A_c``, ``B = I_M (x) e_1``, and ``C[i, block j] = b_{ij,1:} - b_{ij,0}
        a_{1:}``. It is controllable, not necessarily observable (not minimal for M > 1).

    Raises
    ------
    ValueError
        If `num` is longer than `den` (improper), `den[..., 0]` is zero, `num` or `den` has
        too few axes or non-finite entries, or the batch shapes do not broadcast.
    TypeError
        If `num` or `den` is not a numeric array, or `mimo` not a bool.

    Notes
    -----
    The companion matrix has characteristic polynomial :math:`\det(sI - A) = a(s)`, and
    :math:`C(sI - A)^{-1}e_1 + D = b(s)/a(s)` (Kailath, sec. 2.1). Tested: the transfer
    function of the result equals num/den, ``to_transfer_function`` returns the (normalized)
    coefficients, and the matrices equal ``scipy.signal.tf2ss``'s.

    References
    ----------
    .. [1] T. Kailath, *Linear Systems*, Prentice-Hall, 1980, sec. 2.1.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.from_transfer_function(np.array([2.0, 3.0]), np.array([1.0, 3.0, 2.0]))
    >>> sys.A, sys.C
    (array([[-3., -2.],
           [ 1.,  0.]]), array([[2., 3.]]))
    """
    xp, num, den = _check_tf(num, den, mimo)
    n = den.shape[-1] - 1
    a = den[..., 1:] / den[..., :1]
    b = num / den[..., None, None, :1]
    L = b.shape[-1]
    if L < n + 1:
        pad = xp.zeros(b.shape[:-1] + (n + 1 - L,), dtype=b.dtype, device=_xp.common_device(b))
        b = xp.concat([pad, b], axis=-1)
    P, M = b.shape[-3], b.shape[-2]
    c = b[..., 1:] - b[..., :1] * a[..., None, None, :]  # (..., P, M, n)
    A, B = _companion(xp, a, M)
    C = xp.reshape(c, c.shape[:-2] + (M * n,))
    return StateSpace(A, B, C, b[..., 0], dt=dt)


def _check_tf(num, den, mimo):
    xp = _xp.array_namespace(num, den, names=("num", "den"))
    mimo = _checks.flag("mimo", mimo)
    if mimo:
        if getattr(num, "ndim", 0) < 3:
            raise ValueError(f"`num` must have shape (..., P, M, L) with mimo=True; got {tuple(num.shape)}")
    else:
        _checks.vector("num", num, "(..., L)")
    _checks.vector("den", den, "(..., n+1)")
    dtype = _xp.floating_dtype(xp, num, den, names=("num", "den"))
    _checks.all_finite(num=num, den=den)
    if num.shape[-1] > den.shape[-1]:
        raise ValueError(f"`num` has {num.shape[-1]} coefficients and `den` {den.shape[-1]}: the transfer "
                         f"function is improper (deg num > deg den); trim num's leading zeros or use a longer den")
    if num.shape[-1] < 1 or den.shape[-1] < 1:
        raise ValueError(f"`num` and `den` need at least one coefficient; got shapes {tuple(num.shape)} and {tuple(den.shape)}")
    num, den = xp.astype(num, dtype), xp.astype(den, dtype)
    if _xp.can_read_values(den) and bool(xp.any(den[..., 0] == 0)):
        raise ValueError("`den` has a zero leading coefficient (den[..., 0] == 0); drop the leading zeros "
                         "(and as many of num's, which must then be zero too)")
    if not mimo:
        num = num[..., None, None, :]
    _checks.broadcast_batch({"num": num.shape[:-3], "den": den.shape[:-1]})
    return xp, num, den


def _companion(xp, a, M):
    """(A, B) = (I_M (x) companion(a), I_M (x) e_1), a of shape (..., n)."""
    n = a.shape[-1]
    dev = _xp.common_device(a)
    if n == 0:
        return xp.zeros((0, 0), dtype=a.dtype, device=dev), xp.zeros((0, M), dtype=a.dtype, device=dev)
    shift = xp.eye(n - 1, n, dtype=a.dtype, device=dev)
    Ac = xp.concat([-a[..., None, :], xp.broadcast_to(shift, a.shape[:-1] + (n - 1, n))], axis=-2)
    eyeM = xp.eye(M, dtype=a.dtype, device=dev)
    A = eyeM[:, None, :, None] * Ac[..., None, :, None, :]  # (..., M, n, M, n)
    A = xp.reshape(A, A.shape[:-4] + (M * n, M * n))
    e1 = xp.astype(xp.arange(n, device=dev) == 0, a.dtype)
    B = xp.reshape(eyeM[:, None, :] * e1[None, :, None], (M * n, M))
    return A, B


# --------------------------------------------------------------------------- zero-pole-gain


@batched()
def to_zpk(sys):
    r"""Zero-pole-gain form ``(z, p, k)`` of each channel of a system.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, batched.

    Returns
    -------
    z : array, shape (..., P, M, N)
        Complex zeros of each SISO channel :math:`G_{ij}`, finite first, padded with ``inf``
        as in :func:`~lti_ops.zeros` (the roots of the numerator, cancelled or not: they are
        what ``scipy.signal.ss2zpk`` returns).
    p : array, shape (..., N)
        Complex poles (:meth:`poles`; for a Diagonal system its modes).
    k : array, shape (..., P, M)
        Gains: :math:`G_{ij}(s) = k_{ij}\prod_l (s - z_{ijl}) / \prod_n (s - p_n)`. Real for
        a real system. A channel with :math:`G_{ij} \equiv 0` has no zeros and k of rounding
        size.

    Raises
    ------
    TypeError
        If `sys` is not a StateSpace, Diagonal or DPLR.
    ValueError
        If `sys` has non-finite entries.

    Notes
    -----
    With d zeros in channel (i, j) its relative degree is r = N - d and
    :math:`k_{ij} = h_r` for the Markov parameters :math:`h_0 = D`,
    :math:`h_r = C A^{r-1} B` (the leading coefficient of the numerator). Tested against
    ``scipy.signal.ss2zpk`` and by the round trip ``to_zpk(from_zpk(z, p, k))``.

    References
    ----------
    .. [1] T. Kailath, *Linear Systems*, Prentice-Hall, 1980, sec. 6.5.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([-1.0, -2.0]), np.ones(2), np.array([1.0, 1.0]))
    >>> z, p, k = lti_ops.to_zpk(sys)                 # 2 (s + 1.5) / ((s + 1)(s + 2))
    >>> z[0, 0], k
    (array([-1.5+0.j,  inf+0.j]), array([[2.]]))
    """
    sys = _check_system(sys)
    dense = sys.to_dense()
    xp, N = dense.xp, dense.n_states
    A = dense.A[..., None, None, :, :]
    B = xp.matrix_transpose(dense.B)[..., None, :, :, None]  # (..., 1, M, N, 1)
    C = dense.C[..., :, None, None, :]  # (..., P, 1, 1, N)
    z = zeros(StateSpace(A, B, C, dense.D[..., None, None], dt=None))
    d = xp.sum(xp.astype(xp.isfinite(z), xp.int64), axis=-1)  # zeros per channel
    h = _markov(dense, N)  # (..., P, M, N+1)
    k = xp.take_along_axis(h, xp.broadcast_to(N - d, h.shape[:-1])[..., None], axis=-1)[..., 0]
    return z, sys.poles(), k


def _markov(sys, N):
    """h_0 = D, h_k = C A^{k-1} B for k <= N, shape (..., P, M, N+1): the formal Markov
    parameters (of the system read as discrete, whatever its time domain)."""
    formal = replace(sys, dt=1.0) if sys.dt is None else sys
    return markov_parameters(formal, N + 1, kernel="xp")


@batched(z=3, p=1, k=2)
def from_zpk(z, p, k, *, dt=None):
    r"""A state-space realization of the zero-pole-gain form ``(z, p, k)``.

    Parameters
    ----------
    z : array, shape (..., P, M, Nz)
        Zeros of each channel; ``inf`` entries are ignored (the padding of :func:`to_zpk`),
        so channel (i, j) has the finite entries of ``z[..., i, j, :]`` as zeros.
        ``Nz <= N``.
    p : array, shape (..., N)
        Poles, common to all channels.
    k : array, shape (..., P, M)
        Gains.
    dt : None or float, optional
        Sampling step of a discrete system; None for continuous time.

    Returns
    -------
    StateSpace
        :func:`from_transfer_function` (``mimo=True``) of
        :math:`n_{ij}(s) = k_{ij}\prod_l (s - z_{ijl})`, :math:`d(s) = \prod_n (s - p_n)`:
        N states for SISO, N M for M inputs. Real when `k` is real, which needs `z` (each
        channel) and `p` closed under complex conjugation; complex when `k` is complex.

    Raises
    ------
    ValueError
        If `z` has more entries per channel than `p` (``Nz > N``), a channel has more finite
        zeros than poles, `z` or `p` is not conjugate-closed for a real `k`, the shapes do not
        match, or `p`, `k` are not finite (NaN anywhere in `z`).
    TypeError
        If an argument is not a numeric array.

    Notes
    -----
    Tested: ``to_zpk(from_zpk(z, p, k))`` gives back (z, p, k) (SISO) and the transfer
    function of the result equals :math:`k\prod(s - z)/\prod(s - p)` at random points,
    as ``scipy.signal.zpk2ss`` does.

    References
    ----------
    .. [1] T. Kailath, *Linear Systems*, Prentice-Hall, 1980, sec. 6.5.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> z = np.array([[[-1.5, np.inf]]])
    >>> sys = lti_ops.from_zpk(z, np.array([-1.0, -2.0]), np.array([[2.0]]))
    >>> sys.A, sys.C
    (array([[-3., -2.],
           [ 1.,  0.]]), array([[2., 3.]]))
    """
    xp, z, p, k = _check_zpk(z, p, k)
    finite = xp.isfinite(z)
    zf = xp.where(finite, z, xp.zeros_like(z))
    factor = xp.astype(finite, z.dtype)
    num = _poly_factors(xp, factor, xp.where(finite, zf, -xp.ones_like(zf)))  # inf -> factor 1
    num = xp.astype(k, num.dtype)[..., None] * num
    den = poly(xp, p)
    if not _xp.is_complex(xp, k.dtype):
        magnitudes = xp.where(finite, xp.abs(z), xp.ones_like(xp.abs(z)))  # inf: the factor 0 s + 1
        num = _real_part(xp, num, xp.abs(k)[..., None] * _abs_poly(xp, factor, magnitudes), "z")
        den = _real_part(xp, den, _abs_poly(xp, xp.ones_like(p), xp.abs(p)), "p")
    return from_transfer_function(num, den, dt=dt, mimo=True)


def _check_zpk(z, p, k):
    xp = _xp.array_namespace(z, p, k, names="zpk")
    _checks.matrix("k", k, "(..., P, M)")
    _checks.vector("p", p, "(..., N)")
    if getattr(z, "ndim", 0) < 3:
        raise ValueError(f"`z` must have shape (..., P, M, Nz); got {tuple(getattr(z, 'shape', ()))}")
    dtype = _xp.floating_dtype(xp, z, p, k, names="zpk")
    ctype = _xp.complex_dtype(xp, dtype)
    _checks.all_finite(p=p, k=k)
    if _xp.is_concrete(z) and bool(xp.any(xp.isnan(z))):
        raise ValueError("`z` must not contain NaN (inf entries mark missing zeros)")
    if z.shape[-3:-1] != k.shape[-2:]:
        raise ValueError(f"`z` has shape {tuple(z.shape)} and `k` {tuple(k.shape)}: z[..., P, M, :] must match k's (P, M)")
    if z.shape[-1] > p.shape[-1]:
        raise ValueError(f"`z` has {z.shape[-1]} entries per channel and `p` {p.shape[-1]} poles: at most as many zeros as poles")
    _checks.broadcast_batch({"z": z.shape[:-3], "p": p.shape[:-1], "k": k.shape[:-2]})
    kdtype = ctype if _xp.is_complex(xp, _xp.floating_dtype(xp, k, names="k")) else _xp.real_dtype(xp, dtype)
    return xp, xp.astype(z, ctype), xp.astype(p, ctype), xp.astype(k, kdtype)


def _abs_poly(xp, a, mags):
    """Coefficients of prod (a s + |root|): each the sum of |terms| of the polynomial's."""
    return xp.abs(_poly_factors(xp, a, -xp.astype(mags, a.dtype)))


def _real_part(xp, coef, bound, name):
    """Real part of polynomial coefficients that must be real (conjugate-closed roots);
    ``ValueError`` naming `name` if an imaginary part exceeds rounding (``bound``: sums of
    the absolute terms of each coefficient)."""
    n = coef.shape[-1]
    if _xp.can_read_values(coef) and bool(xp.any(xp.abs(xp.imag(coef)) > 10 * n * _xp.eps(xp, coef.dtype) * bound)):
        raise ValueError(f"`{name}` must be closed under complex conjugation (each channel) when `k` is "
                         f"real, so that the system is real; pass a complex `k` for a complex system")
    return xp.real(coef)
