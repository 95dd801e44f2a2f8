r"""Balanced realizations, balanced truncation and realization from Markov parameters.

All three rest on one step, square-root balancing (papers.md §1.5): with Gramian factors
:math:`P = RR^H`, :math:`Q = SS^H` and the SVD :math:`S^H R = U\Sigma V^H`, the projections
:math:`T_k = \Sigma_k^{-1/2}U_k^H S^H` and :math:`T_k^{+} = R V_k \Sigma_k^{-1/2}` give the
balanced system :math:`(T_k A T_k^+, T_k B, C T_k^+, D)` of order k, whose Gramians are both
:math:`\Sigma_k`. :func:`realize` builds a first realization from the Hankel matrix of the
Markov parameters (Ho-Kalman / ERA) and balances it the same way. :func:`modred` reduces
by eliminating chosen states instead (truncation or singular perturbation).
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from . import _checks, _lyapunov, _xp
from ._blockwise import batched, by_mimo
from .hankel import _check_system, _markov_sequence, _sizes, epsilon_rank, hankel_matrix, mcmillan_degree
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["Balanced", "BalancedTruncation", "balanced_realization", "balanced_truncation", "modred", "realize"]

MODRED_METHODS = ("matchdc", "truncate")


class Balanced(NamedTuple):
    """Result of :func:`balanced_realization`."""

    system: StateSpace
    hsv: object


class BalancedTruncation(NamedTuple):
    """Result of :func:`balanced_truncation`: the reduced system, all Hankel singular
    values of the original, and the a-priori bound :math:`2\\sum_{j>k}\\sigma_j`."""

    system: StateSpace
    hsv: object
    error_bound: object


def _dense(sys):
    sys = _check_system(sys)
    return sys.to_dense() if isinstance(sys, (Diagonal, DPLR)) else sys


def _projections(sys, order, minimal=False):
    """(T, T+, hsv) of square-root balancing truncated to `order` states."""
    xp = sys.xp
    R, S, product = _lyapunov.square_root_product(sys)
    U, hsv, Vh = xp.linalg.svd(product, full_matrices=False)
    if not hsv.shape[-1]:  # no state: nothing to balance
        return R, S, hsv
    _require_rank(sys, hsv, order, minimal)
    root = xp.sqrt(hsv[..., :order])
    scale = xp.astype(1 / root, U.dtype)
    T = scale[..., :, None] * _xp.conj_transpose(U[..., :, :order])
    T = xp.matmul(T, _xp.conj_transpose(S))
    Tplus = xp.matmul(R, _xp.conj_transpose(Vh[..., :order, :])) * scale[..., None, :]
    return T, Tplus, hsv


def _require_rank(sys, hsv, order, minimal):
    r"""Refuse to balance `order` states unless the system has that many above rounding.

    Gramian-route HSVs of uncontrollable or unobservable states come out near
    :math:`\sqrt\epsilon\sigma_1`, not zero, and so can the smallest HSVs of a minimal system:
    below ``100 sqrt(eps) sigma_1`` the Markov-route rank (:func:`~lti_ops.mcmillan_degree`,
    floor ``m eps sigma_1``) decides. Below ``n eps sigma_1`` no check is needed."""
    xp = sys.xp
    if not order:
        return
    sigma = hsv[..., order - 1]
    floor = dense_floor(xp, hsv)
    rank = None
    if bool(xp.all(sigma > floor)):
        if bool(xp.all(sigma > 100 * math.sqrt(_xp.eps(xp, hsv.dtype)) * hsv[..., 0])):
            return
        try:
            rank = int(xp.min(mcmillan_degree(sys)))
        except NotImplementedError:  # no eigensolver to size the Markov sequence: trust the HSVs
            return
        if rank >= order:
            return
    got = f"its numerical rank (McMillan degree) is {rank}" if rank is not None else (
        f"Hankel singular value {order} is below n*eps*sigma_1")
    fix = "truncate to at most its McMillan degree (lti_ops.mcmillan_degree) with lti_ops.balanced_truncation"
    if order == sys.n_states and minimal:
        msg = f"`sys` is not minimal to working precision ({got}; n_states = {order}), so its balanced realization is ill-defined; {fix}"
    else:
        msg = f"`order` = {order} exceeds the system's numerical rank ({got}): balancing {order} states is ill-defined; {fix}"
    raise ValueError(msg)


def dense_floor(xp, hsv):
    """n * eps * sigma_1: Hankel singular values below it are zero to working precision."""
    return hsv.shape[-1] * _xp.eps(xp, hsv.dtype) * hsv[..., 0]


def _project(dense, T, Tplus):
    xp = dense.xp
    A = xp.matmul(xp.matmul(T, xp.astype(dense.A, T.dtype)), Tplus)
    B = xp.matmul(T, xp.astype(dense.B, T.dtype))
    C = xp.matmul(xp.astype(dense.C, T.dtype), Tplus)
    return StateSpace(A, B, C, dense.D, dt=dense.dt)


@batched()
def balanced_realization(sys):
    r"""The balanced realization of a stable minimal system: P = Q = diag(σ).

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Asymptotically stable and minimal (no zero Hankel singular value), continuous or
        discrete, batched.

    Returns
    -------
    Balanced
        ``(system, hsv)``: the balanced dense :class:`~lti_ops.StateSpace` (real for a real
        system, including ``conj_sym`` ones) and the Hankel singular values, descending.

    Raises
    ------
    ValueError
        If the system is unstable, or not minimal to working precision: an HSV below
        ``100 sqrt(eps) sigma_1`` is checked against the numerical rank of the Markov
        Hankel matrix (:func:`~lti_ops.mcmillan_degree`), and a McMillan degree below
        ``n_states`` raises (the balancing transform would divide by rounding noise;
        balance ``balanced_truncation(sys, mcmillan_degree(sys))`` instead).

    Notes
    -----
    Square-root balancing (module docstring). Tested: both Gramians of the result equal
    diag(σ), and Markov parameters are unchanged. States whose σ is tiny but nonzero are
    kept, at the price of a transformation with condition :math:`\sqrt{\sigma_1/\sigma_n}`.

    References
    ----------
    .. [1] M. S. Tombs, I. Postlethwaite, "Truncated balanced realization of a stable
       non-minimal state-space system", Int. J. Control 46(4), 1987.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0, 1.0], [0.0, -2.0]]), np.ones((2, 1)), np.array([[1.0, 0.0]]))
    >>> bal, hsv = lti_ops.balanced_realization(sys)
    >>> P, Q = lti_ops.gramians(bal)
    >>> bool(np.allclose(P, np.diag(hsv)) and np.allclose(Q, np.diag(hsv)))
    True
    """
    dense = _dense(sys)
    T, Tplus, hsv = _projections(dense, dense.n_states, minimal=True)
    return Balanced(_project(dense, T, Tplus), hsv)


@batched()
def balanced_truncation(sys, order):
    r"""Balanced truncation of a stable system to `order` states.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Asymptotically stable, continuous or discrete, batched.
    order : int
        States kept, ``0 <= order <= n_states``.

    Returns
    -------
    BalancedTruncation
        ``(system, hsv, error_bound)``: the reduced dense system, all Hankel singular values
        of `sys`, and :math:`2\sum_{j>k}\sigma_j`. In continuous time the reduced system is
        balanced with Gramians ``diag(hsv[:order])``; in discrete time truncation does not
        preserve the Lyapunov equations, so its Gramians differ (it is stable, and the
        error bound holds).

    Raises
    ------
    ValueError
        If `order` is out of range, the system is unstable, or `order` exceeds the
        system's numerical rank (McMillan degree, checked as in
        :func:`balanced_realization`). A non-minimal system is truncated safely to any
        order up to its McMillan degree, as the states dropped are the unreachable or
        unobservable ones.
    TypeError
        If `order` is not an integer.

    Notes
    -----
    The reduced :math:`G_k` satisfies :math:`\sigma_{k+1} \le \|G - G_k\|_\infty \le
    2\sum_{j>k}\sigma_j` (Glover; Enns), checked in the tests with :func:`~lti_ops.hinf_norm`
    in continuous and discrete time. The feed-through D is kept, so
    :math:`G_k(\infty) = G(\infty)` (continuous) and :math:`h_0` is kept (discrete).

    References
    ----------
    .. [1] B. C. Moore, "Principal component analysis in linear systems: controllability,
       observability, and model reduction", IEEE TAC 26(1), 1981.
    .. [2] K. Glover, "All optimal Hankel-norm approximations of linear multivariable
       systems and their L-infinity error bounds", Int. J. Control 39(6), 1984.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> lam = -np.array([1.0, 2.0, 50.0])
    >>> sys = lti_ops.Diagonal.siso(lam, np.ones(3), np.ones(3))
    >>> red, hsv, bound = lti_ops.balanced_truncation(sys, 2)
    >>> red.n_states, bool(bound == 2 * hsv[2])
    (2, True)
    """
    dense = _dense(sys)
    n = dense.n_states
    if isinstance(order, bool) or not isinstance(order, numbers.Integral):
        raise TypeError(f"`order` must be an int; got {order!r}")
    if not 0 <= order <= n:
        raise ValueError(f"`order` must be an int in [0, n_states = {n}]; got {order!r}")
    order = int(order)
    T, Tplus, hsv = _projections(dense, order)
    xp = dense.xp
    bound = 2 * xp.sum(hsv[..., order:], axis=-1)
    return BalancedTruncation(_project(dense, T, Tplus), hsv, bound)


@batched(needs="order", h=by_mimo(1, 3))
def realize(h, order=None, *, tol=None, dt=1.0, mimo=False):
    r"""A balanced minimal realization from Markov parameters (Ho-Kalman / ERA).

    Parameters
    ----------
    h : array, shape (..., L) or, with ``mimo=True``, (..., P, M, L)
        Markov parameters :math:`h_0 = D, h_1, \dots, h_{L-1}` (the layout of
        :func:`lti_ops.markov_parameters`), L >= 3.
    order : int, optional
        States of the realization. By default the numerical rank of the Hankel matrix at
        relative threshold `tol`, which must then be the same over the batch.
    tol : float, optional
        Relative rank threshold; default ``100 * m * eps`` with m the Hankel matrix's
        larger side (as :func:`~lti_ops.mcmillan_degree`).
    dt : float, optional
        Sampling step of the returned discrete system.
    mimo : bool, optional
        Layout of `h`.

    Returns
    -------
    StateSpace
        Discrete, with ``D = h_0``; balanced (P = Q = diag(σ)) when it is stable, and
        balanced with respect to the finite Hankel matrix otherwise.

    Raises
    ------
    ValueError
        If ``L < 3``, `h` is not finite, `order` exceeds the Hankel matrix's numerical
        rank at `tol` or its size, `tol` is not in (0, 1), `dt` is not positive, or the
        default rank differs over the batch.
    TypeError
        If `order` is not an integer or `dt` not a number.

    Notes
    -----
    With :math:`\mathbf H_0 = [h_{i+j+1}]` and the shifted :math:`\mathbf H_1 = [h_{i+j+2}]`
    (r block rows, c block columns, r + c + 1 <= L) and the SVD
    :math:`\mathbf H_0 = U\Sigma V^H`: :math:`A = \Sigma_k^{-1/2}U_k^H\mathbf H_1 V_k\Sigma_k^{-1/2}`,
    B the first M columns of :math:`\Sigma_k^{1/2}V_k^H`, C the first P rows of
    :math:`U_k\Sigma_k^{1/2}`. It reproduces every Markov parameter exactly when the
    sequence has McMillan degree k < min(r, c) (Kronecker), which the tests check on
    ``realize(markov_parameters(sys))``. A stable result is then balanced exactly by
    :func:`balanced_realization`.

    References
    ----------
    .. [1] B. L. Ho, R. E. Kalman, "Effective construction of linear state-variable models
       from input/output functions", Regelungstechnik 14, 1966.
    .. [2] J.-N. Juang, R. S. Pappa, "An eigensystem realization algorithm for modal
       parameter identification and model reduction", J. Guidance 8(5), 1985.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> h = np.concatenate([[0.0], 0.5 ** np.arange(20) + (-0.3) ** np.arange(20)])
    >>> sys = lti_ops.realize(h)
    >>> sys.n_states, bool(np.allclose(lti_ops.markov_parameters(sys, 21)[0, 0], h))
    (2, True)
    """
    xp, h = _markov_sequence(h, mimo)
    L = h.shape[-1]
    if L < 3:
        raise ValueError(f"`h` needs at least 3 Markov parameters to realize; got L = {L}")
    if not mimo:
        h = h[..., None, None, :]
    rows, cols = _sizes(L - 1, None, None)
    H0 = hankel_matrix(h[..., :-1], rows, cols, mimo=True)
    H1 = hankel_matrix(h[..., 1:], rows, cols, mimo=True)
    U, sv, Vh = xp.linalg.svd(H0, full_matrices=False)
    dt = _checks.sampling_time(dt, allow_none=False)
    order = _era_order(xp, sv, order, tol)
    P, M = h.shape[-3], h.shape[-2]
    root = xp.sqrt(sv[..., :order])
    inv = xp.astype(1 / root, U.dtype)
    Uk = U[..., :, :order] * inv[..., None, :]
    Vk = _xp.conj_transpose(Vh[..., :order, :]) * inv[..., None, :]
    A = xp.matmul(xp.matmul(_xp.conj_transpose(Uk), H1), Vk)
    rootc = xp.astype(root, U.dtype)
    B = (Vh[..., :order, :M]) * rootc[..., :, None]
    C = U[..., :P, :order] * rootc[..., None, :]
    sys = StateSpace(A, B, C, h[..., 0], dt=dt)
    if order and bool(xp.all(sys.is_stable())):
        return balanced_realization(sys).system
    return sys


def _era_order(xp, sv, order, tol):
    """`order`, checked against the numerical rank of the Hankel matrix, or that rank."""
    k = sv.shape[-1]
    if tol is None:
        tol = 100 * k * _xp.eps(xp, sv.dtype)
    tol = _checks.real_number("tol", tol, minimum=0.0)
    if tol >= 1:
        raise ValueError(f"`tol` must be in (0, 1); got {tol!r}")
    ranks = epsilon_rank(sv, tol) if k else xp.zeros(sv.shape[:-1], dtype=xp.int64)
    low, high = (int(xp.min(ranks)), int(xp.max(ranks))) if ranks.size != 0 else (0, 0)
    if order is not None:
        if isinstance(order, bool) or not isinstance(order, numbers.Integral):
            raise TypeError(f"`order` must be an int; got {order!r}")
        if not 0 <= order <= k:
            raise ValueError(f"`order` must be an int in [0, {k}] (the Hankel matrix's size); got {order!r}")
        if order > low and ranks.size != 0:  # an empty batch (Dask's meta probe) has no rank
            msg = (
                f"`order` = {order} exceeds the numerical rank {low} of the Hankel matrix of `h` "
                f"(singular values above tol={tol:.3g} times the largest): the extra states would "
                f"realize rounding noise; pass order <= {low} or a smaller `tol`"
            )
            raise ValueError(msg)
        return int(order)
    if low != high:
        raise ValueError(f"the numerical rank of `h` varies over the batch ({low} to {high}); pass `order`")
    return low


# --------------------------------------------------------------------------- modred


@batched()
def modred(sys, elim, method="matchdc"):
    r"""Reduce a system by eliminating the states `elim` (python-control's ``modred``).

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, batched. Stability is not required.
    elim : int or sequence of int
        Indices of the states to eliminate, in ``[0, n_states)``, the same for the whole
        batch; their order does not matter and the kept states keep their order. They index
        the states of ``sys.to_dense()`` (the real 2N form of a ``conj_sym`` system).
    method : {"matchdc", "truncate"}, optional
        ``"matchdc"`` (default): singular perturbation, keeping the DC gain;
        ``"truncate"``: drop the states.

    Returns
    -------
    StateSpace or Diagonal
        The reduced system, ``n_states - len(elim)`` states (0 if all are eliminated: then
        ``"matchdc"`` leaves the static gain G(0) or G(1) in D). A :class:`Diagonal` with
        ``conj_sym=False`` stays Diagonal (its states are its modes and A12 = A21 = 0);
        other systems come back dense. An empty `elim` returns `sys` itself, unchanged.

    Raises
    ------
    ValueError
        An index of `elim` out of range or repeated; an unknown `method`; with
        ``"matchdc"``, :math:`E_{22}` (below) singular to working precision, i.e. the
        eliminated states have a pole at s = 0 (continuous) or z = 1 (discrete).
    TypeError
        `sys` not a system; `elim` not an int or a sequence of ints (floats, bools and
        strings are refused).

    Notes
    -----
    Order the states as (kept, eliminated) and split
    :math:`A = [[A_{11}, A_{12}], [A_{21}, A_{22}]]`, :math:`B = [B_1; B_2]`,
    :math:`C = [C_1, C_2]`. ``"truncate"`` returns :math:`(A_{11}, B_1, C_1, D)`.
    ``"matchdc"`` sets the eliminated states to their equilibrium at the DC point
    :math:`z_0` (0 in continuous time, 1 in discrete time), :math:`z_0x_2 = A_{21}x_1 +
    A_{22}x_2 + B_2u`, i.e. :math:`x_2 = E_{22}^{-1}(A_{21}x_1 + B_2u)` with
    :math:`E_{22} = z_0I - A_{22}`:

    .. math::

        A_r = A_{11} + A_{12}E_{22}^{-1}A_{21},\quad B_r = B_1 + A_{12}E_{22}^{-1}B_2,\quad
        C_r = C_1 + C_2E_{22}^{-1}A_{21},\quad D_r = D + C_2E_{22}^{-1}B_2.

    In continuous time this is :math:`A_{11} - A_{12}A_{22}^{-1}A_{21}`, ... (python-control,
    MATLAB). The linear system :math:`(z_0I - A)x = Bu`, :math:`y = Cx + Du` that gives
    :math:`G(z_0)` reduces to the same one in :math:`x_1` by block elimination (the Schur
    complement of :math:`E_{22}`), so :math:`G_r(z_0) = G(z_0)` exactly whenever
    :math:`z_0I - A` is invertible. The tests check this identity, ``"truncate"`` against
    the kept blocks, both methods against python-control in continuous time, and the
    discrete formula against python-control's continuous one on :math:`A - I` (the same
    :math:`E_{22}`). python-control refuses ``"matchdc"`` in discrete time.

    References
    ----------
    .. [1] P. V. Kokotovic, R. E. O'Malley, P. Sannuti, "Singular perturbations and order
       reduction in control theory - an overview", Automatica 12(2), 1976.
    .. [2] Y. Liu, B. D. O. Anderson, "Singular perturbation approximation of balanced
       systems", Int. J. Control 50(4), 1989.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0, 1.0], [0.0, -10.0]]), np.ones((2, 1)), np.ones((1, 2)))
    >>> red = lti_ops.modred(sys, [1])
    >>> red.n_states, bool(np.allclose(lti_ops.transfer_function(red, np.zeros(1)),
    ...                                lti_ops.transfer_function(sys, np.zeros(1))))
    (1, True)
    >>> lti_ops.modred(sys, 1, method="truncate").A
    array([[-1.]])
    """
    sys = _check_system(sys)
    method = _checks.choice("method", method, MODRED_METHODS)
    n = sys.n_states
    elim = _state_indices(elim, n)
    if not elim:
        return sys
    keep = [i for i in range(n) if i not in set(elim)]
    if isinstance(sys, Diagonal) and not sys.conj_sym:
        return _modred_diagonal(sys, keep, elim, method)
    dense = sys.to_dense()
    pick = _index_picker(dense.xp, dense.A)
    if method == "truncate":
        return StateSpace(pick(dense.A, keep, keep), pick(dense.B, keep, None), pick(dense.C, None, keep),
                          dense.D, dt=dense.dt)
    return _matchdc(dense, pick, keep, elim)


def _matchdc(dense, pick, keep, elim):
    """Singular perturbation at the DC point (formulas in :func:`modred`'s Notes)."""
    xp = dense.xp
    A11, A12 = pick(dense.A, keep, keep), pick(dense.A, keep, elim)
    B1, C1 = pick(dense.B, keep, None), pick(dense.C, None, keep)
    A21, A22 = pick(dense.A, elim, keep), pick(dense.A, elim, elim)
    B2, C2 = pick(dense.B, elim, None), pick(dense.C, None, elim)
    E22 = (1.0 if dense.is_discrete else 0.0) * _xp._eye_like(xp, A22) - A22
    msg = _singular_message(elim, dense.is_discrete)
    if _xp.can_read_values(E22) and bool(xp.any(_xp.is_singular(E22))):
        raise ValueError(msg)
    batch = _checks.broadcast_batch({"A": A21.shape[:-2], "B": B2.shape[:-2]})
    rhs = xp.concat([xp.broadcast_to(A21, batch + A21.shape[-2:]), xp.broadcast_to(B2, batch + B2.shape[-2:])], axis=-1)
    X = _xp.solve(E22, rhs, singular_msg=msg)
    XA, XB = X[..., :len(keep)], X[..., len(keep):]
    return StateSpace(A11 + xp.matmul(A12, XA), B1 + xp.matmul(A12, XB), C1 + xp.matmul(C2, XA),
                      dense.D + xp.matmul(C2, XB), dt=dense.dt)


def _state_indices(elim, n):
    """`elim` as a sorted list of distinct Python ints in [0, n)."""
    def is_int(k):
        return isinstance(k, numbers.Integral) and not isinstance(k, bool)

    if is_int(elim):
        items = [elim]
    elif isinstance(elim, (list, tuple, range)) or (getattr(elim, "ndim", None) == 1 and hasattr(elim, "tolist")):
        items = elim.tolist() if hasattr(elim, "tolist") else list(elim)
    else:
        items = None
    if items is None or not all(is_int(k) for k in items):
        msg = f"`elim` must be an int or a sequence of ints (state indices); got {elim!r}"
        raise TypeError(msg)
    items = [int(k) for k in items]
    bad = [k for k in items if not 0 <= k < n]
    if bad:
        msg = f"`elim` must hold state indices in [0, n_states = {n}); got {bad[0]} in {items}"
        raise ValueError(msg)
    if len(set(items)) != len(items):
        msg = f"`elim` must not repeat a state; got {items}"
        raise ValueError(msg)
    return sorted(items)


def _index_picker(xp, like):
    """``pick(M, rows, cols)``: the rows and columns of M (None: all) as index arrays."""
    device = _xp.common_device(like)

    def take(M, idx, axis):
        if idx is None:
            return M
        return xp.take(M, _xp.index_array(xp, idx, device), axis=M.ndim + axis)

    return lambda M, rows, cols: take(take(M, rows, -2), cols, -1)


def _singular_message(elim, discrete):
    point, block = ("z = 1", "I - A22") if discrete else ("s = 0", "A22")
    return (f"`sys` has eliminated states `elim` = {elim} whose block {block} is singular (a pole at "
            f"{point} among them), so method='matchdc' is undefined; truncate instead or eliminate other states")


def _modred_diagonal(sys, keep, elim, method):
    """modred of a Diagonal without conj_sym: the modes stay diagonal."""
    xp = sys.xp
    device = _xp.common_device(sys.lam)
    kept, gone = (_xp.index_array(xp, i, device) for i in (keep, elim))
    lam = xp.take(sys.lam, kept, axis=sys.lam.ndim - 1)
    B1, C1 = xp.take(sys.B, kept, axis=sys.B.ndim - 2), xp.take(sys.C, kept, axis=sys.C.ndim - 1)
    if method == "truncate":
        return Diagonal(lam, B1, C1, sys.D, dt=sys.dt)
    e = (1.0 if sys.is_discrete else 0.0) - xp.take(sys.lam, gone, axis=sys.lam.ndim - 1)
    msg = _singular_message(elim, sys.is_discrete)
    if _xp.can_read_values(e) and bool(xp.any(_xp.near_zero(e) | (e == 0))):
        raise ValueError(msg)
    B2, C2 = xp.take(sys.B, gone, axis=sys.B.ndim - 2), xp.take(sys.C, gone, axis=sys.C.ndim - 1)
    D = sys.D + xp.matmul(C2, B2 / e[..., :, None])
    return Diagonal(lam, B1, C1, D, dt=sys.dt)
