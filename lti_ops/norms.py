r"""System norms: Hankel, H2 and H-infinity.

* :func:`hankel_norm` is :math:`\sigma_1`, the largest Hankel singular value.
* :func:`h2_norm` by the Gramian, :math:`\|G\|_2^2 = \operatorname{tr}(C P C^H) + \|D\|_F^2`,
  or by Parseval on the unit circle (the imaginary axis through a Möbius map).
* :func:`hinf_norm` by the Boyd-Balakrishnan / Bruinsma-Steinbuch iteration on the
  Hamiltonian matrix (dense systems), or a pole-aware grid refined around its peaks.

Inequalities checked by the tests (papers.md §1.6, §4 items 17-18):
:math:`\sigma_1 \le \|G\|_\infty \le \|D\| + 2\sum_i \sigma_i`.
"""

from __future__ import annotations

import itertools
import math

from . import _checks, _lyapunov, _xp
from ._blockwise import batched
from .hankel import _check_system, _frequency_scale, hankel_singular_values
from .systems import DPLR, Diagonal, StateSpace
from .transfer import transfer_function

__all__ = ["h2_norm", "hankel_norm", "hinf_norm"]

H2_METHODS = ("gramian", "parseval")
HINF_METHODS = ("auto", "hamiltonian", "grid")
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


# --------------------------------------------------------------------------- H-infinity


@batched()
def hinf_norm(sys, *, method="auto", rtol=1e-8):
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

    Returns
    -------
    array, shape (...)
        Real, of the system's precision.

    Raises
    ------
    ValueError
        If `method` or `rtol` is invalid, or the system is not asymptotically stable.
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
    no global guarantee for a peak that is narrow yet not tied to a pole.

    Continuous systems are mapped to the circle by :math:`s = iq\tan(\theta/2)` with q the
    geometric mean of the pole magnitudes. Tested: the two methods agree; python-control;
    :math:`\sigma_1 \le \|G\|_\infty \le \|D\| + 2\sum\sigma_i`.

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
    """
    sys = _check_system(sys)
    method = _checks.choice("method", method, HINF_METHODS)
    rtol = _checks.real_number("rtol", rtol, minimum=0.0)
    if rtol > 0.1:
        raise ValueError(f"`rtol` must be in (0, 0.1]; got {rtol!r}")
    if method == "auto":
        method = "hamiltonian" if isinstance(sys, StateSpace) and _has_eigvals(sys.xp, _xp.real_dtype(sys.xp, sys.dtype)) else "grid"
    if method == "hamiltonian":
        return _hinf_hamiltonian(sys, rtol)
    return _hinf_grid(sys, rtol)


def _has_eigvals(xp, dtype):
    try:
        _xp.eigvals(xp.eye(1, dtype=dtype))
    except (NotImplementedError, TypeError):
        return False
    return True


def _sigma_max(xp, G):
    """Largest singular value of G (..., P, M, K) at each point: shape (..., K)."""
    if G.shape[-3] == 1 or G.shape[-2] == 1:
        return xp.sqrt(xp.sum(xp.abs(G) ** 2, axis=(-3, -2)))
    nb = G.ndim - 3
    Gk = xp.permute_dims(G, tuple(range(nb)) + (nb + 2, nb, nb + 1))
    return _xp.svdvals(Gk)[..., 0]


# ----- Hamiltonian level-set iteration (dense, one system at a time)


def _hinf_hamiltonian(sys, rtol):
    xp = sys.xp
    _lyapunov.require_stable(sys, "this norm")
    dense = sys.to_dense() if not isinstance(sys, StateSpace) else sys
    if dense.is_discrete:
        from .discretize import d2c

        dense = d2c(dense, "tustin")  # balanced Tustin: same H-infinity norm
    batch = dense.batch_shape
    A, B, C, D = (xp.broadcast_to(x, batch + x.shape[-2:]) for x in (dense.A, dense.B, dense.C, dense.D))
    values = [_bruinsma_steinbuch(xp, A[idx + (...,)], B[idx + (...,)], C[idx + (...,)], D[idx + (...,)], rtol)
              for idx in _indices(batch)]
    real = _xp.real_dtype(xp, sys.dtype)
    out = xp.asarray(values, dtype=real, device=_xp.common_device(A))
    return xp.reshape(out, batch)


def _indices(shape):
    return itertools.product(*(range(n) for n in shape))


def _gain(xp, A, B, C, D, w):
    """σ_max(G(iw)) for a 1-D array of real frequencies `w` of one dense system."""
    ctype = _xp.complex_dtype(xp, A.dtype)
    s = 1j * xp.astype(w, ctype)
    sys = StateSpace(A, B, C, D)
    return _sigma_max(xp, transfer_function(sys, s))


def _bruinsma_steinbuch(xp, A, B, C, D, rtol, max_iter=60):
    real = _xp.real_dtype(xp, A.dtype)
    rtol = max(rtol, 8 * _xp.eps(xp, real))  # gamma must differ from lb in the working precision
    n = A.shape[-1]
    d_norm = float(xp.linalg.svdvals(D)[0]) if min(D.shape) else 0.0
    if n == 0:
        return d_norm
    poles = _xp.eigvals(A)
    mags = xp.astype(xp.abs(poles), real)
    dev = _xp.common_device(A)
    freqs = xp.concat([xp.zeros(1, dtype=real, device=dev), xp.astype(xp.imag(poles), real), mags,
                       _sweep(xp, mags, real, dev)])
    gains = _gain(xp, A, B, C, D, freqs)
    lb = max(d_norm, float(xp.max(gains)))
    if lb == 0.0:
        return 0.0
    # At gamma = ||D|| the Hamiltonian needs (D^H D - gamma^2 I)^{-1}: within sqrt(eps) of it
    # the matrix is too ill-conditioned for its imaginary eigenvalues to be found (issue 17:
    # the peak 0.6808 was missed at ||D|| = 0.6703 in float32), so no level below that is tried
    floor = d_norm * (1 + math.sqrt(_xp.eps(xp, real)))
    for _ in range(max_iter):
        gamma = max((1 + 2 * rtol) * lb, floor)
        omegas = _imaginary_eigenvalues(xp, A, B, C, D, gamma)
        if len(omegas) < 2:
            return lb
        mids = [(a + b) / 2 for a, b in zip(omegas[:-1], omegas[1:])]
        gains = _gain(xp, A, B, C, D, xp.asarray(mids, dtype=real, device=_xp.common_device(A)))
        lb = max(lb, float(xp.max(gains)))
    return lb


SWEEP_PER_DECADE = 8
SWEEP_MAX = 256


def _sweep(xp, mags, real, dev):
    """Log-spaced frequencies from 1/100 of the smallest to 100 times the largest pole
    magnitude, 8 a decade (at most 256): they start the iteration above a peak that lies
    between poles rather than at one, so its levels stay clear of ||D||."""
    positive = mags > 0
    if not bool(xp.any(positive)):
        return xp.zeros(0, dtype=real, device=dev)
    smallest = float(xp.min(xp.where(positive, mags, xp.full_like(mags, math.inf))))
    lo, hi = math.log10(smallest) - 2, math.log10(float(xp.max(mags))) + 2
    count = min(SWEEP_MAX, math.ceil(SWEEP_PER_DECADE * (hi - lo)) + 1)
    steps = xp.astype(xp.arange(count, device=dev), real) / (count - 1)
    return 10.0 ** (lo + (hi - lo) * steps)


def _hamiltonian(xp, A, B, C, D, gamma):
    """Boyd-Balakrishnan-Kabamba matrix: σ(G(iω)) = γ iff iω is an eigenvalue."""
    ct = _xp.conj_transpose
    P, M = D.shape[-2], D.shape[-1]
    dev = _xp.common_device(A)
    R = xp.matmul(ct(D), D) - gamma**2 * xp.eye(M, dtype=A.dtype, device=dev)
    S = xp.matmul(D, ct(D)) - gamma**2 * xp.eye(P, dtype=A.dtype, device=dev)
    msg = "gamma equals a singular value of D"
    RinvDhC = _xp.solve(R, xp.matmul(ct(D), C), singular_msg=msg)
    RinvBh = _xp.solve(R, ct(B), singular_msg=msg)
    SinvC = _xp.solve(S, C, singular_msg=msg)
    top = xp.concat([A - xp.matmul(B, RinvDhC), -gamma * xp.matmul(B, RinvBh)], axis=-1)
    bottom = xp.concat([gamma * xp.matmul(ct(C), SinvC), -ct(A) + xp.matmul(ct(C), xp.matmul(D, RinvBh))], axis=-1)
    return xp.concat([top, bottom], axis=-2)


def _imaginary_eigenvalues(xp, A, B, C, D, gamma):
    """Sorted ω with iω an eigenvalue of the Hamiltonian at level γ (up to a relative
    tolerance on the real part; a spurious one only costs one more evaluation)."""
    ev = _xp.eigvals(_hamiltonian(xp, A, B, C, D, gamma))
    scale = float(xp.max(xp.abs(ev))) if ev.shape[-1] else 1.0
    tol = math.sqrt(_xp.eps(xp, A.dtype)) * max(scale, 1.0)
    re, im = xp.real(ev), xp.imag(ev)
    picked = sorted(float(w) for w, r in zip(im, re) if abs(float(r)) <= tol)
    return picked


# ----- refined grid (any structure, batched)


GRID_POINTS = 2048
MAX_ZOOMS = 40  # each zoom shrinks a bracket 4-fold: 40 reach any float64 resolution
CANDIDATES = 4  # best samples whose brackets are zoomed into
ZOOM_POINTS = 9
POLE_STENCIL = (-3.0, -1.0, -1.0 / 3.0, 0.0, 1.0 / 3.0, 1.0, 3.0)


def _hinf_grid(sys, rtol):
    xp = sys.xp
    _lyapunov.require_stable(sys, "this norm")
    real = _xp.real_dtype(xp, sys.dtype)
    q = None if sys.is_discrete else _frequency_scale(sys)
    theta = xp.sort(_initial_angles(xp, sys, q, real), axis=-1)
    gains = _gain_at_angles(xp, sys, theta, q)
    best = xp.max(gains, axis=-1)
    lo, hi = _brackets(xp, theta, xp.argsort(gains, axis=-1, descending=True)[..., :CANDIDATES])
    fractions = xp.astype(xp.arange(ZOOM_POINTS, device=_xp.common_device(theta)), real) / (ZOOM_POINTS - 1)
    for iteration in range(MAX_ZOOMS):
        pts = lo[..., None] + (hi - lo)[..., None] * fractions  # (..., CANDIDATES, ZOOM_POINTS)
        vals = xp.reshape(_gain_at_angles(xp, sys, xp.reshape(pts, pts.shape[:-2] + (-1,)), q), pts.shape)
        k = xp.argmax(vals, axis=-1)[..., None]
        lo = xp.squeeze(xp.take_along_axis(pts, xp.clip(k - 1, 0, ZOOM_POINTS - 1), axis=-1), axis=-1)
        hi = xp.squeeze(xp.take_along_axis(pts, xp.clip(k + 1, 0, ZOOM_POINTS - 1), axis=-1), axis=-1)
        new_best = xp.maximum(best, xp.max(vals, axis=(-2, -1)))
        gain, best = new_best - best, new_best
        if iteration >= 2 and bool(xp.all(gain <= rtol * best / 8)):
            break
    d_norm = _d_norm(xp, sys)
    if not sys.is_discrete:
        best = xp.maximum(best, d_norm)
    return best


def _brackets(xp, theta, idx):
    """[theta_{k-1}, theta_{k+1}] around the sorted samples `idx`: each brackets a local
    maximum of the samples, so zooming inside it converges to that peak."""
    last = theta.shape[-1] - 1
    lo = xp.take_along_axis(theta, xp.clip(idx - 1, 0, last), axis=-1)
    hi = xp.take_along_axis(theta, xp.clip(idx + 1, 0, last), axis=-1)
    return lo, hi


def _d_norm(xp, sys):
    D = xp.broadcast_to(sys.D, sys.batch_shape + sys.D.shape[-2:])
    if not min(D.shape[-2:]):
        return xp.zeros(sys.batch_shape, dtype=_xp.real_dtype(xp, sys.dtype))
    return xp.astype(xp.linalg.svdvals(D)[..., 0], _xp.real_dtype(xp, sys.dtype))


def _pole_angles(xp, sys, q):
    """(angle, distance to the circle) of each pole on the unit circle picture."""
    p = sys.poles()
    if not sys.is_discrete:
        qq = q[..., None] if hasattr(q, "shape") else q
        p = (qq + p) / (qq - p)
    r = xp.abs(p)
    return xp.atan2(xp.imag(p), xp.real(p)), 1 - r


def _initial_angles(xp, sys, q, real):
    dev = _xp.common_device(sys.D)
    uniform = -math.pi + 2 * math.pi * xp.astype(xp.arange(GRID_POINTS + 1, device=dev), real) / GRID_POINTS
    uniform = xp.broadcast_to(uniform, sys.batch_shape + (GRID_POINTS + 1,))  # 0 and ±pi included
    try:
        angle, dist = _pole_angles(xp, sys, q)
    except NotImplementedError:
        return uniform
    angle, dist = xp.astype(angle, real), xp.astype(dist, real)
    stencil = xp.asarray(POLE_STENCIL, dtype=real, device=dev)
    near = angle[..., None] + dist[..., None] * stencil
    near = xp.reshape(near, near.shape[:-2] + (-1,))
    near = xp.broadcast_to(near, sys.batch_shape + near.shape[-1:])
    return xp.concat([uniform, near], axis=-1)


def _gain_at_angles(xp, sys, theta, q):
    ctype = _xp.complex_dtype(xp, theta.dtype)
    if sys.is_discrete:
        points = xp.exp(1j * xp.astype(theta, ctype))
    else:
        limit = math.pi * (1 - 1e-7)
        theta = xp.clip(theta, -limit, limit)
        qq = q[..., None] if hasattr(q, "shape") else q
        points = 1j * xp.astype(qq * xp.tan(theta / 2), ctype)
    return _sigma_max(xp, transfer_function(sys, points))
