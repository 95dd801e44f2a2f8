r"""The peak gain :math:`\sup\sigma_{\max}(G)` on the stability boundary and where it lies.

The engine of :func:`~lti_ops.hinf_norm` (stable systems) and :func:`~lti_ops.linf_norm`
(any system without a pole on the boundary). Neither method needs stability in its math:

* ``"hamiltonian"``: the Boyd-Balakrishnan / Bruinsma-Steinbuch level-set iteration on the
  Hamiltonian matrix, whose imaginary eigenvalues :math:`i\omega` are the frequencies where
  :math:`\sigma(G(i\omega)) = \gamma` whenever A has no imaginary eigenvalue (dense systems;
  discrete ones through the balanced Tustin map, :math:`\omega_c = (2/\Delta)\tan(\omega\Delta/2)`);
* ``"grid"``: :math:`\sigma_{\max}` on a pole-aware grid of the unit circle (continuous
  systems through :math:`s = iq\tan(\theta/2)`), refined around its peaks.

Each returns ``(value, omega)``: the peak and its angular frequency in radians per time unit
(discrete: :math:`z = e^{i\omega\Delta}`), ``inf`` for a continuous peak approached only as
:math:`\omega\to\infty` (the value :math:`\|D\|`), :math:`|\omega|` for a real system.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

from . import _checks, _xp
from .hankel import _check_system, _frequency_scale
from .systems import DPLR, StateSpace
from .transfer import transfer_function

METHODS = ("auto", "hamiltonian", "grid")
BOUNDARY_EPS = 1000  # a pole within 1000 eps (relative) of the boundary lies on it


def check_args(sys, method, rtol, return_frequency):
    """The validated arguments shared by hinf_norm and linf_norm."""
    sys = _check_system(sys)
    method = _checks.choice("method", method, METHODS)
    rtol = _checks.real_number("rtol", rtol, minimum=0.0)
    if rtol > 0.1:
        raise ValueError(f"`rtol` must be in (0, 0.1]; got {rtol!r}")
    return sys, method, rtol, _checks.flag("return_frequency", return_frequency)


def peak(sys, method, rtol):
    """(value, omega), arrays of shape ``sys.batch_shape``; no pole may lie on the boundary."""
    if method == "auto":
        eig = _has_eigvals(sys.xp, _xp.real_dtype(sys.xp, sys.dtype))
        method = "hamiltonian" if isinstance(sys, StateSpace) and eig else "grid"
    value, omega = (_hamiltonian_peak if method == "hamiltonian" else _grid_peak)(sys, rtol)
    return _arrays(sys.xp, value, sys.xp.abs(omega) if _is_real(sys) else omega)


def _is_real(sys):
    """A real system: its gain is even in omega."""
    return not _xp.is_complex(sys.xp, sys.dtype) or getattr(sys, "conj_sym", False)


def _arrays(xp, *results):
    """0-d results as arrays (NumPy's abs, where and maximum return scalars there)."""
    return tuple(xp.asarray(r) if isinstance(r, float) else r for r in results)  # np.float64 is a float


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


def _dt(sys, xp):
    """The step as a float or a batch-shaped array."""
    return xp.broadcast_to(sys.dt, sys.batch_shape) if hasattr(sys.dt, "shape") else sys.dt


# --------------------------------------------------------------------------- the boundary


def boundary_poles(sys):
    r"""``(hit, omega)``: whether a pole of each system lies on the boundary, and the angular
    frequency of the first such pole (``nan`` where none does). On the boundary means
    :math:`|\mathrm{Re}\,p| \le 1000\,\epsilon\,\max_k|p_k|` (continuous) or
    :math:`||p| - 1| \le 1000\,\epsilon` (discrete), ε of the system's precision."""
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    p = _xp.detach(sys.poles())
    dev = _xp.common_device(p)
    if not p.shape[-1]:
        return xp.zeros(sys.batch_shape, dtype=xp.bool, device=dev), xp.full(sys.batch_shape, math.nan, dtype=real, device=dev)
    tol = BOUNDARY_EPS * _xp.eps(xp, real)
    mag = xp.astype(xp.abs(p), real)
    if sys.is_discrete:
        hit = xp.abs(mag - 1) <= tol
        dt = _dt(sys, xp)
        omega = xp.astype(xp.atan2(xp.imag(p), xp.real(p)), real) / (dt[..., None] if hasattr(dt, "shape") else dt)
    else:
        hit = xp.astype(xp.abs(xp.real(p)), real) <= tol * xp.max(mag, axis=-1, keepdims=True)
        omega = xp.astype(xp.imag(p), real)
    first = xp.argmax(xp.astype(hit, real), axis=-1)[..., None]
    omega = xp.squeeze(xp.take_along_axis(omega, first, axis=-1), axis=-1)
    any_hit = xp.any(hit, axis=-1)
    return any_hit, xp.where(any_hit, omega, xp.full_like(omega, math.nan))


def moved_off(sys, hit):
    """`sys` with every pole of the systems flagged in `hit` moved strictly inside (discrete:
    A -> 0; continuous: A -> A - (1 + max|p|) I); the caller discards their values."""
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    one = xp.ones(hit.shape, dtype=real, device=_xp.common_device(hit))
    if sys.is_discrete:
        factor = xp.where(hit, xp.zeros_like(one), one)
        if isinstance(sys, StateSpace):
            return dataclasses.replace(sys, A=sys.A * factor[..., None, None])
        fields = {"lam": sys.lam * factor[..., None]}
        if isinstance(sys, DPLR):
            fields["P"] = sys.P * factor[..., None, None]
        return dataclasses.replace(sys, **fields)
    rho = xp.max(xp.astype(xp.abs(_xp.detach(sys.poles())), real), axis=-1)
    shift = xp.where(hit, 1 + rho, xp.zeros_like(one))
    if isinstance(sys, StateSpace):
        eye = xp.eye(sys.n_states, dtype=real, device=_xp.common_device(hit))
        return dataclasses.replace(sys, A=sys.A - shift[..., None, None] * eye)
    return dataclasses.replace(sys, lam=sys.lam - shift[..., None])


# --------------------------------------------------------------------------- Hamiltonian


def _hamiltonian_peak(sys, rtol):
    xp = sys.xp
    dense = sys.to_dense() if not isinstance(sys, StateSpace) else sys
    if dense.is_discrete:
        from .discretize import d2c

        dense = d2c(dense, "tustin")  # balanced Tustin: same gains, omega_c = (2/dt) tan(omega dt/2)
    batch = dense.batch_shape
    A, B, C, D = (xp.broadcast_to(x, batch + x.shape[-2:]) for x in (dense.A, dense.B, dense.C, dense.D))
    pairs = [_bruinsma_steinbuch(xp, A[idx + (...,)], B[idx + (...,)], C[idx + (...,)], D[idx + (...,)], rtol)
             for idx in _indices(batch)]
    real = _xp.real_dtype(xp, sys.dtype)
    dev = _xp.common_device(A)
    value = xp.reshape(xp.asarray([v for v, _ in pairs], dtype=real, device=dev), batch)
    omega = xp.reshape(xp.asarray([w for _, w in pairs], dtype=real, device=dev), batch)
    if sys.is_discrete:
        dt = _dt(sys, xp)
        omega = 2 * xp.atan(omega * dt / 2) / dt  # omega_c = inf (the value at z = -1) -> pi / dt
    return value, omega


def _indices(shape):
    return itertools.product(*(range(n) for n in shape))


def _gain(xp, A, B, C, D, w):
    """σ_max(G(iw)) for a 1-D array of real frequencies `w` of one dense system."""
    ctype = _xp.complex_dtype(xp, A.dtype)
    s = 1j * xp.astype(w, ctype)
    return _sigma_max(xp, transfer_function(StateSpace(A, B, C, D), s))


def _best(xp, gains, freqs, value, omega):
    """(value, omega) updated with the largest of `gains` if it beats `value`."""
    k = int(xp.argmax(gains))
    g = float(gains[k])
    return (g, float(freqs[k])) if g > value else (value, omega)


def _bruinsma_steinbuch(xp, A, B, C, D, rtol, max_iter=60):
    """(peak, omega) of one dense continuous system with no imaginary pole; omega = inf when
    the peak is the value at infinity, ||D||, and 0 for a static gain."""
    real = _xp.real_dtype(xp, A.dtype)
    rtol = max(rtol, 8 * _xp.eps(xp, real))  # gamma must differ from lb in the working precision
    n = A.shape[-1]
    d_norm = float(xp.linalg.svdvals(D)[0]) if min(D.shape) else 0.0
    if n == 0:
        return d_norm, 0.0
    poles = _xp.eigvals(A)
    mags = xp.astype(xp.abs(poles), real)
    dev = _xp.common_device(A)
    freqs = xp.concat([xp.zeros(1, dtype=real, device=dev), xp.astype(xp.imag(poles), real), mags,
                       _sweep(xp, mags, real, dev)])
    lb, at = _best(xp, _gain(xp, A, B, C, D, freqs), freqs, -1.0, 0.0)
    if d_norm > lb:
        lb, at = d_norm, math.inf
    if lb == 0.0:
        return 0.0, 0.0
    # At gamma = ||D|| the Hamiltonian needs (D^H D - gamma^2 I)^{-1}: within sqrt(eps) of it
    # the matrix is too ill-conditioned for its imaginary eigenvalues to be found (issue 17:
    # the peak 0.6808 was missed at ||D|| = 0.6703 in float32), so no level below that is tried
    floor = d_norm * (1 + math.sqrt(_xp.eps(xp, real)))
    for _ in range(max_iter):
        gamma = max((1 + 2 * rtol) * lb, floor)
        omegas = _imaginary_eigenvalues(xp, A, B, C, D, gamma)
        if len(omegas) < 2:
            return lb, at
        mids = xp.asarray([(a + b) / 2 for a, b in zip(omegas[:-1], omegas[1:])], dtype=real, device=dev)
        lb, at = _best(xp, _gain(xp, A, B, C, D, mids), mids, lb, at)
    return lb, at


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
    return sorted(float(w) for w, r in zip(im, re) if abs(float(r)) <= tol)


# --------------------------------------------------------------------------- refined grid


GRID_POINTS = 2048
MAX_ZOOMS = 40  # each zoom shrinks a bracket 4-fold: 40 reach any float64 resolution
CANDIDATES = 4  # best samples whose brackets are zoomed into
ZOOM_POINTS = 9
POLE_STENCIL = (-3.0, -1.0, -1.0 / 3.0, 0.0, 1.0 / 3.0, 1.0, 3.0)
EDGE = math.pi * (1 - 1e-7)  # the largest angle sampled for a continuous system


def _grid_peak(sys, rtol):
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    q = None if sys.is_discrete else _frequency_scale(sys)
    theta = xp.sort(_initial_angles(xp, sys, q, real), axis=-1)
    gains = _gain_at_angles(xp, sys, theta, q)
    best, at = _take_max(xp, gains, theta)
    lo, hi = _brackets(xp, theta, xp.argsort(gains, axis=-1, descending=True)[..., :CANDIDATES])
    fractions = xp.astype(xp.arange(ZOOM_POINTS, device=_xp.common_device(theta)), real) / (ZOOM_POINTS - 1)
    for iteration in range(MAX_ZOOMS):
        pts = lo[..., None] + (hi - lo)[..., None] * fractions  # (..., CANDIDATES, ZOOM_POINTS)
        vals = xp.reshape(_gain_at_angles(xp, sys, xp.reshape(pts, pts.shape[:-2] + (-1,)), q), pts.shape)
        k = xp.argmax(vals, axis=-1)[..., None]
        lo = xp.squeeze(xp.take_along_axis(pts, xp.clip(k - 1, 0, ZOOM_POINTS - 1), axis=-1), axis=-1)
        hi = xp.squeeze(xp.take_along_axis(pts, xp.clip(k + 1, 0, ZOOM_POINTS - 1), axis=-1), axis=-1)
        top, top_at = _take_max(xp, xp.reshape(vals, vals.shape[:-2] + (-1,)), xp.reshape(pts, pts.shape[:-2] + (-1,)))
        better = top > best
        gain = xp.where(better, top - best, xp.zeros_like(best))
        best, at = xp.where(better, top, best), xp.where(better, top_at, at)
        if iteration >= 2 and bool(xp.all(gain <= rtol * best / 8)):
            break
    return _to_frequency(xp, sys, best, at, q)


def _take_max(xp, values, where):
    """The largest of `values` along the last axis and the entry of `where` beside it."""
    k = xp.argmax(values, axis=-1)[..., None]
    pick = lambda x: xp.squeeze(xp.take_along_axis(x, k, axis=-1), axis=-1)  # noqa: E731
    return pick(values), pick(xp.broadcast_to(where, values.shape))


def _to_frequency(xp, sys, best, at, q):
    """(value, omega) from the best gain and its angle on the circle (0 for a static gain)."""
    if not sys.n_states:
        at = xp.zeros_like(at)
    if sys.is_discrete:
        at = xp.where(at <= -math.pi, xp.full_like(at, math.pi), at)
        return best, at / _dt(sys, xp)
    omega = q * xp.tan(xp.clip(at, -EDGE, EDGE) / 2)
    d_norm = _d_norm(xp, sys)
    at_infinity = (d_norm >= best) & (xp.abs(at) >= EDGE) if sys.n_states else d_norm > best
    at_infinity = at_infinity | (d_norm > best)  # the supremum, approached as omega -> inf
    return xp.where(at_infinity, d_norm, best), xp.where(at_infinity, xp.full_like(omega, math.inf), omega)


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
        den = qq - p  # zero for an unstable real pole at q: it maps to infinity, angle 0
        tiny = xp.finfo(_xp.real_dtype(xp, p.dtype)).smallest_normal
        p = (qq + p) / xp.where(den == 0, xp.full_like(den, tiny), den)
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
    angle, dist = xp.astype(angle, real), xp.astype(xp.clip(dist, -1.0, 1.0), real)
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
        theta = xp.clip(theta, -EDGE, EDGE)
        qq = q[..., None] if hasattr(q, "shape") else q
        points = 1j * xp.astype(qq * xp.tan(theta / 2), ctype)
    return _sigma_max(xp, transfer_function(sys, points))


def linf(sys, method, rtol):
    """(value, omega) of the L-infinity norm: ``inf`` (and the pole's frequency) where a
    pole lies on the boundary, the peak elsewhere."""
    xp = sys.xp
    try:
        hit, pole_omega = boundary_poles(sys)
    except NotImplementedError as exc:
        raise NotImplementedError(f"linf_norm needs the poles to find those on the boundary: {exc}") from None
    if not bool(xp.any(hit)):
        return peak(sys, method, rtol)
    if bool(xp.all(hit)):
        return _arrays(xp, xp.full_like(pole_omega, math.inf), xp.abs(pole_omega) if _is_real(sys) else pole_omega)
    value, omega = peak(moved_off(sys, hit), method, rtol)
    pole_omega = xp.abs(pole_omega) if _is_real(sys) else pole_omega
    return _arrays(xp, xp.where(hit, xp.full_like(value, math.inf), value), xp.where(hit, pole_omega, omega))
