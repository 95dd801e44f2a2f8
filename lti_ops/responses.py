r"""Time responses: continuous-time simulation on a time grid, step and impulse responses.

:func:`~lti_ops.simulate` hands a continuous system with a time vector `t` to
:func:`simulate_continuous` here: the system is discretized exactly for the input's
interpolation (``zoh``: piecewise constant, ``foh``: piecewise linear, through
:func:`~lti_ops.discretize`) and run by the discrete machinery of ``recurrence.py``.
:func:`step_response` and :func:`impulse_response` are Markov parameters
(:func:`~lti_ops.markov_parameters`) of an exact discretization, summed for the step.

Time grids are read on the host: `t` must be a concrete 1-d real array, finite, strictly
increasing and evenly spaced: every step within ``SPACING_RTOL`` (1e-5, the relative
tolerance of ``scipy.signal.lsim``'s ``np.allclose`` rule) of the mean step
:math:`(t_{L-1} - t_0)/(L-1)`, plus :math:`8\,\varepsilon\max|t|` for the rounding of the
grid in its own dtype. `t` sets the step only: it takes no part in dtype promotion.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import _checks, _xp
from .discretize import _phi, discretize
from .markov import check_system, markov_parameters
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["impulse_response", "step_response"]

INTERPOLATIONS = ("zoh", "foh")
SPACING_RTOL = 1e-5
DEFAULT_POINTS = 100
DECAY_TIMES = 7.0  # the default continuous grid spans 7 time constants of the slowest pole


# --------------------------------------------------------------------------- time grids


def time_step(xp, t, L, *, name="t", who="u"):
    """(t0, dt) as Python floats of a valid time grid `t` of length `L` (see module notes)."""
    if not hasattr(t, "shape") or not hasattr(t, "dtype"):
        msg = f"`{name}` must be a 1-d array of time points; got {type(t).__name__}"
        raise TypeError(msg)
    dtype = _xp.floating_dtype(xp, t, names=[name])
    if _xp.is_complex(xp, dtype):
        msg = f"`{name}` must be real; got dtype {t.dtype}"
        raise TypeError(msg)
    if t.ndim != 1 and (L is None or t.ndim == 0):
        msg = f"`{name}` must be 1-d, shape (L,); got shape {tuple(t.shape)}"
        raise ValueError(msg)
    if L is not None and t.shape[-1] != L:
        msg = f"`{name}` must have one time point per sample of `{who}` (L = {L}); got {t.shape[-1]}"
        raise ValueError(msg)
    if t.shape[-1] < 2:
        msg = f"`{name}` must have at least 2 time points to define the step; got {t.shape[-1]}"
        raise ValueError(msg)
    if not _xp.can_read_values(t):
        msg = f"`{name}` must be a concrete array (it is read on the host); got a traced or lazy array"
        raise TypeError(msg)
    _checks.all_finite(**{name: t})
    host = _one_grid(name, np.asarray(_xp.to_numpy(t), dtype=np.float64))
    if host is None:  # an empty stand-in (Dask's shape probe): no values to read
        return 0.0, 1.0
    steps, dt = np.diff(host), (host[-1] - host[0]) / (host.shape[0] - 1)
    if not np.all(steps > 0):
        msg = f"`{name}` must be strictly increasing; got a step of {float(np.min(steps))!r}"
        raise ValueError(msg)
    slack = SPACING_RTOL * dt + 8 * float(_xp.eps(xp, dtype)) * float(np.max(np.abs(host)))
    worst = float(np.max(np.abs(steps - dt)))
    if worst > slack:
        msg = (f"`{name}` must be evenly spaced (steps within {SPACING_RTOL:g} of their mean "
               f"{dt:g}, relative); a step differs by {worst:g}")
        raise ValueError(msg)
    return float(host[0]), float(dt)


def _one_grid(name, host):
    """The 1-d grid of `host`; rows of a `t` with leading axes (Dask passes it broadcast to
    the batch, blockwise) must all be that grid."""
    rows = host.reshape(-1, host.shape[-1])
    if rows.shape[0] == 0:
        return None
    if not np.array_equal(rows, np.broadcast_to(rows[:1], rows.shape)):
        msg = f"`{name}` must be one time grid, shape (L,); got shape {host.shape} with rows that differ"
        raise ValueError(msg)
    return rows[0]


def _discrete_grid(sys, t, dt, name="t"):
    """Check that `t` steps by the discrete system's own `dt` (every batch element's)."""
    steps = np.asarray(_xp.to_numpy(sys.dt) if hasattr(sys.dt, "shape") else sys.dt, dtype=np.float64)
    if not np.allclose(steps, dt, rtol=SPACING_RTOL, atol=0.0):
        msg = (f"`{name}` must step by the discrete system's dt ({_dt_text(steps)}) to be its "
               f"sample times; got a step of {dt:g}")
        raise ValueError(msg)


def _dt_text(steps):
    flat = np.unique(steps.reshape(-1))
    return f"{flat[0]:g}" if flat.size == 1 else f"{flat.size} values from {flat.min():g} to {flat.max():g}"


# --------------------------------------------------------------------------- simulation


def simulate_continuous(sys, u, x0, t, interpolation, method, kernel):
    """The body of :func:`~lti_ops.simulate` for a continuous `sys` (see its docstring)."""
    from .recurrence import _unfold, check_signal, simulate, step

    xp = _xp.array_namespace(*sys._arrays(), u, x0, t, names=tuple(sys._CORE) + ("u", "x0", "t"))
    siso = sys.n_inputs == 1 and sys.n_outputs == 1
    if t is None:
        msg = "`sys` is continuous-time: simulating it needs `t`, the time points of `u`; got t=None"
        raise ValueError(msg)
    check_signal(u, siso, sys.n_inputs)
    _xp.floating_dtype(xp, u, names=["u"])
    if x0 is not None:
        _xp.floating_dtype(xp, x0, names=["x0"])
    L = u.shape[-1]
    _, dt = time_step(xp, t, L)
    _checks.all_finite(u=u, x0=x0)
    if isinstance(sys, DPLR):
        sys = sys.to_dense()  # discretize makes it dense: its states are those of to_dense()
    if interpolation == "zoh":
        dsys, gamma = discretize(sys, dt, "zoh"), None
    else:
        if isinstance(sys, Diagonal) and sys.conj_sym and _xp.is_complex(xp, u.dtype):
            x0 = _full_state(xp, x0, sys.n_modes)
            sys = _unfold(xp, sys)  # complex input: the foh offset breaks conjugate symmetry
        dsys, gamma = discretize(sys, dt, "foh"), _foh_offset(xp, sys, dt)
        x0 = _shift(xp, x0, gamma, _sample(u, 0, siso), -1)
    y_head, x_last = simulate(dsys, u[..., : L - 1], x0, method=method, kernel=kernel)
    y_last, _ = step(dsys, x_last, u[..., L - 1])
    y = xp.concat([y_head, xp.astype(y_last, y_head.dtype)[..., None]], axis=-1)
    if gamma is not None:
        x_last = _shift(xp, x_last, gamma, _sample(u, L - 1, siso), 1)
    return y, x_last


def _sample(u, k, siso):
    """The input vector at sample k, shape (..., M)."""
    return u[..., k : k + 1] if siso else u[..., k]


def _full_state(xp, x0, n_modes):
    if x0 is None or x0.ndim < 1 or x0.shape[-1] != n_modes:
        return x0
    conj = xp.conj(x0) if _xp.is_complex(xp, x0.dtype) else x0
    return xp.concat([x0, conj], axis=-1)


def _foh_offset(xp, sys, dt):
    r""":math:`\Gamma_2 = \int_0^\Delta e^{A(\Delta-s)}B\,s/\Delta\,ds`, shape (..., n, M).

    The foh state of :func:`~lti_ops.discretize` is :math:`\xi_k = x(t_k) - \Gamma_2u_k`.
    """
    if isinstance(sys, Diagonal):
        return (dt * _phi(xp, dt * sys.lam, 2))[..., None] * sys.B
    N, M = sys.n_states, sys.n_inputs
    eye = xp.eye(N, dtype=sys.A.dtype, device=_xp.common_device(sys.A))
    probe = StateSpace(sys.A, sys.B, eye, xp.zeros((N, M), dtype=sys.A.dtype, device=_xp.common_device(sys.A)))
    return discretize(probe, dt, "foh").D  # D + C Gamma_2 with C = I, D = 0


def _shift(xp, x, gamma, u_k, sign):
    """``x + sign * Gamma_2 u_k`` (x None: zero), in the promoted dtype."""
    offset = xp.matmul(gamma, xp.astype(u_k, xp.result_type(gamma.dtype, u_k.dtype))[..., None])[..., 0]
    offset = offset if sign > 0 else -offset
    if x is None:
        return offset
    if x.ndim < 1 or x.shape[-1] != gamma.shape[-2]:
        msg = f"`x0` must have shape (..., {gamma.shape[-2]}); got {tuple(x.shape)}"
        raise ValueError(msg)
    dtype = xp.result_type(x.dtype, offset.dtype)
    return xp.astype(x, dtype) + xp.astype(offset, dtype)


# --------------------------------------------------------------------------- step and impulse


def step_response(sys, t=None, *, n=None, kernel="auto"):
    r"""Response of every output to a unit step on each input, from rest.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete system; leading axes are batch axes.
    t : array, shape (L,), optional
        Time points, evenly spaced (see the module notes), L >= 2; the step is applied at
        ``t[0]``, so the response is measured from ``t[0]``. For a discrete system the step
        must be ``sys.dt``. Default: see :func:`impulse_response`.
    n : int, optional
        Number of points of the default grid (100); only without `t`.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the Markov parameters (see :func:`~lti_ops.markov_parameters`).

    Returns
    -------
    t : array, shape (L,)
        The time points: `t` itself, or the default grid (the system's namespace, device and
        real dtype).
    y : array, shape (..., P, M, L)
        ``y[..., i, j, k]``: output i at ``t[k]`` for a unit step on input j (SISO systems too).

    Raises
    ------
    TypeError
        If `sys` is not a system container, or `t` is not a real array.
    ValueError
        If `t` is not 1-d, finite, strictly increasing and evenly spaced with at least two
        points, steps by another value than a discrete system's ``dt``, or is given with `n`;
        if `n` is not a positive integer; if a discrete batch has several ``dt`` and no `t`.

    Notes
    -----
    Continuous: :math:`y(t_0 + k\Delta) = D + \int_0^{k\Delta} Ce^{A\tau}B\,d\tau`, exactly
    the ZOH discretization's running sum :math:`\sum_{j \le k} h_j` of Markov parameters
    (:math:`h_0 = D`, :math:`h_j = C\bar A^{j-1}\bar B`). Discrete: :math:`y_k = \sum_{j\le
    k} h_j`. Identities checked in ``tests/test_responses.py``: the step response is the
    running integral (continuous) or cumulative sum (discrete) of :func:`impulse_response`,
    it tends to the DC gain :math:`G(0)` (continuous) or :math:`G(1)` (discrete) of a stable
    system, and it agrees with ``scipy.signal.step``/``dstep`` and ``control.step_response``.

    References
    ----------
    .. [1] G. F. Franklin, J. D. Powell, M. L. Workman, *Digital Control of Dynamic
       Systems*, 3rd ed., Addison-Wesley, 1998, sec. 4.3 (exact ZOH sampling).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0]]), np.array([[1.0]]), np.array([[1.0]]))
    >>> t, y = lti_ops.step_response(sys, np.array([0.0, 1.0, 2.0]))
    >>> print(np.round(y[0, 0], 6))   # 1 - exp(-t)
    [0.       0.632121 0.864665]
    """
    t_out, dt, continuous = _response_grid(sys, t, n)
    L = t_out.shape[0]
    disc = discretize(sys, dt, "zoh") if continuous else sys
    h = markov_parameters(disc, L, kernel=kernel)
    return t_out, disc.xp.cumulative_sum(h, axis=-1)


def impulse_response(sys, t=None, *, n=None, kernel="auto"):
    r"""Response of every output to a unit impulse on each input, from rest.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete system; leading axes are batch axes.
    t : array, shape (L,), optional
        Time points, evenly spaced (see the module notes), L >= 2; the impulse is applied
        at ``t[0]``. For a discrete system the step must be ``sys.dt``. Default grid:
        continuous, ``linspace(0, 7 / r, n)`` with r the smallest :math:`|\mathrm{Re}\,p|`
        over the poles of the whole batch (1 if it is 0), as ``scipy.signal.impulse``;
        discrete, ``dt * arange(n)`` as ``scipy.signal.dimpulse``. A batch shares one grid.
    n : int, optional
        Number of points of the default grid (100); only without `t`.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the Markov parameters (see :func:`~lti_ops.markov_parameters`).

    Returns
    -------
    t : array, shape (L,)
        `t` itself, or the default grid (the system's namespace, device and real dtype).
    y : array, shape (..., P, M, L)
        ``y[..., i, j, k]``: output i at ``t[k]`` for an impulse on input j.

    Raises
    ------
    TypeError, ValueError
        As :func:`step_response`.

    Notes
    -----
    Continuous: :math:`y(t_0 + k\Delta) = Ce^{Ak\Delta}B`, the Markov parameters of the
    ``impulse`` discretization divided by :math:`\Delta`; the :math:`D\delta(t)` term is
    dropped, as ``scipy.signal.impulse`` and python-control do. Discrete: the unit-height
    response :math:`y_0 = D`, :math:`y_k = CA^{k-1}B` (:func:`~lti_ops.markov_parameters`,
    ``scipy.signal.dimpulse``'s scaling); python-control's ``impulse_response`` of a
    discrete system is unit-area, this divided by ``dt``. Checked against
    ``scipy.signal.impulse``/``dimpulse`` and ``control.impulse_response`` in
    ``tests/test_responses.py``, with :func:`step_response` as its running integral.

    References
    ----------
    .. [1] C.-T. Chen, *Linear System Theory and Design*, 3rd ed., Oxford, 1999, sec. 4.2.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0]]), np.array([[1.0]]), np.array([[2.0]]))
    >>> t, y = lti_ops.impulse_response(sys, np.array([0.0, 1.0, 2.0]))
    >>> print(np.round(y[0, 0], 6))   # 2 exp(-t)
    [2.       0.735759 0.270671]
    """
    t_out, dt, continuous = _response_grid(sys, t, n)
    L = t_out.shape[0]
    if not continuous:
        return t_out, markov_parameters(sys, L, kernel=kernel)
    xp = sys.xp
    core = replace(sys, D=xp.zeros_like(sys.D))
    return t_out, markov_parameters(discretize(core, dt, "impulse"), L, kernel=kernel) / dt


def _response_grid(sys, t, n):
    """(t, dt, continuous): the validated or default grid of a response."""
    check_system(sys)
    xp, continuous = sys.xp, not sys.is_discrete
    if t is not None:
        if n is not None:
            msg = f"give `t` or `n` (the length of the default grid), not both; got n={n!r}"
            raise ValueError(msg)
        _xp.array_namespace(*sys._arrays(), t, names=tuple(sys._CORE) + ("t",))
        _, dt = time_step(xp, t, None)
        if not continuous:
            _discrete_grid(sys, t, dt)
        return t, dt, continuous
    n = DEFAULT_POINTS if n is None else _checks.positive_int("n", n)
    if n < 2:
        msg = f"`n` must be at least 2 (points of the default grid); got {n}"
        raise ValueError(msg)
    dtype = _xp.real_dtype(xp, sys.dtype)
    device = _xp.common_device(*sys._arrays())
    if continuous:
        stop = DECAY_TIMES / _slowest_decay(sys)
        grid = np.linspace(0.0, stop, n)
        return xp.asarray(grid, dtype=dtype, device=device), float(grid[1]), True
    dt = _shared_dt(sys)
    return xp.asarray(np.arange(n) * dt, dtype=dtype, device=device), dt, False


def _slowest_decay(sys):
    """Smallest |Re p| over all poles of the batch (1 if it is 0), as SciPy's default."""
    poles = np.asarray(_xp.to_numpy(sys.poles()))
    r = float(np.min(np.abs(poles.real))) if poles.size else 0.0
    if not np.isfinite(r):
        msg = "`sys` has non-finite poles; no default time grid (give `t`)"
        raise ValueError(msg)
    return r if r > 0 else 1.0


def _shared_dt(sys):
    if not hasattr(sys.dt, "shape"):
        return float(sys.dt)
    steps = np.unique(np.asarray(_xp.to_numpy(sys.dt), dtype=np.float64).reshape(-1))
    if steps.size != 1:
        msg = (f"`sys` has {steps.size} different dt across its batch: give them one time grid "
               "by splitting the batch or passing `t`")
        raise ValueError(msg)
    return float(steps[0])
