r"""Running a discrete system over a sequence: one step, the control recurrence, S4's scan.

Two conventions, both named:

* :func:`simulate` — control: :math:`x_{k+1} = \bar Ax_k + \bar Bu_k`,
  :math:`y_k = Cx_k + Du_k`, from :math:`x_0` = `x0`;
* :func:`scan` — S4: :math:`x_k = \bar Ax_{k-1} + \bar Bu_k`, :math:`y_k = Cx_k + Du_k`, from
  :math:`x_{-1}` = `x0`, so that y = (:func:`~lti_ops.ssm_kernel` * u) + D u.

Both work through time in chunks. Inside a chunk the states come from a parallel prefix
(Hillis–Steele) scan — :math:`S_{i+1}[k] = S_i[k] + \bar A^{2^i}S_i[k - 2^i]`, depth
:math:`O(\log c)` — or, with ``method="sequential"``, from the plain loop. Memory stays
O(batch · N · chunk) whatever L is. States live in the system's own coordinates: the N/2
listed modes for ``conj_sym`` systems (outputs are then 2·Re of the half sums). That
shortcut holds for real input only: complex input to a ``conj_sym`` :class:`Diagonal` runs
on the full system of 2N modes ``(lam, conj(lam))`` (by linearity, as ``y(Re u) + i y(Im u)``).
With complex input the final state of a ``conj_sym`` Diagonal or DPLR system is the full
state, shape (..., 2N), whose halves are no longer conjugate (accepted back as `x0`, as is
the usual (..., N) half state).
"""

from __future__ import annotations

import math

from . import _cauchy, _checks, _dispatch, _xp, responses
from ._blockwise import batched, by_io
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["scan", "simulate", "step"]

_METHODS = ("auto", "parallel", "sequential")
_INTERPOLATIONS = responses.INTERPOLATIONS
SEQUENTIAL_MAX_LENGTH = 32


@batched(x=1, u=by_io(0, 1))
def step(sys, x, u):
    r"""One control-convention step: ``y = C x + D u`` and ``x_next = Abar x + Bbar u``.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Discrete system.
    x : array, shape (..., n)
        State (n = N, or the N/2 listed modes of a conj_sym system).
    u : array, shape (...) for SISO systems, (..., M) otherwise

    Returns
    -------
    y : array, shape (...) for SISO systems, (..., P) otherwise
    x_next : array, shape (..., n)

    Raises
    ------
    ValueError
        If `sys` is continuous or the shapes do not fit.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[0.5]]), np.array([[1.0]]), np.array([[2.0]]), dt=1.0)
    >>> y, x = lti_ops.step(sys, np.array([1.0]), np.array(3.0))
    >>> print(y, x)
    2.0 [3.5]
    """
    if x is None:
        raise ValueError("`x` must be the current state, shape (..., n); got None")
    for name, value in (("x", x), ("u", u)):
        if not hasattr(value, "shape"):
            msg = f"`{name}` must be an array; got {type(value).__name__}"
            raise TypeError(msg)
    try:
        y, x_next = simulate(sys, u[..., None], x, method="sequential")
    except (ValueError, TypeError) as error:  # simulate names its state `x0`; here it is `x`
        if "`x0`" not in str(error):
            raise
        raise type(error)(str(error).replace("`x0`", "`x`")) from None
    return y[..., 0], x_next


@batched(u=by_io(1, 2), x0=1, t=1)
def simulate(sys, u, x0=None, *, t=None, interpolation="zoh", method="auto", kernel="auto"):
    r"""Control-convention response: :math:`y_k = Cx_k + Du_k`, :math:`x_{k+1} = \bar Ax_k + \bar Bu_k`.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Discrete system, or a continuous one with `t`.
    u : array, shape (..., L) for SISO systems, (..., M, L) otherwise
        Input; leading axes broadcast with the system's batch.
    x0 : array, shape (..., n), optional
        Initial state :math:`x_0` (zeros by default); for a continuous system the state at
        ``t[0]`` (a DPLR system runs as its dense form: the state of ``sys.to_dense()``).
    t : array, shape (L,), optional
        Time points of `u`: required for a continuous system; 1-d, finite, strictly
        increasing, evenly spaced (within 1e-5 relative, ``scipy.signal.lsim``'s rule; see
        ``lti_ops.responses``). For a discrete system it is optional and only checked: its
        step must be ``sys.dt`` (any start). Leading axes are accepted only as copies of
        one grid (Dask passes `t` broadcast to the batch, blockwise).
    interpolation : {"zoh", "foh"}, optional
        Continuous systems: `u` held constant between samples (``"zoh"``) or linear between
        them (``"foh"``); the answer is exact for such inputs. Discrete systems: ``"zoh"``.
    method : {"auto", "parallel", "sequential"}, optional
        ``"auto"`` loops for L <= 32 and scans in parallel beyond.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation (see ``lti_ops._dispatch``); ``"xp"`` is the reference.

    Returns
    -------
    y : array, shape (..., L) or (..., P, L)
        For a continuous system, :math:`y(t_k)`.
    x_final : array, shape (..., n)
        Discrete: :math:`x_L`, ready to continue the sequence (shape (..., 2N), the full
        state, for complex `u` to a ``conj_sym`` system; see the module notes). Continuous:
        :math:`x(t_{L-1})`, the state at the last time point (``scipy.signal.lsim``'s
        ``xout[-1]``): a run on ``t[k:]`` from it continues exactly (the sample ``t[k]``
        repeated).

    Raises
    ------
    ValueError
        Continuous `sys` without `t`; bad `t` (see above), shapes, method or interpolation;
        ``interpolation="foh"`` for a discrete `sys`.

    Notes
    -----
    :math:`y_k = \sum_{j \ge 1} h_j u_{k-j} + Du_k` for :math:`x_0 = 0`, with the Markov
    parameters h of :func:`~lti_ops.markov_parameters`: checked in ``tests/test_recurrence.py``
    together with ``scipy.signal.dlsim``.

    Continuous systems, with :math:`\Delta` the step of `t`: ``zoh`` runs
    ``discretize(sys, dt, "zoh")`` from :math:`x_0`; ``foh`` runs ``discretize(sys, dt,
    "foh")``, whose state is :math:`\xi_k = x(t_k) - \Gamma_2u_k` with
    :math:`\Gamma_2 = \int_0^\Delta e^{A(\Delta-s)}B\,s/\Delta\,ds`, from
    :math:`\xi_0 = x_0 - \Gamma_2u_0` (its :math:`D + C\Gamma_2` makes :math:`y_k` exact).
    Unlike ``scipy.signal.lsim``, which takes `X0` at time 0 and propagates it to ``T[0]``,
    `x0` is the state at ``t[0]``; they agree for ``t[0] = 0``. Checked against ``lsim``
    (``interp=False``/``True``) and ``control.forced_response`` in ``tests/test_responses.py``.

    References
    ----------
    .. [1] G. E. Blelloch, "Prefix sums and their applications", 1990 (parallel scans of
       linear recurrences).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[0.5]]), np.array([[1.0]]), np.array([[1.0]]), dt=1.0)
    >>> y, x = lti_ops.simulate(sys, np.array([1.0, 0.0, 0.0]))
    >>> print(y, x)
    [0.  1.  0.5] [0.25]
    """
    interpolation = _checks.choice("interpolation", interpolation, _INTERPOLATIONS)
    if isinstance(sys, (StateSpace, Diagonal, DPLR)) and not sys.is_discrete:
        _checks.choice("method", method, _METHODS)
        return responses.simulate_continuous(sys, u, x0, t, interpolation, method, kernel)
    if interpolation != "zoh":
        msg = f"`interpolation` applies to continuous systems only; got {interpolation!r} with a discrete `sys`"
        raise ValueError(msg)
    if t is not None and isinstance(sys, (StateSpace, Diagonal, DPLR)) and hasattr(u, "shape"):
        xp = _xp.array_namespace(*sys._arrays(), u, t, names=tuple(sys._CORE) + ("u", "t"))
        _, dt = responses.time_step(xp, t, u.shape[-1])
        responses._discrete_grid(sys, t, dt)
    return _run(sys, u, x0, method, kernel, control=True)


@batched(u=by_io(1, 2), x0=1)
def scan(sys, u, x0=None, *, method="auto", kernel="auto"):
    r"""S4-convention response: :math:`x_k = \bar Ax_{k-1} + \bar Bu_k`, :math:`y_k = Cx_k + Du_k`.

    Parameters
    ----------
    sys, u, method, kernel
        As :func:`simulate`.
    x0 : array, shape (..., n), optional
        :math:`x_{-1}` (zeros by default).

    Returns
    -------
    y : array, shape (..., L) or (..., P, L)
    x_final : array, shape (..., n)
        :math:`x_{L-1}`.

    Raises
    ------
    ValueError
        As :func:`simulate`.

    Notes
    -----
    y equals the causal convolution of u with :func:`~lti_ops.ssm_kernel` plus D u (the
    "convolution = recurrence" identity of S4), checked in ``tests/test_recurrence.py``.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022, sec. 2.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[0.5]]), np.array([[1.0]]), np.array([[1.0]]), dt=1.0)
    >>> y, x = lti_ops.scan(sys, np.array([1.0, 0.0, 0.0]))
    >>> print(y, x)
    [1.   0.5  0.25] [0.25]
    """
    return _run(sys, u, x0, method, kernel, control=False)


# --------------------------------------------------------------------------- driver


def _run(sys, u, x0, method, kernel, control):
    method = _checks.choice("method", method, _METHODS)
    op = _Operator(sys, x0, u)
    _checks.all_finite(u=u, x0=x0)
    body = _dispatch.resolve("scan", kernel, op.xp, _run_generic)
    return body(op, u, x0, method, control)


def _run_generic(op, u, x0, method, control):
    """The reference body of :func:`simulate` and :func:`scan` on a validated operator."""
    xp, L = op.xp, u.shape[-1]
    x = xp.broadcast_to(op.initial_state(x0), op.batch + (op.n,))
    sequential = method == "sequential" or (method == "auto" and L <= SEQUENTIAL_MAX_LENGTH)
    c = L if sequential else _cauchy.chunk_length(op.state_size * 4, L)
    c = 1 << max(0, math.ceil(math.log2(c))) if not sequential else c
    ys = []
    for start in range(0, L, c):
        uc = op.as_signal(u[..., start : min(L, start + c)])
        states = op.states(x, uc, sequential)
        shown = xp.concat([x[..., None], states[..., :-1]], axis=-1) if control else states
        ys.append(op.output(shown, uc))
        x = states[..., -1]
    y = ys[0] if len(ys) == 1 else xp.concat(ys, axis=-1)
    return (y[..., 0, :] if op.siso else y), op.public_state(x)


def check_signal(u, siso, n_inputs):
    """``TypeError``/``ValueError`` naming `u` unless it is an array of shape (..., L) (SISO)
    or (..., M, L) with at least one time step."""
    expected = "(..., L)" if siso else f"(..., M={n_inputs}, L)"
    if not hasattr(u, "shape"):
        msg = f"`u` must be an array of shape {expected}; got {type(u).__name__}"
        raise TypeError(msg)
    if u.ndim < (1 if siso else 2) or (not siso and u.shape[-2] != n_inputs):
        msg = f"`u` must have shape {expected}; got {tuple(u.shape)}"
        raise ValueError(msg)
    if u.shape[-1] == 0:
        msg = f"`u` must have at least one time step (its last axis); got shape {tuple(u.shape)}"
        raise ValueError(msg)


class _Operator:
    """The discrete system as the scan needs it: drive, powers of Abar, output."""

    def __init__(self, sys, x, u):
        if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
            msg = f"`sys` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
            raise TypeError(msg)
        _checks.same_time_domain("sys", sys, continuous=False)
        self.xp = xp = _xp.array_namespace(*sys._arrays(), u, x, names=tuple(sys._CORE) + ("u", "x0"))
        self.siso = sys.n_inputs == 1 and sys.n_outputs == 1
        self.real_form = isinstance(sys, DPLR) and sys.conj_sym  # coupled halves: run real
        self.half = sys.n_modes if isinstance(sys, DPLR) else None
        self.sys = sys.to_dense() if isinstance(sys, DPLR) else sys
        self.diagonal = isinstance(self.sys, Diagonal)
        self.conj_sym = self.diagonal and self.sys.conj_sym
        check_signal(u, self.siso, self.sys.n_inputs)
        u_float = _xp.floating_dtype(xp, u, names=["u"])
        # 2 Re of the half sum is the output of real input only: complex input runs on the
        # full 2N-mode system (the listed modes and their conjugates), states included
        self.unfolded = self.conj_sym and _xp.is_complex(xp, u_float)
        self.full_state = self.real_form and _xp.is_complex(xp, u_float)  # the same for DPLR
        if self.unfolded:
            self.sys, self.conj_sym, self.half = _unfold(xp, self.sys), False, self.sys.n_modes
        self.dtype = xp.result_type(self.sys.dtype, u_float)  # states
        self.u_dtype = xp.result_type(self.sys.D.dtype, u_float)  # inputs, feedthrough
        self.n = self.sys.lam.shape[-1] if self.diagonal else self.sys.n_states
        self.batch = _broadcast_batch(sys, u, x, self.siso)
        self.state_size = max(1, self.n * math.prod(self.batch))
        self._powers = []

    def as_signal(self, u):
        """(..., M, c) in the input dtype."""
        return self.xp.astype(u[..., None, :] if self.siso else u, self.u_dtype)

    def initial_state(self, x0):
        xp = self.xp
        if x0 is None:
            return xp.zeros((self.n,), dtype=self.dtype, device=_xp.common_device(self.sys.B))
        expected = self.half if self.real_form or self.unfolded else self.n
        if self.full_state and x0.ndim >= 1 and x0.shape[-1] == 2 * expected:
            expected *= 2  # a full state, as a complex-input run returns it
        if self.unfolded and x0.ndim >= 1 and x0.shape[-1] == 2 * expected:
            expected = self.n  # a full state, as a complex-input run returns it
        elif self.unfolded and x0.ndim >= 1 and x0.shape[-1] == expected:
            x0 = xp.concat([x0, _conj(xp, x0)], axis=-1)
            expected = self.n
        if x0.ndim < 1 or x0.shape[-1] != expected:
            msg = f"`x0` must have shape (..., {expected}); got {tuple(x0.shape)}"
            raise ValueError(msg)
        _xp.floating_dtype(xp, x0, names=["x0"])  # refuses bool, object, half dtypes
        if self.real_form and self.full_state and x0.shape[-1] == 2 * self.half:
            top, bottom = x0[..., : self.half], x0[..., self.half :]  # (x, conj x) if real input
            x0 = xp.concat([(top + bottom) / 2, (top - bottom) / 2j], axis=-1)
        elif self.real_form:
            x0 = xp.concat([_re(xp, x0), _im(xp, x0)], axis=-1)
        return xp.astype(x0, xp.result_type(self.dtype, x0.dtype))

    def public_state(self, x):
        if not self.real_form:
            return x
        xp, n = self.xp, self.half
        ctype = _xp.complex_dtype(xp, x.dtype)
        re, im = xp.astype(x[..., :n], ctype), xp.astype(x[..., n:], ctype)
        if self.full_state:  # complex real coordinates: the halves are no longer conjugate
            return xp.concat([re + 1j * im, re - 1j * im], axis=-1)
        return re + 1j * im

    def drive(self, u):
        """``Bbar u`` for u of shape (..., M, c): (..., n, c)."""
        xp = self.xp
        return xp.matmul(xp.astype(self.sys.B, self.dtype), xp.astype(u, self.dtype))

    def apply(self, i, S):
        """Abar^(2^i) S for states S of shape (..., n, c)."""
        p = self._power(i)
        return p[..., :, None] * S if self.diagonal else self.xp.matmul(p, S)

    def _power(self, i):
        xp = self.xp
        while len(self._powers) <= i:
            if self._powers:
                p = self._powers[-1]
                self._powers.append(p * p if self.diagonal else xp.matmul(p, p))
            else:
                base = self.sys.lam if self.diagonal else self.sys.A
                self._powers.append(xp.astype(base, self.dtype))
        return self._powers[i]

    def states(self, x, u, sequential):
        """States s_0 ... s_{c-1} of one chunk after x (S4 convention)."""
        xp, bu = self.xp, self.drive(u)
        bu = xp.broadcast_to(bu, self.batch + tuple(bu.shape[-2:]))
        if sequential:
            out = []
            for drive in _xp.steps(bu):
                x = self.apply(0, x[..., None])[..., 0] + drive
                out.append(x)
            return xp.stack(out, axis=-1)
        S = xp.concat([bu[..., :1] + self.apply(0, x[..., None]), bu[..., 1:]], axis=-1)
        c, i = S.shape[-1], 0
        while (1 << i) < c:
            d = 1 << i
            moved = self.apply(i, S[..., : c - d])
            zeros = xp.zeros(moved.shape[:-1] + (d,), dtype=moved.dtype, device=_xp.common_device(moved))
            S = S + xp.concat([zeros, moved], axis=-1)
            i += 1
        return S

    def output(self, states, u):
        """``C x + D u`` over a chunk: (..., P, c); 2 Re of the half sum for conj_sym."""
        xp = self.xp
        y = xp.matmul(xp.astype(self.sys.C, states.dtype), states)
        if self.conj_sym:
            y = 2 * xp.real(y)
        Du = xp.matmul(xp.astype(self.sys.D, u.dtype), u)
        return y + xp.astype(Du, xp.result_type(y.dtype, Du.dtype))


def _re(xp, x):
    return xp.real(x) if _xp.is_complex(xp, x.dtype) else x


def _conj(xp, x):
    return xp.conj(x) if _xp.is_complex(xp, x.dtype) else x


def _unfold(xp, sys):
    """The conj_sym Diagonal `sys` as the plain Diagonal of all its 2N modes."""
    def both(x, axis):
        return xp.concat([x, _conj(xp, x)], axis=axis)

    return Diagonal(both(sys.lam, -1), both(sys.B, -2), both(sys.C, -1), sys.D, dt=sys.dt)


def _im(xp, x):
    return xp.imag(x) if _xp.is_complex(xp, x.dtype) else xp.zeros_like(x)


def _broadcast_batch(sys, u, x0, siso):
    core = 1 if siso else 2
    shapes = {"sys": sys.batch_shape, "u": tuple(u.shape[: u.ndim - core])}
    if x0 is not None and getattr(x0, "ndim", 0) >= 1:
        shapes["x0"] = tuple(x0.shape[:-1])
    return _checks.broadcast_batch(shapes)
