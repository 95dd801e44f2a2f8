r"""Transfer functions at arbitrary complex points, and the node sets S4 and HOPE sample on.

:math:`G(s) = C(sI - A)^{-1}B + D` (s for continuous systems, z for discrete ones):

* ``StateSpace``: with more points than states, one Hessenberg reduction and O(N²) per point
  (Laub's method, :mod:`lti_ops._hessenberg`); otherwise batched solves; chunked over points;
* ``Diagonal``: Cauchy sums :math:`\sum_n C_{:,n}B_{n,:}/(s - \lambda_n)` (the symmetric
  conjugate-pair form for ``conj_sym``);
* ``DPLR``: Cauchy sums and Woodbury,
  :math:`k_{00} - k_{01}(I + k_{11})^{-1}k_{10}` with :math:`k_{ab}` Cauchy sums of
  :math:`[C; Q^H]` and :math:`[B, P]`.
"""

from __future__ import annotations

import math

from . import _cauchy, _checks, _dispatch, _xp
from ._blockwise import batched
from .markov import check_system
from .systems import Diagonal, StateSpace

__all__ = ["bilinear_nodes", "frequency_response", "roots_of_unity", "transfer_function"]


@batched(points=1)
def transfer_function(sys, points, *, kernel="auto"):
    r"""The transfer function of `sys` at arbitrary complex points.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Continuous (points are s) or discrete (points are z).
    points : array, shape (..., K)
        Any points; leading axes broadcast with the system's batch axes.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the Cauchy sums; ``"xp"`` is the reference.

    Returns
    -------
    array, shape (..., P, M, K)
        Complex, of the system's precision; same namespace and device.

    Raises
    ------
    ValueError
        If a point is a pole of the system (G is infinite there): never a silent inf or NaN;
        if a point or an entry of the system is not finite (an infinite point, such as the
        Nyquist node of :func:`bilinear_nodes`, has G = D for a proper system: leave it out).
    TypeError
        If `sys` is not a system or `points` is not an array of the system's namespace.

    Notes
    -----
    Identities checked in ``tests/test_transfer.py``: dense = diagonal = DPLR for one
    system; Woodbury = dense solve for ranks 1, 2 and 3; the conj_sym sum equals the full
    sum; similarity invariance; agreement with python-control's ``frequency_response``
    and with :math:`\sum_k h_k z^{-k}` of the Markov parameters.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022, sec. 3.3 (Cauchy kernel and Woodbury identity).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([-1.0]), np.array([1.0]), np.array([1.0]))
    >>> lti_ops.transfer_function(sys, np.array([0.0, 1.0]))[0, 0]
    array([1. +0.j, 0.5+0.j])
    """
    check_system(sys)
    xp = _xp.array_namespace(*sys._arrays(), points, names=tuple(sys._CORE) + ("points",))
    _checks.vector("points", points, "(..., K)")
    _checks.all_finite(points=points)
    _dispatch.check(kernel, xp)
    ctype = _xp.complex_dtype(xp, xp.result_type(sys.dtype, _xp.floating_dtype(xp, points, names=["points"])))
    z = xp.astype(points, ctype)
    if isinstance(sys, StateSpace):
        G = _dense(xp, sys, z)
    else:
        name = "transfer_diagonal" if isinstance(sys, Diagonal) else "transfer_dplr"
        G = _dispatch.resolve(name, kernel, xp, _structured)(xp, sys, z)
    shape = _cauchy.broadcast_shape(G.shape[:-3], sys.D.shape[:-2])
    if tuple(G.shape[:-3]) == shape and _xp.can_read_values(sys.D) and not bool(xp.any(sys.D != 0)):
        return G  # strictly proper (S4-style layers): skip a pass over the output
    return G + xp.astype(sys.D, ctype)[..., None]


def _dense(xp, sys, z):
    cast = lambda x: xp.astype(x, z.dtype)  # noqa: E731
    return _cauchy.dense_resolvent(xp, cast(sys.A), cast(sys.B), cast(sys.C), z)


def _structured(xp, sys, z):
    cast = lambda x: xp.astype(x, z.dtype)  # noqa: E731
    lam = cast(sys.lam)
    if _cauchy.hits(xp, z, lam, sys.conj_sym):
        if isinstance(sys, Diagonal):
            raise ValueError(_cauchy.POLE_MSG)
        return _dense(xp, sys.to_dense(), z)  # on a mode of diag(lam) only: Woodbury can't start
    if isinstance(sys, Diagonal):
        return _cauchy.cauchy(xp, cast(sys.C), cast(sys.B), lam, z, sys.conj_sym)
    G = _cauchy.woodbury(xp, cast(sys.C), cast(sys.B), lam, cast(sys.P), cast(sys.Q), z, sys.conj_sym)
    if _xp.can_read_values(G) and not bool(xp.all(xp.isfinite(G))):
        raise ValueError(_cauchy.POLE_MSG)
    return G


@batched(w=1)
def frequency_response(sys, w, *, kernel="auto"):
    r"""G on the imaginary axis (continuous, :math:`s = i\omega`) or the unit circle (discrete,
    :math:`z = e^{i\omega\,dt}`, ω in radians per time unit as in MATLAB and python-control).

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
    w : array, shape (..., K)
        Real angular frequencies.
    kernel : str, optional
        As :func:`transfer_function`.

    Returns
    -------
    array, shape (..., P, M, K)

    Raises
    ------
    ValueError, TypeError
        As :func:`transfer_function`; complex `w` raises ``TypeError``.

    References
    ----------
    .. [1] python-control ``frequency_response``; MATLAB ``freqresp``.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([-1.0]), np.array([1.0]), np.array([1.0]))
    >>> np.round(lti_ops.frequency_response(sys, np.array([1.0]))[0, 0], 12)
    array([0.5-0.5j])
    """
    check_system(sys)
    xp = _xp.array_namespace(*sys._arrays(), w, names=tuple(sys._CORE) + ("w",))
    _checks.vector("w", w, "(..., K)")
    if _xp.is_complex(xp, w.dtype):
        msg = f"`w` must be real angular frequencies; got dtype {w.dtype}"
        raise TypeError(msg)
    real = xp.result_type(_xp.real_dtype(xp, sys.dtype), _xp.floating_dtype(xp, w, names=["w"]))
    _checks.all_finite(w=w)
    w = xp.astype(w, real)
    if getattr(sys, "dt", None) is None:
        points = 1j * xp.astype(w, _xp.complex_dtype(xp, w.dtype))
    else:
        dt = sys.dt[..., None] if hasattr(sys.dt, "shape") else sys.dt
        points = xp.exp(1j * xp.astype(w * dt, _xp.complex_dtype(xp, w.dtype)))
    try:
        return transfer_function(sys, points, kernel=kernel)
    except ValueError as error:
        if str(error) != _cauchy.POLE_MSG:
            raise
        msg = "`w`: a frequency falls on a pole of the system, where G is infinite"
        raise ValueError(msg) from None


def roots_of_unity(L, *, half=False, dtype=None, device=None, xp=None):
    r"""The FFT nodes :math:`\omega_k = e^{-2\pi i k/L}`, k = 0 ... L-1 (or 0 ... L//2 with
    `half`, the rfft half spectrum), so :math:`\mathrm{fft}(x)_k = \sum_l x_l\omega_k^l`.

    Parameters
    ----------
    L : int
    half : bool, optional
    dtype : complex64 or complex128, optional
        Default complex128.
    device, xp : optional
        NumPy when `xp` is omitted.

    Returns
    -------
    array, shape (L,) or (L//2 + 1,)

    Raises
    ------
    ValueError
        If `L` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> bool(np.allclose(lti_ops.roots_of_unity(4), [1, -1j, -1, 1j]))
    True
    """
    L = _checks.positive_int("L", L)
    _flag("half", half)
    xp, dtype = _complex_namespace(xp, dtype, device)
    n = L // 2 + 1 if half else L
    k = xp.arange(n, dtype=_xp.real_dtype(xp, dtype), device=device)
    angle = xp.astype(k * (-2 * math.pi / L), dtype)
    return xp.exp(1j * angle)


def bilinear_nodes(L, dt, *, half=True, dtype=None, device=None, xp=None):
    r"""S4's bilinear-mapped nodes :math:`s_k = \tfrac{2}{\Delta}\tfrac{1-\omega_k}{1+\omega_k}`.

    At these s the continuous transfer function gives the S4-bilinear generating function
    (papers.md §2.9): :math:`\sum_k \bar K_k\omega^k = \tfrac{2}{1+\omega}\,\Delta\,
    \tilde C(s - A)^{-1}B`, up to the Δ scaling of S4's code. The Nyquist node
    (:math:`\omega = -1`, even L) maps to :math:`s = \infty` and is returned as ``inf``.

    Parameters
    ----------
    L : int
    dt : float
        Positive step Δ.
    half : bool, optional
        Only the rfft half spectrum (default, as S4).
    dtype, device, xp : optional
        As :func:`roots_of_unity`.

    Returns
    -------
    array, shape (L//2 + 1,) or (L,)

    Raises
    ------
    ValueError
        Bad `L` or `dt`.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> s = lti_ops.bilinear_nodes(4, 1.0)
    >>> bool(np.allclose(s[:2], [0, 2j])), s[2].real
    (True, np.float64(inf))
    """
    if hasattr(dt, "shape"):
        msg = f"`dt` must be a positive number (one node set); got an array of shape {tuple(dt.shape)}"
        raise TypeError(msg)
    dt = _checks.sampling_time(dt, allow_none=False)
    omega = roots_of_unity(L, half=half, dtype=dtype, device=device, xp=xp)
    xp = _xp.array_namespace(omega)
    nyquist = xp.arange(omega.shape[0], device=device) == (L // 2 if L % 2 == 0 else -1)
    safe = xp.where(nyquist, xp.zeros_like(omega), omega)
    s = (2 / dt) * (1 - safe) / (1 + safe)
    return xp.where(nyquist, xp.full_like(s, float("inf")), s)


def _flag(name, value):
    if not isinstance(value, bool):
        msg = f"`{name}` must be True or False; got {value!r}"
        raise TypeError(msg)


def _complex_namespace(xp, dtype, device):
    if xp is None:
        import array_api_compat.numpy as xp
    elif not callable(getattr(xp, "asarray", None)):
        msg = f"`xp` must be an array namespace (a module such as numpy or torch); got {xp!r}"
        raise TypeError(msg)
    else:
        xp = _xp.array_namespace(xp.asarray([0.0], device=device))
    default = _xp.complex_dtype(xp, _xp.widest_real(xp, device))
    given = dtype
    dtype = default if dtype is None else (getattr(xp, dtype, None) if isinstance(dtype, str) else dtype)
    if dtype not in (xp.complex64, xp.complex128):
        msg = f"`dtype` must be complex64 or complex128; got {given!r}"
        raise ValueError(msg)
    return xp, _xp.check_available(xp, dtype, device)
