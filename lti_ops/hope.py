r"""HOPE: SSMs parameterized by Markov parameters, sampled at Möbius-mapped nodes.

A HOPE channel (Yu, Mahoney, Erichson) holds n Markov parameters :math:`h \in \mathbb C^n`
and a timescale :math:`\Delta > 0`. Its base transfer function is the FIR filter
:math:`G(w) = \sum_{k<n} h_k w^{-(k+1)}`; the layer evaluates the resampled system

.. math:: G_\Delta(z) = G(M_\Delta(z)), \qquad
          M_\Delta(z) = \frac{(1+\Delta) z + (\Delta - 1)}{(\Delta - 1) z + (\Delta + 1)},

at the uniform FFT nodes, i.e. G at the nonuniform nodes :math:`M_\Delta(\omega_j)` of the
unit circle (papers.md §3.3). With :math:`p = (1-\Delta)/(1+\Delta)`,
:math:`M_\Delta(z)^{-1} = (1 - pz)/(z - p)` is a first-order all-pass (Blaschke) factor, so
:math:`G_\Delta = \sum_k h_k b(z)^{k+1}` is an FIR filter whose delays are replaced by
all-pass sections: one pole of multiplicity n at p, a feed-through
:math:`k_0 = \sum_k h_k (-p)^{k+1}`, McMillan degree n, and Hankel singular values and
H-infinity norm that do not depend on Δ (:func:`hope_to_state_space`).

Conventions: kernels are control-convention impulse responses (``k[..., 0]`` is the
feed-through at lag 0, ``k[..., j]`` acts at lag j); at Δ = 1, ``k = (0, h_0, ..., h_{n-1},
0, ...)``. The skip term D of the layer is separate.
"""

from __future__ import annotations

import math
import numbers
from collections import namedtuple

import numpy as np

from . import _checks, _dispatch, _xp
from ._blockwise import batched
from .fftconv import fftconv, next_fast_len
from .systems import DPLR, Diagonal, StateSpace

__all__ = [
    "HOPE_MODES",
    "HopeFit",
    "hope_conv",
    "hope_from_kernel",
    "hope_from_state_space",
    "hope_init",
    "hope_kernel",
    "hope_to_state_space",
    "hope_transfer",
    "hope_transfer_at",
    "memory_window",
    "mobius",
    "mobius_nodes",
]

HOPE_MODES = ("linear", "circular")
HOPE_INIT_SCALINGS = ("standalone", "lra")

HopeFit = namedtuple("HopeFit", ["h", "D", "error"])
HopeFit.__doc__ = """Best n-parameter HOPE approximation: ``h`` (..., n), feed-through ``D``
(...), and the H2 norm of what is left out, ``error`` (...)."""



# --------------------------------------------------------------------------- arguments


def _require_array(name, x, shape_text):
    if not hasattr(x, "shape") or isinstance(x, (bool, int, float, complex)):
        msg = f"`{name}` must be an array of shape {shape_text}; got {type(x).__name__}"
        raise TypeError(msg)


def _markov(h):
    """(xp, h) for Markov parameters of shape (..., n), n >= 1."""
    _require_array("h", h, "(..., n)")
    xp = _xp.array_namespace(h, names=["h"])
    _checks.vector("h", h, "(..., n)")
    if h.shape[-1] == 0:
        msg = f"`h` must hold at least one Markov parameter on its last axis; got shape {tuple(h.shape)}"
        raise ValueError(msg)
    return xp


def _step(xp, dt, like, dtype, batch_name="h"):
    """`dt` validated and as a real array of `dtype`'s precision on `like`'s device."""
    dt = _checks.sampling_time(dt, allow_none=False)
    real = _xp.real_dtype(xp, dtype)
    if not hasattr(dt, "shape"):
        return xp.asarray(dt, dtype=real, device=_xp.common_device(like))
    _xp.array_namespace(like, dt, names=[batch_name, "dt"])
    _checks.broadcast_batch({batch_name: like.shape[:-1], "dt": dt.shape})
    return xp.astype(dt, real)


def _promote(xp, h, dt):
    """Complex working dtype of `h` and `dt`."""
    dt_arr = dt if hasattr(dt, "shape") else None
    return _xp.complex_dtype(xp, _xp.floating_dtype(xp, h, dt_arr, names=["h", "dt"]))


def _pole(xp, dt):
    """p = (1 - dt) / (1 + dt), the pole of G_dt (real, |p| < 1)."""
    return (1 - dt) / (1 + dt)


def _signed_powers(xp, p, count, dev):
    """(-p)^e for e = 0 ... count-1, shape p.shape + (count,)."""
    e = xp.arange(count, dtype=p.dtype, device=dev)
    mag = xp.pow(xp.abs(p)[..., None], e)  # pow(0, 0) = 1
    odd = (e % 2) == 1
    flip = odd & (p[..., None] > 0)
    return xp.where(flip, -mag, mag)


# --------------------------------------------------------------------------- Möbius map


@batched(z=1, dt=0)
def mobius(z, dt):
    r"""The Möbius map :math:`M_\Delta` of HOPE at arbitrary complex points.

    Parameters
    ----------
    z : array, shape (..., K)
        Points of the z-plane.
    dt : float or array
        Timescale Δ > 0; an array (one Δ per channel) broadcasts with ``z.shape[:-1]``.

    Returns
    -------
    array, shape (..., K)
        :math:`M_\Delta(z)`, complex of the promoted precision.

    Raises
    ------
    ValueError
        If `dt` is not positive and finite, shapes do not broadcast, or a point is the pole
        :math:`z = (1+\Delta)/(1-\Delta)` of the map.
    TypeError
        If `z` is not an array or `dt` is not real.

    Notes
    -----
    .. math:: M_\Delta(z) = \frac{(1+\Delta) z + (\Delta - 1)}{(\Delta - 1) z + (\Delta + 1)}

    is HOPE's Algorithm 1, steps 2-4 (:math:`s = (z-1)/(z+1)`, :math:`s \leftarrow s/\Delta`,
    :math:`z \leftarrow (1+s)/(1-s)`) without their division by zero at :math:`z = -1`.
    Tested: equality with those steps, :math:`|M_\Delta| = 1` on the unit circle,
    :math:`M_1 = \mathrm{id}`, :math:`M_a \circ M_b = M_{ab}` and
    :math:`M_\Delta(0) = -p` with :math:`p = (1-\Delta)/(1+\Delta)`.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import mobius
    >>> z = np.exp(1j * np.array([0.0, np.pi / 2, np.pi]))
    >>> np.round(mobius(z, 0.5), 12)
    array([ 1. +0.j , -0.6+0.8j, -1. +0.j ])
    """
    _require_array("z", z, "(..., K)")
    xp = _xp.array_namespace(z, dt if hasattr(dt, "shape") else None, names=["z", "dt"])
    _checks.vector("z", z, "(..., K)")
    ctype = _promote(xp, z, dt)
    d = xp.astype(_step(xp, dt, z, ctype, "z"), ctype)
    d = d[..., None] if d.ndim else d
    z = xp.astype(z, ctype)
    den = (d - 1) * z + (d + 1)
    if bool(xp.any(den == 0)):
        msg = "`z` holds the pole (1 + dt) / (1 - dt) of the Möbius map"
        raise ValueError(msg)
    return ((1 + d) * z + (d - 1)) / den


@batched(dt=0)
def mobius_nodes(L, dt, *, dtype=None, device=None, xp=None):
    r"""HOPE's nonuniform nodes :math:`w_j = M_\Delta(e^{2\pi i j/L})`, j = 0 ... L-1.

    Parameters
    ----------
    L : int
        Number of nodes.
    dt : float or array
        Timescale Δ > 0; an array of shape (...) gives nodes of shape (..., L).
    dtype : complex64 or complex128, optional
        Default: complex of `dt`'s precision for an array, complex128 otherwise.
    device, xp : optional
        Where to create the nodes for a number `dt` (NumPy when `xp` is None); an array
        `dt` fixes both.

    Returns
    -------
    array, shape dt.shape + (L,)
        Complex nodes on the unit circle.

    Raises
    ------
    ValueError
        If `L` is not a positive integer, `dt` is not positive and finite, or `dtype` is
        not complex.

    Notes
    -----
    :math:`w_j = e^{i\varphi_j}` with :math:`\varphi_j = 2\arctan(\tan(\pi j/L)/\Delta)`.
    It is computed from the half angle without tangents: with :math:`c = \cos(\pi j/L)`,
    :math:`s = \sin(\pi j/L)`, :math:`w_j = (\Delta c + i s)^2 / (\Delta^2 c^2 + s^2)`, so
    :math:`w_0 = 1` and the Nyquist node :math:`w_{L/2} = -1` are exact, :math:`|w_j| = 1`
    to one rounding, and :math:`w_{L-j} = \overline{w_j}` exactly (c and s are taken on
    :math:`[0, \pi/2]` and reflected). The ω here are :math:`e^{+2\pi i j/L}` as in
    Algorithm 1, so that ``ifft`` of :math:`G(w_j)` is the kernel (see
    :func:`hope_kernel`). Tested against the angle formula and the map of the FFT nodes.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import mobius_nodes
    >>> np.round(mobius_nodes(4, 1.0), 12)
    array([ 1.+0.j,  0.+1.j, -1.+0.j,  0.-1.j])
    >>> w = mobius_nodes(4, 0.5)
    >>> np.round(np.angle(w) / np.pi, 6)          # 2 arctan(tan(pi j / 4) / 0.5) / pi
    array([ 0.      ,  0.704833,  1.      , -0.704833])
    """
    L = _checks.positive_int("L", L)
    dt = _checks.sampling_time(dt, allow_none=False)
    if hasattr(dt, "shape"):
        xp = _xp.array_namespace(dt, names=["dt"])
        device = _xp.common_device(dt)
        ctype = _complex_dtype(xp, dtype, _xp.floating_dtype(xp, dt, names=["dt"]))
        d = xp.astype(dt, _xp.real_dtype(xp, ctype))
    else:
        xp = _namespace(xp, device)
        ctype = _xp.check_available(xp, _complex_dtype(xp, dtype, _xp.widest_real(xp, device)), device)
        d = xp.asarray(dt, dtype=_xp.real_dtype(xp, ctype), device=device)
    return _nodes(xp, L, d, ctype)


def _namespace(xp, device):
    if xp is None:
        import array_api_compat.numpy as xp

        return xp
    if not hasattr(xp, "asarray"):
        msg = f"`xp` must be an array namespace (e.g. numpy, torch); got {xp!r}"
        raise TypeError(msg)
    return _xp.array_namespace(xp.asarray([0.0], device=device))


def _complex_dtype(xp, dtype, default_real):
    if dtype is None:
        return _xp.complex_dtype(xp, default_real)
    spec, dtype = dtype, getattr(xp, dtype, None) if isinstance(dtype, str) else dtype
    if dtype not in (xp.complex64, xp.complex128):
        msg = f"`dtype` must be complex64 or complex128; got {spec!r}"
        raise ValueError(msg)
    return dtype


def _circle(xp, L, real, dev):
    """(cos, sin) of the half angles pi j / L, j = 0 ... L-1, with sin >= 0: the (L,) factors
    of the nodes, shared by every step (:func:`_nodes` and the fused kernels)."""
    j = xp.arange(L, dtype=real, device=dev)
    upper = 2 * j > L
    half = xp.where(upper, L - j, j) * (math.pi / L)  # in [0, pi/2]
    c = xp.where(2 * j == L, xp.zeros_like(half), xp.cos(half))
    return xp.where(upper, -c, c), xp.sin(half)


def _nodes(xp, L, d, ctype):
    """Nodes for a real step array `d` (any shape), complex `ctype`, shape d.shape + (L,)."""
    c, s = _circle(xp, L, _xp.real_dtype(xp, ctype), _xp.common_device(d))
    X, Y = d[..., None] * c, xp.broadcast_to(s, d.shape + (L,))
    scale = xp.maximum(xp.abs(X), Y)
    X, Y = X / scale, Y / scale
    r = X * X + Y * Y
    re, im = (X * X - Y * Y) / r, 2 * X * Y / r
    return xp.astype(re, ctype) + xp.astype(im, ctype) * 1j


# --------------------------------------------------------------------------- samples


def _horner(xp, h, w):
    r"""Generic body: :math:`\sum_k h_k w^{-(k+1)}` by Horner in :math:`x = 1/w`.

    `h` (..., n) and `w` (..., K) share a complex dtype; batch axes broadcast. Memory is
    O(output): no (..., n, K) intermediate.
    """
    x = 1 / w
    n = h.shape[-1]
    acc = h[..., n - 1 : n] * x
    for k in range(n - 2, -1, -1):
        acc = (acc + h[..., k : k + 1]) * x
    return acc


@batched(h=1, points=1)
def hope_transfer_at(h, points, *, kernel="auto"):
    r"""HOPE's base transfer function :math:`G(w) = \sum_{k<n} h_k w^{-(k+1)}` at any points.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters (real or complex).
    points : array, shape (..., K)
        Nonzero evaluation points; batch axes broadcast with those of `h`.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the sum (registry name ``"hope_transfer"``, generic body
        ``(xp, h, w) -> samples``); ``"xp"`` is the reference.

    Returns
    -------
    array, shape (..., K)
        Complex, of the promoted precision of `h` and `points`; same namespace and device.

    Raises
    ------
    ValueError
        If `h` has no parameter, a point is 0 (the pole of G), batch shapes do not
        broadcast, or `kernel` is unknown.
    TypeError
        If `h` or `points` is not an array, or they come from different namespaces.

    Notes
    -----
    Horner's rule in :math:`x = w^{-1}`,
    :math:`G = x(h_0 + x(h_1 + \dots + x\,h_{n-1}))`: n multiply-adds per point, no
    powers :math:`w^{-k}` (whose phase error grows like :math:`k\epsilon`), no
    (..., n, K) intermediate, backward stable with error
    :math:`\lesssim n\epsilon\|h\|_1` on the unit circle. Tested against the explicit power sum at
    points on and off the circle, and for n up to 4096 against the exact FIR kernel.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_transfer_at
    >>> np.round(hope_transfer_at(np.array([1.0, 2.0]), np.array([1.0, 2.0, -1.0])), 12)
    array([3.+0.j, 1.+0.j, 1.+0.j])
    """
    xp = _markov(h)
    _require_array("points", points, "(..., K)")
    xp = _xp.array_namespace(h, points, names=["h", "points"])
    _checks.vector("points", points, "(..., K)")
    _checks.broadcast_batch({"h": h.shape[:-1], "points": points.shape[:-1]})
    ctype = _xp.complex_dtype(xp, _xp.floating_dtype(xp, h, points, names=["h", "points"]))
    w = xp.astype(points, ctype)
    if _xp.can_read_values(w) and bool(xp.any(w == 0)):
        msg = "`points` holds 0, the pole of G(w) = sum_k h_k w^-(k+1) (G is infinite there)"
        raise ValueError(msg)
    body = _dispatch.resolve("hope_transfer", kernel, xp, _horner)
    return body(xp, xp.astype(h, ctype), w)


@batched(h=1, dt=0)
def hope_transfer(h, dt, L, *, kernel="auto"):
    r"""HOPE's frequency samples :math:`g_j = G(M_\Delta(\omega_j))`, j = 0 ... L-1.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters.
    dt : float or array
        Timescale Δ > 0; an array (one Δ per channel) broadcasts with ``h.shape[:-1]``.
    L : int
        Number of FFT nodes :math:`\omega_j = e^{2\pi i j/L}`.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        As :func:`hope_transfer_at`.

    Returns
    -------
    array, shape (..., L)
        Complex samples; ``ifft`` of them is the L-periodized kernel of :math:`G_\Delta`.

    Raises
    ------
    ValueError
        Bad `L` or `dt`, empty `h`, batch shapes that do not broadcast.
    TypeError
        If `h` is not an array or `dt` is not real.

    Notes
    -----
    Algorithm 1 of the paper, steps 1-8, with the nodes of :func:`mobius_nodes` and the
    sum of :func:`hope_transfer_at`. Tested: at Δ = 1,
    :math:`\mathrm{ifft}(g) = (0, h_0, \dots, h_{n-1}, 0, \dots)`; the Lipschitz bound
    :math:`\max_j |g_j - \tilde g_j| \le \|h - \tilde h\|_1 \le \sqrt n\|h - \tilde h\|_2`
    for every Δ.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_transfer
    >>> g = hope_transfer(np.array([1.0, 0.5]), 1.0, 4)
    >>> np.round(np.fft.ifft(g).real, 12)
    array([0. , 1. , 0.5, 0. ])
    """
    L = _checks.positive_int("L", L)
    xp = _markov(h)
    ctype = _promote(xp, h, dt)
    d = _step(xp, dt, h, ctype)
    fused = _dispatch.fused("hope_samples", kernel, xp)  # nodes and sum in one pass
    if fused is not None:
        return fused(xp, xp.astype(h, ctype), d, L)
    return hope_transfer_at(h, _nodes(xp, L, d, ctype), kernel=kernel)


# --------------------------------------------------------------------------- kernels


def _blaschke_growth(a, log_r):
    """log max_{|x| = R} |b(x)| for b(x) = (x - p)/(1 - p x), |p| = a, R = exp(log_r)."""
    R = np.exp(log_r)
    return np.log((R - a) / (1 - a * R))


def tail_length(n, a, log_ratio):
    r"""Smallest J with :math:`|k_j| \le e^{-\text{log\_ratio}}\|h\|_1` for all j >= J.

    Cauchy's estimate on the circle |x| = R (1 < R < 1/a) of
    :math:`F(x) = \sum_k h_k b(x)^{k+1}` gives
    :math:`|k_j| \le \|h\|_1 \beta(R)^n R^{-j}` with
    :math:`\beta(R) = (R - a)/(1 - aR)`; J is minimized over R on a grid. For a = 0 (Δ = 1)
    the kernel is FIR and J = n + 1.
    """
    if a <= 0.0:
        return n + 1
    u = np.log(1 / a) * np.linspace(1e-4, 1 - 1e-4, 4000)
    bound = (n * _blaschke_growth(a, u) + log_ratio) / u
    return max(n + 1, int(math.ceil(float(np.min(bound)))))


def _worst_pole(xp, d):
    """max |p| over the steps in `d`, a number or an array (read on the host, cut from
    autodiff)."""
    if not hasattr(d, "shape"):
        return abs(1 - d) / (1 + d)
    d = _xp.detach(d)
    if not _xp.is_concrete(d):
        msg = (
            "mode='linear' picks its number of nodes from the values of `dt`, which are not "
            "known here (traced by jax.jit or jax.vmap, or lazy); pass n_nodes=... (at least L)"
        )
        raise ValueError(msg)
    lo, hi = float(xp.min(d)), float(xp.max(d))
    return max(abs(1 - lo) / (1 + lo), abs(1 - hi) / (1 + hi))


@batched(h=1, dt=0)
def hope_kernel(h, dt, L, *, mode="linear", tol=None, n_nodes=None, kernel="auto"):
    r"""The time-domain kernel of HOPE's resampled system :math:`G_\Delta`, lags 0 ... L-1.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters.
    dt : float or array
        Timescale Δ > 0 (an array broadcasts with ``h.shape[:-1]``).
    L : int
        Kernel length.
    mode : {"linear", "circular"}, optional
        ``"linear"`` (default): the impulse response :math:`k_0 \dots k_{L-1}` itself,
        alias-free to `tol`. ``"circular"``: ``ifft`` of the L samples of
        :func:`hope_transfer`, the L-periodized kernel :math:`\tilde k_j = \sum_m k_{j+mL}`
        that the paper's length-L circular convolution uses.
    tol : float, optional
        ``"linear"`` only: bound on the aliasing error relative to :math:`\|h\|_1`, in
        (0, 1); default the dtype's eps.
    n_nodes : int, optional
        ``"linear"`` only: number of nodes (``>= L``) instead of the rule below; required
        where `dt` is traced (``jax.jit``, ``jax.vmap``), since the rule reads its values.
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        As :func:`hope_transfer_at`.

    Returns
    -------
    array, shape (..., L)
        Complex for complex `h`; real for real `h` (whose kernel is real: the nodes are
        exactly conjugate symmetric).

    Raises
    ------
    ValueError
        Unknown `mode`, bad `L`, `dt`, `tol` or `n_nodes`, `tol`/`n_nodes` given with
        ``mode="circular"``, or a traced `dt` in ``"linear"`` mode without `n_nodes`.

    Notes
    -----
    :math:`G_\Delta(z) = \sum_k h_k b(z)^{k+1}` with the all-pass factor
    :math:`b(z) = (1 - pz)/(z - p)`, :math:`p = (1-\Delta)/(1+\Delta)`, so the kernel has a
    **feed-through** :math:`k_0 = G_\Delta(\infty) = \sum_k h_k ((\Delta-1)/(\Delta+1))^{k+1}`
    for Δ ≠ 1 (zero at Δ = 1, where :math:`k = (0, h_0, \dots, h_{n-1}, 0, \dots)`), and it
    is infinite (IIR) for Δ ≠ 1, with most of its energy in the first
    :math:`\approx n\max(\Delta, 1/\Delta)` lags (:func:`memory_window`).

    ``"linear"`` evaluates G at :math:`N \ge L` nodes and keeps the first L lags of
    ``ifft``; the aliasing error is :math:`\sum_{m \ge 1} k_{j+mN}`. Cauchy's estimate for
    :math:`F(x) = G_\Delta(1/x)` on :math:`|x| = R`, :math:`1 < R < 1/|p|`, gives
    :math:`|k_j| \le \|h\|_1\beta(R)^n R^{-j}` with :math:`\beta(R) = (R-|p|)/(1-|p|R)`,
    hence an aliasing error at most ``tol * ||h||_1`` once
    :math:`N \ge \min_R (n\log\beta(R) + \log(2/\mathrm{tol}))/\log R` (N = n + 1 at Δ = 1),
    taken with ``next_fast_len``. The rule depends on the worst Δ of the batch, read on the
    host. For float64 and n = 64 it gives N = 65 at Δ = 1, 1080 at Δ = 0.1 (or 10) and
    10800 at Δ = 0.01 (or 100): small Δ means long memory, and so many nodes.

    Tested: Δ = 1 gives the FIR kernel exactly; the linear kernel equals the kernel of
    :func:`hope_to_state_space` and the feed-through formula; the circular kernel is the
    fold of the linear one.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_kernel
    >>> h = np.array([1.0, 0.5])
    >>> np.round(hope_kernel(h, 1.0, 5), 12)
    array([0. , 1. , 0.5, 0. , 0. ])
    >>> k = hope_kernel(h, 0.5, 64)
    >>> q = (0.5 - 1) / (0.5 + 1)                       # k_0 = sum_k h_k q^(k+1)
    >>> bool(np.isclose(k[0], h[0] * q + h[1] * q**2))
    True
    """
    mode = _checks.choice("mode", mode, HOPE_MODES)
    L = _checks.positive_int("L", L)
    xp = _markov(h)
    ctype = _promote(xp, h, dt)
    d = _step(xp, dt, h, ctype)
    if mode == "circular":
        if tol is not None or n_nodes is not None:
            msg = f"`tol` and `n_nodes` are for mode='linear'; got tol={tol!r}, n_nodes={n_nodes!r} with mode='circular'"
            raise ValueError(msg)
        N = L
    else:
        step = d if hasattr(dt, "shape") else _checks.sampling_time(dt)  # a number stays static under jit
        N = _linear_nodes(xp, h.shape[-1], step, L, tol, n_nodes, ctype)
    g = hope_transfer_at(h, _nodes(xp, N, d, ctype), kernel=kernel)
    k = xp.fft.ifft(g)[..., :L]
    return k if _xp.is_complex(xp, h.dtype) else xp.real(k)


def _linear_nodes(xp, n, d, L, tol, n_nodes, ctype):
    if n_nodes is not None:
        n_nodes = _checks.positive_int("n_nodes", n_nodes)
        if n_nodes < L:
            msg = f"`n_nodes` must be at least L = {L}; got {n_nodes}"
            raise ValueError(msg)
        return n_nodes
    tol = _xp.eps(xp, ctype) if tol is None else _checks.real_number("tol", tol, minimum=0.0)
    if tol >= 1:
        msg = f"`tol` must be in (0, 1); got {tol!r}"
        raise ValueError(msg)
    return next_fast_len(max(L, tail_length(n, _worst_pole(xp, d), math.log(2 / tol))))


@batched(u=1, h=1, dt=0, D=0)
def hope_conv(u, h, dt, *, D=None, mode="linear", tol=None, n_nodes=None, kernel="auto"):
    r"""The SSM operation of a HOPE layer: :math:`y = k_\Delta * u + D u` along the last axis.

    Parameters
    ----------
    u : array, shape (..., L), e.g. (B, H, L)
        Input signals.
    h : array, shape (..., n), e.g. (H, n)
        Markov parameters; batch axes broadcast with ``u.shape[:-1]``.
    dt : float or array
        Timescale Δ > 0 (an array, e.g. shape (H,), broadcasts with ``h.shape[:-1]``).
    D : number or array, optional
        Skip term, e.g. shape (H,), as in :func:`lti_ops.fftconv`.
    mode : {"linear", "circular"}, optional
        ``"linear"`` (default): causal linear convolution with the alias-free kernel of
        :func:`hope_kernel` (no wrap-around). ``"circular"``: the paper's Algorithm 1,
        :math:`y = \mathrm{Re}(\mathrm{ifft}(\mathrm{fft}(u) \odot g))` with L nodes.
    tol : float, optional
        Aliasing tolerance of the ``"linear"`` kernel (see :func:`hope_kernel`).
    n_nodes : int, optional
        Number of nodes of the ``"linear"`` kernel instead of its rule (see
        :func:`hope_kernel`); needed where `dt` is traced (``jax.jit``, ``jax.vmap``).
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Implementation of the sampling and of the FFT product.

    Returns
    -------
    array, shape (..., L)
        Real for real `u` (and real `D`), as Algorithm 1 (the real part of the complex
        convolution); complex for complex `u`.

    Raises
    ------
    ValueError, TypeError
        As :func:`hope_kernel` and :func:`lti_ops.fftconv`.

    Notes
    -----
    For real u, :math:`\mathrm{Re}(\mathrm{ifft}(\mathrm{fft}(u)\,g)) = u \circledast
    \mathrm{Re}(\mathrm{ifft}(g))` (papers.md §4 item 43, tested), so the layer convolves
    with the real part of the kernel; the linear mode does the same with the first L lags.
    The two modes agree on outputs :math:`t \ge` :func:`memory_window` (tested): before it,
    the circular one carries the wrap-around of the late inputs.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_conv
    >>> u = np.zeros((1, 2, 6)); u[..., 0] = 1.0                  # impulses, B=1, H=2
    >>> h = np.array([[1.0, 0.5], [2.0 + 1j, 0.0]])
    >>> np.round(hope_conv(u, h, 1.0), 12) + 0.0
    array([[[0. , 1. , 0.5, 0. , 0. , 0. ],
            [0. , 2. , 0. , 0. , 0. , 0. ]]])
    """
    mode = _checks.choice("mode", mode, HOPE_MODES)
    _require_array("u", u, "(..., L)")
    xp = _markov(h)
    xp = _xp.array_namespace(u, h, names=["u", "h"])
    _checks.vector("u", u, "(..., L)")
    L = u.shape[-1]
    if L == 0:
        msg = f"`u` has shape {tuple(u.shape)}: its time axis (the last) must not be empty"
        raise ValueError(msg)
    _checks.broadcast_batch({"u": u.shape[:-1], "h": h.shape[:-1]})
    k = hope_kernel(h, dt, L, mode=mode, tol=tol, n_nodes=n_nodes, kernel=kernel)
    if _xp.is_complex(xp, k.dtype) and not _xp.is_complex(xp, _xp.floating_dtype(xp, u, names=["u"])):
        k = xp.real(k)
    return fftconv(u, k, mode="circular" if mode == "circular" else "causal", D=D, kernel=kernel)


# --------------------------------------------------------------------------- windows


@batched(h=1, dt=0)
def memory_window(h, dt, tol):
    r"""Number of steps after which HOPE's kernel stays below `tol`: the memory window.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters.
    dt : float or array
        Timescale Δ > 0 (an array broadcasts with ``h.shape[:-1]``).
    tol : float
        Absolute threshold > 0 on :math:`|k_j|`.

    Returns
    -------
    array of int64, shape (...)
        The smallest J with :math:`|k_j| < \mathrm{tol}` for every j >= J (0 if the whole
        kernel is below `tol`).

    Raises
    ------
    ValueError
        Bad `dt` or `tol`, empty `h`.

    Notes
    -----
    The kernel is computed alias-free (to ``tol / 4``) up to the lag beyond which the
    Cauchy bound of :func:`hope_kernel`, :math:`\|h\|_1\beta(R)^nR^{-j}`, is below `tol`,
    so the result is exact, not a rule of thumb. It follows the rule of papers.md §3.4:
    about :math:`c\,n/\Delta` steps for Δ < 1 (c ≈ 1-2 for random h and tol ≈ 1e-6
    ‖h‖; tested), n + 1 at Δ = 1 (FIR), and about :math:`c\,n\Delta` for Δ > 1, where the
    pole p < 0 rings at the Nyquist frequency. Inside the window the energy is not flat for
    Δ ≠ 1: the paper's "non-decaying memory" is the Δ = 1 picture.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import memory_window
    >>> h = np.ones(8) / 8
    >>> int(memory_window(h, 1.0, 1e-9)), int(memory_window(h, 0.1, 1e-9)) > 80
    (9, True)
    """
    xp = _markov(h)
    tol = _checks.real_number("tol", tol, minimum=0.0)
    ctype = _promote(xp, h, dt)
    d = _step(xp, dt, h, ctype)
    scale = float(xp.max(xp.sum(xp.abs(h), axis=-1)))
    n = h.shape[-1]
    batch = _checks.broadcast_batch({"h": h.shape[:-1], "dt": d.shape})
    if scale <= tol:
        return xp.zeros(batch, dtype=xp.int64, device=_xp.common_device(h))
    length = tail_length(n, _worst_pole(xp, d), math.log(scale / tol))
    rel = max(tol / (4 * scale), _xp.eps(xp, ctype))
    k = hope_kernel(h, dt, length, tol=rel)
    index = xp.arange(1, length + 1, dtype=xp.int64, device=_xp.common_device(h))
    last = xp.where(xp.abs(k) >= tol, index, xp.zeros_like(index))
    return xp.broadcast_to(xp.max(last, axis=-1), batch)


# --------------------------------------------------------------------------- state space


@batched(h=1, dt=0)
def hope_to_state_space(h, dt):
    r"""Exact discrete realization of HOPE's resampled system :math:`G_\Delta`.

    Parameters
    ----------
    h : array, shape (..., n)
        Markov parameters.
    dt : float or array
        Timescale Δ > 0 (an array broadcasts with ``h.shape[:-1]``).

    Returns
    -------
    StateSpace
        SISO, n states, ``dt=1.0`` (one step of the sequence), dtype of `h` and `dt`
        promoted (complex for complex `h`); its Markov parameters are the kernel of
        :func:`hope_kernel` in ``"linear"`` mode, its D the feed-through :math:`k_0`.

    Raises
    ------
    ValueError, TypeError
        As :func:`hope_kernel`.

    Notes
    -----
    :math:`G_\Delta(z) = \sum_k h_k b(z)^{k+1}` with :math:`b(z) = (1 - pz)/(z - p)
    = -p + s^2/(z - p)`, :math:`p = (1-\Delta)/(1+\Delta)`, :math:`s = \sqrt{1 - p^2}`: a
    tapped delay line whose delays are all-pass sections, each realized by the orthogonal
    matrix :math:`[[p, s], [s, -p]]` (a discrete Laguerre network). Transposed
    (observer form, states 0 ... n-1):

    .. math:: A_{ik} = \begin{cases} p & k = i \\ s^2(-p)^{k-i-1} & k > i \\ 0 & k < i
              \end{cases}, \quad B_i = s\sum_{m \ge i} h_m (-p)^{m-i}, \quad
              C_i = s(-p)^i, \quad D = \sum_m h_m (-p)^{m+1}.

    At Δ = 1 (p = 0) this is the FIR shift realization. A is upper triangular with the
    single pole p of multiplicity n on its diagonal (eigensolvers return it exactly), it
    is a contraction (:math:`\|A^k\|_2 \le 1`) and the observability Gramian is exactly I,
    so the Hankel singular values are the square roots of the eigenvalues of the
    controllability Gramian and equal the singular values of the n x n Hankel matrix
    :math:`[h_{i+j}]` for every Δ (tested).

    Conditioning (measured in float64 on random complex h): the realization's kernel
    agrees with the sampled kernel to 1e-15 relative at n = 32, 2e-14 at n = 256 and 8e-14
    at n = 1024, for Δ from 0.01 to 100: nothing in (A, B, C, D) grows with n. What is
    ill conditioned is the *defective* pole. Eigensolvers return it exactly here (A is
    triangular), but after an orthogonal similarity the computed eigenvalues scatter by
    about :math:`\epsilon^{1/n}`: 6e-5 at n = 4, 4e-3 at n = 8, 0.14 at n = 32 and 0.34 at
    n = 64 (Δ = 0.1, p = 0.82), so anything that diagonalizes A (``diagonalize``, modal
    forms) is useless beyond a handful of states. The Hankel singular values from the
    Gramians (``hankel_singular_values``) agree with the SVD of :math:`[h_{i+j}]` to
    2e-15 σ₁ at n = 8, 4e-11 σ₁ at n = 32, 1e-9 σ₁ at n = 128 and 4e-9 σ₁ at n = 256,
    whatever Δ; since they span :math:`\sigma_n/\sigma_1 \approx 10^{-19}` for some h at
    n = 32 (papers.md §3.8), only the leading ones are meaningful in float64 by any
    method.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.
    .. [2] B. Wahlberg, "System identification using Laguerre models", IEEE Trans.
       Automatic Control 36(5), 1991 (the all-pass / Laguerre network).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.hope_to_state_space(np.array([1.0, 0.5]), 1.0)
    >>> sys.A, sys.B[:, 0], sys.C[0]
    (array([[0., 1.],
           [0., 0.]]), array([1. , 0.5]), array([1., 0.]))
    >>> bool(np.allclose(lti_ops.markov_parameters(sys, 64)[0, 0],
    ...                  lti_ops.hope_kernel(np.array([1.0, 0.5]), 1.0, 64)))
    True
    """
    xp = _markov(h)
    ctype = _promote(xp, h, dt)
    dtype = ctype if _xp.is_complex(xp, h.dtype) else _xp.real_dtype(xp, ctype)
    real = _xp.real_dtype(xp, ctype)
    p = _pole(xp, _step(xp, dt, h, ctype))
    n = h.shape[-1]
    s = xp.sqrt((1 - p) * (1 + p))
    dev = _xp.common_device(h)
    pw = _signed_powers(xp, p, n + 1, dev)  # (-p)^e, e = 0 ... n
    i = xp.arange(n, device=dev)
    gap = xp.reshape(i[None, :] - i[:, None], (-1,))  # k - i, row-major
    table = xp.take(pw, xp.where(gap > 0, gap - 1, xp.zeros_like(gap)), axis=pw.ndim - 1)
    table = xp.reshape(table, p.shape + (n, n))
    gap = xp.reshape(gap, (n, n))
    sq = (s * s)[..., None, None]
    eye = xp.astype(gap == 0, real)
    A = xp.where(gap > 0, sq * table, xp.zeros_like(table)) + p[..., None, None] * eye
    toeplitz = xp.take(pw, _clip_index(xp, gap), axis=pw.ndim - 1)  # (-p)^(m - i), m >= i
    toeplitz = xp.where(gap >= 0, xp.reshape(toeplitz, p.shape + (n, n)), xp.zeros_like(table))
    hc = xp.astype(h, dtype)
    B = s[..., None, None] * xp.matmul(xp.astype(toeplitz, dtype), hc[..., None])
    C = (s[..., None] * pw[..., :n])[..., None, :]
    D = xp.sum(hc * xp.astype(pw[..., 1:], dtype), axis=-1)[..., None, None]
    A, C = xp.astype(A, dtype), xp.astype(C, dtype)
    batch = _checks.broadcast_batch({"h": h.shape[:-1], "dt": p.shape})
    return StateSpace(_bcast(xp, A, batch), B, _bcast(xp, C, batch), D, dt=1.0)


def _clip_index(xp, gap):
    return xp.reshape(xp.where(gap >= 0, gap, xp.zeros_like(gap)), (-1,))


def _bcast(xp, x, batch):
    return xp.broadcast_to(x, batch + tuple(x.shape[-2:])) if x.ndim - 2 < len(batch) else x


@batched(k=1)
def hope_from_kernel(k, n):
    r"""Best n-parameter HOPE approximation (Δ = 1) of an impulse response, in H2.

    Parameters
    ----------
    k : array, shape (..., L)
        Control-convention impulse response (Markov parameters): ``k[..., 0]`` is the
        feed-through, ``k[..., j]`` acts at lag j.
    n : int
        Number of HOPE parameters.

    Returns
    -------
    HopeFit
        ``h = k[..., 1:n+1]`` (zero-padded when ``n > L - 1``), ``D = k[..., 0]`` and
        ``error`` :math:`= (\sum_{j > n} |k_j|^2)^{1/2}`, real, shape (...).

    Raises
    ------
    ValueError
        If `n` is not a positive integer or `k` has no axis or no sample.
    TypeError
        If `k` is not an array.

    Notes
    -----
    At Δ = 1, HOPE is the FIR filter :math:`D + \sum_{k<n} h_k z^{-(k+1)}`; its H2
    distance to a system with impulse response k is
    :math:`(\sum_{j \ge 1}|k_j - h_{j-1}|^2 + |k_0 - D|^2)^{1/2}` (Parseval), minimized by
    truncation, with the tail as the error. For a finite `k` the error counts only the
    given samples (a lower bound of the true tail; :func:`hope_from_state_space` has it
    exactly). Because :math:`\|G_\Delta\|_\infty` and the HSVs are Δ-invariant, the H∞
    error of the fit is the same at every Δ. Tested: exact recovery of a HOPE kernel, the
    error is the norm of the residual.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_from_kernel
    >>> fit = hope_from_kernel(np.array([0.5, 1.0, 0.5, 0.25, 0.125]), 2)
    >>> fit.h, float(fit.D), round(float(fit.error), 6)
    (array([1. , 0.5]), 0.5, 0.279508)
    """
    _require_array("k", k, "(..., L)")
    xp = _xp.array_namespace(k, names=["k"])
    _checks.vector("k", k, "(..., L)")
    n = _checks.positive_int("n", n)
    if k.shape[-1] == 0:
        msg = f"`k` must hold at least one sample on its last axis; got shape {tuple(k.shape)}"
        raise ValueError(msg)
    dtype = _xp.floating_dtype(xp, k, names=["k"])
    k = xp.astype(k, dtype)
    stop = min(n + 1, k.shape[-1])  # in-bounds slices (the Array API leaves others unspecified)
    h = k[..., 1:stop]
    if h.shape[-1] < n:
        pad = xp.zeros(tuple(k.shape[:-1]) + (n - h.shape[-1],), dtype=dtype, device=_xp.common_device(k))
        h = xp.concat([h, pad], axis=-1)
    tail = xp.abs(k[..., stop:])
    return HopeFit(h, k[..., 0], xp.sqrt(xp.sum(tail * tail, axis=-1)))


@batched()
def hope_from_state_space(sys, n):
    r"""Best n-parameter HOPE approximation (Δ = 1) of a stable discrete SISO system, in H2.

    Parameters
    ----------
    sys : StateSpace, Diagonal or DPLR
        Discrete-time, asymptotically stable, SISO, batched.
    n : int
        Number of HOPE parameters.

    Returns
    -------
    HopeFit
        ``h`` (..., n) the Markov parameters :math:`h_k = C\bar A^k\bar B`
        (:math:`= m_{k+1}`), ``D`` (...) the system's D and ``error`` (...) the exact H2
        norm of the tail :math:`\sum_{j>n} m_j z^{-j}`.

    Raises
    ------
    TypeError
        If `sys` is not a system.
    ValueError
        If `sys` is continuous, not SISO, or not asymptotically stable; bad `n`.

    Notes
    -----
    As :func:`hope_from_kernel`; the error is the H2 norm of the tail system
    :math:`(\bar A, \bar A^n\bar B, C, 0)`, from its Gramian (so it does not suffer the
    cancellation of :math:`\|G\|_2^2 - \sum_{j \le n}|m_j|^2`). It decays like
    :math:`\rho(\bar A)^n`: a slowly decaying system needs many HOPE parameters at Δ = 1.

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    >>> fit = lti_ops.hope_from_state_space(sys, 3)
    >>> print(fit.h, round(float(fit.error) ** 2, 6))   # tail sum_{j>=3} 0.25**j
    [1.   0.5  0.25] 0.020833
    """
    from .markov import markov_parameters
    from .norms import h2_norm

    if not isinstance(sys, (StateSpace, Diagonal, DPLR)):
        msg = f"`sys` must be a StateSpace, Diagonal or DPLR system; got {type(sys).__name__}"
        raise TypeError(msg)
    _checks.same_time_domain("sys", sys, continuous=False)
    if sys.n_inputs != 1 or sys.n_outputs != 1:
        msg = f"`sys` must be SISO (HOPE channels are); got {sys.n_outputs} outputs and {sys.n_inputs} inputs"
        raise ValueError(msg)
    n = _checks.positive_int("n", n)
    m = markov_parameters(sys, n + 1)[..., 0, 0, :]
    dense = sys.to_dense()
    xp = dense.xp
    tail_b = xp.matmul(xp.linalg.matrix_power(dense.A, n), dense.B)
    tail = StateSpace(dense.A, tail_b, dense.C, dt=dense.dt)
    return HopeFit(m[..., 1:], m[..., 0], h2_norm(tail))


# --------------------------------------------------------------------------- initialization


def hope_init(n, *, H=None, scaling="standalone", decay_exp=0.0, rng=None, dtype=None,
              device=None, xp=None):
    r"""Random complex HOPE Markov parameters with the scalings of the HOPE code.

    Parameters
    ----------
    n : int
        Markov parameters per channel.
    H : int, optional
        Number of channels; adds a leading axis of that size.
    scaling : {"standalone", "lra"}, optional
        ``"standalone"`` (default; ``models/s4/HOPE_SSM.py`` at 553ffde): ``randn(cfloat) /
        sqrt(N) / 2`` with ``N = d_state = 2n``, i.e. complex normal with
        :math:`E|h_k|^2 = 1/(8n)`. ``"lra"`` (``s4block.py`` ``SSMKernelDiag``, the LRA
        configs): real and imaginary parts :math:`\mathcal N(0, 1)/(2\sqrt n)` each, i.e.
        :math:`E|h_k|^2 = 1/(2n)`.
    decay_exp : float, optional
        Multiplies :math:`h_k` by :math:`(k+1)^{\text{decay\_exp}}` (the LRA code's
        ``decay_exp``; 0 by default, no decay).
    rng : None, int or numpy.random.Generator, optional
        Random source; None draws fresh OS entropy, the global NumPy state is never used.
    dtype : float32 or float64, optional
        Precision (h is complex of it); default float64.
    device, xp : optional
        Namespace and device of the result (NumPy by default).

    Returns
    -------
    array, shape (n,) or (H, n)
        Complex.

    Raises
    ------
    ValueError
        Bad `n`, `H`, `scaling`, `decay_exp` or `dtype`.
    TypeError
        A bad `rng`.

    Notes
    -----
    With i.i.d. Gaussian h the n x n Hankel matrix has numerical rank Ω(n) (the paper's
    "random HOPE is high-rank" theorem; papers.md §3.8 measures ε-ranks 57/61/62 of 64 at
    ε = 1e-2/1e-4/1e-6), and by the Lipschitz bound
    :math:`\|G - \tilde G\|_\infty \le \sqrt n\|h - \tilde h\|_2` the scale
    :math:`\|h\|_2 \approx 1/\sqrt 8` (standalone) keeps :math:`\|G\|_\infty = O(1)`. Draw Δ
    with :func:`lti_ops.init_dt` (the HOPE code: log-uniform in [dt_min, dt_max]).

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_init
    >>> h = hope_init(64, H=4, rng=0)
    >>> h.shape, h.dtype, bool(abs(np.mean(np.abs(h) ** 2) * 8 * 64 - 1) < 0.2)
    ((4, 64), dtype('complex128'), True)
    """
    n = _checks.positive_int("n", n)
    channels = _checks.positive_int("H", H, allow_none=True)
    scaling = _checks.choice("scaling", scaling, HOPE_INIT_SCALINGS)
    decay_exp = _checks.real_number("decay_exp", decay_exp)
    gen = _checks.generator(rng)
    shape = (channels or 1, n)
    z = gen.standard_normal(shape) + 1j * gen.standard_normal(shape)
    h = z / math.sqrt(2) / math.sqrt(2 * n) / 2 if scaling == "standalone" else z / math.sqrt(n) / 2
    h = h * np.arange(1, n + 1, dtype=np.float64) ** decay_exp
    if channels is None:
        h = h[0]
    from .hippo import _namespace as _hippo_namespace

    xp, real = _hippo_namespace(xp, dtype, device)
    return xp.asarray(np.array(h), dtype=_xp.complex_dtype(xp, real), device=device)
