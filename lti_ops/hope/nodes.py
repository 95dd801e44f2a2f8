r"""HOPE's Möbius map and nodes, and the node-count rule of its alias-free kernel.

:math:`M_\Delta(z) = ((1+\Delta) z + (\Delta - 1)) / ((\Delta - 1) z + (\Delta + 1))` maps the
unit circle onto itself; HOPE samples its base transfer function at the images
:math:`M_\Delta(\omega_j)` of the FFT nodes (papers.md §3.3). :func:`tail_length` bounds the
decay of the resampled kernel (Cauchy's estimate), which sets the number of nodes of
``hope_kernel(mode="linear")`` and the length scanned by ``memory_window``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _checks, _xp
from .._blockwise import batched
from ._args import _array, _complex_dtype, _dtype, _namespace, _promote, _step

__all__ = ["mobius", "mobius_nodes", "tail_length"]

# Most lags (and nodes) the alias-free kernel rule may ask for: 2**26 complex128 values are
# 1 GiB per channel. Past it the request is refused with its remedies rather than run out of
# memory or appear to hang (a dt of 1e-7 asks for ~n * 1e7 lags).
MAX_TAIL = 2**26


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
        If `dt` is not positive and finite, `z` has a NaN or infinite entry, shapes do not
        broadcast, or a point is the pole :math:`z = (1+\Delta)/(1-\Delta)` of the map.
    TypeError
        If `z` is not an array, `dt` is not real, an array comes from another namespace,
        or `z` or `dt` has a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype.

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
    xp = _array("z", z, "(..., K)")
    ctype = _promote(xp, z, dt, "z")
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
    TypeError
        If `dt` is not real or has a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype; a bad `xp`.

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
        _dtype(xp, "dt", dt)
        device = _xp.common_device(dt)
        ctype = _complex_dtype(xp, dtype, _xp.floating_dtype(xp, dt, names=["dt"]))
        d = xp.astype(dt, _xp.real_dtype(xp, ctype))
    else:
        xp = _namespace(xp, device)
        ctype = _xp.check_available(xp, _complex_dtype(xp, dtype, _xp.widest_real(xp, device)), device)
        d = xp.asarray(dt, dtype=_xp.real_dtype(xp, ctype), device=device)
    return _nodes(xp, L, d, ctype)


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


def _tail(n, a, log_ratio, remedy):
    """:func:`tail_length` for the worst pole modulus `a` of a batch, refused (ValueError
    naming `dt`, with `remedy`) when the pole rounds onto the unit circle or the length
    passes :data:`MAX_TAIL`."""
    if a >= 1.0:
        msg = (
            f"`dt` is so far from 1 that the pole p = (1 - dt)/(1 + dt) of HOPE's resampled "
            f"system rounds to |p| = 1: its kernel does not decay in this precision; {remedy}"
        )
        raise ValueError(msg)
    J = tail_length(n, a, log_ratio)
    if J > MAX_TAIL:
        msg = (
            f"`dt` makes HOPE's kernel last about n * max(dt, 1/dt) steps: {J} lags here for "
            f"n = {n}, more than the {MAX_TAIL} this computes; {remedy}"
        )
        raise ValueError(msg)
    return J


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
    if math.prod(d.shape) == 0:  # an empty batch: no pole, the FIR length
        return 0.0
    lo, hi = float(xp.min(d)), float(xp.max(d))
    return max(abs(1 - lo) / (1 + lo), abs(1 - hi) / (1 + hi))
