r"""Interconnection of systems: series, parallel, feedback, append, LFT, and I/O indexing.

The container operators (``sys[outputs, inputs]``, ``+``, ``-``, ``*``, unary ``-``) are
thin methods (:mod:`lti_ops._operators`) over the functions here, with python-control's
conventions:

* ``series(sys1, sys2)`` is :math:`G_2 G_1` (``sys2`` after ``sys1``); ``sys1 * sys2`` is
  :math:`G_1 G_2` = ``series(sys2, sys1)``.
* ``parallel(sys1, sys2)`` and ``sys1 + sys2`` are :math:`G_1 + G_2`.
* ``feedback(sys1, sys2, sign)`` is :math:`(I - \mathrm{sign}\,G_1 G_2)^{-1} G_1`.
* A number, or an array of shape ``(..., P, M)``, stands for a static gain: a number is
  ``k I`` in a series or feedback connection and adds ``k`` to every entry in a sum (as
  python-control's ``D + k``); a SISO system beside a MIMO one acts on every channel
  (``G I`` in a series, ``G`` in every entry of a sum), as in python-control.

Results are dense :class:`~lti_ops.StateSpace` systems in general. The structure is kept
where it costs nothing: negation, indexing and static gains keep a ``Diagonal`` or ``DPLR``
(a complex gain turns a ``conj_sym`` system dense: its implied conjugate half would need
the conjugate gain); ``parallel`` and ``append`` of ``Diagonal`` systems with equal
``conj_sym`` give a ``Diagonal``, and of ``DPLR`` systems (``Diagonal`` ones count as rank
0) a ``DPLR`` whose low-rank factors are block diagonal (rank :math:`r_1 + r_2`).

Both systems must share a time domain (continuous, or the same ``dt``; array ``dt``s are
compared where their values can be read), batch axes broadcast like NumPy, dtypes promote.
"""

from __future__ import annotations

import numbers

from . import _xp
from ._blockwise import batched
from ._connect import (
    _as_gain_system,
    _blockdiag,
    _cat,
    _check_operand,
    _check_sign,
    _close,
    _common_dt,
    _dense,
    _dtype,
    _fold,
    _gain_array,
    _gain_core,
    _is_gain,
    _is_siso,
    _is_static,
    _is_system,
    _modal_io,
    _modal_join,
    _namespace,
    _scale,
    _scalar_system,
    _selection,
    _size_error,
    _static,
    _with_io,
    _zeros,
    SystemIndexError,
)
from .systems import StateSpace

__all__ = ["append", "feedback", "lft", "parallel", "series"]

PAIR = ("sys1", "sys2")


# --------------------------------------------------------------------------- promotion


def _promote_series(x, name, other, other_name, before):
    """Operand `x` of a series connection with the system `other` (x before other when
    `before`): a gain becomes a static system (k I for a scalar), a SISO system beside a
    MIMO one is repeated on every channel."""
    n = other.n_inputs if before else other.n_outputs
    if _is_system(x):
        if _is_siso(x) and not _is_siso(other) and n != 1:
            return append(*([x] * n))
        return x
    k = _gain_array(name, x, other, other_name)
    return _scalar_system(k, n, other) if k.ndim == 0 else _static(k, other)


def _promote_sum(x, name, other, other_name):
    """Operand of a sum with `other`: a scalar k is k in every entry, a SISO system G is G
    in every entry (A, B 1^T, 1 C, D 1 1^T)."""
    P, M = other.n_outputs, other.n_inputs
    if _is_system(x):
        if not (_is_siso(x) and not _is_siso(other)):
            return x
        xp = x.xp
        ones = lambda r, c, like: xp.ones((r, c), dtype=like.dtype, device=_xp.common_device(like))  # noqa: E731
        return _scale(x, ones(P, 1, x.C), ones(1, M, x.B))
    k = _gain_array(name, x, other, other_name)
    if k.ndim == 0:
        k = k * other.xp.ones((P, M), dtype=k.dtype, device=_xp.common_device(k))
    return _static(k, other)


def _pair(x1, x2, names, promote):
    for name, x in zip(names, (x1, x2)):
        _check_operand(name, x)
    if not (_is_system(x1) or _is_system(x2)):
        msg = f"at least one of `{names[0]}` and `{names[1]}` must be a StateSpace, Diagonal or DPLR system; got two gains"
        raise TypeError(msg)
    if _is_system(x1):
        x2 = promote(x2, names[1], x1, names[0], False)
        x1 = promote(x1, names[0], x2, names[1], True)
    else:
        x1 = promote(x1, names[0], x2, names[1], True)
        x2 = promote(x2, names[1], x1, names[0], False)
    _namespace([(names[0], x1), (names[1], x2)])
    return x1, x2, _common_dt([(names[0], x1), (names[1], x2)])


# --------------------------------------------------------------------------- series / parallel


def _series(x1, x2, names=PAIR):
    s1, s2, dt = _pair(x1, x2, names, _promote_series)
    if s1.n_outputs != s2.n_inputs:
        _size_error(names[0], "outputs", s1.n_outputs, names[1], "inputs", s2.n_inputs,
                    f"the outputs of `{names[0]}` feed the inputs of `{names[1]}`")
    if _is_static(s1) and not _is_static(s2):
        return _retime(_scale(s2, right=s1.D), dt)
    if _is_static(s2):
        return _retime(_scale(s1, left=s2.D), dt)
    dtype = _dtype(s1, s2)
    A1, B1, C1, D1 = _dense(s1, dtype)
    A2, B2, C2, D2 = _dense(s2, dtype)
    xp = s1.xp
    A = _cat([_cat([A1, _zeros(A1, A1.shape[-2], A2.shape[-1])], -1), _cat([xp.matmul(B2, C1), A2], -1)], -2)
    B = _cat([B1, xp.matmul(B2, D1)], -2)
    C = _cat([xp.matmul(D2, C1), C2], -1)
    return StateSpace(A, B, C, xp.matmul(D2, D1), dt=dt)


def _retime(sys, dt):
    """`sys` with the common dt (an array dt may carry batch axes the other lacked)."""
    if sys.dt is dt:
        return sys
    kw = {} if isinstance(sys, StateSpace) else {"conj_sym": sys.conj_sym}
    fields = {f: getattr(sys, f) for f in sys._CORE}
    return type(sys)(**fields, dt=dt, **kw)


def _parallel(x1, x2, names=PAIR):
    s1, s2, dt = _pair(x1, x2, names, lambda x, n, o, on, _: _promote_sum(x, n, o, on))
    if (s1.n_outputs, s1.n_inputs) != (s2.n_outputs, s2.n_inputs):
        _size_error(names[0], "outputs x inputs", f"{s1.n_outputs} x {s1.n_inputs}", names[1],
                    "outputs x inputs", f"{s2.n_outputs} x {s2.n_inputs}", "a sum needs equal sizes")
    xp = s1.xp
    D = s1.D + s2.D
    for gain, sys in ((s1, s2), (s2, s1)):
        if _is_static(gain) and not isinstance(sys, StateSpace):
            if not (sys.conj_sym and _xp.is_complex(xp, D.dtype)):
                return _retime(_with_io(sys, sys.B, sys.C, D), dt)
    dtype = _dtype(s1, s2)
    if not isinstance(s1, StateSpace) and not isinstance(s2, StateSpace):
        (B1, C1), (B2, C2) = _modal_io(s1, dtype), _modal_io(s2, dtype)
        joined = _modal_join([s1, s2], _cat([B1, B2], -2), _cat([C1, C2], -1), D, dt)
        if joined is not None:
            return joined
    A1, B1, C1, D1 = _dense(s1, dtype)
    A2, B2, C2, D2 = _dense(s2, dtype)
    return StateSpace(_blockdiag(A1, A2), _cat([B1, B2], -2), _cat([C1, C2], -1), D1 + D2, dt=dt)


@batched(sys1=_gain_core("sys1"), sys2=_gain_core("sys2"))
def series(sys1, sys2):
    r"""Series connection: `sys2` after `sys1`, :math:`G = G_2 G_1`.

    Parameters
    ----------
    sys1, sys2 : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        At least one a system. A number k is the gain :math:`k I`; a SISO system beside a
        MIMO one acts on every channel (:math:`G I`), as in python-control.

    Returns
    -------
    StateSpace, Diagonal or DPLR
        Dense with state :math:`(x_1, x_2)`; a system in series with a static gain keeps
        its structure (unless a complex gain meets a ``conj_sym`` system).

    Raises
    ------
    TypeError
        If an argument is neither a system nor a gain, both are gains, or the namespaces differ.
    ValueError
        If `sys1`'s outputs do not match `sys2`'s inputs, the time domains differ, the batch
        shapes do not broadcast, or a gain is 1-d or not finite.

    Notes
    -----
    .. math:: A = \begin{bmatrix} A_1 & 0 \\ B_2 C_1 & A_2 \end{bmatrix},\;
              B = \begin{bmatrix} B_1 \\ B_2 D_1 \end{bmatrix},\;
              C = \begin{bmatrix} D_2 C_1 & C_2 \end{bmatrix},\; D = D_2 D_1.

    The tests check :math:`G(s) = G_2(s) G_1(s)` at random points and python-control's
    ``series``; ``sys1 * sys2`` is ``series(sys2, sys1)``.

    References
    ----------
    .. [1] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 3.6.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> g = lti_ops.StateSpace(np.array([[-1.0]]), np.array([[1.0]]), np.array([[1.0]]))
    >>> s = lti_ops.series(g, 2 * g)
    >>> s.n_states, complex(lti_ops.transfer_function(s, np.array([0j]))[0, 0, 0])
    (2, (2+0j))
    """
    return _series(sys1, sys2)


@batched(sys1=_gain_core("sys1"), sys2=_gain_core("sys2"))
def parallel(sys1, sys2):
    r"""Parallel connection (sum): :math:`G = G_1 + G_2`.

    Parameters
    ----------
    sys1, sys2 : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        At least one a system. A number k adds k to every entry (python-control's
        ``D + k``); a SISO system beside a MIMO one is added to every entry.

    Returns
    -------
    StateSpace, Diagonal or DPLR
        ``Diagonal`` for two Diagonals with equal ``conj_sym``, ``DPLR`` for DPLR/Diagonal
        pairs with equal ``conj_sym`` (block-diagonal low-rank factors), the structured
        system itself plus a static gain, else dense with state :math:`(x_1, x_2)`.

    Raises
    ------
    TypeError, ValueError
        As :func:`series`; the sizes (outputs x inputs) must be equal.

    Notes
    -----
    :math:`A = \operatorname{diag}(A_1, A_2)`, :math:`B = [B_1; B_2]`,
    :math:`C = [C_1, C_2]`, :math:`D = D_1 + D_2`. Tested: :math:`G(s) = G_1(s) + G_2(s)`,
    python-control's ``parallel``, and ``sys1 + sys2``, ``sys1 - sys2``.

    References
    ----------
    .. [1] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 3.6.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> g = lti_ops.Diagonal.siso(np.array([-1.0]), np.ones(1), np.ones(1))
    >>> lti_ops.parallel(g, g)
    Diagonal(n_states=2, n_inputs=1, n_outputs=1, batch_shape=(), dtype=float64, continuous, conj_sym=False)
    """
    return _parallel(sys1, sys2)


# --------------------------------------------------------------------------- append / feedback / lft


def append(*systems):
    r"""Block-diagonal connection: inputs and outputs stacked, no interaction.

    Parameters
    ----------
    *systems : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        At least one system; numbers are 1 x 1 static gains.

    Returns
    -------
    StateSpace, Diagonal or DPLR
        :math:`G = \operatorname{diag}(G_1, G_2, \dots)`: ``Diagonal`` when all are
        Diagonals with equal ``conj_sym``, ``DPLR`` when all are DPLR or Diagonal with equal
        ``conj_sym``, else dense.

    Raises
    ------
    TypeError, ValueError
        As :func:`series` (arguments named ``systems[i]``).

    Notes
    -----
    :math:`A, B, C, D` are the block-diagonal stacks of the systems' matrices. Tested:
    :math:`G(s)` is block diagonal with blocks :math:`G_i(s)`; python-control's ``append``.

    References
    ----------
    .. [1] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 3.6.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> g = lti_ops.Diagonal.siso(np.array([-1.0]), np.ones(1), np.ones(1))
    >>> lti_ops.append(g, g, 3.0).D
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 3.]])
    """
    names = [f"systems[{i}]" for i in range(len(systems))]
    for name, x in zip(names, systems):
        _check_operand(name, x)
    found = [i for i, s in enumerate(systems) if _is_system(s)]
    if not found:
        msg = f"`systems` must contain at least one StateSpace, Diagonal or DPLR system; got {len(systems)} gains"
        raise TypeError(msg)
    like, like_name = systems[found[0]], names[found[0]]
    systems = [s if _is_system(s) else _as_gain_system(n, s, like, like_name) for n, s in zip(names, systems)]
    named = list(zip(names, systems))
    _namespace(named)
    dt = _common_dt(named)
    dtype = _dtype(*systems)
    B, C, D = _fold(systems, dtype, lambda s: _modal_io(s, dtype) if not isinstance(s, StateSpace) else None)
    joined = None if B is None else _modal_join(systems, B, C, D, dt)
    if joined is not None:
        return joined
    parts = [_dense(s, dtype) for s in systems]
    stacked = parts[0]
    for p in parts[1:]:
        stacked = tuple(_blockdiag(x, y) for x, y in zip(stacked, p))
    return StateSpace(*stacked, dt=dt)


@batched(sys1=_gain_core("sys1"), sys2=_gain_core("sys2"))
def feedback(sys1, sys2=None, sign=-1):
    r"""Feedback connection: `sys2` in the feedback path of `sys1`.

    Parameters
    ----------
    sys1 : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        The forward path, P outputs and M inputs.
    sys2 : StateSpace, Diagonal, DPLR, number, array or None, optional
        The feedback path, M outputs and P inputs. None is unity feedback (the identity;
        `sys1` must be square); a number k is :math:`k I`.
    sign : {-1, 1}, optional
        -1 (default) for negative feedback, 1 for positive feedback (python-control's).

    Returns
    -------
    StateSpace
        Dense, state :math:`(x_1, x_2)`, inputs and outputs those of `sys1`.

    Raises
    ------
    TypeError
        As :func:`series`; a `sign` that is not a number.
    ValueError
        If the loop is ill-posed (:math:`I - \mathrm{sign}\, D_1 D_2` is singular, checked
        where values can be read), sizes do not match, `sign` is not -1 or 1; as
        :func:`series` otherwise.

    Notes
    -----
    With :math:`u_1 = w + \mathrm{sign}\, y_2`, :math:`u_2 = y_1`:
    :math:`G = (I - \mathrm{sign}\, G_1 G_2)^{-1} G_1`. The realization closes the loop on
    ``append(sys1, sys2)``: with the interconnection :math:`v = K r + E w`,
    :math:`r = (I - D K)^{-1} (C x + D E w)`. Tested against the formula at random points,
    python-control's ``feedback`` and (torch, JAX) finite-difference gradients.

    References
    ----------
    .. [1] K. Zhou, J. C. Doyle, K. Glover, *Robust and Optimal Control*, Prentice Hall,
       1996, sec. 5.1 (well-posedness).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> g = lti_ops.StateSpace(np.array([[0.0]]), np.array([[1.0]]), np.array([[1.0]]))  # 1/s
    >>> lti_ops.feedback(g).poles()                                  # 1/(s + 1)
    array([-1.+0.j])
    """
    sign = _check_sign(sign)
    if sys2 is None:
        _check_operand("sys1", sys1)
        if not _is_system(sys1):
            msg = f"`sys1` must be a StateSpace, Diagonal or DPLR system when `sys2` is None; got {type(sys1).__name__}"
            raise TypeError(msg)
        if sys1.n_inputs != sys1.n_outputs:
            msg = (f"unity feedback (`sys2` None) needs a square `sys1`; got {sys1.n_outputs} outputs "
                   f"and {sys1.n_inputs} inputs")
            raise ValueError(msg)
        sys2 = 1.0
    s1, s2, dt = _pair(sys1, sys2, PAIR, _promote_feedback)
    if s2.n_inputs != s1.n_outputs or s2.n_outputs != s1.n_inputs:
        _size_error("sys2", "outputs x inputs", f"{s2.n_outputs} x {s2.n_inputs}", "sys1", "outputs x inputs",
                    f"{s1.n_outputs} x {s1.n_inputs}", "the feedback path must be M x P for a P x M forward path")
    dtype = _dtype(s1, s2)
    big = append(s1, s2).to_dense()
    xp, dev = big.xp, _xp.common_device(big.D)
    P1, M1 = s1.n_outputs, s1.n_inputs
    M, P = M1 + P1, P1 + M1
    K = _selection(xp, (M, P), [(i, P1 + i, sign) for i in range(M1)] + [(M1 + j, j, 1.0) for j in range(P1)],
                   dtype, dev)
    E = _selection(xp, (M, M1), [(i, i, 1.0) for i in range(M1)], dtype, dev)
    F = _selection(xp, (P1, P), [(j, j, 1.0) for j in range(P1)], dtype, dev)
    D1, D2 = (xp.astype(s.D, dtype) for s in (s1, s2))
    prod = sign * xp.matmul(D1, D2)
    loop = (xp.eye(P1, dtype=dtype, device=dev) - prod, prod)
    msg = ("the feedback loop of `sys1` and `sys2` is ill-posed: I - sign * sys1.D @ sys2.D is singular "
           "(an algebraic loop with no unique solution)")
    return _close(big, K, E, F, loop, msg, dt)


def _promote_feedback(x, name, other, other_name, first):
    """A gain in a feedback loop: k I sized to close the loop with `other`."""
    if _is_system(x):
        return x
    k = _gain_array(name, x, other, other_name)
    n = other.n_inputs if first else other.n_outputs
    return _scalar_system(k, n, other) if k.ndim == 0 else _static(k, other)


def _lft_sizes(s1, s2, nu, ny):
    limits = {"nu": min(s1.n_inputs, s2.n_outputs), "ny": min(s1.n_outputs, s2.n_inputs)}
    out = {}
    for name, value in (("nu", nu), ("ny", ny)):
        if value is None:
            out[name] = limits[name]
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            msg = f"`{name}` must be None or a non-negative integer; got {value!r}"
            raise TypeError(msg)
        if not 0 <= value <= limits[name]:
            what = "inputs of `sys1` and outputs of `sys2`" if name == "nu" else "outputs of `sys1` and inputs of `sys2`"
            msg = f"`{name}` must be between 0 and {limits[name]} (the fewer of the {what}); got {value}"
            raise ValueError(msg)
        out[name] = int(value)
    return out["nu"], out["ny"]


@batched(sys1=_gain_core("sys1"), sys2=_gain_core("sys2"))
def lft(sys1, sys2, nu=None, ny=None):
    r"""Lower linear fractional transformation :math:`F_l(G_1, G_2)`, as python-control's ``lft``.

    Parameters
    ----------
    sys1 : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        The plant, inputs :math:`(w_1, u)`, outputs :math:`(z_1, y)`.
    sys2 : StateSpace, Diagonal, DPLR, number or array of shape (..., P, M)
        The lower system (controller), inputs :math:`(y, w_2)`, outputs :math:`(u, z_2)`;
        a number is a 1 x 1 gain.
    nu : int, optional
        Size of u (the last `nu` inputs of `sys1`, the first `nu` outputs of `sys2`);
        default ``min(sys1.n_inputs, sys2.n_outputs)``.
    ny : int, optional
        Size of y (the last `ny` outputs of `sys1`, the first `ny` inputs of `sys2`);
        default ``min(sys1.n_outputs, sys2.n_inputs)``.

    Returns
    -------
    StateSpace
        Dense, state :math:`(x_1, x_2)`, inputs :math:`(w_1, w_2)`, outputs :math:`(z_1, z_2)`.

    Raises
    ------
    TypeError
        As :func:`series`; `nu` or `ny` not an integer.
    ValueError
        If `nu` or `ny` is negative or above its limit, the loop is ill-posed
        (:math:`I - D_{1,22} D_{2,11}` singular), or as :func:`series`.

    Notes
    -----
    For a plant with no extra inputs/outputs on `sys2`,
    :math:`F_l = G_{11} + G_{12} G_2 (I - G_{22} G_2)^{-1} G_{21}`, the identity the tests
    check at random points (and python-control's ``lft`` in general).

    References
    ----------
    .. [1] S. Skogestad, I. Postlethwaite, *Multivariable Feedback Control*, 2nd ed.,
       Wiley, 2005, app. A.7.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> P = lti_ops.StateSpace(np.array([[0.0]]), np.array([[1.0, 1.0]]), np.array([[1.0], [1.0]]))
    >>> lti_ops.lft(P, -1.0).poles()                        # u = -y closes 1/s into 1/(s+1)
    array([-1.+0.j])
    """
    s1, s2, dt = _pair(sys1, sys2, PAIR, _promote_lft)
    nu, ny = _lft_sizes(s1, s2, nu, ny)
    dtype = _dtype(s1, s2)
    big = append(s1, s2).to_dense()
    xp, dev = big.xp, _xp.common_device(big.D)
    (P1, M1), (P2, M2) = (s1.n_outputs, s1.n_inputs), (s2.n_outputs, s2.n_inputs)
    M, P = M1 + M2, P1 + P2
    K = _selection(xp, (M, P), [(M1 - nu + i, P1 + i, 1.0) for i in range(nu)]
                   + [(M1 + j, P1 - ny + j, 1.0) for j in range(ny)], dtype, dev)
    w = list(range(M1 - nu)) + list(range(M1 + ny, M))
    z = list(range(P1 - ny)) + list(range(P1 + nu, P))
    E = _selection(xp, (M, len(w)), [(r, c, 1.0) for c, r in enumerate(w)], dtype, dev)
    F = _selection(xp, (len(z), P), [(r, c, 1.0) for r, c in enumerate(z)], dtype, dev)
    D22 = xp.astype(s1.D[..., P1 - ny:, M1 - nu:], dtype)
    Dk11 = xp.astype(s2.D[..., :nu, :ny], dtype)
    prod = xp.matmul(D22, Dk11)
    loop = (xp.eye(ny, dtype=dtype, device=dev) - prod, prod)
    msg = ("the LFT of `sys1` and `sys2` is ill-posed: I - D22 @ Dk11 is singular (D22 the last ny x nu block "
           "of sys1.D, Dk11 the first nu x ny block of sys2.D)")
    return _close(big, K, E, F, loop, msg, dt)


def _promote_lft(x, name, other, other_name, first):
    if _is_system(x):
        return x
    return _as_gain_system(name, x, other, other_name)


# --------------------------------------------------------------------------- container operators


def negate(sys):
    """``-sys``: C and D negated, structure kept."""
    return _with_io(sys, sys.B, -sys.C, -sys.D)


def _index_list(name, key, n):
    """Integer positions selected by `key` (int, slice, sequence of ints) among n."""
    if isinstance(key, slice):
        return list(range(*key.indices(n)))
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        keys = [key]
    elif hasattr(key, "__len__") and not isinstance(key, (str, bytes, dict)) and getattr(key, "ndim", 1) == 1:
        keys = list(key.tolist() if hasattr(key, "tolist") else key)
    else:
        msg = f"`{name}` must be an int, a slice or a sequence of ints; got {key!r:.60}"
        raise TypeError(msg)
    out = []
    for k in keys:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            msg = f"`{name}` must hold integers; got {k!r}"
            raise TypeError(msg)
        if not -n <= k < n:
            msg = f"`{name}` index {k} is out of range for {n} {name}"
            raise SystemIndexError(msg)
        out.append(int(k) % n)
    return out


def index(sys, key):
    """``sys[outputs, inputs]``: the subsystem of the selected outputs and inputs.

    ints keep their axis (a 1 x 1 system), as in python-control; batch axes are untouched.
    """
    if not isinstance(key, tuple) or len(key) != 2:
        msg = f"`key` of `sys[outputs, inputs]` must be a pair (outputs, inputs); got {key!r:.60}"
        raise TypeError(msg)
    xp = sys.xp
    dev = _xp.common_device(sys.B)
    rows = _xp.index_array(xp, _index_list("outputs", key[0], sys.n_outputs), dev)
    cols = _xp.index_array(xp, _index_list("inputs", key[1], sys.n_inputs), dev)
    B = xp.take(sys.B, cols, axis=sys.B.ndim - 1)
    C = xp.take(sys.C, rows, axis=sys.C.ndim - 2)
    D = xp.take(xp.take(sys.D, rows, axis=sys.D.ndim - 2), cols, axis=sys.D.ndim - 1)
    return _with_io(sys, B, C, D)


OPERAND = ("left", "right")


def operate(op, left, right):
    """The binary operator `op` ("+", "-", "*") of ``left op right``, or NotImplemented."""
    if not all(_is_system(x) or _is_gain(x) for x in (left, right)):
        return NotImplemented
    if op == "*":
        return _series(right, left, names=OPERAND[::-1])
    if op == "-":
        right = negate(right) if _is_system(right) else -right
    return _parallel(left, right, names=OPERAND)
