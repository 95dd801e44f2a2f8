r"""Bode data: magnitude and unwrapped phase of G on a frequency grid chosen from the poles.

:func:`bode` evaluates :func:`~lti_ops.frequency_response` (:math:`s = i\omega`, or
:math:`z = e^{i\omega\,dt}`) and splits it into :math:`|G|` and :math:`\arg G`, the phase
unwrapped along frequency as ``numpy.unwrap`` does it.
"""

from __future__ import annotations

import math

from . import _checks, _xp
from ._blockwise import batched
from .markov import check_system
from .transfer import frequency_response
from .zeros import zeros

__all__ = ["bode"]

DECADES = 1  # the default grid reaches a decade beyond the outermost poles


@batched(needs="w", w=1)
def bode(sys, w=None, *, n=1000, db=False, deg=False, kernel="auto"):
    r"""Magnitude and phase of the frequency response, as a Bode plot shows them.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, batched; any stability.
    w : array, shape (..., K), optional
        Real angular frequencies in radians per time unit. Default: `n` points log-spaced
        from :math:`10^{\lfloor\log_{10} f_{\min} - 1\rceil}` to
        :math:`10^{\lfloor\log_{10} f_{\max} + 1\rceil}` (rounded to whole decades, a decade
        beyond the outermost features), where the features f are the nonzero pole magnitudes
        :math:`|p|` and finite invariant zero magnitudes (continuous) or :math:`|\log p|/dt`
        (discrete, leaving out real poles and zeros :math:`p \le 0` and :math:`p = 1`), over
        the whole batch, as python-control's; :math:`10^{-1}` to
        :math:`10^{1}` without features. A discrete grid ends at the Nyquist frequency
        :math:`\pi/dt` (the smallest over a batch of steps) and starts at least a decade
        below it. Required on Dask input (the grid would depend on each block).
    n : int, optional
        Number of points of the default grid (checked, but unused, when `w` is given); default 1000.
    db : bool, optional
        Magnitude in decibels, :math:`20\log_{10}|G|`, instead of absolute (the default).
    deg : bool, optional
        Phase in degrees instead of radians (the default).
    kernel : str, optional
        As :func:`~lti_ops.transfer_function`.

    Returns
    -------
    w : array, shape (K,) or the shape of the given `w`
        The frequencies, real, of the system's precision.
    mag : array, shape (..., P, M, K)
        :math:`|G_{pm}(i\omega_k)|` (absolute unless `db`).
    phase : array, shape (..., P, M, K)
        :math:`\arg G_{pm}`, unwrapped along the last axis (jumps of more than π between
        neighbouring frequencies are removed by multiples of 2π), starting in
        :math:`(-\pi, \pi]` at the first frequency; radians unless `deg`.

    Raises
    ------
    ValueError
        If a frequency falls on a pole (``frequency_response``), `n` is not a positive
        integer, or `w` is None on Dask input.
    TypeError
        If `sys` is not a system, `w` is not a real array of the system's namespace, or
        `db` / `deg` is not a bool.
    NotImplementedError
        For the default grid on a namespace without ``linalg.eigvals`` (pass `w`).

    Notes
    -----
    :math:`G = |G|e^{i\varphi}` with :math:`\varphi` unwrapped, so
    :math:`\mathrm{mag}\cdot e^{i\,\mathrm{phase}} = G` (tested), and ``mag``, ``phase`` equal
    python-control's ``frequency_response(sys, w).magnitude`` / ``numpy.unwrap`` of its
    ``.phase``. Units differ from the peers' defaults: ``scipy.signal.bode`` / ``dbode``
    return ``(w, mag_dB, phase_deg)`` for SISO systems (``db=True, deg=True`` here gives the
    same numbers, tested); python-control's ``bode`` returns ``(mag, phase_rad, omega)`` in
    absolute magnitude, and its default grid (from poles and zeros) is the model of this
    one, which also ends a discrete grid exactly at Nyquist (tested against it, zeros
    included).

    References
    ----------
    .. [1] H. W. Bode, *Network Analysis and Feedback Amplifier Design*, Van Nostrand, 1945.
    .. [2] python-control ``bode_plot`` and ``_default_frequency_range``; SciPy
       ``scipy.signal.bode``.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([-1.0]), np.ones(1), np.ones(1))    # 1 / (s + 1)
    >>> w, mag, phase = lti_ops.bode(sys, np.array([1.0]))
    >>> round(float(mag[0, 0, 0]) ** 2, 12), round(float(phase[0, 0, 0] / np.pi), 12)
    (0.5, -0.25)
    >>> w, mag, phase = lti_ops.bode(sys)
    >>> float(w[0]), float(w[-1]), mag.shape
    (0.1, 10.0, (1, 1, 1000))
    """
    check_system(sys)
    db, deg = _checks.flag("db", db), _checks.flag("deg", deg)
    n = _checks.positive_int("n", n)
    if w is None:
        w = default_frequencies(sys, n)
    G = frequency_response(sys, w, kernel=kernel)
    xp = sys.xp
    mag = xp.abs(G)
    phase = _unwrap(xp, xp.atan2(xp.imag(G), xp.real(G)))
    if db:
        mag = 20 * xp.log10(mag)
    if deg:
        phase = phase * (180 / math.pi)
    return xp.astype(w, mag.dtype), mag, phase


def _unwrap(xp, phase):
    """``numpy.unwrap(phase, axis=-1)`` in the Array API (no in-place writes)."""
    if phase.shape[-1] < 2:
        return phase
    d = phase[..., 1:] - phase[..., :-1]
    wrapped = xp.remainder(d + math.pi, 2 * math.pi) - math.pi
    wrapped = xp.where((wrapped == -math.pi) & (d > 0), xp.full_like(d, math.pi), wrapped)
    correction = xp.where(xp.abs(d) < math.pi, xp.zeros_like(d), wrapped - d)
    return phase + xp.cumulative_sum(correction, axis=-1, include_initial=True)


def default_frequencies(sys, n):
    """The default grid of :func:`bode`: shape (n,), the system's real dtype and device."""
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    features = _features(xp, sys, real)
    lo, hi = -1.0, 1.0
    if features is not None:
        lo, hi = (float(round(math.log10(f) + s * DECADES)) for f, s in zip(features, (-1, 1)))
    nyquist = None
    if sys.is_discrete:
        nyquist = math.pi / (float(xp.max(sys.dt)) if hasattr(sys.dt, "shape") else sys.dt)
        hi = math.log10(nyquist)
        lo = min(lo, hi - DECADES)
    grid = [10.0 ** (lo + (hi - lo) * k / (n - 1)) for k in range(n)] if n > 1 else [10.0**lo]
    if nyquist is not None:
        grid[-1] = nyquist
    return xp.asarray(grid, dtype=real, device=_xp.common_device(sys.D))


def _features(xp, sys, real):
    """(smallest, largest) feature frequency over the batch, or None without any: the poles
    and the finite invariant zeros (a zero at infinity, reported as inf, counts as a zero at
    the origin, which both branches leave out)."""
    z = _xp.detach(zeros(sys))
    z = xp.where(xp.isfinite(z), z, xp.zeros_like(z))
    p = xp.concat([xp.astype(_xp.detach(sys.poles()), z.dtype), z], axis=-1)
    if not p.shape[-1]:
        return None
    tol = 100 * _xp.eps(xp, real)
    mag = xp.astype(xp.abs(p), real)
    if sys.is_discrete:
        re, im = xp.astype(xp.real(p), real), xp.astype(xp.imag(p), real)
        keep = ~((xp.abs(im) <= tol) & ((re <= 0) | (xp.abs(re - 1) <= tol)))
        dt = xp.broadcast_to(sys.dt, sys.batch_shape)[..., None] if hasattr(sys.dt, "shape") else sys.dt
        f = xp.astype(xp.abs(xp.log(xp.where(keep, p, xp.ones_like(p)))), real) / dt
    else:
        keep = mag > tol * xp.maximum(xp.max(mag, axis=-1, keepdims=True), xp.ones_like(mag))
        f = mag
    keep = keep & (f > 0)
    if not bool(xp.any(keep)):
        return None
    smallest = float(xp.min(xp.where(keep, f, xp.full_like(f, math.inf))))
    largest = float(xp.max(xp.where(keep, f, xp.full_like(f, -math.inf))))
    return smallest, largest
