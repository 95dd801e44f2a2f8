"""Continuous <-> discrete conversion of state-space systems.

Two families of conventions, both named, never mixed:

* **control** (``scipy.signal.cont2discrete`` semantics, the whole (A, B, C, D) map):
  ``zoh``, ``foh``, ``impulse``, ``euler``, ``backward_euler``, ``bilinear`` (= ``gbt`` with
  alpha = 1/2), ``gbt`` (any alpha in [0, 1]), and ``tustin``, the *balanced* Tustin
  realization of the same transfer function as ``bilinear``;
* **ML** (S4/S4D/S5: only (A, B) are mapped, C and D are kept): ``zoh`` (already of this
  form) and ``s4_bilinear``.

The GBT family maps ``A -> Abar = (I - alpha dt A)^{-1} (I + (1 - alpha) dt A)`` and keeps the
structure of :class:`~lti_ops.Diagonal` and :class:`~lti_ops.DPLR` systems (the inverse of a
DPLR matrix is DPLR of the same rank, by Woodbury). Exponential methods keep ``Diagonal``
(closed form) and turn ``DPLR`` into a dense :class:`~lti_ops.StateSpace`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import replace

from . import _checks, _lowrank, _xp
from ._blockwise import batched
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["D2C_METHODS", "METHODS", "d2c", "discretize"]

# method -> (alpha, variant); alpha None means "given by the user" (gbt)
_GBT = {
    "euler": (0.0, "control"),
    "backward_euler": (1.0, "control"),
    "bilinear": (0.5, "control"),
    "gbt": (None, "control"),
    "tustin": (0.5, "balanced"),
    "s4_bilinear": (0.5, "ml"),
}
_EXPONENTIAL = ("zoh", "foh", "impulse")
METHODS = _EXPONENTIAL + tuple(_GBT)
D2C_METHODS = ("zoh",) + tuple(_GBT)


@batched(dt=0)
def discretize(sys, dt, method="zoh", *, alpha=None):
    r"""Discretize a continuous-time system with step `dt`.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous-time system (``sys.dt is None``).
    dt : float or array
        Positive sampling step; an array broadcasts over the batch axes (one step per
        channel, as S4 does) and takes part in dtype promotion.
    method : str, optional
        ``"zoh"`` (default), ``"foh"``, ``"impulse"``, ``"euler"``, ``"backward_euler"``,
        ``"bilinear"``, ``"gbt"``, ``"tustin"`` or ``"s4_bilinear"``; see Notes.
    alpha : float, optional
        The GBT parameter in [0, 1]; required for, and only accepted with, ``"gbt"``.

    Returns
    -------
    StateSpace, Diagonal or DPLR
        Discrete system with ``dt`` set. Same container type as `sys`, except ``DPLR`` with
        ``zoh``/``foh``/``impulse``, which gives a dense ``StateSpace``. Same namespace,
        device and (promoted) dtype; ``conj_sym`` is kept.

    Raises
    ------
    TypeError
        If `sys` is not a system container, or `dt`/`alpha` have a wrong type.
    ValueError
        If `sys` is discrete, `dt` is not positive and finite or does not broadcast with the
        batch, `method` is unknown, `alpha` is missing, out of [0, 1] or given for another
        method, or ``impulse`` is asked of a system with nonzero D.

    Notes
    -----
    With :math:`E = I - \alpha \Delta A` (GBT family):

    * ``gbt``: :math:`\bar A = E^{-1}(I + (1-\alpha)\Delta A)`,
      :math:`\bar B = \Delta E^{-1} B`, :math:`\bar C = C E^{-1}`,
      :math:`\bar D = D + \alpha C \bar B`; ``euler``, ``bilinear`` and ``backward_euler``
      are alpha = 0, 1/2 and 1 (``scipy.signal.cont2discrete`` agrees on all).
    * ``tustin``: alpha = 1/2 with :math:`\bar B = \sqrt\Delta E^{-1}B`,
      :math:`\bar C = \sqrt\Delta C E^{-1}`, same :math:`\bar D` as ``bilinear``: the
      balanced realization. Both give :math:`G_d(z) = G_c(\tfrac{2}{\Delta}\tfrac{z-1}{z+1})`
      and preserve Hankel singular values. (SciPy's ``"tustin"`` is an alias of its
      ``"bilinear"``; ours is not.)
    * ``s4_bilinear``: :math:`\bar A` as bilinear, :math:`\bar B = \Delta E^{-1}B`, C and D
      kept (S4's convention; not transfer-function preserving).
    * ``zoh``: :math:`\exp(\Delta [[A, B], [0, 0]]) = [[\bar A, \bar B], [0, I]]` (Van Loan;
      singular A is fine); diagonal: :math:`\bar\lambda = e^{\Delta\lambda}`,
      :math:`\bar B = \Delta\varphi_1(\Delta\lambda) B`, with
      :math:`\varphi_1(x) = (e^x - 1)/x` and its limit 1 at x = 0.
    * ``foh``: the triangle-hold block exponential of SciPy; diagonal closed form with
      :math:`\varphi_2(x) = (e^x - 1 - x)/x^2`.
    * ``impulse``: :math:`\bar A = e^{\Delta A}`, :math:`\bar B = \Delta \bar A B`,
      :math:`\bar D = \Delta C B` (needs D = 0).

    Identities checked in ``tests/test_discretize.py``: eigenvalue maps
    :math:`e^{\Delta\lambda}` and :math:`(1+\Delta\lambda/2)/(1-\Delta\lambda/2)`, stability
    preservation, ZOH exactness for piecewise-constant input, the ZOH semigroup law
    :math:`\bar A(2\Delta) = \bar A(\Delta)^2`, :math:`\bar B(2\Delta) = (\bar A(\Delta)+I)\bar B(\Delta)`,
    dense/diagonal/DPLR commutation, GBT special cases, ``tustin`` and ``bilinear`` transfer
    functions, ``d2c`` round trips, batch = loop, and agreement with SciPy.

    References
    ----------
    .. [1] C. F. Van Loan, "Computing integrals involving the matrix exponential", IEEE
       Trans. Automatic Control 23(3):395-404, 1978.
    .. [2] G. Zhang, X. Chen, T. Chen, "Digital redesign via the generalized bilinear
       transformation", Int. J. Control 82(4):741-754, 2009.
    .. [3] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022 (the S4 bilinear discretization).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0]]), np.array([[1.0]]), np.array([[1.0]]))
    >>> d = lti_ops.discretize(sys, 0.1)
    >>> print(np.round(d.A[0, 0], 6), np.round(d.B[0, 0], 6))
    0.904837 0.095163
    """
    _check_system("sys", sys)
    _checks.same_time_domain("sys", sys, continuous=True)
    method = _checks.choice("method", method, METHODS)
    alpha = _alpha(method, alpha)
    sys, dt = _with_step(sys, _checks.sampling_time(dt, allow_none=False))
    if method in _GBT:
        return _GBT_FORWARD[type(sys)](sys, dt, alpha, _GBT[method][1])
    if isinstance(sys, Diagonal):
        return _diagonal_exponential(sys, dt, method)
    return _dense_exponential(sys.to_dense(), dt, method)


@batched()
def d2c(sys, method="zoh", *, alpha=None):
    r"""Continuous-time system whose discretization by `method` is `sys`.

    The inverse of :func:`discretize` for ``zoh`` and the GBT family (``euler``,
    ``backward_euler``, ``bilinear``, ``gbt``, ``tustin``, ``s4_bilinear``), with the step
    ``sys.dt``. ``foh`` and ``impulse`` have no inverse here (``NotImplementedError``).

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Discrete-time system.
    method : str, optional
        Default ``"zoh"``.
    alpha : float, optional
        For ``"gbt"`` only.

    Returns
    -------
    StateSpace, Diagonal or DPLR
        Continuous system (``dt=None``); same container type, except ``DPLR`` with ``zoh``,
        which gives a dense ``StateSpace``.

    Raises
    ------
    ValueError
        If `sys` is continuous, the method is unknown, or no continuous system maps to
        `sys` (a real system with poles on the closed negative real axis for ``zoh``; a pole
        at :math:`-(1-\alpha)/\alpha` for the GBT family).
    NotImplementedError
        For ``foh`` and ``impulse``.

    Notes
    -----
    ``zoh``: :math:`[[A, B], [0, 0]] = \log([[\bar A, \bar B], [0, I]]) / \Delta` with the
    principal matrix logarithm; diagonal: :math:`\lambda = \log(\bar\lambda)/\Delta`,
    :math:`B = \bar B / (\Delta\varphi_1(\Delta\lambda))`.
    GBT: with :math:`F = (1-\alpha)I + \alpha\bar A = (I - \alpha\Delta A)^{-1}`,
    :math:`A = F^{-1}(\bar A - I)/\Delta`, :math:`B = F^{-1}\bar B/\Delta`,
    :math:`C = \bar C F^{-1}`, :math:`D = \bar D - \alpha C \bar B` (rescaled by
    :math:`\sqrt\Delta` for ``tustin``; C, D kept for ``s4_bilinear``).
    The tests check ``d2c(discretize(sys, dt, m), m) == sys``.

    References
    ----------
    .. [1] G. F. Franklin, J. D. Powell, M. L. Workman, *Digital Control of Dynamic
       Systems*, 3rd ed., Addison-Wesley, 1998, ch. 6.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0]]), np.array([[1.0]]), np.array([[1.0]]))
    >>> back = lti_ops.d2c(lti_ops.discretize(sys, 0.1, "tustin"), "tustin")
    >>> print(np.round(back.A[0, 0], 12), np.round(back.B[0, 0], 12))
    -1.0 1.0
    """
    _check_system("sys", sys)
    _checks.same_time_domain("sys", sys, continuous=False)
    sys = _with_own_step(sys)
    if method in ("foh", "impulse"):
        msg = f"d2c has no inverse for method={method!r}; it supports {list(D2C_METHODS)}"
        raise NotImplementedError(msg)
    method = _checks.choice("method", method, D2C_METHODS)
    alpha = _alpha(method, alpha)
    if method in _GBT:
        return _GBT_INVERSE[type(sys)](sys, alpha, _GBT[method][1])
    if isinstance(sys, Diagonal):
        return _diagonal_log(sys)
    return _dense_log(sys.to_dense())


# --------------------------------------------------------------------------- arguments


def _check_system(name, sys):
    if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
        msg = f"`{name}` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
        raise TypeError(msg)


def _alpha(method, alpha):
    if method != "gbt":
        if alpha is not None:
            msg = f"`alpha` applies to method='gbt' only; got alpha={alpha!r} with {method!r}"
            raise ValueError(msg)
        return _GBT[method][0] if method in _GBT else None
    if alpha is None:
        msg = "method='gbt' needs `alpha`, a number in [0, 1]; got None"
        raise ValueError(msg)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        msg = f"`alpha` must be a real number in [0, 1]; got {alpha!r}"
        raise TypeError(msg)
    if not 0 <= alpha <= 1:
        msg = f"`alpha` must be in [0, 1]; got {alpha!r}"
        raise ValueError(msg)
    return float(alpha)


def _with_step(sys, dt):
    """Promote `sys` and an array `dt` to a common dtype; check dt broadcasts over batch.

    An integer `dt` array joins the system's precision; a floating one takes part in
    promotion (a float64 `dt` makes a float32 system float64).
    """
    if not hasattr(dt, "shape"):
        return sys, dt
    arrays = sys._arrays()
    names = tuple(sys._CORE) + ("dt",)
    xp = _xp.array_namespace(*arrays, dt, names=names)
    _checks.broadcast_batch({"sys": sys.batch_shape, "dt": tuple(dt.shape)})
    dtype = xp.result_type(sys.dtype, _xp.floating_dtype(xp, *arrays, dt, names=names))
    if dtype != sys.dtype:
        sys = _astype(xp, sys, dtype)
    return sys, xp.astype(dt, _xp.real_dtype(xp, dtype))


def _with_own_step(sys):
    """`sys` promoted with its own array ``dt`` (see :func:`_with_step`)."""
    promoted, dt = _with_step(sys, sys.dt)
    return promoted if dt is sys.dt else replace(promoted, dt=dt)


def _astype(xp, sys, dtype):
    fields = {name: xp.astype(getattr(sys, name), dtype) for name in sys._CORE}
    if getattr(sys, "conj_sym", False):
        fields["D"] = xp.astype(sys.D, _xp.real_dtype(xp, dtype))
    return replace(sys, **fields)


def _expand(dt, k):
    """`dt` with `k` trailing unit axes (numbers pass through)."""
    return dt[(...,) + (None,) * k] if hasattr(dt, "shape") else dt


def _sqrt(xp, dt):
    return xp.sqrt(dt) if hasattr(dt, "shape") else math.sqrt(dt)


# --------------------------------------------------------------------------- GBT family


def _gbt_io(xp, variant, alpha, dt, sys, einv_b, c_einv):
    """(Bbar, Cbar, Dbar) from ``E^{-1} B`` and ``C E^{-1}`` for each variant."""
    dt2 = _expand(dt, 2)
    if variant == "ml":
        return dt2 * einv_b, sys.C, sys.D
    cs = getattr(sys, "conj_sym", False)
    D = sys.D + alpha * dt2 * _lowrank.output_product(xp, sys.C, einv_b, cs)
    if variant == "balanced":
        root = _expand(_sqrt(xp, dt), 2)
        return root * einv_b, root * c_einv, D
    return dt2 * einv_b, c_einv, D


def _gbt_io_inverse(xp, variant, alpha, dt, sys, finv_b, c_finv):
    """(B, C, D) from ``F^{-1} Bbar`` and ``Cbar F^{-1}``; inverse of :func:`_gbt_io`."""
    dt2 = _expand(dt, 2)
    if variant == "ml":
        return finv_b / dt2, sys.C, sys.D
    cs = getattr(sys, "conj_sym", False)
    if variant == "balanced":
        root = _expand(_sqrt(xp, dt), 2)
        B, C = finv_b / root, c_finv / root
        D = sys.D - alpha * _lowrank.output_product(xp, C, sys.B * root, cs)
        return B, C, D
    B, C = finv_b / dt2, c_finv
    return B, C, sys.D - alpha * _lowrank.output_product(xp, C, sys.B, cs)


def _dense_gbt(sys, dt, alpha, variant):
    # E = I - alpha dt A;  Abar = E^{-1} (I + (1 - alpha) dt A) = I + dt E^{-1} A
    xp, dt2, msg = sys.xp, _expand(dt, 2), _forward_pole_msg(alpha)
    A, B, _ = _broadcast_ab(xp, sys, dt)
    N = sys.n_states
    E = _eye(xp, (), N, A) - alpha * dt2 * A
    _require(xp, _xp.is_singular(E, scale=alpha * dt2 * A), msg)  # LAPACK misses a rounded pole
    X, c_einv = _xp.solve_both(E, xp.concat([A, B], axis=-1), sys.C, singular_msg=msg)
    abar = _eye(xp, (), N, A) + dt2 * X[..., :N]
    B, C, D = _gbt_io(xp, variant, alpha, dt, sys, X[..., N:], c_einv)
    return StateSpace(abar, B, C, D, dt=dt)


def _dense_gbt_inverse(sys, alpha, variant):
    # F = (1 - alpha) I + alpha Abar = E^{-1};  A = F^{-1} (Abar - I) / dt
    xp, dt, msg = sys.xp, sys.dt, _inverse_pole_msg(alpha)
    abar, bbar, _ = _broadcast_ab(xp, sys, dt)
    eye = _eye(xp, (), sys.n_states, abar)
    F = (1 - alpha) * eye + alpha * abar
    X, c_finv = _xp.solve_both(F, xp.concat([abar - eye, bbar], axis=-1), sys.C, singular_msg=msg)
    N = sys.n_states
    B, C, D = _gbt_io_inverse(xp, variant, alpha, dt, sys, X[..., N:], c_finv)
    return StateSpace(X[..., :N] / _expand(dt, 2), B, C, D)


def _diagonal_gbt(sys, dt, alpha, variant):
    xp, lam, dt1 = sys.xp, sys.lam, _expand(dt, 1)
    e = 1 - alpha * dt1 * lam
    _require(xp, _xp.near_zero(e), _forward_pole_msg(alpha))
    abar = (1 + (1 - alpha) * dt1 * lam) / e
    einv_b = sys.B / e[..., :, None]
    c_einv = sys.C / e[..., None, :]
    B, C, D = _gbt_io(xp, variant, alpha, dt, sys, einv_b, c_einv)
    return Diagonal(abar, B, C, D, dt=dt, conj_sym=sys.conj_sym)


def _diagonal_gbt_inverse(sys, alpha, variant):
    xp, lbar, dt = sys.xp, sys.lam, sys.dt
    f = (1 - alpha) + alpha * lbar
    _require(xp, _xp.near_zero(f), _inverse_pole_msg(alpha))
    lam = (lbar - 1) / (_expand(dt, 1) * f)
    finv_b = sys.B / f[..., :, None]
    c_finv = sys.C / f[..., None, :]
    B, C, D = _gbt_io_inverse(xp, variant, alpha, dt, sys, finv_b, c_finv)
    return Diagonal(lam, B, C, D, conj_sym=sys.conj_sym)


def _forward_pole_msg(alpha):
    return (
        f"`sys` has a pole at s = 1/(alpha*dt) (alpha={alpha:g}), where the GBT is "
        "singular: I - alpha*dt*A is not invertible"
    )


def _inverse_pole_msg(alpha):
    where = f"{-(1 - alpha) / alpha:g}" if alpha else "infinity"
    return (
        f"`sys` has a pole at z = {where}, which no continuous system maps to under the "
        f"GBT with alpha={alpha:g}: (1-alpha)*I + alpha*A is not invertible"
    )


def _require(xp, singular, msg):
    if _xp.can_read_values(singular) and bool(xp.any(singular)):
        raise ValueError(msg)


def _dplr_gbt(sys, dt, alpha, variant):
    # E = I - alpha dt A = diag(1 - alpha dt lam) - s P Q^H with s = -alpha dt, and
    # Abar = E^{-1} (I + (1 - alpha) dt A) = diag(lbar) - dt P2 Q2^H (no division by alpha).
    xp, cs = sys.xp, sys.conj_sym
    dt1, dt2 = _expand(dt, 1), _expand(dt, 2)
    einv, P2, Q2 = _lowrank.inverse(
        xp, 1 - alpha * dt1 * sys.lam, sys.P, sys.Q, -alpha * dt2, cs,
        singular_msg=_forward_pole_msg(alpha),
    )
    lbar = (1 + (1 - alpha) * dt1 * sys.lam) * einv
    einv_P = alpha * dt2 * P2  # E^{-1} = diag(einv) - einv_P Q2^H
    einv_b = _lowrank.apply(xp, einv, einv_P, Q2, sys.B, cs)
    c_einv = _lowrank.rapply(xp, sys.C, einv, einv_P, Q2, cs)
    B, C, D = _gbt_io(xp, variant, alpha, dt, sys, einv_b, c_einv)
    return DPLR(lbar, dt2 * P2, Q2, B, C, D, dt=dt, conj_sym=cs)


def _dplr_gbt_inverse(sys, alpha, variant):
    # F = (1 - alpha) I + alpha Abar = diag(f) - alpha Pbar Qbar^H = (I - alpha dt A)^{-1},
    # A = (I - F^{-1}) / (alpha dt) = diag((lbar - 1) / (f dt)) - (P2 / dt) Q2^H.
    xp, cs, dt = sys.xp, sys.conj_sym, sys.dt
    dt1, dt2 = _expand(dt, 1), _expand(dt, 2)
    f = (1 - alpha) + alpha * sys.lam
    finv, P2, Q2 = _lowrank.inverse(
        xp, f, sys.P, sys.Q, alpha, cs, singular_msg=_inverse_pole_msg(alpha)
    )
    finv_b = _lowrank.apply(xp, finv, -alpha * P2, Q2, sys.B, cs)
    c_finv = _lowrank.rapply(xp, sys.C, finv, -alpha * P2, Q2, cs)
    B, C, D = _gbt_io_inverse(xp, variant, alpha, dt, sys, finv_b, c_finv)
    return DPLR((sys.lam - 1) * finv / dt1, P2 / dt2, Q2, B, C, D, conj_sym=cs)


_GBT_FORWARD = {StateSpace: _dense_gbt, Diagonal: _diagonal_gbt, DPLR: _dplr_gbt}
_GBT_INVERSE = {StateSpace: _dense_gbt_inverse, Diagonal: _diagonal_gbt_inverse, DPLR: _dplr_gbt_inverse}


# --------------------------------------------------------------------------- exponential family


def _phi(xp, x, k):
    r""":math:`\varphi_k(x) = \sum_{j\ge0} x^j/(j+k)!` for k = 1, 2, elementwise.

    Closed forms :math:`(e^x-1)/x` and :math:`(\varphi_1(x)-1)/x` for :math:`|x| \ge 0.1`;
    the Taylor series to degree 9 (truncation below 1e-17) inside, so x = 0 is exact.
    """
    small = xp.abs(x) < 0.1
    safe = xp.where(small, xp.ones_like(x), x)
    closed = xp.expm1(safe) / safe
    if k == 2:
        closed = (closed - 1) / safe
    series = xp.zeros_like(x) + 1 / math.factorial(9 + k)
    for j in range(8, -1, -1):
        series = series * x + 1 / math.factorial(j + k)
    return xp.where(small, series, closed)


def _require_strictly_proper(xp, sys):
    if not bool(xp.all(sys.D == 0)):
        msg = "method='impulse' needs a strictly proper system (D = 0); `sys.D` is nonzero"
        raise ValueError(msg)


def _diagonal_exponential(sys, dt, method):
    xp, cs = sys.xp, sys.conj_sym
    dt1, dt2 = _expand(dt, 1), _expand(dt, 2)
    x = dt1 * sys.lam
    lbar, D = xp.exp(x), sys.D
    if method == "zoh":
        B = (dt1 * _phi(xp, x, 1))[..., None] * sys.B
    elif method == "foh":
        p1, p2 = _phi(xp, x, 1), _phi(xp, x, 2)
        B = (dt1 * (p1 - p2 + lbar * p2))[..., None] * sys.B
        D = D + dt2 * _lowrank.output_product(xp, sys.C, p2[..., None] * sys.B, cs)
    else:
        _require_strictly_proper(xp, sys)
        B = (dt1 * lbar)[..., None] * sys.B
        D = dt2 * _lowrank.output_product(xp, sys.C, sys.B, cs)
    return Diagonal(lbar, B, sys.C, D, dt=dt, conj_sym=cs)


def _broadcast_ab(xp, sys, dt):
    batch = _checks.broadcast_batch(
        {"A": sys.A.shape[:-2], "B": sys.B.shape[:-2], "dt": getattr(dt, "shape", ())}
    )
    N, M = sys.n_states, sys.n_inputs
    return xp.broadcast_to(sys.A, batch + (N, N)), xp.broadcast_to(sys.B, batch + (N, M)), batch


def _zeros(xp, shape, like):
    return xp.zeros(shape, dtype=like.dtype, device=_xp.common_device(like))


def _eye(xp, batch, n, like):
    eye = xp.eye(n, dtype=like.dtype, device=_xp.common_device(like))
    return xp.broadcast_to(eye, batch + (n, n))


def _dense_exponential(sys, dt, method):
    xp, dt2 = sys.xp, _expand(dt, 2)
    if method == "impulse":
        _require_strictly_proper(xp, sys)
        abar = _xp.expm(dt2 * sys.A)
        bbar, dbar = dt2 * xp.matmul(abar, sys.B), dt2 * xp.matmul(sys.C, sys.B)
        return StateSpace(abar, bbar, sys.C, dbar, dt=dt)
    A, B, batch = _broadcast_ab(xp, sys, dt)
    N, M = sys.n_states, sys.n_inputs
    if method == "zoh":
        block = xp.concat([xp.concat([A, B], axis=-1), _zeros(xp, batch + (M, N + M), A)], axis=-2)
        ms = _xp.expm(dt2 * block)
        return StateSpace(ms[..., :N, :N], ms[..., :N, N:], sys.C, sys.D, dt=dt)
    top = xp.concat([dt2 * A, dt2 * B, _zeros(xp, batch + (N, M), A)], axis=-1)
    middle = xp.concat([_zeros(xp, batch + (M, N + M), A), _eye(xp, batch, M, A)], axis=-1)
    ms = _xp.expm(xp.concat([top, middle, _zeros(xp, batch + (M, N + 2 * M), A)], axis=-2))
    ms11, ms12, ms13 = ms[..., :N, :N], ms[..., :N, N : N + M], ms[..., :N, N + M :]
    bbar = ms12 - ms13 + xp.matmul(ms11, ms13)
    return StateSpace(ms11, bbar, sys.C, sys.D + xp.matmul(sys.C, ms13), dt=dt)


_ZOH_ZERO_POLE = (
    "`sys` has a pole at z = 0 (its A is singular), which no continuous system maps to "
    "under ZOH (exp never vanishes)"
)


def _diagonal_log(sys):
    xp, lbar, dt = sys.xp, sys.lam, sys.dt
    _require(xp, lbar == 0, _ZOH_ZERO_POLE)
    if not _xp.is_complex(xp, lbar.dtype) and not bool(xp.all(lbar > 0)):
        msg = (
            "`sys` is real with a pole on the closed negative real axis: it has no real "
            "continuous-time ZOH equivalent (make lam complex to take the principal log)"
        )
        raise ValueError(msg)
    x = xp.log(lbar)
    dt1 = _expand(dt, 1)
    B = sys.B / (dt1 * _phi(xp, x, 1))[..., None]
    return Diagonal(x / dt1, B, sys.C, sys.D, conj_sym=sys.conj_sym)


def _dense_log(sys):
    xp, dt = sys.xp, sys.dt
    _require(xp, _xp.is_singular(sys.A), _ZOH_ZERO_POLE)
    A, B, batch = _broadcast_ab(xp, sys, dt)
    N, M = sys.n_states, sys.n_inputs
    bottom = xp.concat([_zeros(xp, batch + (M, N), A), _eye(xp, batch, M, A)], axis=-1)
    block = xp.concat([xp.concat([A, B], axis=-1), bottom], axis=-2)
    log = _xp.logm(block) / _expand(dt, 2)
    return StateSpace(log[..., :N, :N], log[..., :N, N:], sys.C, sys.D)
