r"""The Hankel operator of an LTI system: Hankel matrices, Gramians and singular values.

The Hankel operator maps past inputs to future outputs; its matrix is
:math:`\mathbf H = [h_{i+j+1}]_{i,j \ge 0} = \mathcal O \mathcal C` (papers.md §1.4), whose
singular values, the Hankel singular values (HSVs) :math:`\sigma_1 \ge \sigma_2 \ge \dots`,
measure how many states the system really uses. They are computed here two ways:

* ``method="gramian"``: the square-root method on the Gramians P, Q (closed form for
  :class:`~lti_ops.Diagonal`, a Lyapunov solve for dense systems): with ``P = R R^H`` and
  ``Q = S S^H``, :math:`\sigma = \operatorname{svd}(S^H R)`;
* ``method="markov"``: the singular values of a long finite Hankel matrix of the Markov
  parameters (a randomized range finder on the FFT matvec when it is large).

Norms live in :mod:`lti_ops.norms`, balancing and realization in :mod:`lti_ops.realization`.
"""

from __future__ import annotations

import math
import numbers

from . import _checks, _dispatch, _lyapunov, _xp
from ._blockwise import batched, by_mimo
from .fftconv import fftconv
from .markov import markov_parameters
from .systems import DPLR, Diagonal, StateSpace

__all__ = [
    "epsilon_rank",
    "gramians",
    "hankel_matrix",
    "hankel_matvec",
    "hankel_rmatvec",
    "hankel_singular_values",
    "mcmillan_degree",
]

HSV_METHODS = ("gramian", "markov")
DENSE_HANKEL_LIMIT = 1024  # larger Hankel matrices go through the randomized range finder
MAX_MARKOV = 1 << 16


# --------------------------------------------------------------------------- Hankel matrices


def _markov_sequence(h, mimo, name="h"):
    """(xp, h) after checking the layout: (..., L) or, with `mimo`, (..., P, M, L)."""
    xp = _xp.array_namespace(h, names=[name])
    if not isinstance(mimo, bool):
        raise TypeError(f"`mimo` must be True or False; got {mimo!r}")
    if mimo and h.ndim < 3:
        raise ValueError(f"`{name}` must have shape (..., P, M, L) with mimo=True; got {tuple(h.shape)}")
    if not mimo:
        _checks.vector(name, h, "(..., L)")
    dtype = _xp.floating_dtype(xp, h, names=[name])
    _checks.all_finite(**{name: h})
    if h.shape[-1] < 2:
        raise ValueError(f"`{name}` needs at least 2 Markov parameters (h_0 = D, h_1, ...); got L = {h.shape[-1]}")
    return xp, (h if h.dtype == dtype else xp.astype(h, dtype))


def _sizes(L, rows, cols):
    """Block rows and columns of ``[h_{i+j+1}]`` that fit in ``h_0 ... h_{L-1}``."""
    rows = _checks.positive_int("rows", rows, allow_none=True)
    cols = _checks.positive_int("cols", cols, allow_none=True)
    if rows is None and cols is None:
        rows = max(L // 2, 1)
    if rows is None:
        rows = L - cols
    if cols is None:
        cols = L - rows
    if rows < 1 or cols < 1 or rows + cols > L:
        msg = f"`rows` + `cols` must be at most L = {L} (h_{{rows+cols-1}} is used); got rows={rows}, cols={cols}"
        raise ValueError(msg)
    return rows, cols


@batched(h=by_mimo(1, 3))
def hankel_matrix(h, rows=None, cols=None, *, mimo=False):
    r"""The (block) Hankel matrix :math:`[h_{i+j+1}]` of a Markov sequence.

    Parameters
    ----------
    h : array, shape (..., L) or, with ``mimo=True``, (..., P, M, L)
        Markov parameters :math:`h_0 = D, h_1, \dots, h_{L-1}` (the layout of
        :func:`lti_ops.markov_parameters`); :math:`h_0` is not used.
    rows, cols : int, optional
        Block rows and columns, with ``rows + cols <= L``; by default ``rows = L // 2`` and
        ``cols = L - rows`` (every parameter used).
    mimo : bool, optional
        Whether `h` holds P x M matrices.

    Returns
    -------
    array, shape (..., rows, cols) or (..., rows * P, cols * M)
        Block ``(i, j)`` is :math:`h_{i+j+1}`.

    Raises
    ------
    ValueError
        If ``rows + cols > L``, ``L < 2`` or `h` has too few axes.
    TypeError
        If `h` is not an array of a numeric dtype, or `mimo` is not a bool.

    Notes
    -----
    :math:`\mathbf H = \mathcal O \mathcal C` (observability times controllability
    matrix), so its rank is at most the McMillan degree (Kronecker's theorem, tested).
    HOPE's ``[h_{i+j}]`` (papers.md §1.4) is this matrix of the sequence ``(0, h)``.

    References
    ----------
    .. [1] K. Glover, "All optimal Hankel-norm approximations of linear multivariable
       systems and their L-infinity error bounds", Int. J. Control 39(6), 1984.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hankel_matrix
    >>> hankel_matrix(np.arange(6.0))
    array([[1., 2., 3.],
           [2., 3., 4.],
           [3., 4., 5.]])
    """
    xp, h = _markov_sequence(h, mimo)
    rows, cols = _sizes(h.shape[-1], rows, cols)
    dev = _xp.common_device(h)
    index = xp.reshape(xp.arange(rows, device=dev)[:, None] + xp.arange(cols, device=dev)[None, :] + 1, (-1,))
    H = xp.take(h, index, axis=h.ndim - 1)
    if not mimo:
        return xp.reshape(H, h.shape[:-1] + (rows, cols))
    batch, (P, M) = h.shape[:-3], h.shape[-3:-1]
    H = xp.reshape(H, batch + (P, M, rows, cols))
    nb = len(batch)
    H = xp.permute_dims(H, tuple(range(nb)) + (nb + 2, nb, nb + 3, nb + 1))
    return xp.reshape(H, batch + (rows * P, cols * M))


@batched(h=by_mimo(1, 3), x=1)
def hankel_matvec(h, x, *, rows=None, mimo=False):
    r"""The product :math:`\mathbf H x` with :math:`\mathbf H = [h_{i+j+1}]`, by FFT.

    Parameters
    ----------
    h : array, shape (..., L) or, with ``mimo=True``, (..., P, M, L)
        Markov parameters as in :func:`hankel_matrix`.
    x : array, shape (..., cols) or, with ``mimo=True``, (..., cols * M)
        The vector, block-stacked ``(x_0, x_1, ...)``; leading axes broadcast with those of
        `h`.
    rows : int, optional
        Block rows of the result; ``L - cols`` by default.
    mimo : bool, optional
        As :func:`hankel_matrix`.

    Returns
    -------
    array, shape (..., rows) or (..., rows * P)
        Equal to ``hankel_matrix(h, rows, cols) @ x``.

    Raises
    ------
    ValueError
        As :func:`hankel_matrix`; also when ``x.shape[-1]`` is not a multiple of M.

    Notes
    -----
    :math:`y_i = \sum_j h_{i+j+1} x_j` is a correlation, computed as a linear convolution of
    :math:`(h_1, \dots, h_{rows+cols-1})` with the reversed `x` by :func:`lti_ops.fftconv`:
    O(L log L) time and O(L) memory, never forming the matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hankel_matrix, hankel_matvec
    >>> h, x = np.arange(6.0), np.array([1.0, -1.0, 2.0])
    >>> bool(np.allclose(hankel_matvec(h, x), hankel_matrix(h) @ x))
    True
    """
    return _matvec(h, x, rows, mimo, adjoint=False)


@batched(h=by_mimo(1, 3), y=1)
def hankel_rmatvec(h, y, *, cols=None, mimo=False):
    r"""The adjoint product :math:`\mathbf H^H y`, by FFT.

    Parameters
    ----------
    h : array
        As :func:`hankel_matvec`.
    y : array, shape (..., rows) or, with ``mimo=True``, (..., rows * P)
    cols : int, optional
        Block columns of :math:`\mathbf H`; ``L - rows`` by default.
    mimo : bool, optional

    Returns
    -------
    array, shape (..., cols) or (..., cols * M)
        Equal to ``conj(hankel_matrix(h, rows, cols)).T @ y``.

    Notes
    -----
    :math:`(\mathbf H^H y)_j = \sum_i h_{i+j+1}^H y_i`: the Hankel matrix of the sequence
    :math:`h_k^H` applied to `y`, so it shares :func:`hankel_matvec`'s FFT path.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hankel_matrix, hankel_rmatvec
    >>> h, y = np.arange(6.0) * (1 + 1j), np.array([1.0, 0.0, 2.0])
    >>> bool(np.allclose(hankel_rmatvec(h, y), hankel_matrix(h).conj().T @ y))
    True
    """
    return _matvec(h, y, cols, mimo, adjoint=True)


def _matvec(h, x, out_blocks, mimo, adjoint):
    xp, h = _markov_sequence(h, mimo)
    name = "y" if adjoint else "x"
    _xp.array_namespace(h, x, names=["h", name])
    _checks.vector(name, x, "(..., n)")
    _checks.all_finite(**{name: x})
    if adjoint:
        h = _adjoint_sequence(xp, h, mimo)
    _xp.floating_dtype(xp, x, names=[name])
    M = h.shape[-2] if mimo else 1
    if x.shape[-1] % M or x.shape[-1] == 0:
        raise ValueError(f"`{name}`'s last axis must be a positive multiple of {M}; got {x.shape[-1]}")
    out_name = "cols" if adjoint else "rows"
    out_blocks = _checks.positive_int(out_name, out_blocks, allow_none=True)
    n_in, L = x.shape[-1] // M, h.shape[-1]
    if out_blocks is None:
        out_blocks = L - n_in
    if out_blocks < 1 or out_blocks + n_in > L:
        msg = (f"`{name}` has {n_in} blocks and `{out_name}` = {out_blocks}: together at most "
               f"L = {L} (h_1 ... h_{{rows+cols-1}} are used), each at least 1")
        raise ValueError(msg)
    return _apply(xp, h, x, out_blocks, n_in, mimo)


def _apply(xp, h, x, rows, cols, mimo):
    """``[h_{i+j+1}] x`` for validated input; `x` (..., cols * M) block-stacked."""
    g = h[..., 1 : rows + cols]
    if not mimo:
        y = fftconv(xp.flip(x, axis=-1), g, mode="full", kernel="xp")
        return y[..., cols - 1 : cols - 1 + rows]
    P, M = h.shape[-3], h.shape[-2]
    xm = xp.reshape(x, x.shape[:-1] + (cols, M))
    xm = xp.flip(xp.matrix_transpose(xm), axis=-1)  # (..., M, cols), reversed in time
    y = fftconv(xm, g, mode="full", mimo=True, kernel="xp")[..., cols - 1 : cols - 1 + rows]
    y = xp.matrix_transpose(y)  # (..., rows, P)
    return xp.reshape(y, y.shape[:-2] + (rows * P,))


# --------------------------------------------------------------------------- Gramians


def _check_system(sys, name="sys"):
    if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
        msg = f"`{name}` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
        raise TypeError(msg)
    _checks.all_finite(**{f"{name}.{field}": getattr(sys, field) for field in sys._CORE})
    return sys


@batched()
def gramians(sys):
    r"""Controllability and observability Gramians of a stable system.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, asymptotically stable, batched.

    Returns
    -------
    P, Q : arrays, shape (..., n, n)
        In the coordinates of ``sys.to_dense()``: the modal coordinates of a ``Diagonal``
        (complex), the real 2N form of a ``conj_sym`` one (real).

    Raises
    ------
    ValueError
        If the system is not asymptotically stable (the Gramians are infinite).
    TypeError
        If `sys` is not a system.

    Notes
    -----
    P and Q solve :math:`A P + P A^H + B B^H = 0`, :math:`A^H Q + Q A + C^H C = 0`
    (continuous) or :math:`A P A^H - P + B B^H = 0`, :math:`A^H Q A - Q + C^H C = 0`
    (discrete); the tests check these residuals. A ``Diagonal`` has the closed form
    :math:`P_{ij} = b_i b_j^H / (1 - \lambda_i \bar\lambda_j)` (discrete) or
    :math:`-b_i b_j^H / (\lambda_i + \bar\lambda_j)` (continuous); with ``conj_sym`` the
    four blocks of the full 2N system are folded into the real form. Dense systems use
    the squared Smith iteration in discrete time (one system or a batch: SciPy's
    ``solve_discrete_lyapunov`` loses accuracy with the eigenvector condition of A) and
    ``scipy.linalg.solve_continuous_lyapunov`` for continuous NumPy input (a Cayley transform
    and the Smith iteration elsewhere); DPLR systems go through their dense form.

    References
    ----------
    .. [1] A. C. Antoulas, *Approximation of Large-Scale Dynamical Systems*, SIAM, 2005,
       ch. 4 and 6.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5 + 0j]), np.array([1.0 + 0j]), np.array([1.0 + 0j]), dt=1.0)
    >>> P, Q = lti_ops.gramians(sys)
    >>> P.real.round(6)                                  # 1 / (1 - 0.25)
    array([[1.333333]])
    """
    return _lyapunov.gramians(_check_system(sys))


# --------------------------------------------------------------------------- singular values


@batched()
def hankel_singular_values(sys, *, method="gramian", n_markov=None, rng=None):
    r"""Hankel singular values of a stable system, largest first.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous or discrete, asymptotically stable, batched.
    method : {"gramian", "markov"}, optional
        ``"gramian"`` (default): square-root method on the Gramians. ``"markov"``: the
        singular values of a finite Hankel matrix of Markov parameters (continuous systems
        are first mapped by the balanced Tustin transform, which preserves the HSVs).
    n_markov : int, optional
        Markov parameters used by ``"markov"``; by default enough for the slowest pole to
        decay below eps (``rho^(n/2) < eps``, at least ``4 n_states + 8``, at most 65536).
    rng : None, int or numpy.random.Generator, optional
        Seed of the randomized range finder (``"markov"`` with a Hankel matrix larger than
        1024 block rows); None uses seed 0 so results are reproducible.

    Returns
    -------
    array, shape (..., n_states)
        Real, of the system's precision, descending.

    Raises
    ------
    ValueError
        If `method` is unknown or the system is not asymptotically stable: an unstable
        system has an unbounded Hankel operator, and this function raises rather than
        returning MATLAB's ``inf`` for the unstable part.
    NotImplementedError
        For ``"markov"`` on a dense system whose namespace has no eigenvalue solver and no
        `n_markov` given (the spectral radius sets the length).

    Notes
    -----
    :math:`\sigma_i = \sqrt{\lambda_i(PQ)}` are the singular values of
    :math:`\mathbf H = [h_{i+j+1}]`. With :math:`P = RR^H`, :math:`Q = SS^H` (Cholesky),
    :math:`\sigma = \operatorname{svd}(S^H R)`, which keeps small :math:`\sigma_i` to
    relative accuracy instead of the :math:`\epsilon(\sigma_1/\sigma_i)^2` of
    ``sqrt(eig(P Q))`` (papers.md §4 item 5). Tested: Gramian = Markov route; similarity
    invariance; invariance under ``tustin``/``bilinear`` discretization and not under
    ``zoh``/``s4_bilinear``; python-control ``hsvd`` (continuous) and Slycot ``ab09ad``
    (discrete).

    References
    ----------
    .. [1] A. C. Antoulas, *Approximation of Large-Scale Dynamical Systems*, SIAM, 2005,
       sec. 7.1.
    .. [2] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", 2024, sec. 2 (HSVs as a memory diagnostic).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5, -0.25]), np.ones(2), np.ones(2), dt=1.0)
    >>> sv = lti_ops.hankel_singular_values(sys)
    >>> bool(np.allclose(sv, lti_ops.hankel_singular_values(sys, method="markov")))
    True
    """
    sys = _check_system(sys)
    method = _checks.choice("method", method, HSV_METHODS)
    if rng is not None:
        _checks.generator(rng)  # refuse a bad seed even where the range finder is not needed
    if method == "gramian":
        return _gramian_hsv(sys)
    return _markov_hsv(sys, n_markov, rng)


def _gramian_hsv(sys):
    return _dispatch.resolve("hsv", "auto", sys.xp, _square_root_hsv)(sys.xp, sys)


def _square_root_hsv(xp, sys):
    """``svd(S^H R)`` with ``P = R R^H``, ``Q = S S^H``: the reference body of the ``"hsv"``
    kernels."""
    _, _, product = _lyapunov.square_root_product(sys)
    return _xp.svdvals(product)


def _markov_hsv(sys, n_markov, rng):
    disc = _as_discrete(sys)
    n = disc.n_states
    L = _markov_length(disc, n_markov)
    h = markov_parameters(disc, L)
    sv = _hankel_svdvals(h, k=n, mimo=True, rng=rng)
    return sv[..., :n]


def _as_discrete(sys, name="sys"):
    """`sys`, or for continuous time its balanced Tustin image (HSVs preserved)."""
    if sys.is_discrete:
        return sys
    _lyapunov.require_stable(sys, "the Hankel operator", name=name)
    from .discretize import discretize

    q = _frequency_scale(sys)
    return discretize(sys, 2 / q, "tustin")


def _frequency_scale(sys):
    """Geometric mean of the pole magnitudes per batch element (1 without poles; row norms
    of A without an eigensolver): the Cayley/Tustin shift that balances fast and slow poles.
    Cut from autodiff: no result (HSVs, norms) depends on the shift, and an unbatched one is
    read as a float."""
    xp = sys.xp
    real = _xp.real_dtype(xp, sys.dtype)
    try:
        p = xp.abs(_xp.detach(sys.poles()))
    except NotImplementedError:  # no eigensolver: the RMS pole magnitude bound ||A||_F / sqrt(n)
        A = _xp.detach(sys.to_dense().A)
        p = xp.sqrt(xp.sum(xp.abs(A) ** 2, axis=-1))
    p = xp.astype(p, real)
    tiny = xp.finfo(real).smallest_normal
    logs = xp.log(xp.where(p > tiny, p, xp.full_like(p, 1.0)))
    q = xp.exp(xp.mean(logs, axis=-1)) if p.shape[-1] else xp.ones(p.shape[:-1], dtype=real)
    return xp.broadcast_to(q, sys.batch_shape) if sys.batch_shape else float(q)


def _markov_length(disc, n_markov, name="sys"):
    if n_markov is not None:
        return _checks.positive_int("n_markov", n_markov)
    xp = disc.xp
    _lyapunov.require_stable(disc, "the Hankel operator", name=name)
    rho = float(xp.max(xp.abs(_xp.detach(disc.poles())))) if disc.n_states else 0.0
    eps = _xp.eps(xp, disc.dtype)
    half = math.ceil(math.log(eps) / math.log(rho)) if 0 < rho < 1 else 1
    return int(min(max(2 * half + 2, 4 * disc.n_states + 8), MAX_MARKOV))


def _hankel_svdvals(h, *, k, mimo, rng):
    """Top singular values of the square-ish Hankel matrix of `h` (at least `k` of them)."""
    xp = _xp.array_namespace(h)
    rows, cols = _sizes(h.shape[-1], None, None)
    if rows <= DENSE_HANKEL_LIMIT:
        return _xp.svdvals(hankel_matrix(h, rows, cols, mimo=mimo))
    return _randomized_svdvals(xp, h, rows, cols, k, mimo, rng)


def _randomized_svdvals(xp, h, rows, cols, k, mimo, rng, oversample=10, power=1):
    """Halko-Martinsson-Tropp range finder with `power` subspace iterations, on the FFT
    matvec; exact to working precision for Hankel matrices of rank < k + oversample."""
    P, M = (h.shape[-3], h.shape[-2]) if mimo else (1, 1)
    width = min(k + oversample, rows * P, cols * M)
    gen = _checks.generator(0 if rng is None else rng)
    omega = gen.standard_normal((width, cols * M))
    batch = h.shape[:-3] if mimo else h.shape[:-1]
    X = xp.asarray(omega, dtype=_xp.real_dtype(xp, h.dtype), device=_xp.common_device(h))
    X = xp.astype(X, h.dtype)
    hv = h[..., None, :, :, :] if mimo else h[..., None, :]
    matvec = lambda v: _apply(xp, hv, v, rows, cols, mimo)  # noqa: E731
    hadj = _adjoint_sequence(xp, h, mimo)
    hadj = hadj[..., None, :, :, :] if mimo else hadj[..., None, :]
    rmatvec = lambda v: _apply(xp, hadj, v, cols, rows, mimo)  # noqa: E731
    Y = matvec(xp.broadcast_to(X, batch + X.shape))  # (..., width, rows*P): rows are vectors
    for _ in range(power):
        Y = matvec(rmatvec(_orthonormal_rows(xp, Y)))
    Qr = _orthonormal_rows(xp, Y)  # (..., width, rows*P)
    Bt = rmatvec(Qr)  # rows H^H q_i: (H^H Q)^T, whose singular values are those of Q^H H
    return _xp.svdvals(Bt)


def _adjoint_sequence(xp, h, mimo):
    if mimo:
        nb = h.ndim - 3
        h = xp.permute_dims(h, tuple(range(nb)) + (nb + 1, nb, nb + 2))
    return xp.conj(h) if _xp.is_complex(xp, h.dtype) else h


def _orthonormal_rows(xp, Y):
    Q, _ = xp.linalg.qr(xp.matrix_transpose(Y))
    return xp.matrix_transpose(Q)


# --------------------------------------------------------------------------- ranks


@batched(hsv=1)
def epsilon_rank(hsv, eps):
    r"""The ε-rank :math:`\#\{i : \sigma_i > \varepsilon \sigma_1\}` of Hankel singular values.

    Parameters
    ----------
    hsv : array, shape (..., n)
        Hankel singular values, largest first (as :func:`hankel_singular_values` returns).
    eps : float
        Relative threshold in (0, 1].

    Returns
    -------
    array of int, shape (...)
        Zero where every value is zero (or n = 0).

    Raises
    ------
    ValueError
        If `eps` is not in (0, 1], or `hsv` has a negative or non-finite entry.

    Notes
    -----
    HOPE's numerical rank (papers.md §1.5): by the AAK bound an order-k approximation has
    :math:`\|G - G_k\|_\infty \ge \sigma_{k+1}`, so the ε-rank is the order below which no
    approximation is ε-accurate relative to :math:`\sigma_1`.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import epsilon_rank
    >>> int(epsilon_rank(np.array([1.0, 0.1, 1e-3, 1e-7]), 1e-4))
    3
    """
    xp = _xp.array_namespace(hsv, names=["hsv"])
    _checks.vector("hsv", hsv, "(..., n)")
    if not xp.isdtype(hsv.dtype, ("real floating", "integral")) or xp.isdtype(hsv.dtype, "bool"):
        msg = f"`hsv` must have a real dtype (Hankel singular values); got {hsv.dtype}"
        raise TypeError(msg)
    eps = _checks.real_number("eps", eps, minimum=0.0)
    if eps > 1:
        raise ValueError(f"`eps` must be in (0, 1]; got {eps!r}")
    _checks.all_finite(hsv=hsv)
    if hsv.shape[-1] and _xp.can_read_values(hsv) and not bool(xp.all(hsv >= 0)):
        raise ValueError("`hsv` must be non-negative (Hankel singular values); got a negative entry")
    if not hsv.shape[-1]:
        return xp.zeros(hsv.shape[:-1], dtype=xp.int64, device=_xp.common_device(hsv))
    top = xp.max(hsv, axis=-1, keepdims=True)
    return xp.sum(xp.astype((hsv > eps * top) & (top > 0), xp.int64), axis=-1)


@batched(x=by_mimo(1, 3))
def mcmillan_degree(x, *, tol=None, mimo=False, n_markov=None):
    r"""McMillan degree (order of a minimal realization) by numerical rank.

    Parameters
    ----------
    x : StateSpace, Diagonal, DPLR, or array
        A stable system, or Markov parameters as in :func:`hankel_matrix`.
    tol : float, optional
        Relative rank threshold on :math:`\sigma_i / \sigma_1`; default
        ``100 * m * eps`` of the dtype, with m the Hankel matrix's larger side.
    mimo : bool, optional
        Layout of an array `x`, as :func:`hankel_matrix`.
    n_markov : int, optional
        For a system: Markov parameters used (see :func:`hankel_singular_values`).

    Returns
    -------
    array of int, shape (...)

    Raises
    ------
    ValueError
        If `tol` is not in (0, 1), or as :func:`hankel_singular_values`.

    Notes
    -----
    Kronecker's theorem: the rank of :math:`\mathbf H = [h_{i+j+1}]` equals the McMillan
    degree. Systems go through the Markov route of :func:`hankel_singular_values`, whose
    noise floor is about :math:`m\epsilon\sigma_1`; the Gramian route would put the
    singular values of uncontrollable or unobservable modes near
    :math:`\sqrt\epsilon\sigma_1`. Tested: rank = N for random minimal systems, and it
    drops for a zeroed output column and for a duplicated mode.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> lam = np.array([0.5, 0.5, -0.3])                 # a repeated mode
    >>> sys = lti_ops.Diagonal.siso(lam, np.ones(3), np.ones(3), dt=1.0)
    >>> int(lti_ops.mcmillan_degree(sys))
    2
    """
    if isinstance(x, (StateSpace, Diagonal, DPLR)):
        disc = _as_discrete(_check_system(x, "x"), "x")
        h = markov_parameters(disc, _markov_length(disc, n_markov, "x"))
        mimo = True
        k = disc.n_states
    else:
        _, h = _markov_sequence(x, mimo, name="x")
        k = None
    xp = _xp.array_namespace(h)
    rows, cols = _sizes(h.shape[-1], None, None)
    P, M = (h.shape[-3], h.shape[-2]) if mimo else (1, 1)
    m = max(rows * P, cols * M)
    if tol is None:
        tol = 100 * m * _xp.eps(xp, h.dtype)
    tol = _checks.real_number("tol", tol, minimum=0.0)
    if tol >= 1:
        raise ValueError(f"`tol` must be in (0, 1); got {tol!r}")
    sv = _hankel_svdvals(h, k=min(k if k is not None else m, m), mimo=mimo, rng=None)
    return epsilon_rank(sv, tol)
