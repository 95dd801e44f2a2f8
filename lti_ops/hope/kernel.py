r"""HOPE's transfer samples, kernels and convolution, and its memory window.

:math:`G(w) = \sum_{k<n} h_k w^{-(k+1)}` at any points (:func:`hope_transfer_at`) and at
the Möbius nodes (:func:`hope_transfer`, Algorithm 1 steps 1-8); the time-domain kernel
(:func:`hope_kernel`, circular as in the paper or alias-free linear), the layer's
convolution (:func:`hope_conv`) and the number of steps the kernel lasts
(:func:`memory_window`).
"""

from __future__ import annotations

import math

from .. import _checks, _dispatch, _xp
from .._blockwise import batched
from ..fftconv import fftconv, next_fast_len
from ._args import _array, _dtype, _markov, _promote, _step
from .nodes import _nodes, _tail, _worst_pole

__all__ = ["HOPE_MODES", "hope_conv", "hope_kernel", "hope_transfer", "hope_transfer_at", "memory_window"]

HOPE_MODES = ("linear", "circular")


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
        If `h` has no parameter, `h` or `points` has a NaN or infinite entry, a point is 0
        (the pole of G), batch shapes do not broadcast, or `kernel` is unknown.
    TypeError
        If `h` or `points` is not an array, they come from different namespaces, or one
        has a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype.

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
    _array("points", points, "(..., K)")
    xp = _xp.array_namespace(h, points, names=["h", "points"])
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
        Bad `L` or `dt`, empty or non-finite `h`, batch shapes that do not broadcast.
    TypeError
        If `h` is not an array, `dt` is not real, `dt` is an array of another namespace,
        or `h` or `dt` has a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype.

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
        ``mode="circular"``, or a traced `dt` in ``"linear"`` mode without `n_nodes`;
        as :func:`hope_transfer` for `h`. In ``"linear"`` mode, a `dt` so far from 1 that
        the rule below asks for more than ``MAX_TAIL`` (2**26) nodes, or that the pole p
        rounds to ±1 (pass `n_nodes`, a larger `tol` or ``mode="circular"``).
    TypeError
        As :func:`hope_transfer`.

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
    if math.prod(g.shape[:-1]) == 0:  # an empty batch (torch's FFT refuses one)
        k = xp.zeros(tuple(g.shape[:-1]) + (L,), dtype=g.dtype, device=_xp.common_device(g))
    else:
        k = xp.fft.ifft(g)[..., :L]
    return k if _xp.is_complex(xp, h.dtype) else xp.real(k)


def _linear_nodes(xp, n, d, L, tol, n_nodes, ctype):
    tol = _xp.eps(xp, ctype) if tol is None else _checks.real_number("tol", tol, minimum=0.0)
    if tol >= 1:
        msg = f"`tol` must be in (0, 1); got {tol!r}"
        raise ValueError(msg)
    if n_nodes is not None:
        n_nodes = _checks.positive_int("n_nodes", n_nodes)
        if n_nodes < L:
            msg = f"`n_nodes` must be at least L = {L}; got {n_nodes}"
            raise ValueError(msg)
        return n_nodes
    remedy = "pass n_nodes=... (at least L), a larger `tol`, or mode='circular'"
    return next_fast_len(max(L, _tail(n, _worst_pole(xp, d), math.log(2 / tol), remedy)))


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
        As :func:`hope_kernel` and :func:`lti_ops.fftconv`; also a NaN or infinite entry
        of `u` or `D`, or a `u` or `D` with a bool, object or half-precision dtype (float16, bfloat16); integer arrays promote to the
        default floating dtype.

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
    _array("u", u, "(..., L)")
    xp = _markov(h)
    xp = _xp.array_namespace(u, h, names=["u", "h"])
    if hasattr(D, "dtype"):
        _dtype(xp, "D", D)
    _checks.all_finite(D=D)
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
        Bad `dt` or `tol`, empty or non-finite `h`; a `dt` so far from 1 that the
        window would pass ``MAX_TAIL`` (2**26) steps.
    TypeError
        As :func:`hope_transfer`.

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
    n = h.shape[-1]
    batch = _checks.broadcast_batch({"h": h.shape[:-1], "dt": d.shape})
    scale = float(xp.max(xp.sum(xp.abs(h), axis=-1))) if math.prod(h.shape[:-1]) else 0.0
    if scale <= tol:
        return xp.zeros(batch, dtype=xp.int64, device=_xp.common_device(h))
    remedy = "use a larger `tol` or a `dt` closer to 1"
    length = _tail(n, _worst_pole(xp, d), math.log(scale / tol), remedy)
    rel = max(tol / (4 * scale), _xp.eps(xp, ctype))
    k = hope_kernel(h, dt, length, tol=rel)
    index = xp.arange(1, length + 1, dtype=xp.int64, device=_xp.common_device(h))
    last = xp.where(xp.abs(k) >= tol, index, xp.zeros_like(index))
    return xp.broadcast_to(xp.max(last, axis=-1), batch)
