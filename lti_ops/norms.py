r"""System norms: Hankel, H2, H-infinity and L-infinity.

* :func:`hankel_norm` is :math:`\sigma_1`, the largest Hankel singular value.
* :func:`h2_norm` by the Gramian, :math:`\|G\|_2^2 = \operatorname{tr}(C P C^H) + \|D\|_F^2`,
  or by Parseval on the unit circle (the imaginary axis through a Möbius map).
* :func:`hinf_norm` (stable systems) and :func:`linf_norm` (any system; ``inf`` with a pole
  on the boundary) by the Boyd-Balakrishnan / Bruinsma-Steinbuch iteration on the
  Hamiltonian matrix (dense systems), or a pole-aware grid refined around its peaks: one
  engine, in :mod:`lti_ops._peak`, which also locates the peak's frequency.

Inequalities checked by the tests (papers.md §1.6, §4 items 17-18):
:math:`\sigma_1 \le \|G\|_\infty \le \|D\| + 2\sum_i \sigma_i`.
"""

from __future__ import annotations

import math

from . import _checks, _lyapunov, _peak, _xp
from ._blockwise import batched
from .hankel import _check_system, _frequency_scale, hankel_singular_values
from .systems import DPLR, Diagonal
from .transfer import transfer_function

__all__ = ["h2_norm", "hankel_norm", "hinf_norm", "linf_norm"]

H2_METHODS = ("gramian", "parseval")
MAX_SAMPLES = 1 << 20


@batched()
def hankel_norm(sys):
    r"""The Hankel norm :math:`\|G\|_H = \sigma_1` of a stable system.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Asymptotically stable, continuous or discrete, batched.

    Returns
    -------
    array, shape (...)
        Real, of the system's precision.

    Raises
    ------
    ValueError
        If the system is not asymptotically stable.

    Notes
    -----
    The norm of the Hankel operator (past inputs to future outputs), from the Gramians as in
    :func:`~lti_ops.hankel_singular_values`. Tested: :math:`\sigma_1 \le \|G\|_\infty`.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    >>> round(float(lti_ops.hankel_norm(sys)), 6)             # 1 / (1 - 0.5**2)
    1.333333
    """
    sv = hankel_singular_values(sys)
    xp = sys.xp
    if not sv.shape[-1]:
        return xp.zeros(sv.shape[:-1], dtype=sv.dtype, device=_xp.common_device(sv))
    return sv[..., 0]


# --------------------------------------------------------------------------- H2


@batched()
def h2_norm(sys, *, method="gramian", rtol=None):
    r"""The H2 norm of a stable system.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Asymptotically stable, continuous or discrete, batched.
    method : {"gramian", "parseval"}, optional
        ``"gramian"``: :math:`\sqrt{\operatorname{tr}(C P C^H) + \|D\|_F^2}` (discrete),
        :math:`\sqrt{\operatorname{tr}(C P C^H)}` (continuous). ``"parseval"``: the mean of
        :math:`\|G\|_F^2` over L points of the unit circle (discrete: the L-th roots of
        unity; continuous: the midpoints :math:`\theta_j`, mapped to
        :math:`i q \tan(\theta_j / 2)`), L doubled from 256 until two successive values
        agree to `rtol`.
    rtol : float, optional
        Convergence tolerance of ``"parseval"``; default ``sqrt(eps)`` of the dtype.

    Returns
    -------
    array, shape (...)
        Real. ``inf`` for a continuous system with nonzero D (G is not square integrable).

    Raises
    ------
    ValueError
        If `method` is unknown, the system is unstable, or ``"parseval"`` does not converge
        with :math:`2^{20}` points.

    Notes
    -----
    Discrete: :math:`\|G\|_2^2 = \sum_k \|h_k\|_F^2 = \frac{1}{2\pi}\int\|G(e^{i\theta})\|_F^2 d\theta
    = \operatorname{tr}(C P C^H) + \|D\|_F^2` (papers.md §1.6). On L roots of unity the
    mean equals :math:`\sum_{k<L}\|\tilde h_k\|_F^2` of the aliased kernel, so it converges
    like :math:`\rho^L`. Continuous: with :math:`\omega = q\tan(\theta/2)`,
    :math:`\|G\|_2^2 = \frac{1}{2\pi}\int_{-\pi}^{\pi}\|G(i\omega)\|_F^2
    \frac{q}{2}\sec^2(\theta/2)\,d\theta`, whose integrand is smooth and periodic when
    D = 0, so the midpoint rule converges geometrically. Tested three ways against
    :math:`\sum_k \|h_k\|^2` of the Markov parameters.

    References
    ----------
    .. [1] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 4.4.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    >>> round(float(lti_ops.h2_norm(sys)) ** 2, 6)              # sum of 0.25**k
    1.333333
    """
    sys = _check_system(sys)
    method = _checks.choice("method", method, H2_METHODS)
    xp = sys.xp
    if method == "gramian":
        value = _h2_gramian(sys)
    else:
        value = _h2_parseval(sys, rtol)
    if not sys.is_discrete:
        nonzero_d = xp.any(xp.abs(sys.D) > 0, axis=(-2, -1))
        value = xp.where(nonzero_d, xp.full_like(value, math.inf), value)
    return value


def _h2_gramian(sys):
    xp = sys.xp
    P, _ = _lyapunov.gramians(sys)
    C = sys.to_dense().C if isinstance(sys, (Diagonal, DPLR)) else sys.C
    C = xp.astype(C, P.dtype) if C.dtype != P.dtype else C
    CP = xp.matmul(C, P)
    total = xp.real(xp.sum(CP * xp.conj(C), axis=(-2, -1))) if _xp.is_complex(xp, CP.dtype) else xp.sum(CP * C, axis=(-2, -1))
    if sys.is_discrete:
        total = total + xp.sum(xp.abs(sys.D) ** 2, axis=(-2, -1))
    total = xp.where(total > 0, total, xp.zeros_like(total))
    return xp.sqrt(xp.broadcast_to(total, sys.batch_shape))


def _h2_parseval(sys, rtol):
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    rtol = math.sqrt(_xp.eps(xp, real)) if rtol is None else _checks.real_number("rtol", rtol, minimum=0.0)
    _lyapunov.require_stable(sys, "this norm")
    q = None if sys.is_discrete else _frequency_scale(sys)
    previous, L = None, 256
    while L <= MAX_SAMPLES:
        value = _parseval_mean(xp, sys, L, q, real)
        if previous is not None and bool(xp.all(xp.abs(value - previous) <= rtol * value)):
            return xp.sqrt(value)
        previous, L = value, 2 * L
    raise ValueError(f"h2_norm(method='parseval') did not converge to rtol={rtol} with {MAX_SAMPLES} points")


def _parseval_mean(xp, sys, L, q, real):
    dev = _xp.common_device(sys.lam if hasattr(sys, "lam") else sys.A)
    j = xp.astype(xp.arange(L, device=dev), real)
    if sys.is_discrete:
        theta = 2 * math.pi * j / L
        weight = xp.ones_like(theta)
        points = xp.exp(1j * xp.astype(theta, _xp.complex_dtype(xp, real)))
    else:
        theta = -math.pi + (2 * j + 1) * math.pi / L
        t = xp.tan(theta / 2)
        qq = q[..., None] if hasattr(q, "shape") else q
        weight = (qq / 2) * (1 + t**2)
        points = 1j * xp.astype(qq * t, _xp.complex_dtype(xp, real))
    G = transfer_function(sys, points)
    if not sys.is_discrete:
        G = G - xp.astype(sys.D, G.dtype)[..., None]  # D != 0 is reported as inf by the caller
    power = xp.sum(xp.abs(G) ** 2, axis=(-3, -2))
    return xp.broadcast_to(xp.mean(power * weight, axis=-1), sys.batch_shape)


# --------------------------------------------------------------------------- H-infinity and L-infinity


@batched()
def hinf_norm(sys, *, method="auto", rtol=1e-8, return_frequency=False):
    r"""The H-infinity norm :math:`\sup \sigma_{\max}(G)` on the stability boundary.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Asymptotically stable, continuous or discrete, batched.
    method : {"auto", "hamiltonian", "grid"}, optional
        ``"hamiltonian"``: the Boyd-Balakrishnan / Bruinsma-Steinbuch level-set iteration on
        the Hamiltonian matrix (dense form; discrete systems through the balanced Tustin map,
        which preserves the norm); it needs the namespace's ``linalg.eigvals``.
        ``"grid"``: :math:`\sigma_{\max}` on a pole-aware grid, refined around its peaks.
        ``"auto"`` (default) takes ``"hamiltonian"`` for ``StateSpace`` input when the
        namespace has an eigensolver, ``"grid"`` otherwise.
    rtol : float, optional
        Relative accuracy, in (0, 0.1]; at least 8 eps of the system's precision is used.
    return_frequency : bool, optional
        Also return the peak's angular frequency.

    Returns
    -------
    norm : array, shape (...)
        Real, of the system's precision.
    omega : array, shape (...)
        Only with `return_frequency`: the angular frequency ω of the peak, in radians per time
        unit, so that :math:`\sigma_{\max}(G(i\omega))` (continuous) or
        :math:`\sigma_{\max}(G(e^{i\omega\,dt}))` (discrete, :math:`|\omega| \le \pi/dt`) is
        the norm, as :func:`~lti_ops.frequency_response` evaluates it and as python-control's
        ``linfnorm`` reports it. Non-negative for a real system (real dtype, or a
        ``conj_sym`` one: its gain is even in ω); signed for a complex one. The gain there
        is the norm to rounding; the position of a smooth peak is known only to about
        :math:`\sqrt{\mathrm{rtol}}` relative to its width (pass a small `rtol` to pin it). ``inf`` for a continuous system whose supremum is only
        approached as :math:`\omega\to\infty` (the norm is then :math:`\|D\|`, as
        python-control reports it); 0 for a system without states.

    Raises
    ------
    ValueError
        If `method` or `rtol` is invalid, or the system is not asymptotically stable
        (:func:`linf_norm` takes unstable systems).
    TypeError
        If `return_frequency` is not a bool, or `sys` is not a system.
    NotImplementedError
        For ``"hamiltonian"`` on a namespace without ``linalg.eigvals``.

    Notes
    -----
    ``"hamiltonian"`` carries a guarantee: the result γ is a value of
    :math:`\sigma_{\max}(G)` at some frequency, and the Hamiltonian
    :math:`M_{\gamma'}` at :math:`\gamma' = (1 + 2\,\mathrm{rtol})\gamma` has no
    imaginary eigenvalue, so :math:`\gamma \le \|G\|_\infty \le (1 + 2\,\mathrm{rtol})\gamma`
    (up to the accuracy of the eigensolver). The iteration starts from the largest gain at
    the poles' frequencies and on a log sweep around them, and never tries a level within
    :math:`\sqrt\epsilon` of :math:`\|D\|` (there :math:`D^HD - \gamma^2 I` is too close to
    singular for the eigenvalues to be trusted), so a peak less than
    :math:`\sqrt\epsilon\,\|D\|` above :math:`\|D\|` may be reported as :math:`\|D\|`. ``"grid"`` evaluates 2048 uniform angles plus
    a stencil of 7 points at the angle of each pole, spaced by the pole's distance to the
    boundary, then zooms 9-point grids into the brackets of the 4 best samples (between their
    neighbours) until the maximum changes by less than `rtol`: it is a lower bound, exact to `rtol` at every peak the grid brackets (every
    resonance of a pole, and every peak wider than the 2048-point spacing), but it carries
    no global guarantee for a peak that is narrow yet not tied to a pole. Both methods
    return the frequency of the gain they report, so
    :math:`\sigma_{\max}(G(i\omega)) = \|G\|_\infty` holds to rounding (tested).

    Continuous systems are mapped to the circle by :math:`s = iq\tan(\theta/2)` with q the
    geometric mean of the pole magnitudes. Tested: the two methods agree; python-control;
    :math:`\sigma_1 \le \|G\|_\infty \le \|D\| + 2\sum\sigma_i`. The engine is shared with
    :func:`linf_norm` (``lti_ops._peak``).

    References
    ----------
    .. [1] S. Boyd, V. Balakrishnan, P. Kabamba, "A bisection method for computing the
       H-infinity norm of a transfer matrix and related problems", Math. Control Signals
       Systems 2, 1989.
    .. [2] N. A. Bruinsma, M. Steinbuch, "A fast algorithm to compute the H-infinity-norm
       of a transfer function matrix", Systems & Control Letters 14, 1990.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    >>> round(float(lti_ops.hinf_norm(sys)), 8)                  # 1 / (1 - 0.5) at z = 1
    2.0
    >>> norm, omega = lti_ops.hinf_norm(sys, return_frequency=True)
    >>> float(omega)
    0.0
    """
    sys, method, rtol, return_frequency = _peak.check_args(sys, method, rtol, return_frequency)
    _lyapunov.require_stable(sys, "this norm")
    value, omega = _peak.peak(sys, method, rtol)
    return (value, omega) if return_frequency else value


@batched()
def linf_norm(sys, *, method="auto", rtol=1e-8, return_frequency=False):
    r"""The L-infinity norm :math:`\sup_\omega \sigma_{\max}(G)` on the stability boundary of
    any system, stable or not: ``inf`` where a pole lies on the boundary.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, batched; unstable systems are welcome.
    method : {"auto", "hamiltonian", "grid"}, optional
        As :func:`hinf_norm`, whose engine this is.
    rtol : float, optional
        Relative accuracy, in (0, 0.1].
    return_frequency : bool, optional
        Also return the peak's angular frequency, as :func:`hinf_norm` does; where a pole
        lies on the boundary, the frequency of that pole.

    Returns
    -------
    norm : array, shape (...)
        Real, of the system's precision; ``inf`` for a system with a pole on the boundary.
    omega : array, shape (...)
        Only with `return_frequency`; conventions of :func:`hinf_norm`.

    Raises
    ------
    ValueError
        If `method` or `rtol` is invalid.
    TypeError
        If `return_frequency` is not a bool, or `sys` is not a system.
    NotImplementedError
        On a namespace without ``linalg.eigvals``: the poles decide which systems have an
        infinite norm.

    Notes
    -----
    :math:`\|G\|_{L_\infty} = \sup_{\omega}\sigma_{\max}(G(i\omega))` (continuous) or
    :math:`\sup_\theta\sigma_{\max}(G(e^{i\theta}))` (discrete). The Hamiltonian test
    (:math:`\sigma(G(i\omega)) = \gamma` iff :math:`i\omega` is an eigenvalue of
    :math:`M_\gamma`) and the grid need only that A has no eigenvalue on the boundary, not
    stability, so the value is computed exactly as :func:`hinf_norm` computes it, with its
    guarantee. It equals :math:`\|G\|_\infty` for a stable system, and for an unstable one
    it is the H-infinity norm of the stable system with the same gain on the boundary
    (the anti-stable poles reflected), which is what python-control's ``linfnorm`` (SLICOT
    ``AB13DD``) returns. On the boundary means :math:`|\mathrm{Re}\,p| \le 1000\,\epsilon
    \max_k|p_k|` (continuous) or :math:`||p| - 1| \le 1000\,\epsilon` (discrete), with ε of
    the system's precision (2.2e-13 in float64, 1.2e-4 in float32): a pole there gives
    ``inf`` even if it cancels in G (the realization decides, not the transfer function).
    Tested: python-control's ``linfnorm`` on unstable random systems; a dense frequency
    sweep is a lower bound; ``linf_norm = hinf_norm`` on stable systems;
    :math:`\sigma_{\max}(G(i\omega^*))` is the norm.

    References
    ----------
    .. [1] N. A. Bruinsma, M. Steinbuch, "A fast algorithm to compute the H-infinity-norm
       of a transfer function matrix", Systems & Control Letters 14, 1990.
    .. [2] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 4.4.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([1.0]), np.ones(1), np.ones(1))   # 1 / (s - 1)
    >>> norm, omega = lti_ops.linf_norm(sys, return_frequency=True)
    >>> round(float(norm), 8), round(float(omega), 8)                    # |G(0)| = 1
    (1.0, 0.0)
    >>> float(lti_ops.linf_norm(lti_ops.Diagonal.siso(np.array([0.0]), np.ones(1), np.ones(1))))
    inf
    """
    sys, method, rtol, return_frequency = _peak.check_args(sys, method, rtol, return_frequency)
    value, omega = _peak.linf(sys, method, rtol)
    return (value, omega) if return_frequency else value
